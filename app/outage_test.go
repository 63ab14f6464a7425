package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/freeport"
	"github.com/hotline-oss/hotline/store"
)

const (
	// outageEnv opts in to the MariaDB outage test: it stops the shared
	// MariaDB server, so it must not run beside other tests that use it.
	outageEnv      = "HOTLINE_TEST_MYSQL_OUTAGE"
	outageConfig   = "testdata/outage.yaml"
	outageScenario = "server_ends_call.xml"

	// 48 calls at 3 per second take 16 s; each lasts about 2 s.
	outageCalls    = 48
	outageCallRate = "3"
	// The database goes down once outageCallsBefore calls have ended and
	// stays down at least outageMinDown and until outageCallsDuring more
	// calls have ended.
	outageCallsBefore = 10
	outageCallsDuring = 10
	outageMinDown     = 7 * time.Second
)

// TestMariaDBOutageDuringSIPpCalls stops MariaDB while SIPp places short
// calls, starts it again, and checks that calls went on and that every call
// left exactly one record once the spool drained.
func TestMariaDBOutageDuringSIPpCalls(t *testing.T) {
	if os.Getenv(outageEnv) != "1" {
		t.Skipf("%s=1 not set: this test stops the shared MariaDB server and runs on its own", outageEnv)
	}
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		missingTool(t, mysqlDSNEnv+" is not set (the outage test needs MariaDB)")
	}
	sipp := needSIPp(t)
	db := newOutageDatabase(t, base)
	h := start(t, outageConfig, func(c *config.Config) { c.Database.DSN = db.dsn })
	st := h.srv.Store()
	if st.Dialect() != "mysql" {
		t.Fatalf("store dialect %s, want mysql", st.Dialect())
	}

	load := startSIPpLoad(t, sipp, h, outageScenario, outageCalls)

	// Whatever happens, later tests find MariaDB running.
	t.Cleanup(func() {
		if !mariaDBAlive() {
			if err := restartMariaDB(); err != nil {
				t.Error(err)
			}
		}
	})
	seen := h.outage(t, st)
	if err := restartMariaDB(); err != nil {
		t.Fatal(err)
	}

	succeeded, failed := load.finish(t)
	if failed != 0 || succeeded != outageCalls {
		t.Fatalf("SIPp: %d successful, %d failed calls; want %d and 0", succeeded, failed, outageCalls)
	}
	h.waitIdle()
	drainStore(t, st)
	t.Logf("outage: %d write errors, up to %d spooled records, %d calls ended while down",
		seen.writeErrors, seen.spooled, seen.ended)
	if seen.spooled == 0 || !seen.storeDown {
		t.Errorf("during the outage: spool peaked at %d records, hotline_store_up went to 0: %v", seen.spooled, seen.storeDown)
	}
	if up, spool := scrapeSum(t, h, "hotline_store_up"), scrapeSum(t, h, "hotline_store_spool_records"); up != 1 || spool != 0 {
		t.Errorf("after the outage: hotline_store_up %v, hotline_store_spool_records %v; want 1 and 0", up, spool)
	}
	ended := h.events.endedCallIDs()
	if len(ended) != succeeded {
		t.Errorf("the server ended %d calls, SIPp completed %d", len(ended), succeeded)
	}
	checkOutageRecords(t, h, db, ended)
	if got := scrapeSum(t, h, "hotline_calls_total"); got != float64(succeeded) {
		t.Errorf("hotline_calls_total = %v, want %d (one per record)", got, succeeded)
	}
}

// outageSeen is what the test saw while the database was down.
type outageSeen struct {
	writeErrors int64
	spooled     int  // most records in the spool at once
	ended       int  // calls that ended
	storeDown   bool // hotline_store_up showed 0
}

