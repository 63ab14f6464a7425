package app

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

const careTestConfig = "testdata/care.yaml"

// agentAnswers waits until the agent's phone rang and the call was
// answered by agent.
func (h *harness) agentAnswers(p *testphone.Phone, id, agent string) *testphone.Call {
	h.t.Helper()
	leg := waitIncoming(h.t, p)
	h.events.wait(h.t, id, "answered by "+agent, func(e call.Event) bool {
		return e.Kind == call.AgentAnswered && e.Agent == agent
	})
	return leg
}

func (h *harness) hasEvent(id string, kind call.Kind) bool {
	h.events.mu.Lock()
	defer h.events.mu.Unlock()
	for _, e := range h.events.events {
		if e.CallID == id && e.Kind == kind {
			return true
		}
	}
	return false
}

func (h *harness) flushStore() {
	h.t.Helper()
	if err := h.srv.Store().Flush(ctxT(h.t, 10*time.Second)); err != nil {
		h.t.Fatalf("flush: %v", err)
	}
}

func TestSurveyAfterTheAgentHangsUp(t *testing.T) {
	h := start(t, careTestConfig, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := h.dialAndPress("0")
	leg := h.agentAnswers(agent, id, "1001")

	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.wait(t, id, "talk ended by the agent", func(e call.Event) bool {
		return e.Kind == call.TalkEnded && e.HangupBy == call.HangupByAgent
	})
	heard(t, caller, 25, "survey question")
	if got := h.metric("hotline_active_calls", "stage", "survey"); got != 1 {
		t.Errorf("active calls in survey = %v, want 1", got)
	}
	press(t, caller, "4")
	ans := h.events.wait(t, id, "survey answered", func(e call.Event) bool { return e.Kind == call.SurveyAnswered })
	if ans.Score != 4 || ans.Agent != "1001" || ans.Queue != "general" {
		t.Fatalf("survey event %+v", ans)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByAgent {
		t.Errorf("end %s by %s", end.Result, end.HangupBy)
	}
	select {
	case <-caller.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("caller not released after the thanks")
	}
	if got := h.metric("hotline_survey_responses_total", "queue", "general", "score", "4"); got != 1 {
		t.Errorf("survey responses{general,4} = %v", got)
	}
	if got := h.metric("hotline_agent_survey_score_sum", "agent", "1001"); got != 4 {
		t.Errorf("agent score sum = %v", got)
	}
	if got := h.metric("hotline_active_calls", "stage", "survey"); got != 0 {
		t.Errorf("active calls in survey after the end = %v", got)
	}
	h.flushStore()
	d, err := h.srv.Store().Call(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Survey == nil || d.Survey.Score != 4 || d.Agent != "1001" {
		t.Fatalf("stored call: agent %q, survey %+v", d.Agent, d.Survey)
	}
}

func TestSurveyRetriesOnceOnAWrongKey(t *testing.T) {
	h := start(t, careTestConfig, nil)
	agent := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	caller, id := h.dialAndPress("0")
	leg := h.agentAnswers(agent, id, "1002")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	heard(t, caller, 25, "survey question")
	press(t, caller, "9")
	// "Please press a number from 1 to 5", then the question again.
	heard(t, caller, 50, "retry prompt")
	press(t, caller, "2")
	ans := h.events.wait(t, id, "survey answered", func(e call.Event) bool { return e.Kind == call.SurveyAnswered })
	if ans.Score != 2 || ans.Agent != "1002" {
		t.Fatalf("survey event %+v", ans)
	}
	h.events.waitEnd(t, id)
	if got := h.metric("hotline_agent_survey_score_count", "agent", "1002"); got != 1 {
		t.Errorf("agent survey count = %v", got)
	}
}

func TestNoSurveyWhenTheCallerHangsUpFirst(t *testing.T) {
	h := start(t, careTestConfig, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := h.dialAndPress("0")
	leg := h.agentAnswers(agent, id, "1001")
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	end := h.events.waitEnd(t, id)
	if end.HangupBy != call.HangupByCaller {
		t.Errorf("end by %s", end.HangupBy)
	}
	select {
	case <-leg.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("agent leg not released")
	}
	if h.hasEvent(id, call.SurveyAnswered) {
		t.Fatal("a caller who hung up was surveyed")
	}
	if got := h.metric("hotline_survey_responses_total", "queue", "general", "score", "4"); got != 0 {
		t.Errorf("survey responses = %v", got)
	}
}

// firstCallTo1002 logs 1001 and 1002 in and has 1002 serve a first call
// while 1001, idle longer, pauses; 1001 is ready again when it returns the
// two agents' phones.
func (h *harness) firstCallTo1002(t *testing.T) (a1, a2 *testphone.Phone) {
	t.Helper()
	a1 = h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	a2 = h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	h.feature(a1, "*23")
	caller, id := h.dialAndPress("0")
	h.agentAnswers(a2, id, "1002")
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id)
	h.flushStore()
	h.feature(a1, "*24")
	return a1, a2
}

func TestReturningCallerGoesToTheirLastAgent(t *testing.T) {
	h := start(t, careTestConfig, nil)
	_, a2 := h.firstCallTo1002(t)

	_, id2 := h.dialAndPress("0")
	offer := h.events.wait(t, id2, "offer", func(e call.Event) bool { return e.Kind == call.AgentOffered })
	if offer.Agent != "1002" || offer.Reason != "sticky" {
		t.Fatalf("second call offered to %s (%q), want 1002 by stickiness over longer-idle 1001", offer.Agent, offer.Reason)
	}
	h.agentAnswers(a2, id2, "1002")
	if got := h.metric("hotline_sticky_offers_total", "result", "hit"); got != 1 {
		t.Errorf("sticky hits = %v", got)
	}
}

func TestRepeatComplainerGoesToTheSeniorQueue(t *testing.T) {
	h := start(t, careTestConfig, nil)
	// Three complaint dispositions this month for the test phone's number.
	rec := h.srv.Store().Recorder()
	now := h.srv.clock.Now()
	for i, id := range []string{"old-1", "old-2", "old-3"} {
		at := now.Add(-time.Duration(i+1) * time.Hour)
		base := call.Event{CallID: id, Caller: "13800000001", Number: "95598"}
		for _, e := range []call.Event{
			{Kind: call.CallArrived, Time: at},
			{Kind: call.CallEnded, Time: at.Add(time.Minute), Result: call.ResultAnsweredByAgent},
			{Kind: call.DispositionSet, Time: at.Add(2 * time.Minute), Agent: "1001", Category: "complaint"},
		} {
			e.CallID, e.Caller, e.Number = base.CallID, base.Caller, base.Number
			rec.HandleEvent(e)
		}
	}
	h.flushStore()

	caller, id := h.dialAndPress("0")
	q := h.events.wait(t, id, "queued", func(e call.Event) bool { return e.Kind == call.Queued })
	if q.Queue != "complaints_senior" || q.Priority != 10 {
		t.Fatalf("queued in %s with priority %d, want complaints_senior with 10", q.Queue, q.Priority)
	}
	if got := h.metric("hotline_repeat_complainers_total", "queue", "general"); got != 1 {
		t.Errorf("repeat complainers = %v", got)
	}
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id)
}

func TestRecordingStereoAPIAndRetention(t *testing.T) {
	h := start(t, careTestConfig, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := h.dialAndPress("2")
	leg := h.agentAnswers(agent, id, "1001")
	caller.SendTone(500)
	leg.SendTone(1300)
	heard(t, leg, 50, "agent hears the caller")
	heard(t, caller, 50, "caller hears the agent")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	saved := h.events.wait(t, id, "recording saved", func(e call.Event) bool { return e.Kind == call.RecordingSaved })
	h.events.waitEnd(t, id)
	if saved.Queue != "billing" || saved.Agent != "1001" {
		t.Errorf("recording event %+v", saved)
	}
	path := filepath.Join(h.srv.cfg.DataDir, "recordings", filepath.FromSlash(saved.Detail))
	wav, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkStereoTones(t, wav, 500, 1300)
	if got := h.metric("hotline_recordings_total", "queue", "billing"); got != 1 {
		t.Errorf("recordings = %v", got)
	}
	if got := h.metric("hotline_recording_bytes_total"); got != float64(len(wav)) {
		t.Errorf("recording bytes = %v, file has %d", got, len(wav))
	}
	h.flushStore()
	if d, err := h.srv.Store().Call(context.Background(), id); err != nil || d.RecordingFile != saved.Detail {
		t.Errorf("call record names %q (%v), want %q", d.RecordingFile, err, saved.Detail)
	}

	base := "http://" + h.srv.HTTPAddr() + "/api/v1/recordings"
	var list []store.Recording
	status, body := apiGet(t, base+"?from=2026-11-01&to=2026-12-01&queue=billing", "supervisor-token-0123")
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list) != 1 || list[0].CallID != id || list[0].Agent != "1001" {
		t.Fatalf("list: %d %s", status, body)
	}
	audio := base + "/" + url.PathEscape(id) + "/audio"
	if status, body := apiGet(t, audio, "supervisor-token-0123"); status != http.StatusOK || string(body) != string(wav) {
		t.Fatalf("download: %d, %d bytes (file %d)", status, len(body), len(wav))
	}
	if status, _ := apiGet(t, audio, ""); status != http.StatusUnauthorized {
		t.Errorf("download without a token: %d", status)
	}
	if status, _ := apiGet(t, audio, "agent-1001-token-0123"); status != http.StatusForbidden {
		t.Errorf("download with an agent token: %d", status)
	}
	if status, _ := apiGet(t, base+"/"+url.PathEscape("../../hotline.db")+"/audio", "supervisor-token-0123"); status != http.StatusNotFound {
		t.Errorf("path as call id: %d", status)
	}

	// Retention: 30 days for billing.
	now := h.srv.clock.Now()
	if n, err := h.srv.care.SweepRecordings(now.AddDate(0, 0, 29)); err != nil || n != 0 {
		t.Fatalf("sweep at 29 days: %d, %v", n, err)
	}
	if n, err := h.srv.care.SweepRecordings(now.AddDate(0, 0, 31)); err != nil || n != 1 {
		t.Fatalf("sweep at 31 days: %d, %v", n, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("expired file still there: %v", err)
	}
	if status, _ := apiGet(t, audio, "supervisor-token-0123"); status != http.StatusNotFound {
		t.Errorf("download after expiry: %d", status)
	}
}

func apiGet(t *testing.T, u, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t, 10*time.Second), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// checkStereoTones checks a 16-bit 8 kHz stereo WAV: the left channel
// carries mostly the caller's tone, the right the agent's.
func checkStereoTones(t *testing.T, wav []byte, leftHz, rightHz float64) {
	t.Helper()
	if len(wav) < 44+8000 || string(wav[0:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		t.Fatalf("not a WAV of some length: %d bytes", len(wav))
	}
	channels := binary.LittleEndian.Uint16(wav[22:24])
	rate := binary.LittleEndian.Uint32(wav[24:28])
	bits := binary.LittleEndian.Uint16(wav[34:36])
	if channels != 2 || rate != 8000 || bits != 16 {
		t.Fatalf("format: %d channels, %d Hz, %d bits", channels, rate, bits)
	}
	data := wav[44:]
	var left, right []float64
	for i := 0; i+4 <= len(data); i += 4 {
		left = append(left, float64(int16(binary.LittleEndian.Uint16(data[i:]))))
		right = append(right, float64(int16(binary.LittleEndian.Uint16(data[i+2:]))))
	}
	lOwn, lOther := goertzel(left, leftHz), goertzel(left, rightHz)
	rOwn, rOther := goertzel(right, rightHz), goertzel(right, leftHz)
	t.Logf("%.1f s recorded; left %v/%v Hz power %.3g/%.3g; right %v/%v Hz %.3g/%.3g",
		float64(len(left))/8000, leftHz, rightHz, lOwn, lOther, rightHz, leftHz, rOwn, rOther)
	if lOwn < 10*lOther || lOwn == 0 {
		t.Errorf("left channel: %v Hz power %.3g, %v Hz %.3g; want the caller's tone", leftHz, lOwn, rightHz, lOther)
	}
	if rOwn < 10*rOther || rOwn == 0 {
		t.Errorf("right channel: %v Hz power %.3g, %v Hz %.3g; want the agent's tone", rightHz, rOwn, leftHz, rOther)
	}
}

// goertzel is the signal's power at freq (8 kHz sampling).
func goertzel(x []float64, freq float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*freq/8000)
	var s1, s2 float64
	for _, v := range x {
		s0 := v + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return (s1*s1 + s2*s2 - coeff*s1*s2) / float64(len(x)*len(x))
}

// A caller who hangs up while hearing that the call may be recorded has
// abandoned the queue before entering it; the server goes on serving.
func TestCallerHangsUpDuringTheRecordingNotice(t *testing.T) {
	h := start(t, careTestConfig, nil)
	caller, id := h.dialAndPress("2")
	h.events.wait(t, id, "queue requested", func(e call.Event) bool {
		return e.Kind == call.QueueRequested && e.Queue == "billing"
	})
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAbandonedInQueue || end.Reason != "caller_hangup" {
		t.Errorf("call ended %s/%s, want abandoned_in_queue/caller_hangup", end.Result, end.Reason)
	}
	if h.hasEvent(id, call.Queued) {
		t.Error("the call was queued although the caller left during the notice")
	}
	h.waitIdle() // the call left nothing behind

	// The next caller is served; the agent hangs up at once, and the
	// harness checks at the end that the agent's leg was freed too.
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	_, id2 := h.dialAndPress("2")
	leg := h.agentAnswers(agent, id2, "1001")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id2)
}
