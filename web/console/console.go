package console

import (
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/web/i18n"
	"github.com/hotline-oss/hotline/web/reports"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// ConsoleAgent is one agent as the supervisor console shows it.
type ConsoleAgent struct {
	rest.AgentView
	// Adherence is the agent's schedule adherence today (0–1); absent
	// when no schedule covers the agent or no adherence source is wired.
	Adherence *float64 `json:"adherence,omitempty"`
}

// WaitingView is a caller waiting in a queue.
type WaitingView struct {
	CallID      string  `json:"call_id"`
	Queue       string  `json:"queue"`
	Caller      string  `json:"caller"`
	Priority    int     `json:"priority"`
	Position    int     `json:"position"`
	WaitSeconds float64 `json:"wait_seconds"`
	Ringing     bool    `json:"ringing"`
	Callback    bool    `json:"callback"`
}

// ConsoleSnapshot is what the console shows each second.
type ConsoleSnapshot struct {
	Agents  []ConsoleAgent `json:"agents"`
	Queues  any            `json:"queues"` // the wallboard's figures, per queue
	Waiting []WaitingView  `json:"waiting"`
}

// ConsoleSource is the live floor and the one command only the console
// and the API give: moving a waiting caller to another queue. MoveCall
// errors wrap webkit.ErrNotFound (no such call or queue), webkit.ErrInvalid (the call
// is a callback, or already in that queue) or webkit.ErrConflict (an agent
// answered it meanwhile).
type ConsoleSource interface {
	ConsoleSnapshot() ConsoleSnapshot
	MoveCall(callID, queue string) error
}

// AdherenceSource gives today's schedule adherence (0–1) of each agent
// that has a schedule (package workforce when present).
type AdherenceSource func() map[string]float64

// ConsoleDeps are the parts the supervisor console acts through; every
// one but Source and Agents may be nil, which hides its panel.
type ConsoleDeps struct {
	Source       ConsoleSource
	Agents       rest.AgentControl
	Monitor      rest.MonitorControl
	Notices      rest.NoticeControl
	Reviews      rest.ReviewControl
	Recordings   rest.Recordings
	Adherence    AdherenceSource
	Schedules    reports.ScheduleControl // the Schedules view
	Tickets      rest.TicketControl      // the Tickets and Repeat complainers views
	TicketCounts TicketCountSource       // open and overdue tickets in the header
	PauseReasons []string
	Location     *time.Location // months of the review queue; UTC when nil
	Period       time.Duration  // between two snapshots; 1 s when 0
}

// ConsoleHeader must be sent with value "1" on every console POST: with
// the SameSite cookie it stops cross-site request forgery.
const ConsoleHeader = "X-Hotline-Console"

// maxConsoleSessionsPerToken bounds the console sessions opened with one
// token; past it the oldest ends.
const maxConsoleSessionsPerToken = 50

// consoleCookie is scoped to /supervisor: the session never travels to
// the rest of the server.
const consoleCookie = "hotline_supervisor"

// Console is the supervisor console at /supervisor.
type Console struct {
	d        ConsoleDeps
	tokens   []webkit.Token
	now      func() time.Time
	sessions *webkit.SessionStore // keyed to the token's name
	throttle *webkit.LoginThrottle
	agentAPI *rest.Agents
	reviews  *rest.Reviews
	notices  *rest.Notices
	work     consoleWork
	lang     string // the pages' default language

	shutdownOnce sync.Once
	shutdown     chan struct{}
}

// New builds the supervisor console. A supervisor signs in with an API
// token of the supervisor or admin role; the page then works with a
// session cookie, so that the browser can also play recordings. Its
// routes also add POST /api/v1/calls/{call_id}/move for API clients. now
// is the server's clock, lang the pages' default language.
func New(d ConsoleDeps, tokens []webkit.Token, now func() time.Time, lang string) (*Console, error) {
	if d.Source == nil || d.Agents == nil {
		return nil, errors.New("supervisor console: source and agent control are required")
	}
	if len(d.PauseReasons) == 0 {
		d.PauseReasons = webkit.DefaultPauseReasons()
	}
	if d.Period <= 0 {
		d.Period = time.Second
	}
	agents, err := rest.NewAgents(d.Agents, tokens, rest.WithPauseReasons(d.PauseReasons))
	if err != nil {
		return nil, fmt.Errorf("supervisor console: %w", err)
	}
	c := &Console{
		d: d, tokens: tokens, now: now, shutdown: make(chan struct{}), lang: lang,
		// Supervisors of a floor often share one token: each of them keeps
		// their own session.
		sessions: webkit.NewSessionStore(now, webkit.DefaultSessionIdle, maxConsoleSessionsPerToken),
		throttle: webkit.NewLoginThrottle(now),
		agentAPI: agents,
	}
	if d.Reviews != nil {
		c.reviews = rest.NewReviews(d.Reviews, tokens, d.Location, now)
	}
	if d.Notices != nil {
		c.notices = rest.NewNotices(d.Notices, tokens)
	}
	c.newWork()
	return c, nil
}

// Shutdown ends the consoles' streams: the server waits for handlers to
// return, and a stream would not on its own.
func (c *Console) Shutdown() { c.shutdownOnce.Do(func() { close(c.shutdown) }) }

// Routes serves the page, the sign-in, the stream and the console's
// commands.
func (c *Console) Routes(mux webkit.Registrar) {
	mux.HandleFunc("GET /supervisor", c.page)
	mux.HandleFunc("POST /supervisor/login", c.post(c.login))
	mux.HandleFunc("POST /supervisor/logout", c.post(c.logout))
	mux.HandleFunc("GET /supervisor/api/me", c.auth(c.me))
	mux.HandleFunc("GET /supervisor/api/stream", c.auth(c.stream))
	mux.HandleFunc("POST /supervisor/api/agents/{id}/{action}", c.post(c.auth(c.agentAPI.AgentAction)))
	mux.HandleFunc("POST /supervisor/api/calls/{call_id}/move", c.post(c.auth(c.move)))
	api := webkit.Guard{Tokens: c.tokens}
	mux.HandleFunc("POST /api/v1/calls/{call_id}/move", api.Auth(webkit.RoleSupervisor, c.move))
	if c.d.Monitor != nil {
		mux.HandleFunc("POST /supervisor/api/monitor", c.post(c.auth(rest.MonitorHandler(c.d.Monitor))))
	}
	if c.notices != nil {
		mux.HandleFunc("GET /supervisor/api/notices", c.auth(c.notices.List))
		mux.HandleFunc("POST /supervisor/api/notices", c.post(c.auth(c.notices.Create)))
		mux.HandleFunc("POST /supervisor/api/notices/{id}/expire", c.post(c.auth(c.notices.Expire)))
	}
	if c.reviews != nil {
		mux.HandleFunc("GET /supervisor/api/reviews/forms", c.auth(c.reviews.Forms))
		mux.HandleFunc("GET /supervisor/api/reviews/queue", c.auth(c.reviews.Queue))
		mux.HandleFunc("GET /supervisor/api/reviews/scores", c.auth(c.reviews.Scores))
		mux.HandleFunc("POST /supervisor/api/reviews", c.post(c.auth(c.reviews.Save)))
	}
	if c.d.Recordings != nil {
		mux.HandleFunc("GET /supervisor/api/recordings/{call_id}/audio", c.auth(rest.AudioHandler(c.d.Recordings)))
	}
	c.workRoutes(mux)
}

func (c *Console) page(w http.ResponseWriter, r *http.Request) {
	i18n.ServePage(w, r, page, c.lang)
}

// post refuses a POST without the console header (see ConsoleHeader).
func (c *Console) post(next http.HandlerFunc) http.HandlerFunc {
	return webkit.RequireHeader(ConsoleHeader, next)
}

// auth resolves the session cookie to the token it was opened with. A
// token removed from the configuration ends its sessions.
func (c *Console) auth(next func(http.ResponseWriter, *http.Request, webkit.Token)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(consoleCookie)
		if err != nil {
			webkit.WriteError(w, http.StatusUnauthorized, "not signed in")
			return
		}
		name, ok := c.sessions.Lookup(ck.Value, true)
		t, known := c.token(name)
		if !ok || !known {
			c.clearCookie(w, r)
			webkit.WriteError(w, http.StatusUnauthorized, "session expired: sign in again")
			return
		}
		webkit.NoteActor(r.Context(), t.Name, t.Role, "")
		next(w, r, t)
	}
}

