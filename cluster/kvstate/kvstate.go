// Package kvstate is the cluster's shared state kept in JetStream
// key-value buckets: agents' registered contacts (which node holds each)
// and agents' presence (logged in or out, paused and why), written under
// the leader's term so that a replaced leader's late write is refused.
//
// What it must not do: open connections or buckets (package cluster hands
// it the buckets), log, or decide anything: a value that does not parse
// is skipped and reported to the caller.
package kvstate

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/nats-io/nats.go/jetstream"
)

// Registration is one registered phone of an agent, held by the node the
// phone registered through; any node may dial it.
type Registration struct {
	Agent   string    `json:"agent"`
	Contact string    `json:"contact"` // the SIP contact URI
	Node    string    `json:"node"`
	Expires time.Time `json:"expires"`
	// Source and Transport are where the REGISTER came from and over
	// what (a phone behind NAT is reached there, not at its Contact).
	Source    string `json:"source,omitempty"`
	Transport string `json:"transport,omitempty"`
}

// Dropped is told about a stored value that does not parse (it is then
// skipped): the caller logs and counts it.
type Dropped func(key string, err error)

// Registrations is the shared registrar view: agent contact → node.
type Registrations struct {
	kv      jetstream.KeyValue
	node    string
	dropped Dropped
	now     func() time.Time

	// A copy of the bucket kept by Follow, so that a read costs no
	// message; nil until the watch has delivered every stored value.
	mu    sync.Mutex
	copy  map[string]Registration
	ready bool
}

// NewRegistrations reads and writes the registrations bucket kv; node is
// the node this process writes as.
func NewRegistrations(kv jetstream.KeyValue, node string, dropped Dropped) *Registrations {
	return &Registrations{kv: kv, node: node, dropped: dropped, now: time.Now}
}

// RegistrationKey is the key of an agent's contact in the bucket.
func RegistrationKey(agent, contact string) string {
	return encodeKey(agent) + "." + encodeKey(contact)
}

// Put records (or refreshes) a registration made through this node.
func (r *Registrations) Put(ctx context.Context, agent, contact string, expires time.Time) error {
	return r.PutBinding(ctx, Registration{Agent: agent, Contact: contact, Expires: expires})
}

// PutBinding is Put with where the phone registered from (Source,
// Transport); Node is always this node.
func (r *Registrations) PutBinding(ctx context.Context, g Registration) error {
	agent := g.Agent
	if agent == "" || g.Contact == "" {
		return errors.New("cluster: registration needs an agent and a contact")
	}
	g.Node, g.Expires = r.node, g.Expires.UTC()
	data, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("cluster: registration: %w", err)
	}
	if _, err := r.kv.Put(ctx, RegistrationKey(agent, g.Contact), data); err != nil {
		return fmt.Errorf("cluster: registration of %s: %w", agent, err)
	}
	return nil
}

// Remove deletes a registration (an un-REGISTER, or expiry seen locally).
func (r *Registrations) Remove(ctx context.Context, agent, contact string) error {
	if err := r.kv.Delete(ctx, RegistrationKey(agent, contact)); err != nil {
		return fmt.Errorf("cluster: remove registration of %s: %w", agent, err)
	}
	return nil
}

// Contacts returns an agent's unexpired registrations on every node.
func (r *Registrations) Contacts(ctx context.Context, agent string) ([]Registration, error) {
	if out, ok := r.fromCopy(agent); ok {
		return out, nil
	}
	return r.list(ctx, encodeKey(agent)+".*", func(Registration) bool { return true })
}

// Follow keeps a copy of the bucket, updated by a watch until ctx ends;
// Contacts reads it from then on (a ring looks the agent's phones up
// without a round trip to NATS). It returns once the stored values are
// in, or after wait (Contacts then reads the bucket until they are).
func (r *Registrations) Follow(ctx context.Context, wait time.Duration) error {
	w, err := r.kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("cluster: follow registrations: %w", err)
	}
	initial := make(chan struct{})
	go func() {
		defer func() { _ = w.Stop() }()
		done := false
		for e := range w.Updates() {
			if e == nil {
				r.mu.Lock()
				r.ready = true
				r.mu.Unlock()
				if !done {
					done = true
					close(initial)
				}
				continue
			}
			r.apply(e)
		}
		r.mu.Lock()
		r.ready = false // the watch ended: read the bucket again
		r.mu.Unlock()
		if !done {
			close(initial)
		}
	}()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-initial:
		return nil
	case <-t.C:
		return fmt.Errorf("cluster: follow registrations: stored values not read within %s", wait)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Registrations) apply(e jetstream.KeyValueEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.copy == nil {
		r.copy = map[string]Registration{}
	}
	if e.Operation() != jetstream.KeyValuePut {
		delete(r.copy, e.Key())
		return
	}
	var g Registration
	if err := routing.DecodeStrict(e.Value(), &g); err != nil || g.Agent == "" || g.Contact == "" || !routing.ValidToken(g.Node) ||
		e.Key() != RegistrationKey(g.Agent, g.Contact) {
		delete(r.copy, e.Key())
		r.dropped(e.Key(), fmt.Errorf("bad registration: %v", err))
		return
	}
	r.copy[e.Key()] = g
}

// fromCopy reads an agent's unexpired registrations from the followed
// copy; false when there is none.
func (r *Registrations) fromCopy(agent string) ([]Registration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ready {
		return nil, false
	}
	now := r.now()
	var out []Registration
	for _, g := range r.copy {
		if g.Agent == agent && g.Expires.After(now) {
			out = append(out, g)
		}
	}
	return out, true
}

