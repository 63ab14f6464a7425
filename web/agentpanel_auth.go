package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"sync"
	"time"
)

// Panel session and login-throttle defaults.
const (
	DefaultPanelSessionIdle = 12 * time.Hour
	// An agent may keep the panel open on a few devices; older sessions
	// beyond this are ended so that a shared PC does not pile them up.
	maxSessionsPerAgent = 5
	// DefaultPanelMaxFailures failed logins from one address within
	// DefaultPanelFailureWindow lock that address out for
	// DefaultPanelLockout.
	DefaultPanelMaxFailures   = 10
	DefaultPanelFailureWindow = 10 * time.Minute
	DefaultPanelLockout       = 15 * time.Minute
	// maxTrackedAddresses bounds the throttle's memory under a spray of
	// addresses.
	maxTrackedAddresses = 10000
)

// panelSession is one logged-in panel. Only the token's SHA-256 is kept,
// so a memory dump does not hand out live sessions.
type panelSession struct {
	agent    string
	created  time.Time
	lastSeen time.Time
}

type sessionStore struct {
	mu       sync.Mutex
	now      func() time.Time
	idle     time.Duration
	perKey   int // sessions one agent (or console token) may hold
	sessions map[[32]byte]*panelSession
}

func newSessionStore(now func() time.Time, idle time.Duration) *sessionStore {
	return &sessionStore{now: now, idle: idle, perKey: maxSessionsPerAgent, sessions: make(map[[32]byte]*panelSession)}
}

// create starts a session for agent and returns its bearer token.
func (st *sessionStore) create(agent string) (string, error) {
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
	st.sessions[sha256.Sum256([]byte(token))] = &panelSession{agent: agent, created: now, lastSeen: now}
	return token, nil
}

// lookup returns the session's agent; touch marks it as used now, which
// pushes its idle expiry back.
func (st *sessionStore) lookup(token string, touch bool) (string, bool) {
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

// remove ends the session of token, if any.
func (st *sessionStore) remove(token string) {
	key := sha256.Sum256([]byte(token))
	st.mu.Lock()
	delete(st.sessions, key)
	st.mu.Unlock()
}

func (st *sessionStore) pruneLocked(now time.Time) {
	for k, s := range st.sessions {
		if now.Sub(s.lastSeen) > st.idle {
			delete(st.sessions, k)
		}
	}
}

// capAgentLocked makes room for one more session of agent by ending its
// oldest ones.
func (st *sessionStore) capAgentLocked(agent string) {
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

// loginThrottle counts failed logins per source address and locks an
// address out after too many, so a password cannot be guessed online.
type loginThrottle struct {
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

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{
		now: now, max: DefaultPanelMaxFailures, window: DefaultPanelFailureWindow,
		lockout: DefaultPanelLockout, failures: make(map[string]*addrFailures),
	}
}

// locked reports how long addr must still wait, if it is locked out.
func (l *loginThrottle) locked(addr string) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[addr]
	if f == nil || !now.Before(f.lockedUntil) {
		return 0, false
	}
	return f.lockedUntil.Sub(now), true
}

// fail counts one failed login; it reports whether addr is now locked out.
func (l *loginThrottle) fail(addr string) bool {
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

// succeed forgets addr's failures: a colleague's typo on a shared PC
// should not count against the next login.
func (l *loginThrottle) succeed(addr string) {
	l.mu.Lock()
	delete(l.failures, addr)
	l.mu.Unlock()
}

func (l *loginThrottle) makeRoomLocked(now time.Time) {
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

// samePassword compares in constant time. Both sides are hashed first so
// that the comparison does not leak the stored password's length either.
func samePassword(given, want string) bool {
	a, b := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
