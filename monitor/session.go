package monitor

import (
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/store"
)

// session is one supervisor's listen/whisper/barge on one agent's call,
// from the softphone (via "sip") or the API (via "api").
type session struct {
	svc        *Service
	supervisor string
	agent      string
	mode       mix.Mode
	via        string // sip or api
	source     string // where the request came from, for the audit log
	actor      string // the API token's name, when via api
	callID     string // the monitored call, once joined
	log        *slog.Logger
}

// Session end reasons, in MonitorEnded events and the audit log. A server
// shutdown hangs both legs up, so it ends a session as one of these too.
const (
	endSupervisor = "supervisor_hangup"
	endCall       = "call_ended"
)

// run joins the supervisor's leg to the agent's call and stays until
// either side ends. The caller hangs the supervisor's leg up afterwards;
// when the monitored call ended first, the supervisor hears why before.
func (ms *session) run(talk *liveTalk, leg Leg) {
	ms.callID = talk.callID
	mon, err := talk.bridge.Monitor(leg.Stream, ms.mode)
	if err != nil {
		ms.log.Info("monitor not attached", "err", err)
		prompt := "monitor_no_call"
		if errors.Is(err, media.ErrMonitored) {
			prompt = "monitor_busy"
		}
		ms.audit("monitor_refused", talk.callID, err.Error())
		ms.svc.play(leg, prompt)
		return
	}
	ms.publish(call.MonitorStarted, "")
	ms.svc.sessions.WithLabelValues(ms.mode.String()).Inc()
	ms.audit("monitor_"+ms.mode.String(), talk.callID, "")
	ms.log.Info("monitor started", "mode", ms.mode.String(), "call", talk.callID)

	reason := ms.loop(mon, leg)
	mon.Close()
	ms.publish(call.MonitorEnded, reason)
	ms.audit("monitor_end", talk.callID, reason)
	ms.log.Info("monitor ended", "mode", ms.mode.String(), "reason", reason)
	if reason == endCall {
		ms.svc.play(leg, "monitor_ended")
	}
}

// loop follows the supervisor's keys until the session ends: 1 listen,
// 2 whisper, 3 barge (RFC 4733 or SIP INFO).
func (ms *session) loop(mon *media.Monitor, leg Leg) string {
	for {
		select {
		case <-mon.Done():
			return endCall
		case ev := <-leg.Events:
			switch e := ev.(type) {
			case interp.CallerHangup:
				return endSupervisor
			case interp.Digit:
				ms.switchMode(mon, e.D)
			}
		}
	}
}

var modeKeys = map[rune]mix.Mode{'1': mix.Listen, '2': mix.Whisper, '3': mix.Barge}

func (ms *session) switchMode(mon *media.Monitor, key rune) {
	mode, ok := modeKeys[key]
	if !ok || mode == ms.mode {
		return
	}
	if err := mon.SetMode(mode); err != nil {
		return // the call is ending: Done follows
	}
	ms.log.Info("monitor mode changed", "from", ms.mode.String(), "to", mode.String())
	ms.mode = mode
	ms.publish(call.MonitorStarted, "mode_change")
	ms.audit("monitor_"+mode.String(), ms.callID, "mode_change")
}

// publish emits a monitor event. It carries no call ID on purpose: a
// supervisor's session is not a hotline call, and the call-record folding
// keys records by call ID; supervisor (Target) and agent identify it.
func (ms *session) publish(kind call.Kind, reason string) {
	d := ms.svc.deps
	d.Publish(call.Event{
		Kind: kind, Time: d.Clock.Now(), Target: ms.supervisor, Agent: ms.agent,
		Detail: ms.mode.String(), Reason: reason,
	})
}

// audit writes who (the supervisor), what (action), when, on which agent
// and call, and from where to the audit log.
func (ms *session) audit(action, callID, note string) {
	d := ms.svc.deps
	if d.Audit == nil {
		return
	}
	detail := map[string]string{"via": ms.via, "mode": ms.mode.String()}
	if callID != "" {
		detail["call_id"] = callID
	}
	if note != "" {
		detail["reason"] = note
	}
	if ms.actor != "" {
		detail["token"] = ms.actor
	}
	b, _ := json.Marshal(detail)
	result := "ok"
	if action == "monitor_refused" {
		result = "refused"
	}
	d.Audit(store.AuditEntry{
		At: d.Clock.Now(), Actor: ms.supervisor, Role: "supervisor", Agent: ms.agent,
		Action: action, Target: "agent " + ms.agent, Detail: string(b), Source: ms.source, Result: result,
	})
}

// play plays one prompt to the supervisor and waits for its end (or the
// supervisor's hang-up, or a bound on the wait).
func (s *Service) play(leg Leg, name string) {
	p := s.deps.Prompt(name)
	if p == nil {
		return
	}
	leg.Stream.Play(p)
	timeout := time.NewTimer(p.Duration() + 5*time.Second)
	defer timeout.Stop()
	for {
		select {
		case ev := <-leg.Events:
			switch ev.(type) {
			case interp.PlaybackDone, interp.CallerHangup:
				return
			}
		case <-timeout.C:
			return
		}
	}
}
