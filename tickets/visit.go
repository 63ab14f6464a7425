package tickets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// Dialer places a return-visit call and runs its survey.
type Dialer interface {
	// Visit calls number and asks the survey in lang. An error wrapping
	// ErrVisitRefused means the number must never be called (allow-list,
	// do-not-call, caps); any other error is an attempt that may be
	// tried again.
	Visit(ctx context.Context, v VisitCall) (VisitAnswers, error)
}

// VisitCall is one return-visit call to make.
type VisitCall struct {
	TicketID string
	Attempt  int // 1 for the first
	Number   string
	Language string
}

// VisitAnswers is what the customer said: satisfaction 1-5, resolved.
type VisitAnswers struct {
	Satisfaction int
	Resolved     bool
	CallID       string // the return-visit call, linked to the ticket
}

// ErrVisitRefused: the dial policy refused the number; it is not retried.
var ErrVisitRefused = errors.New("return visit refused by the dial policy")

// ErrVisitUnanswered: the customer did not answer, or hung up before the
// survey's end; the visit is tried again.
var ErrVisitUnanswered = errors.New("return visit not answered")

// visitActor names the return-visit calls in the history.
const visitActor = "return-visit"

// scheduleVisit sets the return visit of a ticket that just closed, when
// return visits are on and the ticket has a number to call.
func (svc *Service) scheduleVisit(t *store.Ticket, now time.Time) {
	if !svc.visitCfg.Enabled || svc.deps.Visits == nil || t.Caller == "" {
		return
	}
	t.VisitAttempts = 0
	if !t.CallerTrusted {
		// The number is only a claim: it is never dialled.
		t.VisitState = VisitRefused
		return
	}
	from, to, _ := svc.visitCfg.Hours()
	t.VisitState = VisitPending
	t.VisitDue = NextCallingTime(now.Add(svc.visitCfg.Delay(t.Category)), from, to, svc.loc)
}

// NextCallingTime is the first moment at or after t within the calling
// hours [from, to) (minutes after midnight in loc).
func NextCallingTime(t time.Time, from, to int, loc *time.Location) time.Time {
	lt := t.In(loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	start := midnight.Add(time.Duration(from) * time.Minute)
	end := midnight.Add(time.Duration(to) * time.Minute)
	switch {
	case lt.Before(start):
		return start
	case lt.Before(end):
		return t
	}
	next := time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
	return next.Add(time.Duration(from) * time.Minute)
}

// visitor runs the return-visit calls: one goroutine per call in flight,
// at most one call per ticket.
type visitor struct {
	svc      *Service
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the sweep loop
	calls    sync.WaitGroup // return-visit calls and fault tickets in flight
	mu       sync.Mutex
	inFlight map[string]bool
}

func newVisitor(svc *Service) (*visitor, error) {
	if svc.visitCfg.Enabled {
		if _, _, err := svc.visitCfg.Hours(); err != nil {
			return nil, fmt.Errorf("tickets: return_visit: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &visitor{svc: svc, ctx: ctx, cancel: cancel, inFlight: make(map[string]bool)}, nil
}

func (v *visitor) close() {
	v.cancel()
	v.wg.Wait()
	v.calls.Wait()
}

// Wait waits for the return-visit calls and fault tickets in flight.
func (svc *Service) Wait() { svc.visits.calls.Wait() }

// due starts the return visits due at now within the calling hours.
func (v *visitor) due(now time.Time) {
	svc := v.svc
	if svc.deps.Visits == nil || !svc.visitCfg.Enabled || v.ctx.Err() != nil {
		return
	}
	from, to, _ := svc.visitCfg.Hours()
	if !NextCallingTime(now, from, to, svc.loc).Equal(now) {
		return // outside calling hours: nobody is called now
	}
	var calls []VisitCall
	svc.mu.Lock()
	for _, id := range slices.Sorted(maps.Keys(svc.active)) {
		t := svc.active[id].t
		if t.VisitState != VisitPending || t.VisitDue.After(now) {
			continue
		}
		calls = append(calls, VisitCall{TicketID: id, Attempt: t.VisitAttempts + 1, Number: t.Caller, Language: t.Language})
	}
	svc.mu.Unlock()
	for _, c := range calls {
		v.mu.Lock()
		busy := v.inFlight[c.TicketID]
		v.inFlight[c.TicketID] = true
		v.mu.Unlock()
		if busy {
			continue
		}
		v.calls.Add(1)
		go v.run(c)
	}
}

// run makes one return-visit call and records its outcome on the ticket.
func (v *visitor) run(c VisitCall) {
	defer v.calls.Done()
	defer func() {
		v.mu.Lock()
		delete(v.inFlight, c.TicketID)
		v.mu.Unlock()
	}()
	svc := v.svc
	ans, err := svc.deps.Visits.Visit(v.ctx, c)
	if v.ctx.Err() != nil {
		return // shutting down: the visit stays pending for the next start
	}
	if err == nil {
		svc.metrics.visit(visitAnswered)
		resolved := ans.Resolved
		_, aerr := svc.Apply(context.Background(), c.TicketID, Change{
			Action: ActReturnVisit, Actor: visitActor, Satisfaction: ans.Satisfaction, Resolved: &resolved,
			CallID: ans.CallID, Note: fmt.Sprintf("survey: satisfaction %d, resolved %v", ans.Satisfaction, resolved),
		})
		if aerr != nil {
			svc.log.Warn("return visit answers not stored", "ticket", c.TicketID, "err", aerr)
		}
		return
	}
	svc.visitFailed(c, err)
}

// visitFailed records a failed attempt: refused for good, given up, or
// due again after retry_after, within the calling hours.
func (svc *Service) visitFailed(c VisitCall, err error) {
	now := svc.deps.Clock.Now()
	result, note := visitNoAnswer, "not answered: "+err.Error()
	switch {
	case errors.Is(err, ErrVisitRefused):
		result, note = visitRefused, "not called: "+err.Error()
	case !errors.Is(err, ErrVisitUnanswered):
		result, note = visitFailed, "call failed: "+err.Error()
	}
	svc.metrics.visit(result)
	svc.log.Info("return visit attempt failed", "ticket", c.TicketID, "attempt", c.Attempt, "result", result, "err", err)
	from, to, _ := svc.visitCfg.Hours()
	svc.mu.Lock()
	e := svc.active[c.TicketID]
	if e == nil || e.t.VisitState != VisitPending {
		svc.mu.Unlock()
		return // reopened or visited by hand meanwhile
	}
	t := e.t
	t.CallIDs = slices.Clone(t.CallIDs)
	t.Version++
	t.Updated = now
	t.VisitAttempts = c.Attempt
	firstDue := t.Closed.Add(svc.visitCfg.Delay(t.Category))
	switch {
	case result == visitRefused:
		t.VisitState = VisitRefused
	case t.VisitAttempts >= svc.visitCfg.MaxAttempts || now.Sub(firstDue) >= svc.visitCfg.GiveUpAfter:
		t.VisitState = VisitGaveUp
		svc.metrics.visit(visitGaveUp)
		note += "; gave up"
	default:
		t.VisitDue = NextCallingTime(now.Add(svc.visitCfg.RetryAfter), from, to, svc.loc)
	}
	rec := store.TicketChange{TicketID: t.ID, Seq: int(t.Version), At: now, Actor: visitActor,
		Action: "return_visit_attempt", From: t.State, To: t.State, Note: note}
	ne := &entry{t: t, history: append(slices.Clip(e.history), rec)}
	svc.rememberLocked(ne)
	durable := svc.saveLocked([]save{{t: t, c: rec}})
	svc.mu.Unlock()
	durable()
}
