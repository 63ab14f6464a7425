package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
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

// AgentView is an agent as the API shows it.
type AgentView struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	WorkNumber string    `json:"work_number"`
	State      string    `json:"state"`
	Since      time.Time `json:"since"`
	Reason     string    `json:"reason,omitempty"`
	CallID     string    `json:"call_id,omitempty"`
	Queue      string    `json:"queue,omitempty"`
	Queues     []string  `json:"queues"`
	CallsToday int       `json:"calls_today"`
	Registered bool      `json:"registered"`
}

// QueueView is a queue's live state.
type QueueView struct {
	Name                string         `json:"name"`
	Waiting             int            `json:"waiting"`
	OldestWaitSeconds   float64        `json:"oldest_wait_seconds"`
	ExpectedWaitSeconds float64        `json:"expected_wait_seconds"`
	Agents              map[string]int `json:"agents"`
}

// AgentControl is what the API asks of the ACD.
type AgentControl interface {
	Agents() []AgentView
	Queues() []QueueView
	Login(agent string) error
	Logout(agent string) error
	Ready(agent string) error
	Pause(agent, reason string) error
	Disposition(agent, category string, resolved bool) error
}

// ErrNotFound is returned by AgentControl for an unknown agent.
var ErrNotFound = errors.New("not found")

type api struct {
	acd        AgentControl
	tokens     []Token
	reasons    []string // pause reasons an agent may give
	categories []string // disposition categories
}

// APIOption configures the agent routes of the REST API.
type APIOption func(*api) error

// WithAPIPauseReasons sets the pause reasons the API accepts: the same as
// the agent panel's (agent_panel.pause_reasons).
func WithAPIPauseReasons(reasons []string) APIOption {
	return func(a *api) error {
		if len(reasons) == 0 {
			return errors.New("api: at least one pause reason is needed")
		}
		a.reasons = slices.Clone(reasons)
		return nil
	}
}

// WithAPIDispositionCategories sets the disposition categories the API
// accepts.
func WithAPIDispositionCategories(categories []string) APIOption {
	return func(a *api) error {
		if len(categories) == 0 {
			return errors.New("api: at least one disposition category is needed")
		}
		a.categories = slices.Clone(categories)
		return nil
	}
}

// WithAPI adds the REST API under /api/v1 (token auth).
func (s *Server) WithAPI(control AgentControl, tokens []Token, opts ...APIOption) error {
	a := &api{acd: control, tokens: tokens, reasons: slices.Clone(defaultPauseReasons), categories: slices.Clone(defaultCategories)}
	for _, o := range opts {
		if err := o(a); err != nil {
			return err
		}
	}
	s.mux.HandleFunc("GET /api/v1/agents", a.auth(RoleAgent, a.listAgents))
	s.mux.HandleFunc("GET /api/v1/agents/{id}", a.auth(RoleAgent, a.getAgent))
	s.mux.HandleFunc("POST /api/v1/agents/{id}/{action}", a.auth(RoleAgent, a.agentAction))
	s.mux.HandleFunc("GET /api/v1/queues", a.auth(RoleSupervisor, a.listQueues))
	return nil
}

type ctxToken struct{ Token }

// auth checks the bearer token against every known one in constant time
// and the role against the route's minimum.
func (a *api) auth(min Role, next func(http.ResponseWriter, *http.Request, Token)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
			writeError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		sum := sha256.Sum256([]byte(secret))
		var found *Token
		for i := range a.tokens {
			if subtle.ConstantTimeCompare(sum[:], a.tokens[i].Hash[:]) == 1 {
				found = &a.tokens[i]
			}
		}
		if found == nil {
			writeError(w, http.StatusUnauthorized, "unknown token")
			return
		}
		// Noted before the role check, so a refused attempt is audited
		// under the token that made it.
		NoteActor(r.Context(), found.Name, found.Role, found.Agent)
		if rank(found.Role) < rank(min) {
			writeError(w, http.StatusForbidden, "role "+string(found.Role)+" may not do this")
			return
		}
		next(w, r, *found)
	}
}

func rank(r Role) int {
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

// mayActAs: an agent token acts only as its own agent.
func mayActAs(t Token, agent string) bool { return t.Role != RoleAgent || t.Agent == agent }

func (a *api) listAgents(w http.ResponseWriter, _ *http.Request, t Token) {
	out := []AgentView{} // an empty list, never null, when the token sees no agent
	for _, v := range a.acd.Agents() {
		if mayActAs(t, v.ID) {
			out = append(out, v)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) getAgent(w http.ResponseWriter, r *http.Request, t Token) {
	id := r.PathValue("id")
	if !mayActAs(t, id) {
		writeError(w, http.StatusForbidden, "an agent token acts only for its own agent")
		return
	}
	for _, v := range a.acd.Agents() {
		if v.ID == id {
			writeJSON(w, http.StatusOK, v)
			return
		}
	}
	writeError(w, http.StatusNotFound, "no agent "+id)
}

type actionBody struct {
	Reason   string `json:"reason"`
	Category string `json:"category"`
	Resolved *bool  `json:"resolved"`
}

func (a *api) agentAction(w http.ResponseWriter, r *http.Request, t Token) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if !mayActAs(t, id) {
		writeError(w, http.StatusForbidden, "an agent token acts only for its own agent")
		return
	}
	var body actionBody
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
	}
	var err error
	switch action {
	case "login":
		err = a.acd.Login(id)
	case "logout":
		err = a.acd.Logout(id)
	case "ready":
		err = a.acd.Ready(id)
	case "pause":
		if body.Reason == "" {
			body.Reason = a.reasons[0]
		}
		if err = checkPauseReason(a.reasons, body.Reason); err == nil {
			err = a.acd.Pause(id, body.Reason)
		}
	case "disposition":
		if err = checkDisposition(a.categories, body.Category, body.Resolved); err == nil {
			err = a.acd.Disposition(id, body.Category, *body.Resolved)
		}
	default:
		writeError(w, http.StatusNotFound, "unknown action "+action)
		return
	}
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusBadRequest, inputMessage(err))
	case err != nil:
		writeError(w, http.StatusConflict, err.Error())
	default:
		a.getAgent(w, r, t)
	}
}

func (a *api) listQueues(w http.ResponseWriter, _ *http.Request, _ Token) {
	out := a.acd.Queues()
	if out == nil {
		out = []QueueView{} // an empty list, never null
	}
	writeJSON(w, http.StatusOK, out)
}

// unknownAPIPath answers every /api/ path no route serves, so that a typo
// gets JSON like the rest of the API rather than a plain-text page.
func unknownAPIPath(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no API endpoint "+r.Method+" "+r.URL.Path)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