// OfNode returns the unexpired registrations held by node (to drop those
// of a node that died, whose phones must register again elsewhere).
func (r *Registrations) OfNode(ctx context.Context, node string) ([]Registration, error) {
	return r.list(ctx, jetstream.AllKeys, func(g Registration) bool { return g.Node == node })
}

func (r *Registrations) list(ctx context.Context, filter string, keep func(Registration) bool) ([]Registration, error) {
	entries, err := Snapshot(ctx, r.kv, filter)
	if err != nil {
		return nil, fmt.Errorf("cluster: registrations: %w", err)
	}
	now := r.now()
	var out []Registration
	for _, e := range entries {
		var g Registration
		if err := routing.DecodeStrict(e.Value(), &g); err != nil || g.Agent == "" || g.Contact == "" || !routing.ValidToken(g.Node) ||
			e.Key() != RegistrationKey(g.Agent, g.Contact) {
			r.dropped(e.Key(), fmt.Errorf("bad registration: %v", err))
			continue
		}
		if g.Expires.After(now) && keep(g) {
			out = append(out, g)
		}
	}
	return out, nil
}

// Snapshot reads the current values under filter (no history, no
// deletes).
func Snapshot(ctx context.Context, kv jetstream.KeyValue, filter string) ([]jetstream.KeyValueEntry, error) {
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer func() { _ = w.Stop() }()
	var out []jetstream.KeyValueEntry
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return out, nil
			}
			if e == nil { // the initial values are all in
				return out, nil
			}
			out = append(out, e)
		}
	}
}

// Presence is an agent's lasting state: logged in or out, paused and why.
// The leader writes it, under its term; talking, ringing and wrap-up are
// the leader ACD's and are not stored here.
type Presence struct {
	Agent   string    `json:"agent"`
	State   string    `json:"state"` // logged_out, available, paused
	Reason  string    `json:"reason,omitempty"`
	Term    uint64    `json:"term"`
	Updated time.Time `json:"updated"`
}

var presenceStates = []string{"logged_out", "available", "paused"}

// Agents is the shared presence of every agent.
type Agents struct {
	kv      jetstream.KeyValue
	dropped Dropped
}

// NewAgents reads and writes the agents bucket kv.
func NewAgents(kv jetstream.KeyValue, dropped Dropped) *Agents {
	return &Agents{kv: kv, dropped: dropped}
}

// Put writes p under term, refusing with routing.ErrStaleTerm if a newer leader
// already wrote this agent: the store itself fences a replaced leader.
func (a *Agents) Put(ctx context.Context, p Presence, term uint64) error {
	if term == 0 {
		return routing.ErrNoTerm
	}
	if err := p.check(); err != nil {
		return fmt.Errorf("cluster: presence: %w", err)
	}
	p.Term = term
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("cluster: presence: %w", err)
	}
	key := encodeKey(p.Agent)
	for range 5 { // a concurrent write moved the revision: read again
		cur, rev, err := a.get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			_, err = a.kv.Create(ctx, key, data)
		case err != nil:
			return fmt.Errorf("cluster: presence of %s: %w", p.Agent, err)
		case cur.Term > term:
			return fmt.Errorf("%w: agent %s written under term %d, this is %d", routing.ErrStaleTerm, p.Agent, cur.Term, term)
		default:
			_, err = a.kv.Update(ctx, key, data, rev)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return fmt.Errorf("cluster: presence of %s: %w", p.Agent, err)
		}
	}
	return fmt.Errorf("cluster: presence of %s: too many concurrent writes", p.Agent)
}

// get reads one presence; a value that does not parse counts as absent
// (and is counted), so the next write replaces it.
func (a *Agents) get(ctx context.Context, key string) (Presence, uint64, error) {
	e, err := a.kv.Get(ctx, key)
	if err != nil {
		return Presence{}, 0, err
	}
	var p Presence
	if derr := routing.DecodeStrict(e.Value(), &p); derr != nil || p.check() != nil || encodeKey(p.Agent) != key {
		a.dropped(key, fmt.Errorf("bad presence: %v", derr))
		return Presence{}, e.Revision(), nil
	}
	return p, e.Revision(), nil
}

// Get returns an agent's presence; ok is false if none is stored.
func (a *Agents) Get(ctx context.Context, agent string) (Presence, bool, error) {
	p, _, err := a.get(ctx, encodeKey(agent))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Presence{}, false, nil
	}
	if err != nil {
		return Presence{}, false, fmt.Errorf("cluster: presence of %s: %w", agent, err)
	}
	return p, p.Agent != "", nil
}

// All returns every stored presence, for a new leader's rebuild.
func (a *Agents) All(ctx context.Context) ([]Presence, error) {
	entries, err := Snapshot(ctx, a.kv, jetstream.AllKeys)
	if err != nil {
		return nil, fmt.Errorf("cluster: agents: %w", err)
	}
	var out []Presence
	for _, e := range entries {
		var p Presence
		if err := routing.DecodeStrict(e.Value(), &p); err != nil || p.check() != nil || encodeKey(p.Agent) != e.Key() {
			a.dropped(e.Key(), fmt.Errorf("bad presence: %v", err))
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func (p *Presence) check() error {
	if p.Agent == "" {
		return errors.New("no agent")
	}
	for _, s := range presenceStates {
		if p.State == s {
			return nil
		}
	}
	return fmt.Errorf("state %q: want one of %v", p.State, presenceStates)
}

// AgentKey is the key of an agent's presence in the bucket.
func AgentKey(agent string) string { return encodeKey(agent) }

// encodeKey turns an arbitrary identifier (an agent id, a SIP contact)
// into a KV key token: base64url without padding uses only letters,
// digits, '-' and '_', all of which NATS keys accept.
func encodeKey(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
