package app

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/selfservice"
)

// receiverNumber is the number the work-order receiver of the outage test
// opens for every report.
const receiverNumber = "CRM-4711"

// TestMariaDBOutageKeepsEveryWrite stops MariaDB while a recorded call is
// answered, a fault report is filed (the receiver opening its work order),
// a callback is completed and a supervisor tries to post a notice; the
// callback's server is then restarted with MariaDB back. Afterwards every
// recording and work order is in the database exactly once, the finished
// callback is not pending (so nobody is dialled twice), and the notice that
// was refused with 503 left nothing behind.
func TestMariaDBOutageKeepsEveryWrite(t *testing.T) {
	if os.Getenv(outageEnv) != "1" {
		t.Skipf("%s=1 not set: this test stops the shared MariaDB server and runs on its own", outageEnv)
	}
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		missingTool(t, mysqlDSNEnv+" is not set (the outage test needs MariaDB)")
	}
	careDB, faultDB, cbDB := newOutageDatabase(t, base), newOutageDatabase(t, base), newOutageDatabase(t, base)
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"work_order":%q}`, receiverNumber)
	}))
	defer rx.Close()
	care := start(t, careTestConfig, func(c *config.Config) { c.Database.DSN = careDB.dsn })
	faults := start(t, selfServiceConfig, func(c *config.Config) {
		c.Database.DSN = faultDB.dsn
		c.Services[selfservice.WorkOrderService] = config.Service{URL: rx.URL, Timeout: 2 * time.Second}
	})
	gw := gatewayPhone(t, testphone.AutoAnswer)
	cbData := t.TempDir()
	cbSetup := func(c *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 3)(c)
		c.DataDir, c.Database.DSN = cbData, cbDB.dsn
	}
	// Whatever happens, later tests find MariaDB running.
	t.Cleanup(func() {
		if !mariaDBAlive() {
			if err := restartMariaDB(); err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("callback ends during the outage", func(t *testing.T) {
		callbackEndsDuringOutage(t, start(t, acdTestConfig, cbSetup), cbDB, gw)
	})

	recordedID := care.recordedCallDuringOutage(t)
	faultID := faults.faultReportDuringOutage(t)
	noticeBody := map[string]any{"areas": []string{"north"}, "text": "Storm",
		"audio": map[string]string{"en": base64.StdEncoding.EncodeToString(audiotest.ToneWAV(t, 8000, time.Second))}}
	faults.noticeRefusedDuringOutage(t, noticeBody)

	if err := restartMariaDB(); err != nil {
		t.Fatal(err)
	}
	t.Run("restart after the outage", func(t *testing.T) {
		start(t, acdTestConfig, cbSetup).noCallbackAfterRestart(t, cbDB)
	})

	care.recordingKeptOnce(t, careDB, recordedID)
	faults.faultWritesKeptOnce(t, faultDB, faultID, noticeBody)
}

// callbackEndsDuringOutage has a callback requested with MariaDB up, then
// stops MariaDB and lets the callback be answered and ended.
func callbackEndsDuringOutage(t *testing.T, h *harness, cbDB outageDatabase, gw *testphone.Phone) {
	t.Helper()
	_, id := h.requestCallback("1")
	h.waitCallbackRequest(id)
	cbID := id + "-cb"
	if n := cbDB.countRows(t, "callbacks", "callback_id = ?", cbID); n != 1 {
		t.Fatalf("saved callback rows before the outage: %d, want 1", n)
	}
	stopMariaDB(t)
	h.answerCallback(t, gw, cbID)
	// The server stops with MariaDB still down: the callback's end
	// waits in its spool.
}

// noticeRefusedDuringOutage checks that the notice API answers 503 while
// the database is down and that the refused notice does not play.
func (h *harness) noticeRefusedDuringOutage(t *testing.T, noticeBody map[string]any) {
	t.Helper()
	for _, r := range []struct{ method, path string }{{"POST", "/api/v1/notices"}, {"GET", "/api/v1/notices"}} {
		var body any
		if r.method == "POST" {
			body = noticeBody
		}
		if code, out := ssRequest(t, h, r.method, r.path, body); code != http.StatusServiceUnavailable {
			t.Errorf("%s %s during the outage: %d %s, want 503", r.method, r.path, code, out)
		}
	}
	if got := h.srv.self.AreaNotices("north"); len(got) != 0 {
		t.Errorf("a notice refused with 503 plays: %+v", got)
	}
}

// noCallbackAfterRestart checks that the callback finished during the
// outage is neither pending nor saved once the server restarts.
func (h *harness) noCallbackAfterRestart(t *testing.T, cbDB outageDatabase) {
	t.Helper()
	if got := h.metric("hotline_callbacks_pending", "queue", "general"); got != 0 {
		t.Errorf("callbacks pending after the restart = %v, want 0: the customer would be dialled twice", got)
	}
	if n := cbDB.countRows(t, "callbacks", ""); n != 0 {
		t.Errorf("callback rows after the restart: %d, want 0", n)
	}
}

// recordingKeptOnce waits for the store to drain and checks that the call
// recorded during the outage left one recording row and a call record
// naming it.
func (h *harness) recordingKeptOnce(t *testing.T, careDB outageDatabase, recordedID string) {
	t.Helper()
	drainStore(t, h.srv.Store())
	if n := careDB.countRows(t, "recordings", "call_id = ?", recordedID); n != 1 {
		t.Errorf("recording rows of %s: %d, want 1", recordedID, n)
	}
	if n := careDB.countRows(t, "recordings", ""); n != 1 {
		t.Errorf("recording rows: %d, want 1", n)
	}
	if n := careDB.countRows(t, "calls", "call_id = ? AND recording_file <> ''", recordedID); n != 1 {
		t.Errorf("call record of %s naming its recording: %d, want 1", recordedID, n)
	}
}

// faultWritesKeptOnce waits for the store to drain and checks that the
// work order filed during the outage is stored once, that the refused
// notice left no row, and that the same notice is accepted now.
func (h *harness) faultWritesKeptOnce(t *testing.T, faultDB outageDatabase, faultID string, noticeBody map[string]any) {
	t.Helper()
	drainStore(t, h.srv.Store())
	if n := faultDB.countRows(t, "work_orders", "number = ? AND call_id = ?", receiverNumber, faultID); n != 1 {
		t.Errorf("work order %s rows: %d, want 1", receiverNumber, n)
	}
	if n := faultDB.countRows(t, "work_orders", ""); n != 1 {
		t.Errorf("work order rows: %d, want 1", n)
	}
	if n := faultDB.countRows(t, "notices", ""); n != 0 {
		t.Errorf("notice rows after a refused create: %d, want 0", n)
	}
	if code, out := ssRequest(t, h, "POST", "/api/v1/notices", noticeBody); code != http.StatusCreated {
		t.Errorf("create notice after the outage: %d %s", code, out)
	}
	if got := h.srv.self.AreaNotices("north"); len(got) != 1 {
		t.Errorf("notices playing in north after the outage: %+v, want 1", got)
	}
}

// recordedCallDuringOutage has agent 1001 answer a call of the recorded
// billing queue and hang up; it returns the call id once the recording is
// saved and the call has ended.
func (h *harness) recordedCallDuringOutage(t *testing.T) string {
	t.Helper()
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := h.dialAndPress("2")
	leg := h.agentAnswers(agent, id, "1001")
	caller.SendTone(500)
	heard(t, leg, 25, "agent hears the caller")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.wait(t, id, "recording saved", func(e call.Event) bool { return e.Kind == call.RecordingSaved })
	h.events.waitEnd(t, id)
	if st := h.srv.Store().Stats(); st.SpoolRecords == 0 {
		t.Errorf("nothing spooled during the outage: %+v", st)
	}
	return id
}

// faultReportDuringOutage files a fault report and checks that the caller
// is told the receiver's number; it returns the call id.
func (h *harness) faultReportDuringOutage(t *testing.T) string {
	t.Helper()
	id, filed := h.leaveFaultMessage(t)
	if filed.Detail != receiverNumber {
		t.Errorf("work order %q, want the receiver's %s", filed.Detail, receiverNumber)
	}
	h.events.waitEnd(t, id)
	return id
}

// countRows counts the rows of table matching where, read directly.
func (d outageDatabase) countRows(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	if where == "" {
		where = "1 = 1"
	}
	db := d.open(t, d.name)
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctxT(t, 10*time.Second), "SELECT COUNT(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
