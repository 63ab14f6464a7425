package callflow

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/selfservice"
	"github.com/hotline-oss/hotline/sip"
)

// Queueing is the ACD as the call path sees it.
type Queueing = queueing.Queueing[*sip.AgentLeg]

// Routes is the part of the configuration calls look up as they arrive. A
// reload publishes a new one; nothing in it changes once published, so a
// call keeps the flow it started with.
type Routes struct {
	Numbers   map[string]*ivr.Flow // hotline number → its flow
	Calendars map[string]*ivr.Calendar
	Notice    []ivr.PromptRef // the global notice, when enabled
}

// Prompts finds prompts and music, decoded and ready to play.
type Prompts interface {
	Get(lang, name string) *playout.Prompt
	Music(name string) *playout.Prompt
}

// Phones dials agents and finds the calls an attended transfer names.
type Phones interface {
	DialAgent(ctx context.Context, agent, caller string, timeout time.Duration) (*sip.AgentLeg, error)
	ReplacedCall(r sip.Replaces) *sip.Call
}

// Clock tells the server's time.
type Clock interface{ Now() time.Time }

// Deps are the parts a call meets. Routes, Prompts, Phones, Publish,
// Clock and Log are required; the rest may be left out.
type Deps struct {
	Routes   func() *Routes
	Prompts  Prompts
	Queueing Queueing // nil: no queues; a queue node says all agents are busy
	Phones   Phones
	Publish  func(call.Event)
	Clock    Clock
	Log      *slog.Logger

	DefaultLanguage string
	Features        config.Features // agents' feature codes
	MaskNumbers     bool            // accounts masked in logs

	Self        *selfservice.Service // look-ups, notices, fault reports; nil: none
	QueueHooks  func(c *sip.Call, leg *callleg.Leg, lang string) QueueHooks
	WaitHooks   func(c *sip.Call, leg *callleg.Leg, lang string) WaitHooks
	Bridges     BridgeWatcher
	MonitorCode func(number string) (mode mix.Mode, agent string, ok bool)
	// MonitorPhone serves a supervisor who dialled a monitor code.
	MonitorPhone func(c *sip.Call, leg *callleg.Leg, mode mix.Mode, agent string)

	// FaultFiled hears of each fault report filed from the IVR (the
	// tickets feature opens a fault ticket for it); nil: nobody.
	FaultFiled func(FaultFiled)
	// OnVars receives the variables an IVR run collected.
	OnVars      func(callID string, vars map[string]string)
	PacketsLost func(n uint64)
	MoveTo      func(callID string, stage metrics.Stage)
	// Played, when set, sees every playback of a call's IVR: tests check
	// what a caller heard without decoding audio.
	Played *atomic.Pointer[func(callID string, refs []ivr.PromptRef)]
}

// Flow runs answered calls.
type Flow struct {
	d        Deps
	consults consultRegistry // agents' consult calls in progress
}

// New builds the call path.
func New(d Deps) *Flow {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.OnVars == nil {
		d.OnVars = func(string, map[string]string) {}
	}
	if d.PacketsLost == nil {
		d.PacketsLost = func(uint64) {}
	}
	if d.MoveTo == nil {
		d.MoveTo = func(string, metrics.Stage) {}
	}
	if d.Played == nil {
		d.Played = &atomic.Pointer[func(string, []ivr.PromptRef)]{}
	}
	return &Flow{d: d}
}
