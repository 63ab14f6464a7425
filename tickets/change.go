package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// Urgency values.
const (
	Urgent = "urgent"
	Normal = "normal"
)

// The return visit's progress on a ticket (VisitState).
const (
	VisitPending   = "pending"   // to be called at VisitDue
	VisitDone      = "done"      // the customer answered the survey
	VisitGaveUp    = "gave_up"   // no answer after the attempts, or past give_up_after
	VisitRefused   = "refused"   // the dial policy refused the number: never called
	VisitCancelled = "cancelled" // reopened or visited by hand before the call
)

// Limits of what a ticket holds.
const (
	maxDescription = 4000
	maxNote        = 2000
)

// NewTicket is a ticket to open.
type NewTicket struct {
	Category, Urgency, Description         string
	Caller, Account, CallID, Recording     string
	Language, Owner, ExternalID, WorkOrder string
	Actor                                  string // who opens it
	// CallerTrusted: the caller's number came from a trusted network (the
	// IVR says so); otherwise a trusted call noted for CallID vouches.
	CallerTrusted bool
}

// Change is a change asked of a ticket.
type Change struct {
	Action       Action
	Actor, Note  string
	Owner        string // assign
	Satisfaction int    // return_visit: 1-5
	Resolved     *bool  // return_visit
	CallID       string // a call to link (the return-visit call)
	ExternalID   string // the work order's id in the work-order system (sync)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", web.ErrInvalid, fmt.Sprintf(format, args...))
}

// Create opens a ticket. An owner given (the agent who took the call)
// makes it assigned at once: first-contact ownership.
func (svc *Service) Create(n NewTicket) (store.Ticket, error) {
	if err := svc.checkNew(&n); err != nil {
		return store.Ticket{}, err
	}
	now := svc.deps.Clock.Now()
	t := store.Ticket{
		Version: 1, Category: n.Category, Urgency: n.Urgency, State: string(Open), Caller: n.Caller,
		Account: n.Account, Language: n.Language, CallIDs: []string{}, Recording: n.Recording,
		WorkOrder: n.WorkOrder, ExternalID: n.ExternalID, Description: n.Description, CreatedBy: n.Actor,
		Created: now, Updated: now, Due: now.Add(svc.cfg.Deadline(n.Category, n.Urgency == Urgent)),
	}
	if n.CallID != "" {
		t.CallIDs = append(t.CallIDs, n.CallID)
	}
	first := store.TicketChange{Seq: 1, At: now, Actor: n.Actor, Action: string(ActCreate), To: string(Open)}
	e := &entry{t: t, history: []store.TicketChange{first}}
	svc.mu.Lock()
	e.t.CallerTrusted = n.CallerTrusted || svc.trusted.vouches(n.CallID, n.Caller)
	e.t.ID = svc.newIDLocked(now)
	first.TicketID = e.t.ID
	e.history[0].TicketID = e.t.ID
	saves := []save{{t: e.t, c: first}}
	if n.Owner != "" {
		// Ownership is a step of its own in the history.
		assign := Change{Action: ActAssign, Actor: n.Actor, Owner: n.Owner, Note: "first contact"}
		next, c, err := svc.apply(e.t, assign, now)
		if err != nil {
			svc.mu.Unlock()
			return store.Ticket{}, err
		}
		e.t = next
		e.history = append(e.history, c)
		saves = append(saves, save{t: next, c: c})
	}
	svc.rememberLocked(e)
	durable := svc.saveLocked(saves)
	svc.mu.Unlock()
	durable()
	svc.metrics.opened(e.t)
	svc.log.Info("ticket opened", "ticket", e.t.ID, "category", e.t.Category, "urgency", e.t.Urgency,
		"owner", e.t.Owner, "call", n.CallID)
	svc.publish(call.TicketOpened, e.t, "", ActCreate, now)
	return e.t, nil
}

