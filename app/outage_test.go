package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/freeport"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

const (
	// outageEnv opts in to the MariaDB outage test: it stops the shared
	// MariaDB server, so it must not run beside other tests that use it.
	outageEnv      = "HOTLINE_TEST_MYSQL_OUTAGE"
	mysqlDSNEnv    = "HOTLINE_TEST_MYSQL_DSN"
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

	mariadbBinary = "/usr/sbin/mariadbd"
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

// allCalls reads every stored call record. The range is wide on purpose:
// in these tests the SIP layer stamps arrival with the real clock while the
// rest of the server uses the harness's shifted clock.
func allCalls(t *testing.T, st *store.Store) ([]store.CallRecord, error) {
	t.Helper()
	return st.Calls(ctxT(t, 10*time.Second), time.Unix(0, 0), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0)
}

// drainStore waits until the writer has written everything: the queue and
// the spool are empty and no call is still being folded.
func drainStore(t *testing.T, st *store.Store) {
	t.Helper()
	waitFor(t, "the spool to drain", time.Minute, func() bool {
		err := st.Flush(ctxT(t, 15*time.Second))
		s := st.Stats()
		return err == nil && s.Queued == 0 && s.SpoolRecords == 0 && s.OpenCalls == 0
	})
	if s := st.Stats(); s.LastError != nil || s.Rejected != 0 {
		t.Errorf("store after the outage: last error %v, %d rejected records", s.LastError, s.Rejected)
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	if !pollUntil(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// pollUntil polls cond until it holds (true) or timeout passes (false).
func pollUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}

// endedCalls counts the calls that have ended.
func (r *recorder) endedCalls() int { return len(r.endedCallIDs()) }

// endedCallIDs lists the ids of the ended calls, sorted.
func (r *recorder) endedCallIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, e := range r.events {
		if e.Kind == call.CallEnded && !slices.Contains(ids, e.CallID) {
			ids = append(ids, e.CallID)
		}
	}
	slices.Sort(ids)
	return ids
}

// scrapeSum adds up every series of a metric on the server's /metrics page.
func scrapeSum(t *testing.T, h *harness, name string) float64 {
	t.Helper()
	res, err := http.Get("http://" + h.srv.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sum float64
	found := false
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			t.Fatalf("/metrics: %q: %v", line, err)
		}
		sum += v
		found = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("/metrics has no %s", name)
	}
	return sum
}

// outageDatabase is a database of its own on the MariaDB server, dropped
// when the test ends.
type outageDatabase struct {
	dsn  string
	name string
	base *mysql.Config
}

func newOutageDatabase(t *testing.T, base string) outageDatabase {
	t.Helper()
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", mysqlDSNEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := outageDatabase{name: "hotline_outage_" + hex.EncodeToString(b[:]), base: cfg}
	admin := db.open(t, "")
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + db.name + " CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	// Registered before the server starts, so it runs after the server has
	// closed its store (and after MariaDB is back up).
	t.Cleanup(func() {
		admin := db.open(t, "")
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE " + db.name); err != nil {
			t.Errorf("drop database %s: %v", db.name, err)
		}
	})
	own := cfg.Clone()
	own.DBName = db.name
	db.dsn = own.FormatDSN()
	return db
}

func (d outageDatabase) open(t *testing.T, name string) *sql.DB {
	t.Helper()
	cfg := d.base.Clone()
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// countCalls reads the calls table directly, not through the store.
func (d outageDatabase) countCalls(t *testing.T) (total, distinct int) {
	t.Helper()
	db := d.open(t, d.name)
	defer db.Close()
	row := db.QueryRowContext(ctxT(t, 10*time.Second), "SELECT COUNT(*), COUNT(DISTINCT call_id) FROM calls")
	if err := row.Scan(&total, &distinct); err != nil {
		t.Fatalf("count calls: %v", err)
	}
	return total, distinct
}

// mysqladmin runs mysqladmin against the server over TCP.
func mysqladmin(ctx context.Context, args ...string) ([]byte, error) {
	base := []string{"-uroot", "--protocol=tcp", "-h127.0.0.1", "--connect-timeout=2"}
	return exec.CommandContext(ctx, "mysqladmin", append(base, args...)...).CombinedOutput()
}

func mariaDBAlive() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := mysqladmin(ctx, "ping")
	return err == nil
}

