package webkit

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Role is what an API token may do.
type Role string

const (
	RoleAgent      Role = "agent"      // its own agent only
	RoleSupervisor Role = "supervisor" // every agent and queue
	RoleAdmin      Role = "admin"      // everything
)

// Token is one API credential. Only its SHA-256 is kept in memory.
type Token struct {
	Name  string
	Hash  [32]byte
	Role  Role
	Agent string // for RoleAgent: the agent it may act as
}

// NewToken hashes a secret into a Token.
func NewToken(name, secret string, role Role, agent string) Token {
	return Token{Name: name, Hash: sha256.Sum256([]byte(secret)), Role: role, Agent: agent}
}

// TokenHandler is a handler that runs once a token (or a session opened
// with one) was accepted.
type TokenHandler func(http.ResponseWriter, *http.Request, Token)

// Guard checks requests against the configured API tokens.
type Guard struct {
	Tokens []Token
}

// Find returns the token whose secret is secret. Every token is compared,
// in constant time, so the answer's timing does not say which one
// matched or how far.
func (g Guard) Find(secret string) *Token {
	sum := sha256.Sum256([]byte(secret))
	var found *Token
	for i := range g.Tokens {
		if subtle.ConstantTimeCompare(sum[:], g.Tokens[i].Hash[:]) == 1 {
			found = &g.Tokens[i]
		}
	}
	return found
}

// Auth checks the bearer token against every known one in constant time
// and the role against the route's minimum.
func (g Guard) Auth(min Role, next TokenHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
			WriteError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		found := g.Find(secret)
		if found == nil {
			WriteError(w, http.StatusUnauthorized, "unknown token")
			return
		}
		// Noted before the role check, so a refused attempt is audited
		// under the token that made it.
		NoteActor(r.Context(), found.Name, found.Role, found.Agent)
		if Rank(found.Role) < Rank(min) {
			WriteError(w, http.StatusForbidden, "role "+string(found.Role)+" may not do this")
			return
		}
		next(w, r, *found)
	}
}

// Rank orders the roles: a route open to a role is open to every role
// ranked above it.
func Rank(r Role) int {
	switch r {
	case RoleAgent:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// MayActAs: an agent token acts only as its own agent.
func MayActAs(t Token, agent string) bool { return t.Role != RoleAgent || t.Agent == agent }
