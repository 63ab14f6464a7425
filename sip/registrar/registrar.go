package registrar

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Binding is one registered contact of an agent's softphone.
type Binding struct {
	User      string
	Contact   sipmsg.Uri // where the phone says it is
	Source    string     // where the REGISTER came from (ip:port): used behind NAT
	Transport string     // UDP or TCP, as sipgo spells it
	Expires   time.Time
	CallID    string
	CSeq      uint32
	UserAgent string
}

// Registrar keeps agents' bindings (RFC 3261 section 10) in memory.
type Registrar struct {
	MinExpires, MaxExpires, DefaultExpires time.Duration
	// StreamMaxExpires, when set, caps registrations over TCP and TLS
	// (StreamLimit of the endpoint's TCP idle timeout).
	StreamMaxExpires time.Duration
	// MaxContacts caps an agent's bindings (every offer rings them all);
	// a new one past the cap replaces the one refreshed longest ago.
	// OnReplaced, when set, is told of each binding replaced.
	MaxContacts int
	OnReplaced  func(user string, dropped Binding)

	now      func() time.Time
	onChange func(user string, registered bool)

	mu       sync.Mutex
	bindings map[string][]Binding
}

// DefaultMaxContacts is how many phones one agent may register at once.
const DefaultMaxContacts = 5

// Refusals of a REGISTER: too short an interval (423 with Min-Expires),
// and a CSeq not above the binding's (RFC 3261 10.3 step 7).
var (
	ErrIntervalTooBrief = errors.New("registration interval too brief")
	ErrOutOfOrder       = errors.New("REGISTER out of order")
)

// New builds a registrar; onChange is told when a user gets its
// first binding or loses its last (by un-REGISTER or expiry).
func New(now func() time.Time, onChange func(user string, registered bool)) *Registrar {
	if now == nil {
		now = time.Now
	}
	return &Registrar{
		MinExpires: 60 * time.Second, MaxExpires: time.Hour, DefaultExpires: time.Hour, MaxContacts: DefaultMaxContacts,
		now: now, onChange: onChange, bindings: make(map[string][]Binding),
	}
}

// Update applies one REGISTER of user and returns the bindings now valid.
func (r *Registrar) Update(user string, req *sipmsg.Request, source string) ([]Binding, error) {
	now := r.now()
	defaultExpires := r.DefaultExpires
	if h := req.GetHeader("Expires"); h != nil {
		if s, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && s >= 0 {
			defaultExpires = time.Duration(s) * time.Second
		}
	}
	callID, cseq := "", uint32(0)
	if h := req.CallID(); h != nil {
		callID = h.Value()
	}
	if h := req.CSeq(); h != nil {
		cseq = h.SeqNo
	}
	contacts := req.GetHeaders("Contact")
	r.mu.Lock()
	before := len(r.live(user, now))
	current := r.live(user, now)
	var err error
	for _, h := range contacts {
		current, err = r.apply(current, user, h, req, source, defaultExpires, callID, cseq, now)
		if err != nil {
			r.mu.Unlock()
			return nil, err
		}
	}
	current, replaced := r.capContacts(current)
	r.set(user, current)
	after := len(current)
	out := append([]Binding(nil), current...)
	r.mu.Unlock()
	for _, b := range replaced {
		if r.OnReplaced != nil {
			r.OnReplaced(user, b)
		}
	}
	r.notify(user, before, after)
	return out, nil
}

// capContacts drops the bindings refreshed longest ago (the front: apply
// moves a refreshed binding to the end) while there are more than
// MaxContacts.
func (r *Registrar) capContacts(current []Binding) (kept, dropped []Binding) {
	if r.MaxContacts <= 0 || len(current) <= r.MaxContacts {
		return current, nil
	}
	n := len(current) - r.MaxContacts
	dropped = append(dropped, current[:n]...)
	return append(current[:0:0], current[n:]...), dropped
}