// stopMariaDB shuts MariaDB down and waits until its process has exited:
// it stops answering before it is gone, and a start in between would be
// a no-op.
func stopMariaDB(t *testing.T) {
	t.Helper()
	if out, err := mysqladmin(ctxT(t, 60*time.Second), "shutdown"); err != nil {
		t.Fatalf("mysqladmin shutdown: %v\n%s", err, out)
	}
	waitFor(t, "MariaDB to exit", 60*time.Second, func() bool { return !mariaDBAlive() && !mariaDBProcessRunning() })
}

// restartMariaDB waits for a stopping server to exit, starts it in the
// background and waits until it answers.
func restartMariaDB() error {
	if !pollUntil(60*time.Second, func() bool { return !mariaDBProcessRunning() }) {
		return errors.New("MariaDB: the old process did not exit within 60 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "start-stop-daemon", "--start", "--oknodo", "--background",
		"--exec", mariadbBinary).CombinedOutput()
	if err != nil {
		return fmt.Errorf("start MariaDB: %w\n%s", err, out)
	}
	if !pollUntil(60*time.Second, mariaDBAlive) {
		return errors.New("MariaDB did not answer ping within 60 s of starting")
	}
	return nil
}

// mariaDBProcessRunning asks start-stop-daemon whether a mariadbd process
// exists (exit status 0), whether or not it accepts connections.
func mariaDBProcessRunning() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "start-stop-daemon", "--status", "--exec", mariadbBinary).Run() == nil
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

// TestReportsAgreeWithLiveMetrics drives answered, abandoned and
// self-service calls through the ACD and checks that the interval report,
// computed from the stored records, gives the same queue figures as the
// live Prometheus counters, and the records the same results as
// hotline_calls_total.
//
// Thresholds of 2 s make both sides of each one reachable quickly: two
// callers wait 3 s (one is then answered outside the service level, the
// other abandons, not short), one abandons at once (short) and one is
// answered at once (within the service level).
func TestReportsAgreeWithLiveMetrics(t *testing.T) {
	h := start(t, acdTestConfig, func(c *config.Config) {
		q := c.Queues["general"]
		sl, short := 2, 2
		q.ServiceLevelSeconds, q.ShortAbandonSeconds = &sl, &short
		c.Queues["general"] = q
	})
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	h.apiCall(t, "POST", "/agents/1001/pause", "agent-1001-token-0123")

	late := h.queueCaller(t, "0")
	short := h.queueCaller(t, "0")
	_ = short.Hangup(ctxT(t, 5*time.Second))
	h.events.wait(t, short.CallID(), "short abandon", func(e call.Event) bool { return e.Kind == call.Abandoned })
	gaveUp := h.queueCaller(t, "0")
	// How long they wait is what the test measures.
	time.Sleep(3 * time.Second)
	_ = gaveUp.Hangup(ctxT(t, 5*time.Second))
	h.events.wait(t, gaveUp.CallID(), "abandon", func(e call.Event) bool { return e.Kind == call.Abandoned })

	h.apiCall(t, "POST", "/agents/1001/ready", "agent-1001-token-0123")
	h.talkAndHangUp(t, agent, late.CallID())
	quick := h.queueCaller(t, "0")
	h.talkAndHangUp(t, agent, quick.CallID())

	served := h.dial(h.phone("udp"), "95598")
	h.events.waitNode(t, served.CallID(), "menu")
	press(t, served, "1")
	h.events.waitEnd(t, served.CallID())
	h.waitIdle()

	h.reportEqualsMetrics(t, 5, map[string]int{"offered": 4, "answered": 2, "abandoned": 2, "short_abandoned": 1, "answered_within_sl": 1})
	h.compareResults(t)
}

