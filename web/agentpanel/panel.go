package agentpanel

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/web/i18n"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// The panel is one page, written as several files so that each part
// stays readable: index.html names the others, and they are put in place
// once, at start (see webkit.Assemble).
//
//go:embed *.html *.js
var files embed.FS

var page = webkit.Assemble(files, "agentpanel")

// Page is the panel's page as it is served, before its language is
// filled in.
func Page() []byte { return page }

// PanelCall is the call an agent is serving, or served last, as the panel
// shows it. The caller's number is shown in full: the panel is the
// authenticated agent's own view and the agent needs it to serve the caller.
type PanelCall struct {
	CallID      string            `json:"call_id"`
	Caller      string            `json:"caller"`
	Number      string            `json:"number"` // the dialled hotline number
	Queue       string            `json:"queue"`
	Language    string            `json:"language,omitempty"`
	WaitSeconds float64           `json:"wait_seconds"` // time in the queue before the answer
	AnsweredAt  *time.Time        `json:"answered_at,omitempty"`
	TalkEndedAt *time.Time        `json:"talk_ended_at,omitempty"`
	OnHold      bool              `json:"on_hold"`
	IVRPath     []string          `json:"ivr_path"`
	Vars        map[string]string `json:"vars"`
	Disposition *PanelDisposition `json:"disposition,omitempty"`
	// Current is false for the agent's last call, shown after wrap-up so
	// that a disposition can still be set.
	Current bool `json:"current"`
}

// PanelDisposition is the classification the agent gave the call.
type PanelDisposition struct {
	Category string `json:"category"`
	Resolved bool   `json:"resolved"`
}

// PanelView is everything the panel shows one agent.
type PanelView struct {
	Agent rest.AgentView `json:"agent"`
	Call  *PanelCall     `json:"call,omitempty"`
	// WrapupUntil is when the wrap-up in progress ends on its own.
	WrapupUntil  *time.Time `json:"wrapup_until,omitempty"`
	PauseReasons []string   `json:"pause_reasons"`
	Categories   []string   `json:"categories"`
	// TicketCategories are the ticket form's categories; empty without
	// tickets.
	TicketCategories []string `json:"ticket_categories,omitempty"`
	// QueueNames is how people see each queue the view names, by key.
	QueueNames map[string]string `json:"queue_names,omitempty"`
}

// AgentPanelSource is what the panel asks of the ACD: one agent's view and
// the agent's own commands.
type AgentPanelSource interface {
	PanelView(agent string) (PanelView, error)
	Login(agent string) error
	Logout(agent string) error
	Ready(agent string) error
	Pause(agent, reason string) error
	Disposition(agent, category string, resolved bool) error
}

// PanelPasswords returns an agent's password, false for an unknown agent.
type PanelPasswords func(agent string) (string, bool)

// PanelOption configures the agent panel.
type PanelOption func(*Panel) error

// WithPanelClock sets the clock for session expiry and login throttling.
func WithPanelClock(now func() time.Time) PanelOption {
	return func(p *Panel) error {
		if now == nil {
			return errors.New("agent panel: nil clock")
		}
		p.now = now
		return nil
	}
}

// WithPauseReasons sets the pause reasons an agent may pick.
func WithPauseReasons(reasons []string) PanelOption {
	return func(p *Panel) error {
		if len(reasons) == 0 {
			return errors.New("agent panel: at least one pause reason is needed")
		}
		p.reasons = slices.Clone(reasons)
		return nil
	}
}

// WithDispositionCategories sets the categories of the disposition form.
func WithDispositionCategories(categories []string) PanelOption {
	return func(p *Panel) error {
		if len(categories) == 0 {
			return errors.New("agent panel: at least one disposition category is needed")
		}
		p.categories = slices.Clone(categories)
		return nil
	}
}

// WithPanelPoll sets how often the stream looks for a changed view.
func WithPanelPoll(every time.Duration) PanelOption {
	return func(p *Panel) error {
		if every <= 0 {
			return fmt.Errorf("agent panel: poll interval %v must be positive", every)
		}
		p.poll = every
		return nil
	}
}

// maxSessionsPerAgent: an agent may keep the panel open on a few devices;
// older sessions beyond this are ended so that a shared PC does not pile
// them up.
const maxSessionsPerAgent = 5

// PanelHeader must be sent with value "1" on every POST. A cross-site form
// cannot set a custom header, so together with the SameSite cookie it
// stops cross-site request forgery.
const PanelHeader = "X-Hotline-Panel"

// panelCookie is scoped to /agent so that the token never travels to the
// rest of the server.
const panelCookie = "hotline_agent"

// Panel is the agents' panel at /agent.
type Panel struct {
	src        AgentPanelSource
	passwords  PanelPasswords
	log        *slog.Logger
	now        func() time.Time
	poll       time.Duration
	reasons    []string
	categories []string
	sessions   *webkit.SessionStore
	throttle   *webkit.LoginThrottle
	tickets    PanelTickets // nil: no ticket form (tickets.go)

	lang    string        // the pages' default language
	reviews *rest.Reviews // nil: no quality review

	shutdownOnce sync.Once
	shutdown     chan struct{}
}

// WithPageLanguage sets the page's language for a user who chose none and
// whose browser asks for none the pages are written in.
func WithPageLanguage(lang string) PanelOption {
	return func(p *Panel) error {
		p.lang = lang
		return nil
	}
}

