package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

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