func (svc *Service) checkNew(n *NewTicket) error {
	cats := svc.cfg.TicketCategories()
	if !slices.Contains(cats, n.Category) {
		return invalid("category %q: want one of %s", n.Category, strings.Join(cats, ", "))
	}
	if n.Urgency == "" {
		n.Urgency = Normal
	}
	if n.Language == "" {
		n.Language = svc.lang
	}
	if n.Urgency != Urgent && n.Urgency != Normal {
		return invalid("urgency %q: want urgent or normal", n.Urgency)
	}
	n.Description = strings.TrimSpace(n.Description)
	switch {
	case n.Description == "":
		return invalid("description: say what the customer reported")
	case utf8.RuneCountInString(n.Description) > maxDescription:
		return invalid("description: at most %d characters", maxDescription)
	case len(n.Caller) > 64 || len(n.Account) > 64 || len(n.CallID) > 255 || len(n.ExternalID) > 128:
		return invalid("caller, account, call_id or external_id too long")
	}
	return nil
}

// Apply makes change c on ticket id and returns the ticket as it is
// now. A change the lifecycle refuses is a web.ErrConflict with the
// reason; an unknown ticket is web.ErrNotFound.
func (svc *Service) Apply(ctx context.Context, id string, c Change) (store.Ticket, error) {
	e, err := svc.find(ctx, id)
	if err != nil {
		return store.Ticket{}, err
	}
	stored := svc.storedIfShared(ctx, id)
	now := svc.deps.Clock.Now()
	svc.mu.Lock()
	if cur := svc.memoryLocked(id); cur != nil {
		e = cur // changed meanwhile: apply to the latest
	}
	if stored != nil && stored.t.Version > e.t.Version {
		e = stored // changed by another process since this one last saw it
	}
	prev := State(e.t.State)
	next, rec, err := svc.apply(e.t, c, now)
	if err != nil {
		svc.mu.Unlock()
		return store.Ticket{}, err
	}
	e = &entry{t: next, history: append(slices.Clip(e.history), rec)}
	svc.rememberLocked(e)
	durable := svc.saveLocked([]save{{t: next, c: rec}})
	svc.mu.Unlock()
	durable()
	svc.metrics.changed(prev, next, now)
	svc.log.Info("ticket changed", "ticket", id, "action", c.Action, "from", prev, "to", next.State, "actor", c.Actor)
	svc.publish(call.TicketChanged, next, prev, c.Action, now)
	return next, nil
}

// apply is the change on a copy of t, with its history entry. Every
// change makes one version and one history entry, so the entry's seq is
// the new version. It reads no clock and touches nothing else.
func (svc *Service) apply(t store.Ticket, c Change, now time.Time) (store.Ticket, store.TicketChange, error) {
	if err := checkChange(&c); err != nil {
		return t, store.TicketChange{}, err
	}
	resolved := c.Resolved != nil && *c.Resolved
	from := State(t.State)
	next, err := Next(from, c.Action, resolved)
	if err != nil {
		return t, store.TicketChange{}, fmt.Errorf("%w: %w", web.ErrConflict, err)
	}
	t.CallIDs = slices.Clone(t.CallIDs)
	t.Version++
	t.Updated = now
	t.State = string(next)
	if c.ExternalID != "" {
		t.ExternalID = c.ExternalID
	}
	if c.CallID != "" && !slices.Contains(t.CallIDs, c.CallID) {
		t.CallIDs = append(t.CallIDs, c.CallID)
	}
	switch c.Action {
	case ActAssign:
		t.Owner = c.Owner
	case ActAnswer:
		if t.Answered.IsZero() {
			t.Answered = now
		}
	case ActClose:
		t.Closed = now
		svc.scheduleVisit(&t, now)
	case ActReturnVisit:
		t.Satisfaction = c.Satisfaction
		t.Resolved = map[bool]string{true: "yes", false: "no"}[resolved]
		t.VisitState = VisitDone
	}
	if next == Reopened {
		svc.reopen(&t, now)
	}
	rec := store.TicketChange{TicketID: t.ID, Seq: int(t.Version), At: now, Actor: c.Actor, Action: string(c.Action),
		From: string(from), To: string(next), Note: c.Note}
	return t, rec, nil
}

