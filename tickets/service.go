package tickets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/store"
)

// Store is what the tickets feature reads and writes in the records.
type Store interface {
	SaveTicket(t store.Ticket, c *store.TicketChange) (durable func(), err error)
	GetTicket(ctx context.Context, id string) (store.Ticket, []store.TicketChange, bool, error)
	ListTickets(ctx context.Context, f store.TicketFilter) ([]store.Ticket, error)
	ActiveTickets(ctx context.Context) ([]store.Ticket, error)
	TicketHistories(ctx context.Context, ids []string) (map[string][]store.TicketChange, error)
	TicketFigures(ctx context.Context, from, to, now time.Time) (store.TicketFigures, error)
	RepeatComplainers(ctx context.Context, from, to time.Time, minimum int) ([]store.RepeatComplainer, error)
	LastCalls(ctx context.Context, caller string, limit int) ([]store.CallRecord, error)
}

// Clock tells the server's time.
type Clock interface{ Now() time.Time }

// Deps are what the tickets feature works with.
type Deps struct {
	Store    Store
	Registry prometheus.Registerer
	Publish  func(call.Event)
	Clock    Clock
	Log      *slog.Logger
	// Visits dials return visits; nil: closed tickets get no return-visit
	// call (an agent may still make it from the panel).
	Visits Dialer
	// AgentCalls places an agent's return visit by hand (the panel's click
	// to call); nil: the panel cannot call.
	AgentCalls AgentCaller
	// Shared says that other processes change the same tickets (the nodes
	// of a cluster share one database): at every tick the service first
	// refreshes what it follows from the store (Refresh).
	Shared bool
	// Leads, when set, says whether this process sweeps: escalations and
	// return visits are made by one process only (the cluster's leader),
	// so that no ticket is escalated twice and no customer called twice.
	Leads func() bool
}

// AgentCaller rings an agent's phone and then dials a customer's number,
// within the dial policy, and bridges the two.
type AgentCaller interface {
	CallForAgent(ctx context.Context, agent, number, ticketID string) error
}

// Service follows the tickets. The ones still being worked on (and the
// closed ones awaiting their return visit) live in memory, so the call
// path's look-ups and the deadline sweep never wait on the database; the
// rest are read from the store.
type Service struct {
	deps     Deps
	log      *slog.Logger
	cfg      config.Tickets
	visitCfg config.ReturnVisit // defaults applied
	loc      *time.Location
	lang     string // the default language: a ticket without one is surveyed in it
	metrics  *ticketMetrics
	syncKey  []byte

	mu       sync.Mutex
	active   map[string]*entry
	byCaller map[string]map[string]struct{} // caller → ids of active tickets
	// recent are the tickets that left memory lately (closed for good):
	// the writer may not have written their last change yet, and a read
	// right after the change must see it.
	recent      map[string]*entry
	recentOrder []string
	trusted     trustedCalls // trust.go
	lastID      int64
	node        string // random per process: ids stay unique across restarts and nodes

	visits *visitor // visit.go
}

// entry is one active ticket and its history.
type entry struct {
	t       store.Ticket
	history []store.TicketChange
}

