package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/store"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hotline.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckConfigAcceptsTheDemo(t *testing.T) {
	path := writeConfig(t, string(config.Demo()))
	var out, errOut bytes.Buffer
	if code := run([]string{"check-config", path}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), ": ok") {
		t.Errorf("stdout %q", out.String())
	}
}

// A broken flow stops startup with file, line and reason.
func TestCheckConfigReportsFileLineAndReason(t *testing.T) {
	demo := string(config.Demo())
	cases := []struct {
		name, from, to, want string
	}{
		{"unknown node", "options: {\"1\": outage_menu,", "options: {\"1\": no_such_node,", "unknown node \"no_such_node\""},
		{"missing prompt", "prompts: [payment_info]", "prompts: [no_such_prompt]", "no_such_prompt"},
		{"unreachable node", "\"2\": billing_menu,", "", "unreachable"},
		{"digit used twice", "\"3\": complaints_menu,", "\"1\": complaints_menu,", "\"1\""},
		{"unknown time zone", "timezone: Asia/Shanghai", "timezone: Mars/Olympus", "Mars/Olympus"},
		{"unknown flow for a number", "\"95598\": main", "\"95598\": mian", "unknown flow \"mian\""},
	}
	for _, tc := range cases {
		if !strings.Contains(demo, tc.from) {
			t.Fatalf("%s: demo no longer contains %q", tc.name, tc.from)
		}
		path := writeConfig(t, strings.Replace(demo, tc.from, tc.to, 1))
		var out, errOut bytes.Buffer
		code := run([]string{"check-config", path}, &out, &errOut)
		msg := errOut.String()
		if code == 0 {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !strings.Contains(msg, tc.want) || !strings.Contains(msg, path+":") {
			t.Errorf("%s: %q lacks %q or the file:line prefix", tc.name, msg, tc.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"check-config"}, &out, &errOut); code != 2 {
		t.Errorf("check-config without a file: exit %d", code)
	}
	if code := run([]string{"-no-such-flag"}, &out, &errOut); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
	if code := run([]string{"-config", "/nonexistent/hotline.yaml"}, &out, &errOut); code != 1 {
		t.Errorf("missing config: exit %d", code)
	}
	if code := run([]string{"-rtp-ports", "7-3"}, &out, &errOut); code != 1 {
		t.Errorf("bad -rtp-ports: exit %d", code)
	}
}

func TestBackupCopiesTheDatabase(t *testing.T) {
	dir := t.TempDir()
	createRecordDatabase(t, dir)
	out := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"backup", "-data-dir", dir, out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	info, err := os.Stat(out)
	if err != nil || info.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	head := make([]byte, 16)
	f, _ := os.Open(out)
	defer f.Close()
	_, _ = f.Read(head)
	if string(head) != "SQLite format 3\x00" {
		t.Errorf("not a SQLite database: %q", head)
	}
}

// createRecordDatabase leaves the record database a server would have made
// in dir.
func createRecordDatabase(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// With nothing to copy, backup fails, says why, and creates neither the
// database, the data directory nor the output file.
func TestBackupWithoutDatabaseFailsAndCreatesNothing(t *testing.T) {
	empty := t.TempDir()
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	for _, tc := range []struct{ name, dataDir, want string }{
		{"empty data directory", empty, "hotline.db not found"},
		{"missing data directory", missing, "does not exist"},
	} {
		out := filepath.Join(t.TempDir(), "copy.db")
		var stdout, stderr bytes.Buffer
		code := run([]string{"backup", "-data-dir", tc.dataDir, out}, &stdout, &stderr)
		if code == 0 {
			t.Errorf("%s: exit 0, stdout %q", tc.name, stdout.String())
		}
		if !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "no record database") {
			t.Errorf("%s: stderr %q lacks %q", tc.name, stderr.String(), tc.want)
		}
		if strings.Contains(stdout.String(), "backup written") {
			t.Errorf("%s: stdout claims success: %q", tc.name, stdout.String())
		}
		if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: output file exists (err %v)", tc.name, err)
		}
	}
	if entries, err := os.ReadDir(empty); err != nil || len(entries) != 0 {
		t.Errorf("empty data directory now holds %v (err %v)", entries, err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing data directory was created (err %v)", err)
	}
}

// check-config reports every problem of a file in one run, each at the
// line and column of its own key, sorted as they appear in the file.
func TestCheckConfigReportsEveryProblemAtItsOwnLine(t *testing.T) {
	demo := string(config.Demo())
	edits := []struct{ from, to string }{
		{"  max_calls: 1000 ", "  max_call: 3\n  max_calls: 1000 "},
		{"    ban_for: 15m", "    ban_for: -15m"},
		{"  inactivity_timeout: 30s", "  inactivity_timeout: soon"},
		{"shutdown_grace: 30s", "shutdown_grace: 30"},
		{"prompts: [payment_info]", "prompts: [no_such_prompt]"},
	}
	for _, e := range edits {
		if !strings.Contains(demo, e.from) {
			t.Fatalf("demo no longer contains %q", e.from)
		}
		demo = strings.Replace(demo, e.from, e.to, 1)
	}
	path := writeConfig(t, demo)
	// where is "FILE:LINE:COL: " of text inside the first line holding line.
	where := func(line, text string) string {
		i := strings.Index(demo, line) + strings.Index(line, text)
		return fmt.Sprintf("%s:%d:%d: ", path, strings.Count(demo[:i], "\n")+1, i-strings.LastIndex(demo[:i], "\n"))
	}
	want := []struct{ at, msg string }{
		{where("  max_call: 3", "max_call"), `config.sip: unknown key "max_call"`},
		{where("    ban_for: -15m", "ban_for"), "sip.security.ban_for must be positive"},
		{where("  inactivity_timeout: soon", "soon"), `rtp.inactivity_timeout: "soon" is not a duration`},
		{where("shutdown_grace: 30 ", "30"), `shutdown_grace: "30" is not a duration`},
		{where("prompts: [no_such_prompt]", "no_such_prompt"), `"no_such_prompt"`},
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"check-config", path}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, stdout %q", code, out.String())
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != len(want)+1 {
		t.Errorf("%d lines, want %d problems and a count:\n%s", len(lines), len(want), errOut.String())
	}
	for i, w := range want {
		if got := at(lines, i); !strings.HasPrefix(got, w.at) || !strings.Contains(got, w.msg) {
			t.Errorf("problem %d: got %q, want %q…%q", i+1, got, w.at, w.msg)
		}
	}
	if last := lines[len(lines)-1]; last != fmt.Sprintf("%s: %d problem(s)", path, len(want)) {
		t.Errorf("summary %q", last)
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}