func (c *Console) token(name string) (webkit.Token, bool) {
	for _, t := range c.tokens {
		if t.Name == name && name != "" {
			return t, true
		}
	}
	return webkit.Token{}, false
}

type consoleLogin struct {
	Token string `json:"token"`
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	addr := webkit.ClientAddr(r)
	if wait, locked := c.throttle.Locked(addr); locked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		webkit.WriteError(w, http.StatusTooManyRequests, "too many failed sign-ins: try again later")
		return
	}
	var body consoleLogin
	if err := webkit.DecodeBody(w, r, &body); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	body.Token = strings.TrimSpace(body.Token)
	if body.Token == "" {
		webkit.WriteError(w, http.StatusBadRequest, "token: the supervisor's API token is required")
		return
	}
	found := webkit.Guard{Tokens: c.tokens}.Find(body.Token)
	if found == nil {
		c.throttle.Fail(addr)
		webkit.WriteError(w, http.StatusUnauthorized, "unknown token")
		return
	}
	webkit.NoteActor(r.Context(), found.Name, found.Role, found.Agent)
	if webkit.Rank(found.Role) < webkit.Rank(webkit.RoleSupervisor) {
		webkit.WriteError(w, http.StatusForbidden, "role "+string(found.Role)+" may not use the supervisor console")
		return
	}
	c.throttle.Succeed(addr)
	session, err := c.sessions.Create(found.Name)
	if err != nil {
		webkit.WriteError(w, http.StatusInternalServerError, "session could not be created")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: consoleCookie, Value: session, Path: "/supervisor", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	c.me(w, r, *found)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(consoleCookie); err == nil {
		if name, ok := c.sessions.Lookup(ck.Value, false); ok {
			if t, known := c.token(name); known {
				webkit.NoteActor(r.Context(), t.Name, t.Role, "")
			}
		}
		c.sessions.Remove(ck.Value)
	}
	c.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func (c *Console) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: consoleCookie, Value: "", Path: "/supervisor", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// consoleMe is who is signed in and what the console offers them.
type consoleMe struct {
	Name         string      `json:"name"`
	Role         webkit.Role `json:"role"`
	PauseReasons []string    `json:"pause_reasons"`
	Monitor      bool        `json:"monitor"`
	Notices      bool        `json:"notices"`
	Reviews      bool        `json:"reviews"`
	Schedules    bool        `json:"schedules"`
	Tickets      bool        `json:"tickets"`
}

func (c *Console) me(w http.ResponseWriter, _ *http.Request, t webkit.Token) {
	webkit.WriteJSON(w, http.StatusOK, consoleMe{
		Name: t.Name, Role: t.Role, PauseReasons: c.d.PauseReasons,
		Monitor: c.d.Monitor != nil, Notices: c.notices != nil, Reviews: c.reviews != nil,
		Schedules: c.work.schedules != nil, Tickets: c.work.tickets != nil,
	})
}

type moveBody struct {
	Queue string `json:"queue"`
}

// move sends a waiting caller to another queue.
func (c *Console) move(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	var body moveBody
	if err := webkit.DecodeBody(w, r, &body); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	id := r.PathValue("call_id")
	body.Queue = strings.TrimSpace(body.Queue)
	if body.Queue == "" {
		webkit.WriteError(w, http.StatusBadRequest, "queue: the queue to move the caller to is required")
		return
	}
	err := c.d.Source.MoveCall(id, body.Queue)
	switch {
	case errors.Is(err, webkit.ErrNotFound):
		webkit.WriteError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, webkit.ErrInvalid):
		webkit.WriteError(w, http.StatusBadRequest, webkit.InputMessage(err))
	case errors.Is(err, webkit.ErrConflict):
		webkit.WriteError(w, http.StatusConflict, err.Error())
	case err != nil:
		webkit.WriteError(w, http.StatusInternalServerError, err.Error())
	default:
		webkit.WriteJSON(w, http.StatusOK, map[string]string{"call_id": id, "queue": body.Queue})
	}
}
