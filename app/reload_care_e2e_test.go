package app

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/care"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/web"
)

// editedConfig is file with each from replaced by its to, once; a from
// missing fails the test so the fixture cannot silently drift.
func editedConfig(t *testing.T, file string, edits ...string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	body := string(data)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(body, edits[i]) {
			t.Fatalf("%s no longer contains %q", file, edits[i])
		}
		body = strings.Replace(body, edits[i], edits[i+1], 1)
	}
	return body
}

// reloadOK reloads (as SIGHUP does; care.yaml has no admin token for the
// API) and checks that every want shows in the changes and that nothing
// needs a restart.
func reloadOK(t *testing.T, h *harness, want ...string) ReloadResult {
	t.Helper()
	res, err := h.srv.ReloadConfig()
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	for _, w := range want {
		if !slices.Contains(res.Changed, w) {
			t.Errorf("changes %q lack %q", res.Changed, w)
		}
	}
	if len(res.NeedsRestart) != 0 {
		t.Errorf("needs restart: %v", res.NeedsRestart)
	}
	return res
}

const surveyLine = "    survey: {enabled: true, timeout: 3s}\n"

func TestReloadTurnsSurveyOnForNewCallsOnly(t *testing.T) {
	h := start(t, careTestConfig, func(cfg *config.Config) {
		q := cfg.Queues["general"]
		q.Survey = nil
		cfg.Queues["general"] = q
	})
	write := reloadFixture(t, h)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)

	// A call is talking when the reload turns the survey on: it keeps the
	// settings it was queued with, so the agent's hang-up ends it.
	talking, id := h.dialAndPress("0")
	leg := h.agentAnswers(agent, id, "1001")
	before := talking.Received().NonSilentFrames
	write(editedConfig(t, careTestConfig))
	reloadOK(t, h, "queues.general changed (survey)")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if end := h.events.waitEnd(t, id); end.HangupBy != call.HangupByAgent {
		t.Fatalf("talking call ended by %s", end.HangupBy)
	}
	select {
	case <-talking.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the call that was talking during the reload was kept for a survey")
	}
	// A survey would have played its question before the goodbye.
	if got := talking.Received().NonSilentFrames - before; got >= 25 {
		t.Fatalf("the call talking at the reload heard %d frames after the agent hung up: surveyed", got)
	}

	// The next call is surveyed.
	caller, id2 := h.dialAndPress("0")
	leg2 := h.agentAnswers(agent, id2, "1001")
	if err := leg2.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	heard(t, caller, 25, "survey question")
	press(t, caller, "5")
	ans := h.events.wait(t, id2, "survey answered", func(e call.Event) bool { return e.Kind == call.SurveyAnswered })
	if ans.Score != 5 || ans.Queue != "general" || ans.Agent != "1001" {
		t.Fatalf("survey event %+v", ans)
	}
	if got := h.metric("hotline_survey_responses_total", "queue", "general", "score", "5"); got != 1 {
		t.Errorf("survey responses{general,5} = %v", got)
	}
}

func TestReloadTurnsStickyAgentOff(t *testing.T) {
	h := start(t, careTestConfig, nil)
	write := reloadFixture(t, h)
	a1, _ := h.firstCallTo1002(t)

	write(editedConfig(t, careTestConfig, "    sticky_agent: {days: 7, grace: 10s}\n", ""))
	reloadOK(t, h, "queues.general changed (sticky_agent)")

	// Without stickiness the returning caller goes to the longest idle.
	_, id2 := h.dialAndPress("0")
	offer := h.events.wait(t, id2, "offer", func(e call.Event) bool { return e.Kind == call.AgentOffered })
	if offer.Agent != "1001" || offer.Reason == "sticky" {
		t.Fatalf("after sticky_agent was removed the call went to %s (%q), want 1001 by idle time", offer.Agent, offer.Reason)
	}
	h.agentAnswers(a1, id2, "1001")
	if got := h.metric("hotline_sticky_offers_total", "result", "hit"); got != 0 {
		t.Errorf("sticky hits = %v after sticky_agent was removed", got)
	}
}

