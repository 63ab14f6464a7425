package webkit

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"sync"
	"time"
)

// Session and login-throttle defaults of the agent panel and the
// supervisor console.
const (
	DefaultSessionIdle = 12 * time.Hour
	// DefaultMaxFailures failed logins from one address within
	// DefaultFailureWindow lock that address out for DefaultLockout.
	DefaultMaxFailures   = 10
	DefaultFailureWindow = 10 * time.Minute
	DefaultLockout       = 15 * time.Minute
	// maxTrackedAddresses bounds the throttle's memory under a spray of
	// addresses.
	maxTrackedAddresses = 10000
)

// session is one logged-in panel or console. Only the token's SHA-256 is kept,
// so a memory dump does not hand out live sessions.
type session struct {
	agent    string
	created  time.Time
	lastSeen time.Time
}

// SessionStore holds the sessions of one page: bearer tokens in a cookie,
// each naming its key (an agent, or the console's token name), ended
// after an idle time.
type SessionStore struct {
	mu       sync.Mutex
	now      func() time.Time
	idle     time.Duration
	perKey   int // sessions one agent (or console token) may hold
	sessions map[[32]byte]*session
}

// NewSessionStore keeps sessions idle for at most idle, and at most perKey
// of them per key: past it the oldest ends.
func NewSessionStore(now func() time.Time, idle time.Duration, perKey int) *SessionStore {
	return &SessionStore{now: now, idle: idle, perKey: perKey, sessions: make(map[[32]byte]*session)}
}

// Create starts a session for agent and returns its bearer token.
func (st *SessionStore) Create(agent string) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("agent panel: session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.pruneLocked(now)
	st.capAgentLocked(agent)
	st.sessions[sha256.Sum256([]byte(token))] = &session{agent: agent, created: now, lastSeen: now}
	return token, nil
}

// Lookup returns the session's agent; touch marks it as used now, which
// pushes its idle expiry back.
func (st *SessionStore) Lookup(token string, touch bool) (string, bool) {
	if token == "" {
		return "", false
	}
	key := sha256.Sum256([]byte(token))
	now := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.sessions[key]
	if s == nil {
		return "", false
	}
	if now.Sub(s.lastSeen) > st.idle {
		delete(st.sessions, key)
		return "", false
	}
	if touch {
		s.lastSeen = now
	}
	return s.agent, true
}

// Remove ends the session of token, if any.
func (st *SessionStore) Remove(token string) {
	key := sha256.Sum256([]byte(token))
	st.mu.Lock()
	delete(st.sessions, key)
	st.mu.Unlock()
}

func (st *SessionStore) pruneLocked(now time.Time) {
	for k, s := range st.sessions {
		if now.Sub(s.lastSeen) > st.idle {
			delete(st.sessions, k)
		}
	}
}

// capAgentLocked makes room for one more session of agent by ending its
// oldest ones.
func (st *SessionStore) capAgentLocked(agent string) {
	for {
		var oldest [32]byte
		n := 0
		var oldestAt time.Time
		for k, s := range st.sessions {
			if s.agent != agent {
				continue
			}
			if n == 0 || s.created.Before(oldestAt) {
				oldest, oldestAt = k, s.created
			}
			n++
		}
		if n < st.perKey {
			return
		}
		delete(st.sessions, oldest)
	}
}

// LoginThrottle counts failed logins per source address and locks an
// address out after too many, so a password cannot be guessed online.
type LoginThrottle struct {
	mu       sync.Mutex
	now      func() time.Time
	max      int
	window   time.Duration
	lockout  time.Duration
	failures map[string]*addrFailures
}

type addrFailures struct {
	count       int
	first       time.Time // start of the counting window
	lockedUntil time.Time
}

// NewLoginThrottle applies the default limits (DefaultMaxFailures).
func NewLoginThrottle(now func() time.Time) *LoginThrottle {
	return &LoginThrottle{
		now: now, max: DefaultMaxFailures, window: DefaultFailureWindow,
		lockout: DefaultLockout, failures: make(map[string]*addrFailures),
	}
}

// Locked reports how long addr must still wait, if it is locked out.
func (l *LoginThrottle) Locked(addr string) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[addr]
	if f == nil || !now.Before(f.lockedUntil) {
		return 0, false
	}
	return f.lockedUntil.Sub(now), true
}

// Fail counts one failed login; it reports whether addr is now locked out.
func (l *LoginThrottle) Fail(addr string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[addr]
	if f == nil {
		l.makeRoomLocked(now)
		f = &addrFailures{first: now}
		l.failures[addr] = f
	}
	if now.Sub(f.first) > l.window {
		f.count, f.first = 0, now
	}
	f.count++
	if f.count >= l.max {
		f.lockedUntil = now.Add(l.lockout)
		f.count, f.first = 0, now
		return true
	}
	return false
}

// Succeed forgets addr's failures: a colleague's typo on a shared PC
// should not count against the next login.
func (l *LoginThrottle) Succeed(addr string) {
	l.mu.Lock()
	delete(l.failures, addr)
	l.mu.Unlock()
}

func (l *LoginThrottle) makeRoomLocked(now time.Time) {
	if len(l.failures) < maxTrackedAddresses {
		return
	}
	var oldest string
	var oldestAt time.Time
	for a, f := range l.failures {
		if now.Sub(f.first) > l.window && !now.Before(f.lockedUntil) {
			delete(l.failures, a)
			continue
		}
		if oldest == "" || f.first.Before(oldestAt) {
			oldest, oldestAt = a, f.first
		}
	}
	if len(l.failures) >= maxTrackedAddresses {
		delete(l.failures, oldest)
	}
}

// SamePassword compares in constant time. Both sides are hashed first so
// that the comparison does not leak the stored password's length either.
func SamePassword(given, want string) bool {
	a, b := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