// New builds the panel: each agent logs in with the password of their SIP
// account and sees and changes only their own state and call.
func New(src AgentPanelSource, passwords PanelPasswords, log *slog.Logger, opts ...PanelOption) (*Panel, error) {
	if src == nil || passwords == nil {
		return nil, errors.New("agent panel: source and passwords are required")
	}
	p := &Panel{
		src: src, passwords: passwords, log: log, now: time.Now, poll: 500 * time.Millisecond,
		reasons:    webkit.DefaultPauseReasons(),
		categories: webkit.DefaultCategories(),
		shutdown:   make(chan struct{}),
	}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	p.sessions = webkit.NewSessionStore(p.now, webkit.DefaultSessionIdle, maxSessionsPerAgent)
	p.throttle = webkit.NewLoginThrottle(p.now)
	return p, nil
}

// Shutdown ends the panels' streams: the server waits for handlers to
// return, and a stream would not on its own.
func (p *Panel) Shutdown() { p.shutdownOnce.Do(func() { close(p.shutdown) }) }

// Routes serves the page, the sign-in and the agent's own API.
func (p *Panel) Routes(mux webkit.Registrar) {
	mux.HandleFunc("GET /agent", p.page)
	mux.HandleFunc("POST /agent/login", p.post(p.login))
	mux.HandleFunc("POST /agent/logout", p.post(p.logout))
	mux.HandleFunc("GET /agent/api/me", p.auth(p.me))
	mux.HandleFunc("POST /agent/api/state", p.post(p.auth(p.state)))
	mux.HandleFunc("POST /agent/api/disposition", p.post(p.auth(p.disposition)))
	mux.HandleFunc("GET /agent/api/stream", p.auth(p.stream))
	p.reviewRoutes(mux)
	p.ticketRoutes(mux)
}

func (p *Panel) page(w http.ResponseWriter, r *http.Request) {
	i18n.ServePage(w, r, page, p.lang)
}

// post refuses a POST without the panel header (see PanelHeader).
func (p *Panel) post(next http.HandlerFunc) http.HandlerFunc {
	return webkit.RequireHeader(PanelHeader, next)
}

// auth resolves the session cookie to the agent and records the actor.
func (p *Panel) auth(next func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(panelCookie)
		if err != nil {
			webkit.WriteError(w, http.StatusUnauthorized, "not logged in")
			return
		}
		agent, ok := p.sessions.Lookup(c.Value, true)
		if !ok {
			clearPanelCookie(w, r)
			webkit.WriteError(w, http.StatusUnauthorized, "session expired: log in again")
			return
		}
		webkit.NoteActor(r.Context(), "agent:"+agent, webkit.RoleAgent, agent)
		next(w, r, agent)
	}
}

// panelMessage is a view with the server's time, so the page can run its
// timers against the server's clock rather than the PC's.
type panelMessage struct {
	PanelView
	ServerTime time.Time `json:"server_time"`
}

func (p *Panel) view(agent string) (PanelView, error) {
	v, err := p.src.PanelView(agent)
	if err != nil {
		return PanelView{}, err
	}
	v.PauseReasons, v.Categories = p.reasons, p.categories
	if p.tickets != nil {
		v.TicketCategories = p.tickets.Categories()
	}
	return v, nil
}

func (p *Panel) me(w http.ResponseWriter, _ *http.Request, agent string) {
	v, err := p.view(agent)
	if err != nil {
		p.writeSourceError(w, err)
		return
	}
	webkit.WriteJSON(w, http.StatusOK, panelMessage{PanelView: v, ServerTime: p.now()})
}

type stateBody struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

func (p *Panel) state(w http.ResponseWriter, r *http.Request, agent string) {
	var body stateBody
	if err := webkit.DecodeBody(w, r, &body); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	var err error
	switch body.Action {
	case "login":
		err = p.src.Login(agent)
	case "logout":
		err = p.src.Logout(agent)
	case "ready":
		err = p.src.Ready(agent)
	case "pause":
		if err := webkit.CheckPauseReason(p.reasons, body.Reason); err != nil {
			webkit.WriteError(w, http.StatusBadRequest, webkit.InputMessage(err))
			return
		}
		err = p.src.Pause(agent, body.Reason)
	default:
		webkit.WriteError(w, http.StatusBadRequest, fmt.Sprintf("action %q: want login, ready, pause or logout", body.Action))
		return
	}
	if err != nil {
		p.writeSourceError(w, err)
		return
	}
	p.log.Info("agent panel state", "agent", agent, "action", body.Action, "reason", body.Reason)
	p.me(w, r, agent)
}

type dispositionBody struct {
	Category string `json:"category"`
	Resolved *bool  `json:"resolved"`
}

func (p *Panel) disposition(w http.ResponseWriter, r *http.Request, agent string) {
	var body dispositionBody
	if err := webkit.DecodeBody(w, r, &body); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := webkit.CheckDisposition(p.categories, body.Category, body.Resolved); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, webkit.InputMessage(err))
		return
	}
	if err := p.src.Disposition(agent, body.Category, *body.Resolved); err != nil {
		p.writeSourceError(w, err)
		return
	}
	p.me(w, r, agent)
}

func (p *Panel) writeSourceError(w http.ResponseWriter, err error) {
	if errors.Is(err, webkit.ErrNotFound) {
		webkit.WriteError(w, http.StatusNotFound, err.Error())
		return
	}
	if errors.Is(err, webkit.ErrInvalid) {
		webkit.WriteError(w, http.StatusBadRequest, webkit.InputMessage(err))
		return
	}
	// The ACD refused: the action does not fit the agent's state (pause
	// while logged out, a disposition without a call).
	webkit.WriteError(w, http.StatusConflict, err.Error())
}
