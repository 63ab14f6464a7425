package webadapt

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/web"
)

// Panel is the agent panel's view of the ACD and of the calls in
// progress; commands go through the same path as the REST API's.
type Panel struct {
	Agents
	Calls  *CallTracker
	Wrapup map[string]time.Duration // queue → wrap-up time
	// DisplayName is how people see a queue (the metrics' display names,
	// as of the last reload).
	DisplayName func(queue string) string
}

// PanelView implements web.AgentPanelSource.
func (p Panel) PanelView(id string) (web.PanelView, error) {
	info, err := p.Floor.Agent(id)
	if errors.Is(err, acd.ErrUnknownAgent) {
		return web.PanelView{}, fmt.Errorf("%w: agent %s", web.ErrNotFound, id)
	}
	if err != nil {
		return web.PanelView{}, fmt.Errorf("agent panel: agent %s: %w", id, err)
	}
	v := web.PanelView{Agent: web.AgentView{
		ID: info.ID, Name: info.Name, WorkNumber: info.WorkNumber, State: info.State.String(), Since: info.Since,
		Reason: info.Reason, CallID: info.CallID, Queue: info.Queue, CallsToday: info.CallsToday,
		Queues:     slices.DeleteFunc(slices.Clone(info.Queues), queueing.IsPersonalQueue),
		Registered: p.Registered(info.ID),
	}}
	if v.Agent.Queues == nil {
		v.Agent.Queues = []string{}
	}
	if c, ok := p.Calls.forAgent(id, info.CallID); ok {
		v.Call = &c
	}
	v.QueueNames = p.queueNames(v)
	if info.State == acd.Wrapup {
		if d := p.Wrapup[info.Queue]; d > 0 {
			until := info.Since.Add(d)
			v.WrapupUntil = &until
		}
	}
	return v, nil
}

// The panel's commands are the REST API's (Agents).

// queueNames gives the display name of every queue the view names.
func (p Panel) queueNames(v web.PanelView) map[string]string {
	names := make(map[string]string, len(v.Agent.Queues)+1)
	for _, q := range v.Agent.Queues {
		names[q] = p.DisplayName(q)
	}
	if v.Call != nil && v.Call.Queue != "" {
		names[v.Call.Queue] = p.DisplayName(v.Call.Queue)
	}
	return names
}
