package snapshot

import (
	"errors"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/app/promptset"
	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/care"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/selfservice"
)

// Snapshot is a configuration compiled once: its flows and routing table,
// the ACD's agents and queues and the call path's queue settings. It is
// checked whole against the prompt set and never changed once built:
// Start applies the first, and a reload compiles the next one and applies
// it part by part (app/reload says what changes and what needs a
// restart).
type Snapshot struct {
	Cfg    *config.Config
	Routes *Routing
	ACD    acd.Config
	Queues map[string]queueing.Settings
}

// Routing is the part of the configuration calls look up as they arrive.
// A reload builds a new one and swaps the pointer; nothing in it is
// changed once published, so a call keeps the flow it started with.
type Routing struct {
	callflow.Routes // numbers, calendars, notice: what the call path reads
	Flows           map[string]*ivr.Flow
	Passwords       map[string]string // agent id → SIP digest password
}

// AgentPasswords maps each agent to its SIP digest password.
func AgentPasswords(cfg *config.Config) map[string]string {
	out := make(map[string]string, len(cfg.Agents))
	for _, a := range cfg.Agents {
		out[a.ID] = a.AgentPassword()
	}
	return out
}

// Compile checks cfg against the prompt set and builds its snapshot; the
// error lists every problem found.
func Compile(cfg *config.Config, ps *promptset.Set) (*Snapshot, error) {
	r, flowsErr := CompileRoutes(cfg, ps)
	snap, queuesErr := CompileQueues(cfg, ps, r)
	return snap, errors.Join(flowsErr, queuesErr)
}

// CompileRoutes parses the calendars and flows and maps the hotline
// numbers to their flows. The routing it returns is incomplete when the
// error is not nil.
func CompileRoutes(cfg *config.Config, ps *promptset.Set) (*Routing, error) {
	r := &Routing{Passwords: AgentPasswords(cfg)}
	var calErr, flowErr error
	if !cfg.Calendars.IsZero() {
		r.Calendars, calErr = ivr.ParseCalendars(cfg.File, &cfg.Calendars)
	}
	if cfg.Flows.IsZero() {
		return r, errors.Join(calErr, cfg.Errorf("flows", "flows: at least one IVR flow is needed"))
	}
	r.Flows, flowErr = ivr.ParseFlows(cfg.File, &cfg.Flows)
	if calErr != nil || flowErr != nil {
		// References are only checked once both parse, so that a broken
		// calendar does not also show up as "unknown calendar".
		return r, errors.Join(calErr, flowErr)
	}
	hasService := func(name string) bool { return selfservice.HasLookupService(cfg.Services, name) }
	v := ivr.Validator{Languages: cfg.Languages, HasPrompt: ps.Has, HasService: hasService}
	if len(cfg.Queues) > 0 {
		v.HasQueue = func(q string) bool { _, ok := cfg.Queues[q]; return ok }
	}
	if err := ivr.Validate(r.Flows, r.Calendars, v); err != nil {
		return r, err
	}
	var errs []error
	r.Numbers = make(map[string]*ivr.Flow)
	for number, flow := range cfg.Numbers {
		f, ok := r.Flows[flow]
		if !ok {
			errs = append(errs, cfg.Errorf("numbers", "numbers: %q routes to unknown flow %q", number, flow))
			continue
		}
		r.Numbers[number] = f
	}
	if cfg.Notice.Enabled {
		for _, name := range cfg.Notice.Prompts {
			for _, lang := range cfg.Languages {
				if !ps.Has(lang, name) {
					errs = append(errs, cfg.Errorf("notice", "notice: prompt %q missing for language %s", name, lang))
				}
			}
			r.Notice = append(r.Notice, ivr.PromptRef{Name: name})
		}
	}
	return r, errors.Join(errs...)
}

// queuePrompts are the prompts every language needs once there are queues.
var queuePrompts = []string{"queue_position", "queue_callers_ahead", "expected_wait", "minutes",
	"agent_work_number", "will_serve_you", "logged_in", "logged_out", "paused", "ready",
	"disposition_saved", "feature_failed", "all_agents_busy", "goodbye"}

// CompileQueues maps the agents and queues onto the ACD and checks the
// prompts and music they use, and the IVR nodes their exit digits lead to
// (in r's flows: without flows, every target would look unknown).
func CompileQueues(cfg *config.Config, ps *promptset.Set, r *Routing) (*Snapshot, error) {
	snap := &Snapshot{Cfg: cfg, Routes: r}
	snap.ACD, snap.Queues = queueing.FromConfig(cfg)
	if len(snap.ACD.Queues) == 0 {
		return snap, nil
	}
	if err := snap.ACD.Validate(); err != nil {
		return snap, cfg.Errorf("queues", "%v", err)
	}
	var errs []error
	for name, q := range snap.Queues {
		if ps.Music(q.Music) == nil {
			errs = append(errs, cfg.Errorf("queues", "queues.%s: music %q not found (prompts/music/%s.wav)", name, q.Music, q.Music))
		}
		if q.ExitTarget != "" && len(r.Flows) > 0 && !r.AnyFlowHas(q.ExitTarget) {
			errs = append(errs, cfg.Errorf("queues", "queues.%s: exit_target: unknown IVR node %q", name, q.ExitTarget))
		}
	}
	for _, lang := range cfg.Languages {
		for _, p := range queuePrompts {
			if !ps.Has(lang, p) {
				errs = append(errs, cfg.Errorf("queues", "queues: prompt %q missing for language %s", p, lang))
			}
		}
	}
	errs = append(errs, care.CheckPrompts(cfg, ps.Has)...)
	return snap, errors.Join(errs...)
}

// AnyFlowHas reports whether some flow has node.
func (r *Routing) AnyFlowHas(node string) bool {
	for _, f := range r.Flows {
		if _, ok := f.Nodes[node]; ok {
			return true
		}
	}
	return false
}
