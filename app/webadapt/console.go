package webadapt

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/tickets"
	"github.com/hotline-oss/hotline/web"
	"github.com/hotline-oss/hotline/workforce"
)

// Console is the supervisor console's view of the floor: the agents as
// the API shows them, the wallboard's queue figures and the callers
// waiting. Moves go through queueing like every ACD command.
type Console struct {
	Agents
	Wallboard   func() any
	Now         func() time.Time
	MaskNumbers bool // callers' numbers masked as in the logs
	Log         *slog.Logger
}

func (c Console) ConsoleSnapshot() web.ConsoleSnapshot {
	agents := c.Agents.Agents()
	out := web.ConsoleSnapshot{Agents: make([]web.ConsoleAgent, len(agents)), Queues: c.Wallboard()}
	for i, a := range agents {
		out.Agents[i] = web.ConsoleAgent{AgentView: a}
	}
	now := c.Now()
	for _, w := range c.Floor.Waiting() {
		caller := w.Caller
		if c.MaskNumbers {
			caller = store.Mask(caller)
		}
		out.Waiting = append(out.Waiting, web.WaitingView{
			CallID: w.CallID, Queue: w.Queue, Caller: caller, Priority: w.Priority, Position: w.Position,
			WaitSeconds: now.Sub(w.Joined).Seconds(), Ringing: w.Ringing, Callback: w.Callback,
		})
	}
	return out
}

func (c Console) MoveCall(callID, queue string) error {
	if queueing.IsPersonalQueue(queue) {
		return fmt.Errorf("%w: queue %q: a caller is moved to a hotline queue, not an agent's own", web.ErrInvalid, queue)
	}
	err := c.Floor.Do(queueing.MoveCall{Call: callID, To: queue})
	switch {
	case errors.Is(err, acd.ErrUnknownCall):
		return fmt.Errorf("%w: no caller %s is waiting", web.ErrNotFound, callID)
	case errors.Is(err, acd.ErrUnknownQueue):
		return fmt.Errorf("%w: no queue %q", web.ErrNotFound, queue)
	case errors.Is(err, acd.ErrBadArgument):
		return fmt.Errorf("%w: %v", web.ErrInvalid, err)
	case errors.Is(err, acd.ErrNotWaiting):
		return fmt.Errorf("%w: an agent answered the call", web.ErrConflict)
	case err != nil:
		return err
	}
	c.Log.Info("caller moved to another queue", "call", callID, "queue", queue)
	return nil
}

// Adherence is the console's adherence column: each scheduled agent's
// adherence today, from the workforce part's live view; nil without it.
func Adherence(wf *workforce.Service) web.AdherenceSource {
	if wf == nil {
		return nil
	}
	return func() map[string]float64 {
		live := wf.Live()
		out := make(map[string]float64, len(live))
		for _, a := range live {
			if a.Adherence != nil {
				out[a.Agent] = *a.Adherence
			}
		}
		return out
	}
}

// TicketCounts are the open and overdue tickets in the console's header.
func TicketCounts(t *tickets.Service) func() web.TicketCounts {
	return func() web.TicketCounts {
		overdue, open := t.Counts()
		return web.TicketCounts{Overdue: overdue, Open: open}
	}
}

// Wallboard is the metrics' wallboard with each queue's team adherence
// against target; wf may be nil (no adherence).
func Wallboard(m *metrics.Metrics, wf *workforce.Service, target float64) any {
	figures := m.Wallboard()
	if wf == nil {
		return figures
	}
	teams := wf.TeamTally(wf.Live())
	for i := range figures {
		figures[i].AdherenceTarget = target
		if r, ok := teams[figures[i].Queue].Ratio(); ok {
			figures[i].Adherence = metrics.Figure{Value: r, Defined: true}
		}
	}
	return figures
}
