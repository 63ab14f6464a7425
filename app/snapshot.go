package app

import (
	"errors"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/app/promptset"
	"github.com/hotline-oss/hotline/care"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/selfservice"
)

// snapshot is a configuration compiled once: its flows and routing table,
// the ACD's agents and queues and the call path's queue settings. It is
// checked whole against the prompt set and never changed once built:
// Start applies the first, and a reload compiles the next one and applies
// it part by part (applyLocked, reload.go), which is also the one place
// that says what a reload changes and what needs a restart.
type snapshot struct {
	cfg    *config.Config
	routes *routing
	acd    acd.Config
	queues map[string]queueing.Settings
}

// compile checks cfg against the prompt set and builds its snapshot; the
// error lists every problem found.
func compile(cfg *config.Config, ps *promptset.Set) (*snapshot, error) {
	r, flowsErr := compileRoutes(cfg, ps)
	snap, queuesErr := compileQueues(cfg, ps, r)
	return snap, errors.Join(flowsErr, queuesErr)
}

// compileRoutes parses the calendars and flows and maps the hotline
// numbers to their flows. The routing it returns is incomplete when the
// error is not nil.
func compileRoutes(cfg *config.Config, ps *promptset.Set) (*routing, error) {
	r := &routing{passwords: agentPasswords(cfg)}
	var calErr, flowErr error
	if !cfg.Calendars.IsZero() {
		r.Calendars, calErr = ivr.ParseCalendars(cfg.File, &cfg.Calendars)
	}
	if cfg.Flows.IsZero() {
		return r, errors.Join(calErr, cfg.Errorf("flows", "flows: at least one IVR flow is needed"))
	}
	r.flows, flowErr = ivr.ParseFlows(cfg.File, &cfg.Flows)
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
	if err := ivr.Validate(r.flows, r.Calendars, v); err != nil {
		return r, err
	}
	var errs []error
	r.Numbers = make(map[string]*ivr.Flow)
	for number, flow := range cfg.Numbers {
		f, ok := r.flows[flow]
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

// compileQueues maps the agents and queues onto the ACD and checks the
// prompts and music they use, and the IVR nodes their exit digits lead to
// (in r's flows: without flows, every target would look unknown).
func compileQueues(cfg *config.Config, ps *promptset.Set, r *routing) (*snapshot, error) {
	snap := &snapshot{cfg: cfg, routes: r}
	snap.acd, snap.queues = queueing.FromConfig(cfg)
	if len(snap.acd.Queues) == 0 {
		return snap, nil
	}
	if err := snap.acd.Validate(); err != nil {
		return snap, cfg.Errorf("queues", "%v", err)
	}
	var errs []error
	for name, q := range snap.queues {
		if ps.Music(q.Music) == nil {
			errs = append(errs, cfg.Errorf("queues", "queues.%s: music %q not found (prompts/music/%s.wav)", name, q.Music, q.Music))
		}
		if q.ExitTarget != "" && len(r.flows) > 0 && !r.anyFlowHas(q.ExitTarget) {
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

// anyFlowHas reports whether some flow has node.
func (r *routing) anyFlowHas(node string) bool {
	for _, f := range r.flows {
		if _, ok := f.Nodes[node]; ok {
			return true
		}
	}
	return false
}
