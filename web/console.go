package web

import (
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ConsoleAgent is one agent as the supervisor console shows it.
type ConsoleAgent struct {
	AgentView
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
// errors wrap ErrNotFound (no such call or queue), ErrInvalid (the call
// is a callback, or already in that queue) or ErrConflict (an agent
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
	Agents       AgentControl
	Monitor      MonitorControl
	Notices      NoticeControl
	Reviews      ReviewControl
	Recordings   Recordings
	Adherence    AdherenceSource
	Schedules    ScheduleControl   // the Schedules view
	Tickets      TicketControl     // the Tickets and Repeat complainers views
	TicketCounts TicketCountSource // open and overdue tickets in the header
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

type console struct {
	d        ConsoleDeps
	tokens   []Token
	now      func() time.Time
	sessions *sessionStore // keyed to the token's name
	throttle *loginThrottle
	agentAPI *api
	reviews  *reviewAPI
	notices  *noticeAPI
	work     consoleWork
	lang     string // the pages' default language

	shutdownOnce sync.Once
	shutdown     chan struct{}
}

// WithConsole serves the supervisor console at /supervisor. A supervisor
// signs in with an API token of the supervisor or admin role; the page
// then works with a session cookie, so that the browser can also play
// recordings. It also adds POST /api/v1/calls/{call_id}/move for API
// clients.
func (s *Server) WithConsole(d ConsoleDeps, tokens []Token) error {
	if d.Source == nil || d.Agents == nil {
		return errors.New("supervisor console: source and agent control are required")
	}
	if len(d.PauseReasons) == 0 {
		d.PauseReasons = slices.Clone(defaultPauseReasons)
	}
	if d.Period <= 0 {
		d.Period = time.Second
	}
	c := &console{
		d: d, tokens: tokens, now: s.now, shutdown: make(chan struct{}), lang: s.lang,
		sessions: newSessionStore(s.now, DefaultPanelSessionIdle),
		throttle: newLoginThrottle(s.now),
		agentAPI: &api{acd: d.Agents, tokens: tokens, reasons: d.PauseReasons, categories: slices.Clone(defaultCategories)},
	}
	if d.Reviews != nil {
		c.reviews = s.newReviewAPI(d.Reviews, tokens, d.Location)
	}
	if d.Notices != nil {
		c.notices = &noticeAPI{api: api{tokens: tokens}, ctl: d.Notices}
	}
	c.newWork(s)
	// Supervisors of a floor often share one token: each of them keeps
	// their own session.
	c.sessions.perKey = maxConsoleSessionsPerToken
	s.srv.RegisterOnShutdown(func() { c.shutdownOnce.Do(func() { close(c.shutdown) }) })
	c.routes(s.mux)
	return nil
}

func (c *console) routes(mux handlerRegistrar) {
	mux.HandleFunc("GET /supervisor", c.page)
	mux.HandleFunc("POST /supervisor/login", c.post(c.login))
	mux.HandleFunc("POST /supervisor/logout", c.post(c.logout))
	mux.HandleFunc("GET /supervisor/api/me", c.auth(c.me))
	mux.HandleFunc("GET /supervisor/api/stream", c.auth(c.stream))
	mux.HandleFunc("POST /supervisor/api/agents/{id}/{action}", c.post(c.auth(c.agentAPI.agentAction)))
	mux.HandleFunc("POST /supervisor/api/calls/{call_id}/move", c.post(c.auth(c.move)))
	api := &api{tokens: c.tokens}
	mux.HandleFunc("POST /api/v1/calls/{call_id}/move", api.auth(RoleSupervisor, c.move))
	if c.d.Monitor != nil {
		mux.HandleFunc("POST /supervisor/api/monitor", c.post(c.auth(monitorHandler(c.d.Monitor))))
	}
	if c.notices != nil {
		mux.HandleFunc("GET /supervisor/api/notices", c.auth(c.notices.list))
		mux.HandleFunc("POST /supervisor/api/notices", c.post(c.auth(c.notices.create)))
		mux.HandleFunc("POST /supervisor/api/notices/{id}/expire", c.post(c.auth(c.notices.expire)))
	}
	if c.reviews != nil {
		mux.HandleFunc("GET /supervisor/api/reviews/forms", c.auth(c.reviews.forms))
		mux.HandleFunc("GET /supervisor/api/reviews/queue", c.auth(c.reviews.queue))
		mux.HandleFunc("GET /supervisor/api/reviews/scores", c.auth(c.reviews.scores))
		mux.HandleFunc("POST /supervisor/api/reviews", c.post(c.auth(c.reviews.save)))
	}
	if c.d.Recordings != nil {
		mux.HandleFunc("GET /supervisor/api/recordings/{call_id}/audio", c.auth(recordingAudio(c.d.Recordings)))
	}
	c.workRoutes(mux)
}

func (c *console) page(w http.ResponseWriter, r *http.Request) {
	servePage(w, r, consolePage, c.lang)
}

// post refuses a POST without the console header (see ConsoleHeader).
func (c *console) post(next http.HandlerFunc) http.HandlerFunc {
	return requireHeader(ConsoleHeader, next)
}

// auth resolves the session cookie to the token it was opened with. A
// token removed from the configuration ends its sessions.
func (c *console) auth(next func(http.ResponseWriter, *http.Request, Token)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(consoleCookie)
		if err != nil {
			writeError(w, http.StatusUnauthorized, "not signed in")
			return
		}
		name, ok := c.sessions.lookup(ck.Value, true)
		t, known := c.token(name)
		if !ok || !known {
			c.clearCookie(w, r)
			writeError(w, http.StatusUnauthorized, "session expired: sign in again")
			return
		}
		NoteActor(r.Context(), t.Name, t.Role, "")
		next(w, r, t)
	}
}

func (c *console) token(name string) (Token, bool) {
	for _, t := range c.tokens {
		if t.Name == name && name != "" {
			return t, true
		}
	}
	return Token{}, false
}

type consoleLogin struct {
	Token string `json:"token"`
}

func (c *console) login(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if wait, locked := c.throttle.locked(addr); locked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		writeError(w, http.StatusTooManyRequests, "too many failed sign-ins: try again later")
		return
	}
	var body consoleLogin
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	body.Token = strings.TrimSpace(body.Token)
	if body.Token == "" {
		writeError(w, http.StatusBadRequest, "token: the supervisor's API token is required")
		return
	}
	sum := sha256.Sum256([]byte(body.Token))
	var found *Token
	for i := range c.tokens {
		if subtle.ConstantTimeCompare(sum[:], c.tokens[i].Hash[:]) == 1 {
			found = &c.tokens[i]
		}
	}
	if found == nil {
		c.throttle.fail(addr)
		writeError(w, http.StatusUnauthorized, "unknown token")
		return
	}
	NoteActor(r.Context(), found.Name, found.Role, found.Agent)
	if rank(found.Role) < rank(RoleSupervisor) {
		writeError(w, http.StatusForbidden, "role "+string(found.Role)+" may not use the supervisor console")
		return
	}
	c.throttle.succeed(addr)
	session, err := c.sessions.create(found.Name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "session could not be created")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: consoleCookie, Value: session, Path: "/supervisor", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	c.me(w, r, *found)
}