// reopen restarts the answer deadline; the closing time goes, so the
// ticket counts as closed again only when it is.
func (svc *Service) reopen(t *store.Ticket, now time.Time) {
	t.Reopened++
	t.Due = now.Add(svc.cfg.Deadline(t.Category, t.Urgency == Urgent))
	t.Escalated, t.Closed = time.Time{}, time.Time{}
	if t.VisitState == VisitPending {
		t.VisitState = VisitCancelled
	}
}

func checkChange(c *Change) error {
	c.Note = strings.TrimSpace(c.Note)
	if utf8.RuneCountInString(c.Note) > maxNote {
		return invalid("note: at most %d characters", maxNote)
	}
	switch c.Action {
	case ActAssign:
		if c.Owner == "" {
			return invalid("owner: say who takes the ticket")
		}
	case ActAnswer:
		if c.Note == "" {
			return invalid("note: say what the customer was answered")
		}
	case ActNote:
		if c.Note == "" {
			return invalid("note: empty")
		}
	case ActReturnVisit:
		if c.Satisfaction < 1 || c.Satisfaction > 5 {
			return invalid("satisfaction %d: want 1 to 5", c.Satisfaction)
		}
		if c.Resolved == nil {
			return invalid("resolved: true or false is required")
		}
	case ActClose, ActReopen, ActSync:
	default:
		return invalid("action %q: want one of assign, answer, close, return_visit, reopen, note", c.Action)
	}
	return nil
}

// save is one save for the writer.
type save struct {
	t store.Ticket
	c store.TicketChange
}

// saveLocked hands saves to the store in order (under svc.mu, so two
// changes of one ticket reach the writer in the order they were made);
// the result waits until they are durable and must be called unlocked.
func (svc *Service) saveLocked(saves []save) (durable func()) {
	var waits []func()
	for _, s := range saves {
		c := s.c
		d, err := svc.deps.Store.SaveTicket(s.t, &c)
		if err != nil {
			svc.log.Error("ticket not saved", "ticket", s.t.ID, "err", err)
			continue
		}
		if d != nil {
			waits = append(waits, d)
		}
	}
	return func() {
		for _, w := range waits {
			w()
		}
	}
}

// storedIfShared is the stored ticket id when other processes change the
// tickets too (Deps.Shared), so that a change applies to their latest
// written version; nil otherwise, or when the store cannot say.
func (svc *Service) storedIfShared(ctx context.Context, id string) *entry {
	if !svc.deps.Shared {
		return nil
	}
	t, history, found, err := svc.deps.Store.GetTicket(ctx, id)
	if err != nil || !found {
		return nil
	}
	return &entry{t: t, history: history}
}

// find is the ticket id from memory, else from the store.
func (svc *Service) find(ctx context.Context, id string) (*entry, error) {
	svc.mu.Lock()
	e := svc.memoryLocked(id)
	svc.mu.Unlock()
	if e != nil {
		return e, nil
	}
	if id == "" || len(id) > 64 {
		return nil, fmt.Errorf("%w: ticket %q", web.ErrNotFound, id)
	}
	t, history, found, err := svc.deps.Store.GetTicket(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("%w: ticket %s: %v", web.ErrUnavailable, id, err)
	}
	if !found {
		return nil, fmt.Errorf("%w: ticket %q", web.ErrNotFound, id)
	}
	return &entry{t: t, history: history}, nil
}

// publish puts a ticket's change on the bus (the webhooks carry it to the
// work-order system).
func (svc *Service) publish(kind call.Kind, t store.Ticket, prev State, a Action, now time.Time) {
	e := call.Event{
		Kind: kind, Time: now, Caller: t.Caller, Agent: t.Owner, Category: t.Category, State: t.State,
		PrevState: string(prev), Reason: string(a), Detail: t.ID, Score: t.Satisfaction,
		Resolved: t.Resolved == "yes", Language: t.Language,
	}
	if len(t.CallIDs) > 0 {
		e.Target = t.CallIDs[0]
	}
	svc.deps.Publish(e)
}