func (r *Registrar) apply(current []Binding, user string, h sipmsg.Header, req *sipmsg.Request, source string,
	defaultExpires time.Duration, callID string, cseq uint32, now time.Time) ([]Binding, error) {
	contact, ok := h.(*sipmsg.ContactHeader)
	if !ok {
		return current, fmt.Errorf("contact header %q", h.Value())
	}
	if contact.Address.Wildcard || strings.TrimSpace(h.Value()) == "*" {
		if defaultExpires != 0 {
			return current, errors.New("wildcard contact needs Expires: 0")
		}
		return nil, nil
	}
	expires := defaultExpires
	if v, ok := contact.Params.Get("expires"); ok {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			expires = time.Duration(s) * time.Second
		}
	}
	if expires != 0 && expires < r.MinExpires {
		return current, ErrIntervalTooBrief
	}
	expires = min(expires, r.MaxExpires)
	if r.StreamMaxExpires > 0 && isStream(req.Transport()) {
		expires = min(expires, r.StreamMaxExpires)
	}
	key := contact.Address.String()
	for i, b := range current {
		if b.Contact.String() != key {
			continue
		}
		if b.CallID == callID && cseq <= b.CSeq {
			return current, ErrOutOfOrder
		}
		current = append(current[:i], current[i+1:]...)
		break
	}
	if expires == 0 {
		return current, nil
	}
	ua := ""
	if h := req.GetHeader("User-Agent"); h != nil {
		ua = h.Value()
	}
	return append(current, Binding{
		User: user, Contact: *contact.Address.Clone(), Source: source, Transport: req.Transport(),
		Expires: now.Add(expires), CallID: callID, CSeq: cseq, UserAgent: ua,
	}), nil
}

// live returns user's unexpired bindings; the caller holds r.mu.
func (r *Registrar) live(user string, now time.Time) []Binding {
	var out []Binding
	for _, b := range r.bindings[user] {
		if now.Before(b.Expires) {
			out = append(out, b)
		}
	}
	return out
}

func (r *Registrar) set(user string, bs []Binding) {
	if len(bs) == 0 {
		delete(r.bindings, user)
		return
	}
	r.bindings[user] = bs
}

func (r *Registrar) notify(user string, before, after int) {
	if r.onChange == nil {
		return
	}
	switch {
	case before == 0 && after > 0:
		r.onChange(user, true)
	case before > 0 && after == 0:
		r.onChange(user, false)
	}
}

// Lookup returns user's current bindings, most recent first.
func (r *Registrar) Lookup(user string) []Binding {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.live(user, r.now())
	sort.SliceStable(out, func(i, j int) bool { return out[i].Expires.After(out[j].Expires) })
	return out
}

// Expire drops bindings past their time and tells onChange about users
// who lost their last one. The endpoint calls it every few seconds.
func (r *Registrar) Expire() {
	now := r.now()
	var gone []string
	r.mu.Lock()
	for user, bs := range r.bindings {
		live := r.live(user, now)
		if len(live) == 0 && len(bs) > 0 {
			gone = append(gone, user)
		}
		r.set(user, live)
	}
	r.mu.Unlock()
	for _, u := range gone {
		if r.onChange != nil {
			r.onChange(u, false)
		}
	}
}

// Registered lists users with at least one binding.
func (r *Registrar) Registered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	var out []string
	for u := range r.bindings {
		if len(r.live(u, now)) > 0 {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

// isStream reports whether a transport name is connection-oriented.
func isStream(transport string) bool {
	switch transport {
	case "TCP", "TLS", "tcp", "tls":
		return true
	}
	return false
}

// StreamLimit is the longest registration granted over TCP or
// TLS: a tenth below the idle timeout, so that a phone refreshing its
// registration before it expires also keeps its connection open (the
// server reaches agents over the phone's own connection). Zero: no limit.
func StreamLimit(idle time.Duration) time.Duration {
	if idle <= 0 {
		return 0
	}
	return idle - idle/10
}