// New loads the active tickets from the store and registers the metrics.
// It fails when the store cannot say which tickets are active: starting
// without them would lose their deadlines and return visits.
func New(cfg *config.Config, deps Deps) (*Service, error) {
	if deps.Store == nil || deps.Clock == nil || deps.Publish == nil {
		return nil, fmt.Errorf("tickets: store, clock and publisher are required")
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	svc := &Service{
		deps: deps, log: deps.Log.With("feature", "tickets"), cfg: cfg.Tickets,
		visitCfg: cfg.Tickets.ReturnVisit.WithDefaults(), loc: cfg.ReportLocation(), lang: cfg.DefaultLanguage,
		syncKey: []byte(cfg.Tickets.SyncSecretValue()), active: make(map[string]*entry),
		byCaller: make(map[string]map[string]struct{}), node: hex.EncodeToString(b[:]),
		recent: make(map[string]*entry),
	}
	m, err := newTicketMetrics(deps.Registry, svc.countOverdue)
	if err != nil {
		return nil, err
	}
	svc.metrics = m
	if svc.visits, err = newVisitor(svc); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	active, err := deps.Store.ActiveTickets(ctx)
	if err != nil {
		// The database may come back later; the tickets opened from now on
		// are followed, and a restart picks the older ones up again.
		svc.log.Warn("tickets: active tickets not loaded; their deadlines wait for a restart", "err", err)
		return svc, nil
	}
	ids := make([]string, len(active))
	for i, t := range active {
		ids[i] = t.ID
	}
	histories, err := deps.Store.TicketHistories(ctx, ids)
	if err != nil {
		svc.log.Warn("tickets: active tickets not loaded; their deadlines wait for a restart", "err", err)
		return svc, nil
	}
	for _, t := range active {
		svc.remember(&entry{t: t, history: histories[t.ID]})
	}
	svc.log.Info("tickets loaded", "active", len(active))
	return svc, nil
}

// remember keeps e in memory while it is active, or forgets it.
func (svc *Service) remember(e *entry) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	svc.rememberLocked(e)
}

func (svc *Service) rememberLocked(e *entry) {
	id, caller := e.t.ID, e.t.Caller
	if isActive(e.t) {
		svc.active[id] = e
		if caller != "" {
			if svc.byCaller[caller] == nil {
				svc.byCaller[caller] = make(map[string]struct{})
			}
			svc.byCaller[caller][id] = struct{}{}
		}
		delete(svc.recent, id)
		return
	}
	delete(svc.active, id)
	svc.keepRecentLocked(e)
	if ids := svc.byCaller[caller]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(svc.byCaller, caller)
		}
	}
}

// maxRecent bounds the recently finished tickets kept in memory: far
// more than the writer ever holds unwritten.
const maxRecent = 4096

func (svc *Service) keepRecentLocked(e *entry) {
	if _, ok := svc.recent[e.t.ID]; !ok {
		svc.recentOrder = append(svc.recentOrder, e.t.ID)
	}
	svc.recent[e.t.ID] = e
	for len(svc.recentOrder) > maxRecent {
		delete(svc.recent, svc.recentOrder[0])
		svc.recentOrder = svc.recentOrder[1:]
	}
}

// memoryLocked is ticket id as this process last changed it, if it still
// holds it.
func (svc *Service) memoryLocked(id string) *entry {
	if e := svc.active[id]; e != nil {
		return e
	}
	return svc.recent[id]
}

// isActive: still worked on, or closed with its return visit to make.
func isActive(t store.Ticket) bool {
	s := State(t.State)
	return IsFollowing(s) || s == Answered || t.VisitState == VisitPending
}

// newID is a ticket number: T, the creation time in milliseconds in base
// 36 (so numbers sort by time), and this process's random suffix.
func (svc *Service) newIDLocked(now time.Time) string {
	key := now.UnixMilli()
	if key <= svc.lastID {
		key = svc.lastID + 1
	}
	svc.lastID = key
	return "T" + strings.ToUpper(strconv.FormatInt(key, 36)) + "-" + svc.node
}

// Run sweeps the deadlines and the return visits at every tick until
// Close (the server passes a ticker of SweepEvery).
func (svc *Service) Run(ticks <-chan time.Time) {
	v := svc.visits
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		for {
			select {
			case <-ticks:
				svc.tick()
			case <-v.ctx.Done():
				return
			}
		}
	}()
}

// tick is one turn of the sweep loop: refresh from the store when other
// processes share the tickets, then sweep if this process leads.
func (svc *Service) tick() {
	if svc.deps.Shared {
		ctx, cancel := context.WithTimeout(svc.visits.ctx, SweepEvery/2)
		err := svc.Refresh(ctx)
		cancel()
		if err != nil {
			svc.log.Warn("tickets: refresh from the store failed; following what this node knows", "err", err)
		}
	}
	if svc.deps.Leads == nil || svc.deps.Leads() {
		svc.Sweep()
	}
}

// Close stops the return visits and the deadline sweep.
func (svc *Service) Close() {
	if svc == nil {
		return
	}
	svc.visits.close()
}