// queueCaller dials the hotline, presses digit at the menu and waits until
// the call is queued.
func (h *harness) queueCaller(t *testing.T, digit string) *testphone.Call {
	t.Helper()
	c := h.dial(h.phone("udp"), "95598")
	h.events.waitNode(t, c.CallID(), "menu")
	press(t, c, digit)
	h.events.wait(t, c.CallID(), "queued", func(e call.Event) bool { return e.Kind == call.Queued })
	return c
}

// talkAndHangUp lets agent answer the caller's call, hangs up from the
// agent's side and waits until the agent's wrap-up is over.
func (h *harness) talkAndHangUp(t *testing.T, agent *testphone.Phone, callID string) {
	t.Helper()
	leg := waitIncoming(t, agent)
	h.events.wait(t, callID, "answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	_ = leg.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, callID)
	h.events.wait(t, callID, "wrap-up over", func(e call.Event) bool { return e.Kind == call.WrapupEnded })
}

// apiCall sends one REST API request and returns the response body; any
// status but 200 fails the test.
func (h *harness) apiCall(t *testing.T, method, path, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+h.srv.HTTPAddr()+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %v %s", method, path, res.StatusCode, err, body)
	}
	return body
}

// intervalCounts are the counted figures of one interval report row.
type intervalCounts struct {
	Queue            string `json:"queue"`
	Offered          int    `json:"offered"`
	Answered         int    `json:"answered"`
	Abandoned        int    `json:"abandoned"`
	ShortAbandoned   int    `json:"short_abandoned"`
	AnsweredWithinSL int    `json:"answered_within_sl"`
}

// generalIntervalRow reads today's (by the server's clock) interval report
// through the API and returns the row of the general queue, the only queue
// with calls.
// reportEqualsMetrics waits for the store to hold records call records,
// then checks that the general queue's interval report equals both the live
// counters and want.
func (h *harness) reportEqualsMetrics(t *testing.T, records int, want map[string]int) {
	t.Helper()
	st := h.srv.Store()
	waitFor(t, fmt.Sprintf("%d call records", records), 30*time.Second, func() bool {
		recs, err := allCalls(t, st)
		return st.Flush(ctxT(t, 5*time.Second)) == nil && err == nil && len(recs) == records
	})
	row := h.generalIntervalRow(t)
	for figure, reported := range map[string]int{
		"offered": row.Offered, "answered": row.Answered, "abandoned": row.Abandoned,
		"short_abandoned": row.ShortAbandoned, "answered_within_sl": row.AnsweredWithinSL,
	} {
		live := h.metric("hotline_queue_"+figure+"_total", "queue", "general")
		if float64(reported) != live {
			t.Errorf("%s: report %d, metrics %v", figure, reported, live)
		}
		if reported != want[figure] {
			t.Errorf("%s: report %d, want %d", figure, reported, want[figure])
		}
	}
}

func (h *harness) generalIntervalRow(t *testing.T) intervalCounts {
	t.Helper()
	day := h.srv.clock.Now().UTC().Format("2006-01-02")
	body := h.apiCall(t, "GET", "/reports/interval?interval=day&tz=UTC&from="+day, "admin-token-0123456")
	var rows []intervalCounts
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatalf("interval report: %v", err)
	}
	if len(rows) != 1 || rows[0].Queue != "general" {
		t.Fatalf("interval report rows %+v, want one row for general", rows)
	}
	return rows[0]
}

// compareResults checks that the stored records, counted by result, agree
// with hotline_calls_total.
func (h *harness) compareResults(t *testing.T) {
	t.Helper()
	recs, err := allCalls(t, h.srv.Store())
	if err != nil {
		t.Fatal(err)
	}
	byResult := map[string]int{}
	for _, r := range recs {
		byResult[string(r.Result)]++
	}
	want := map[string]int{"answered_by_agent": 2, "abandoned_in_queue": 2, "self_service": 1}
	for result, n := range want {
		if byResult[result] != n {
			t.Errorf("records with result %s: %d, want %d", result, byResult[result], n)
		}
		if live := h.metric("hotline_calls_total", "result", result); live != float64(byResult[result]) {
			t.Errorf("result %s: %d records, hotline_calls_total %v", result, byResult[result], live)
		}
	}
	if len(recs) != 5 {
		t.Errorf("%d records, want 5: %v", len(recs), byResult)
	}
}