func TestReloadAddsSupervisorAndServiceLevelTarget(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	write := reloadFixture(t, h)
	if target := wallboardTarget(t, h, "general"); target != 0.80 {
		t.Fatalf("general's service level target before the reload = %v, want the default 0.80", target)
	}
	p, err := testphone.New(testphone.Config{Server: h.srv.SIPAddr().String(), User: "2001", Password: "sup2001"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	if err := p.Register(ctxT(t, 5*time.Second), "sup2001", time.Hour); err == nil {
		t.Fatal("a supervisor not yet configured registered")
	}

	write(editedConfig(t, acdTestConfig,
		"queues:\n  general:\n", "supervisors:\n  - {id: \"2001\", name: Zhang, password: sup2001, agents: [\"*\"]}\n"+
			"queues:\n  general:\n    service_level_target: 0.95\n"))
	reloadOK(t, h, "supervisors.2001 added", "queues.general changed (service_level_target)")
	if target := wallboardTarget(t, h, "general"); target != 0.95 {
		t.Errorf("general's service level target after the reload = %v, want 0.95", target)
	}
	if target := wallboardTarget(t, h, "billing"); target != 0.80 {
		t.Errorf("billing's service level target = %v, want the default 0.80", target)
	}

	// The new supervisor registers and listens in from the phone.
	h.talkingCall()
	supPhone := h.supervisorPhone("2001", "sup2001")
	sup := h.dial(supPhone, "*311001")
	ev := h.waitMonitor(call.MonitorStarted, "listen", "")
	if ev.Target != "2001" || ev.Agent != "1001" {
		t.Fatalf("monitor event %+v", ev)
	}
	hears(t, sup, "supervisor", callerTone)
}

func wallboardTarget(t *testing.T, h *harness, queue string) float64 {
	t.Helper()
	for _, q := range h.srv.metrics.Wallboard() {
		if q.Queue == queue {
			return q.ServiceLevelTarget
		}
	}
	t.Fatalf("queue %s not on the wallboard", queue)
	return 0
}

func TestReloadTurnsRecordingOffForNewCallsOnly(t *testing.T) {
	h := start(t, careTestConfig, nil)
	write := reloadFixture(t, h)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	_, id := h.dialAndPress("2")
	leg := h.agentAnswers(agent, id, "1001")

	write(editedConfig(t, careTestConfig, "    recording: {enabled: true, announce: true, retention_days: 30}\n", ""))
	reloadOK(t, h, "queues.billing changed (recording)")
	// The call being recorded stays recorded to its end.
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	saved := h.events.wait(t, id, "recording saved", func(e call.Event) bool { return e.Kind == call.RecordingSaved })
	if saved.Queue != "billing" {
		t.Errorf("recording event %+v", saved)
	}
	h.events.waitEnd(t, id)

	if filepath.Base(saved.Detail) != filepath.Base(care.RecordingFile(time.Time{}, id)) {
		t.Fatalf("recording %s is not named after call %s", saved.Detail, id)
	}

	// The next call is not: no file is made for it.
	_, id2 := h.dialAndPress("2")
	leg2 := h.agentAnswers(agent, id2, "1001")
	if err := leg2.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id2)
	name := filepath.Base(care.RecordingFile(time.Time{}, id2))
	err := filepath.WalkDir(filepath.Join(h.srv.cfg.DataDir, "recordings"), func(path string, _ fs.DirEntry, err error) error {
		if err == nil && filepath.Base(path) == name {
			t.Errorf("call %s recorded after recording was turned off: %s", id2, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReloadTurnsCallbackOnForAnotherQueue(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	uri := "sip:{number}@" + gw.Addr()
	h := start(t, acdTestConfig, callbackSetup(uri, 3))
	write := reloadFixture(t, h)
	if _, ok := h.srv.callbacks.Settings("billing"); ok {
		t.Fatal("billing offers callbacks before the reload")
	}
	const cb = "    callback: {enabled: true, offer_after: 1s, max_attempts: 2, retry_after: 1s, give_up_after: 1m, ring_timeout: 5s}\n"
	write(editedConfig(t, acdTestConfig,
		"queues:\n  general:\n", "callback_gateway: {uri: \""+uri+"\", from_number: \"95598\"}\nqueues:\n  general:\n"+
			"    callback: {enabled: true, offer_after: 1s, max_attempts: 3, retry_after: 1s, give_up_after: 1m, ring_timeout: 5s}\n",
		"  billing:\n", "  billing:\n"+cb))
	reloadOK(t, h, "queues.billing changed (callback)")

	// A caller in billing, where nobody is logged in, is offered a
	// callback and takes it with the new queue's policy.
	caller, id := h.dialAndPress("2")
	h.events.wait(t, id, "queued", func(e call.Event) bool { return e.Kind == call.Queued && e.Queue == "billing" })
	heard(t, caller, 25, "callback offer")
	press(t, caller, "1")
	heard(t, caller, 25, "number read back")
	press(t, caller, "1")
	req := h.events.wait(t, id, "callback requested", func(e call.Event) bool { return e.Kind == call.CallbackRequested })
	if req.Queue != "billing" {
		t.Fatalf("CallbackRequested %+v", req)
	}
	if got, _ := h.srv.callbacks.Settings("billing"); got.MaxAttempts != 2 {
		t.Errorf("billing's callback max_attempts = %d, want 2", got.MaxAttempts)
	}
}

func TestReloadCallbackNeedsRestartWhenOffAtStart(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	write := reloadFixture(t, h)
	write(editedConfig(t, acdTestConfig, "queues:\n  general:\n",
		"callback_gateway: {uri: \"sip:{number}@127.0.0.1:9\", from_number: \"95598\"}\nqueues:\n  general:\n    callback: {enabled: true}\n"))
	res, err := h.srv.ReloadConfig()
	if err != nil {
		var rj *web.ConfigRejected
		if errors.As(err, &rj) {
			t.Fatalf("%v: %q", err, rj.Problems)
		}
		t.Fatal(err)
	}
	for _, want := range []string{
		"callback_gateway: changed; restart to apply",
		"queues.general.callback: enabled, but no queue offered callbacks at start; restart to apply",
	} {
		if !slices.Contains(res.NeedsRestart, want) {
			t.Errorf("needs_restart %q lacks %q", res.NeedsRestart, want)
		}
	}
}