// outage stops MariaDB once enough calls have ended and returns with it
// still down, after outageMinDown, once outageCallsDuring more calls have
// ended and the writer has failed.
func (h *harness) outage(t *testing.T, st *store.Store) outageSeen {
	t.Helper()
	waitFor(t, "calls to end before the outage", time.Minute, func() bool { return h.events.endedCalls() >= outageCallsBefore })
	stopMariaDB(t)
	down, endedBefore := time.Now(), h.events.endedCalls()
	var seen outageSeen
	waitFor(t, "the outage to hit the writer while calls go on", time.Minute, func() bool {
		s := st.Stats()
		seen.spooled = max(seen.spooled, s.SpoolRecords)
		seen.storeDown = seen.storeDown || scrapeSum(t, h, "hotline_store_up") == 0
		return s.WriteErrors > 0 && seen.storeDown && time.Since(down) >= outageMinDown &&
			h.events.endedCalls() >= endedBefore+outageCallsDuring
	})
	seen.writeErrors = st.Stats().WriteErrors
	seen.ended = h.events.endedCalls() - endedBefore
	return seen
}

// checkOutageRecords compares the records in the database with the calls
// the server ended: the same call ids, each once, each self service.
func checkOutageRecords(t *testing.T, h *harness, db outageDatabase, ended []string) {
	t.Helper()
	total, distinct := db.countCalls(t)
	if total != len(ended) || distinct != total {
		t.Errorf("calls table: %d rows, %d distinct call ids; want %d of each", total, distinct, len(ended))
	}
	recs, err := allCalls(t, h.srv.Store())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.CallID)
		if r.Result != call.ResultSelfService || r.Ended.IsZero() {
			t.Errorf("record %s: result %q, ended %v; want self_service with an end", r.CallID, r.Result, r.Ended)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, ended) {
		t.Errorf("record ids differ from the calls the server ended:\nrecords %v\nended   %v", ids, ended)
	}
}

// sippLoad is a SIPp process placing many calls in the background.
type sippLoad struct {
	done  chan struct{}
	run   sippRun
	stats string // SIPp's statistics file (CSV)
}

// startSIPpLoad starts SIPp placing calls calls of scenario, outageCallRate
// per second, and returns without waiting for it.
func startSIPpLoad(t *testing.T, sipp string, h *harness, scenario string, calls int) *sippLoad {
	t.Helper()
	dir := t.TempDir()
	stageScenario(t, dir, scenario)
	sigPort, mediaPort := freeport.UDP(t, false), freeport.UDP(t, true)
	l := &sippLoad{done: make(chan struct{}), stats: filepath.Join(dir, "stats.csv")}
	args := []string{
		h.srv.SIPAddr().String(),
		"-sf", filepath.Join(dir, scenario), "-s", "95598", "-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(sigPort), "-mp", strconv.Itoa(mediaPort),
		"-m", strconv.Itoa(calls), "-r", outageCallRate, "-l", "30",
		"-rtp_echo", "-nostdin", "-timeout", "90s", "-timeout_error",
		"-trace_stat", "-stf", l.stats, "-fd", "1",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, sipp, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sipp: %v", err)
	}
	go func() {
		err := cmd.Wait()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("killed after 2m: %w", err)
		}
		l.run = sippRun{err: err, screen: out.String(), dir: dir, scenario: scenario}
		close(l.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-l.done
	})
	return l
}

// finish waits for SIPp to exit, requires that every call followed the
// scenario and returns SIPp's count of successful and failed calls.
func (l *sippLoad) finish(t *testing.T) (succeeded, failed int) {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(3 * time.Minute):
		t.Fatal("SIPp did not exit")
	}
	l.run.requireSuccess(t)
	return l.callCounts(t)
}

// callCounts reads the cumulative successful and failed call counts from
// the last line of SIPp's statistics file.
func (l *sippLoad) callCounts(t *testing.T) (succeeded, failed int) {
	t.Helper()
	data, err := os.ReadFile(l.stats)
	if err != nil {
		t.Fatalf("SIPp statistics: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		t.Fatalf("SIPp statistics: no data line in %q", data)
	}
	header := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	column := func(name string) int {
		i := slices.Index(header, name)
		if i < 0 || i >= len(last) {
			t.Fatalf("SIPp statistics: no column %s", name)
		}
		n, err := strconv.Atoi(strings.TrimSpace(last[i]))
		if err != nil {
			t.Fatalf("SIPp statistics: %s: %v", name, err)
		}
		return n
	}
	return column("SuccessfulCall(C)"), column("FailedCall(C)")
}
