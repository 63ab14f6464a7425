package callflow

import (
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
)

// attended carries out an attended transfer: the agent on leg sent REFER
// with Replaces naming its consult call to a colleague. The caller is
// bridged with the colleague's leg, the phone is told (NOTIFY 200) and
// both of the agent's calls end. The call stays in the ACD with the
// colleague. It returns the leg and bridge the call goes on with: the old
// ones when the transfer was refused, and the caller stays with the agent.
func (qc *queueCall) attended(leg *sip.AgentLeg, bridge *media.BridgeHandle, r sip.Refer) (*sip.AgentLeg, *media.BridgeHandle) {
	f := qc.f
	log := qc.c.Logger().With("agent", leg.Agent)
	cs, code, phrase := f.consultFor(r.Replaced, leg.Agent)
	if cs == nil {
		log.Info("attended transfer refused", "status", code, "replaces", r.Replaced.CallID)
		r.Notify(code, phrase)
		return leg, bridge
	}
	finished := make(chan struct{})
	defer close(finished)
	to := cs.handOver(finished)
	if to == nil {
		log.Info("attended transfer: the consult call ended first", "to_agent", cs.to)
		r.Notify(481, "Call/Transaction Does Not Exist")
		return leg, bridge
	}
	err := qc.q.Do(queueing.AttendedTransfer{Call: qc.c.ID, ToAgent: cs.to, ConsultID: cs.id})
	if err != nil {
		log.Warn("attended transfer refused by the acd", "to_agent", cs.to, "err", err)
		to.Hangup()
		f.finishConsult(cs, consultTransferErr)
		r.Notify(500, "Server Internal Error")
		return leg, bridge
	}
	f.consultEvent(call.ConsultEnded, cs.call, cs.to, consultTransferred)
	// The recording goes on with the colleague, in the same file.
	rec := bridge.DetachRecording()
	// Closing the old bridge stops any hold music the caller hears.
	bridge.Close()
	next, err := media.Bridge(qc.c.Media(), to.Media())
	if err == nil && rec != nil {
		if aerr := next.AttachRecording(rec); aerr != nil {
			log.Warn("attended transfer: recording not continued", "err", aerr)
		}
	}
	if err != nil {
		// Both streams were just unbridged, so this is a bug; the caller
		// cannot be connected, and the call ends as the colleague's leg goes.
		log.Error("attended transfer: bridge to the consulted agent", "err", err)
		r.Notify(500, "Server Internal Error")
		leg.Hangup()
		to.Hangup()
		return to, bridge
	}
	r.Notify(200, "OK")
	leg.Hangup()
	log.Info("attended transfer done", "to_agent", cs.to)
	return to, next
}

// consultFor finds the consult call an attended transfer by agent names.
// The dialog must be one of ours and that agent's own consult call; else
// the status and phrase for the NOTIFY say why not, as the INVITE with
// Replaces to a phone would have been answered (RFC 3891).
func (f *Flow) consultFor(r sip.Replaces, agent string) (*consult, int, string) {
	c := f.d.Phones.ReplacedCall(r)
	if c == nil {
		return nil, 481, "Call/Transaction Does Not Exist"
	}
	cs := f.consults.get(c.ID)
	if cs == nil || cs.call != c {
		return nil, 481, "Call/Transaction Does Not Exist"
	}
	if cs.from != agent {
		return nil, 403, "Forbidden"
	}
	return cs, 0, ""
}
