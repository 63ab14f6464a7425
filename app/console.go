package app

import (
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// consoleSource is the supervisor console's view of the floor: the
// agents as the API shows them, the wallboard's queue figures and the
// callers waiting. Moves go through queueing like every ACD command.
type consoleSource struct{ s *Server }

func (c consoleSource) ConsoleSnapshot() web.ConsoleSnapshot {
	agents := agentControl(c).Agents()
	out := web.ConsoleSnapshot{Agents: make([]web.ConsoleAgent, len(agents)), Queues: c.s.wallboard()}
	for i, a := range agents {
		out.Agents[i] = web.ConsoleAgent{AgentView: a}
	}
	now := c.s.clock.Now()
	mask := c.s.cfg.MaskNumbers()
	for _, w := range c.s.acd.Waiting() {
		caller := w.Caller
		if mask {
			caller = store.Mask(caller)
		}
		out.Waiting = append(out.Waiting, web.WaitingView{
			CallID: w.CallID, Queue: w.Queue, Caller: caller, Priority: w.Priority, Position: w.Position,
			WaitSeconds: now.Sub(w.Joined).Seconds(), Ringing: w.Ringing, Callback: w.Callback,
		})
	}
	return out
}

func (c consoleSource) MoveCall(callID, queue string) error {
	if queueing.IsPersonalQueue(queue) {
		return fmt.Errorf("%w: queue %q: a caller is moved to a hotline queue, not an agent's own", web.ErrInvalid, queue)
	}
	err := c.s.acd.Do(queueing.MoveCall{Call: callID, To: queue})
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
	c.s.log.Info("caller moved to another queue", "call", callID, "queue", queue)
	return nil
}

// mountConsole serves the supervisor console at /supervisor when there is
// an ACD to supervise and API tokens to sign in with.
func (s *Server) mountConsole(tokens []web.Token) error {
	if s.acd == nil || len(tokens) == 0 {
		return nil
	}
	d := web.ConsoleDeps{
		Source: consoleSource{s}, Agents: agentControl{s}, Recordings: recordingsAPI{s},
		PauseReasons: s.cfg.AgentPanel.Reasons(), Location: s.cfg.ReportLocation(),
		Adherence: s.adherence(),
	}
	if s.monitors != nil {
		d.Monitor = s.monitors.Control()
	}
	if s.self != nil {
		if c := s.self.NoticeControl(); c != nil {
			d.Notices = c
		}
	}
	if s.quality != nil {
		d.Reviews = s.quality
	}
	if s.workforce != nil {
		d.Schedules = s.workforce.Control()
	}
	if s.tickets != nil {
		d.Tickets = s.tickets
		d.TicketCounts = func() web.TicketCounts {
			overdue, open := s.tickets.Counts()
			return web.TicketCounts{Overdue: overdue, Open: open}
		}
	}
	return s.web.WithConsole(d, tokens)
}

// adherence is the console's adherence column: each scheduled agent's
// adherence today, from the workforce part's live view.
func (s *Server) adherence() web.AdherenceSource {
	if s.workforce == nil {
		return nil
	}
	return func() map[string]float64 {
		live := s.workforce.Live()
		out := make(map[string]float64, len(live))
		for _, a := range live {
			if a.Adherence != nil {
				out[a.Agent] = *a.Adherence
			}
		}
		return out
	}
}