func (c *console) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(consoleCookie); err == nil {
		if name, ok := c.sessions.lookup(ck.Value, false); ok {
			if t, known := c.token(name); known {
				NoteActor(r.Context(), t.Name, t.Role, "")
			}
		}
		c.sessions.remove(ck.Value)
	}
	c.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func (c *console) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: consoleCookie, Value: "", Path: "/supervisor", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// consoleMe is who is signed in and what the console offers them.
type consoleMe struct {
	Name         string   `json:"name"`
	Role         Role     `json:"role"`
	PauseReasons []string `json:"pause_reasons"`
	Monitor      bool     `json:"monitor"`
	Notices      bool     `json:"notices"`
	Reviews      bool     `json:"reviews"`
	Schedules    bool     `json:"schedules"`
	Tickets      bool     `json:"tickets"`
}

func (c *console) me(w http.ResponseWriter, _ *http.Request, t Token) {
	writeJSON(w, http.StatusOK, consoleMe{
		Name: t.Name, Role: t.Role, PauseReasons: c.d.PauseReasons,
		Monitor: c.d.Monitor != nil, Notices: c.notices != nil, Reviews: c.reviews != nil,
		Schedules: c.work.schedules != nil, Tickets: c.work.tickets != nil,
	})
}

type moveBody struct {
	Queue string `json:"queue"`
}

// move sends a waiting caller to another queue.
func (c *console) move(w http.ResponseWriter, r *http.Request, _ Token) {
	var body moveBody
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	id := r.PathValue("call_id")
	body.Queue = strings.TrimSpace(body.Queue)
	if body.Queue == "" {
		writeError(w, http.StatusBadRequest, "queue: the queue to move the caller to is required")
		return
	}
	err := c.d.Source.MoveCall(id, body.Queue)
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusBadRequest, inputMessage(err))
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, http.StatusOK, map[string]string{"call_id": id, "queue": body.Queue})
	}
}
