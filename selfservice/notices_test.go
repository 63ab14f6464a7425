package selfservice

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func openTestStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Notices survive a restart: a new board on the same data directory plays
// what the old one was told, recording included; time windows hold.
func TestNoticeBoardSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	st := openTestStore(t, dir)
	b := newNoticeBoard(st, dir, []string{"zh", "en"}, "zh", fixedClock{now}, slog.New(slog.DiscardHandler))
	ctl := noticeControl{b}
	later, until := now.Add(time.Hour), now.Add(2*time.Hour)
	text := "maintenance"
	if _, err := ctl.CreateNotice(context.Background(), web.NoticeInput{
		Areas: []string{"north"}, Text: &text, Audio: map[string][]byte{"en": audiotest.ToneWAV(t, 8000, time.Second)},
	}, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.CreateNotice(context.Background(), web.NoticeInput{
		Areas: []string{"*"}, Text: &text, StartsAt: &later, EndsAt: &until,
		Audio: map[string][]byte{"zh": audiotest.ToneWAV(t, 8000, time.Second)},
	}, "tester"); err != nil {
		t.Fatal(err)
	}
	_ = st.Close(context.Background())

	st = openTestStore(t, dir)
	defer func() { _ = st.Close(context.Background()) }()
	for _, tc := range []struct {
		at    time.Time
		area  string
		count int
	}{
		{now, "north", 1}, {now, "south", 0}, {later, "south", 1}, {later, "north", 2}, {until, "south", 0},
	} {
		b := newNoticeBoard(st, dir, []string{"zh", "en"}, "zh", fixedClock{tc.at}, slog.New(slog.DiscardHandler))
		if err := b.load(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := b.forArea(tc.area)
		if len(got) != tc.count {
			t.Errorf("%s at %s: %d notices, want %d", tc.area, tc.at.Format(time.Kitchen), len(got), tc.count)
			continue
		}
		for _, n := range got {
			// Asked in Korean, which no notice has: the default
			// language, else any recording plays.
			ref := ivr.PromptRef{Lang: "ko", Name: n.Prompts[0].Name}
			if b.prompt(ref) == nil {
				t.Errorf("notice %s: no recording after restart", n.ID)
			}
		}
	}
	ctl = noticeControl{newNoticeBoard(st, dir, []string{"zh"}, "zh", fixedClock{now}, slog.New(slog.DiscardHandler))}
	if _, err := ctl.ExpireNotice(context.Background(), 99, "tester"); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("expire unknown: %v", err)
	}
}

// A notice in a language the hotline does not serve, or cannot speak, is a
// bad request naming the language and the supported ones; it never blames
// the speech synthesiser.
func TestNoticeInUnsupportedLanguageSaysSo(t *testing.T) {
	dir := t.TempDir()
	st := openTestStore(t, dir)
	defer func() { _ = st.Close(context.Background()) }()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	b := newNoticeBoard(st, dir, []string{"zh", "en", "ja"}, "zh", fixedClock{now}, slog.New(slog.DiscardHandler))
	ctl := noticeControl{b}
	text := "maintenance"
	for lang, want := range map[string]string{
		"fr": `language "fr" is not supported: want one of zh, en, ja`,
		"ja": `language "ja": speech can be generated only in zh, en; upload a recording for ja`,
	} {
		_, err := ctl.CreateNotice(context.Background(), web.NoticeInput{Areas: []string{"*"}, Text: &text, Language: lang}, "tester")
		if !errors.Is(err, web.ErrInvalid) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "espeak") {
			t.Errorf("%s: %v, want ErrInvalid with %q", lang, err, want)
		}
	}
	list, err := ctl.ListNotices(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(list); strings.Contains(string(b), "maintenance") {
		t.Errorf("a refused notice was stored: %s", b)
	}
}

// With the database out of reach, every notice write fails as unavailable
// (503) and changes nothing: the board plays what it played, and no
// recording is left on disk.
func TestNoticeWritesWithoutTheDatabaseChangeNothing(t *testing.T) {
	dir := t.TempDir()
	// Nobody listens on a port just closed: the store opens degraded.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	st, err := store.Open(context.Background(), store.Config{
		DSN: "root@tcp(" + addr + ")/hotline", DataDir: dir, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close(context.Background()) }()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	b := newNoticeBoard(st, dir, []string{"en"}, "en", fixedClock{now}, slog.New(slog.DiscardHandler))
	// A notice the board had before the outage (as loaded at start).
	if err := os.MkdirAll(b.noticeDir(7), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.noticeDir(7), "en.wav"), audiotest.ToneWAV(t, 8000, time.Second), 0o640); err != nil {
		t.Fatal(err)
	}
	b.put(store.Notice{ID: 7, Areas: []string{"north"}, Prompts: map[string]string{"en": "en.wav"}, Starts: now.Add(-time.Hour)})
	before := dirListing(t, b.dir)

	ctl := noticeControl{b}
	ctx := context.Background()
	text := "storm"
	audio := map[string][]byte{"en": audiotest.ToneWAV(t, 8000, time.Second)}
	in := web.NoticeInput{Areas: []string{"south"}, Text: &text, Audio: audio}
	_, createErr := ctl.CreateNotice(ctx, in, "tester")
	_, updateErr := ctl.UpdateNotice(ctx, 7, in, "tester")
	_, expireErr := ctl.ExpireNotice(ctx, 7, "tester")
	deleteErr := ctl.DeleteNotice(ctx, 7, "tester")
	_, listErr := ctl.ListNotices(ctx, false)
	for name, err := range map[string]error{"create": createErr, "update": updateErr, "expire": expireErr,
		"delete": deleteErr, "list": listErr} {
		if !errors.Is(err, web.ErrUnavailable) {
			t.Errorf("%s without the database: %v, want web.ErrUnavailable", name, err)
		}
	}
	// Fault reports are read from the same database: 503 too, not 404.
	faults := faultControl{d: &faultDesk{store: st, dir: filepath.Join(dir, "faults")}}
	if _, err := faults.ListFaults(ctx, now.Add(-time.Hour), now); !errors.Is(err, web.ErrUnavailable) {
		t.Errorf("list faults without the database: %v, want web.ErrUnavailable", err)
	}
	if _, err := faults.FaultRecording(ctx, "m.wav"); !errors.Is(err, web.ErrUnavailable) {
		t.Errorf("fault recording without the database: %v, want web.ErrUnavailable", err)
	}
	got := b.forArea("north")
	if len(got) != 1 || got[0].ID != "7" || b.prompt(ivr.PromptRef{Lang: "en", Name: got[0].Prompts[0].Name}) == nil {
		t.Errorf("board after the failed writes: %+v, want notice 7 with its recording", got)
	}
	if south := b.forArea("south"); len(south) != 0 {
		t.Errorf("a notice that was not saved plays: %+v", south)
	}
	if after := dirListing(t, b.dir); !slices.Equal(after, before) {
		t.Errorf("notice files changed:\nbefore %v\nafter  %v", before, after)
	}
}

// dirListing lists every file and directory under root, relative to it.
func dirListing(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
