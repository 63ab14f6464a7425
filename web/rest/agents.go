package rest

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

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

// AgentControl is what the API asks of the ACD. Its errors wrap
// webkit.ErrNotFound for an unknown agent.
type AgentControl interface {
	Agents() []AgentView
	Queues() []QueueView
	Login(agent string) error
	Logout(agent string) error
	Ready(agent string) error
	Pause(agent, reason string) error
	Disposition(agent, category string, resolved bool) error
}

// Agents serves the agents and queues of the REST API.
type Agents struct {
	webkit.Guard
	acd        AgentControl
	reasons    []string // pause reasons an agent may give
	categories []string // disposition categories
}

// AgentsOption configures the agent routes of the REST API.
type AgentsOption func(*Agents) error

// WithPauseReasons sets the pause reasons the API accepts: the same as
// the agent panel's (agent_panel.pause_reasons).
func WithPauseReasons(reasons []string) AgentsOption {
	return func(a *Agents) error {
		if len(reasons) == 0 {
			return errors.New("api: at least one pause reason is needed")
		}
		a.reasons = slices.Clone(reasons)
		return nil
	}
}

// WithDispositionCategories sets the disposition categories the API
// accepts.
func WithDispositionCategories(categories []string) AgentsOption {
	return func(a *Agents) error {
		if len(categories) == 0 {
			return errors.New("api: at least one disposition category is needed")
		}
		a.categories = slices.Clone(categories)
		return nil
	}
}

// NewAgents serves control to the holders of tokens; the pause reasons
// and disposition categories are the defaults unless an option sets them.
func NewAgents(control AgentControl, tokens []webkit.Token, opts ...AgentsOption) (*Agents, error) {
	a := &Agents{Guard: webkit.Guard{Tokens: tokens}, acd: control,
		reasons: webkit.DefaultPauseReasons(), categories: webkit.DefaultCategories()}
	for _, o := range opts {
		if err := o(a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Routes adds the agents and queues under /api/v1 (token auth).
func (a *Agents) Routes(mux webkit.Registrar) {
	mux.HandleFunc("GET /api/v1/agents", a.Auth(webkit.RoleAgent, a.listAgents))
	mux.HandleFunc("GET /api/v1/agents/{id}", a.Auth(webkit.RoleAgent, a.getAgent))
	mux.HandleFunc("POST /api/v1/agents/{id}/{action}", a.Auth(webkit.RoleAgent, a.AgentAction))
	mux.HandleFunc("GET /api/v1/queues", a.Auth(webkit.RoleSupervisor, a.listQueues))
}

func (a *Agents) listAgents(w http.ResponseWriter, _ *http.Request, t webkit.Token) {
	out := []AgentView{} // an empty list, never null, when the token sees no agent
	for _, v := range a.acd.Agents() {
		if webkit.MayActAs(t, v.ID) {
			out = append(out, v)
		}
	}
	webkit.WriteJSON(w, http.StatusOK, out)
}

func (a *Agents) getAgent(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	id := r.PathValue("id")
	if !webkit.MayActAs(t, id) {
		webkit.WriteError(w, http.StatusForbidden, "an agent token acts only for its own agent")
		return
	}
	for _, v := range a.acd.Agents() {
		if v.ID == id {
			webkit.WriteJSON(w, http.StatusOK, v)
			return
		}
	}
	webkit.WriteError(w, http.StatusNotFound, "no agent "+id)
}

type actionBody struct {
	Reason   string `json:"reason"`
	Category string `json:"category"`
	Resolved *bool  `json:"resolved"`
}

// AgentAction carries out POST …/agents/{id}/{action} (login, logout,
// ready, pause, disposition) for the API and the console.
func (a *Agents) AgentAction(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if !webkit.MayActAs(t, id) {
		webkit.WriteError(w, http.StatusForbidden, "an agent token acts only for its own agent")
		return
	}
	var body actionBody
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
			webkit.WriteError(w, http.StatusBadRequest, "body: "+err.Error())
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
		if err = webkit.CheckPauseReason(a.reasons, body.Reason); err == nil {
			err = a.acd.Pause(id, body.Reason)
		}
	case "disposition":
		if err = webkit.CheckDisposition(a.categories, body.Category, body.Resolved); err == nil {
			err = a.acd.Disposition(id, body.Category, *body.Resolved)
		}
	default:
		webkit.WriteError(w, http.StatusNotFound, "unknown action "+action)
		return
	}
	switch {
	case errors.Is(err, webkit.ErrNotFound):
		webkit.WriteError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, webkit.ErrInvalid):
		webkit.WriteError(w, http.StatusBadRequest, webkit.InputMessage(err))
	case err != nil:
		webkit.WriteError(w, http.StatusConflict, err.Error())
	default:
		a.getAgent(w, r, t)
	}
}

func (a *Agents) listQueues(w http.ResponseWriter, _ *http.Request, _ webkit.Token) {
	out := a.acd.Queues()
	if out == nil {
		out = []QueueView{} // an empty list, never null
	}
	webkit.WriteJSON(w, http.StatusOK, out)
}
