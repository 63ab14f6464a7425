package rest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

// TicketInput is a new ticket as the API and the panel take it.
type TicketInput struct {
	Category    string `json:"category"`
	Urgency     string `json:"urgency"` // urgent or normal (default)
	Description string `json:"description"`
	Caller      string `json:"caller,omitempty"`
	Account     string `json:"account,omitempty"`
	CallID      string `json:"call_id,omitempty"`
	Recording   string `json:"recording,omitempty"`
	Language    string `json:"language,omitempty"`
	Owner       string `json:"owner,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
}

// TicketChangeInput is a change asked of a ticket.
type TicketChangeInput struct {
	Note         string `json:"note,omitempty"`
	Owner        string `json:"owner,omitempty"`        // assign
	Satisfaction int    `json:"satisfaction,omitempty"` // return_visit: 1-5
	Resolved     *bool  `json:"resolved,omitempty"`     // return_visit
}

// TicketQuery filters a ticket listing.
type TicketQuery struct {
	States                                    []string
	Category, Urgency, Owner, Caller, Account string
	Overdue                                   bool
	From, To                                  time.Time
	Before                                    string // the next_before of the previous page
	Limit                                     int
}

// TicketControl is the tickets feature as the API sees it. Actor is who
// asks ("agent:1001", a token's name). Errors: webkit.ErrInvalid (400),
// webkit.ErrNotFound (404), webkit.ErrConflict (409, the lifecycle's reason),
// webkit.ErrUnauthorized (401), webkit.ErrUnavailable (503).
type TicketControl interface {
	CreateTicket(ctx context.Context, in TicketInput, actor string) (any, error)
	Ticket(ctx context.Context, id string) (any, error)
	ListTickets(ctx context.Context, q TicketQuery) (any, error)
	ChangeTicket(ctx context.Context, id, action string, in TicketChangeInput, actor string) (any, error)
	// SyncTicket takes a status update from the work-order system; signature
	// is its X-Hotline-Signature header, checked against the body.
	SyncTicket(ctx context.Context, body []byte, signature string) (any, error)
	TicketFigures(ctx context.Context, from, to time.Time) (any, error)
	RepeatComplainers(ctx context.Context, month time.Time) (any, error)
}

// Tickets serves the tickets API.
type Tickets struct {
	webkit.Guard
	ctl TicketControl
	now func() time.Time
	loc *time.Location
}

// MaxTicketBody bounds a ticket request: a description of a few thousand
// characters fits with room to spare.
const MaxTicketBody = 32 << 10

// NewTickets serves ctl to the holders of tokens; months are read in
// loc, default windows end at now.
func NewTickets(ctl TicketControl, tokens []webkit.Token, loc *time.Location, now func() time.Time) *Tickets {
	return &Tickets{Guard: webkit.Guard{Tokens: tokens}, ctl: ctl, now: now, loc: loc}
}

// Routes adds the tickets API: agents and up create, list, read and
// Change tickets; supervisors read the figures and the repeat
// Complainers; the work-order system posts status updates signed with the
// shared secret (no token).
func (a *Tickets) Routes(mux webkit.Registrar) {
	mux.HandleFunc("POST /api/v1/tickets", a.Auth(webkit.RoleAgent, a.Create))
	mux.HandleFunc("GET /api/v1/tickets", a.Auth(webkit.RoleAgent, a.List))
	mux.HandleFunc("GET /api/v1/tickets/figures", a.Auth(webkit.RoleSupervisor, a.Figures))
	mux.HandleFunc("GET /api/v1/tickets/{id}", a.Auth(webkit.RoleAgent, a.Get))
	mux.HandleFunc("POST /api/v1/tickets/{id}/{action}", a.Auth(webkit.RoleAgent, a.Change))
	mux.HandleFunc("POST /api/v1/tickets/sync", a.sync)
	mux.HandleFunc("GET /api/v1/reports/repeat-complainers", a.Auth(webkit.RoleSupervisor, a.Complainers))
}

func actorOf(t webkit.Token) string {
	if t.Role == webkit.RoleAgent && t.Agent != "" {
		return "agent:" + t.Agent
	}
	return t.Name
}

// Create opens a ticket as the token.
func (a *Tickets) Create(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	var in TicketInput
	if err := webkit.DecodeLimited(w, r, &in, MaxTicketBody); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.CreateTicket(r.Context(), in, actorOf(t))
	WriteTicketResult(w, http.StatusCreated, out, err)
}

// Get answers ticket {id}.
func (a *Tickets) Get(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	out, err := a.ctl.Ticket(r.Context(), r.PathValue("id"))
	WriteTicketResult(w, http.StatusOK, out, err)
}

// Change carries out {action} on ticket {id} as the token.
func (a *Tickets) Change(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	var in TicketChangeInput
	if r.ContentLength != 0 {
		if err := webkit.DecodeLimited(w, r, &in, MaxTicketBody); err != nil {
			webkit.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	out, err := a.ctl.ChangeTicket(r.Context(), r.PathValue("id"), r.PathValue("action"), in, actorOf(t))
	WriteTicketResult(w, http.StatusOK, out, err)
}

// List answers the tickets the query selects.
func (a *Tickets) List(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	q, err := parseTicketQuery(r)
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.ListTickets(r.Context(), q)
	WriteTicketResult(w, http.StatusOK, out, err)
}

func parseTicketQuery(r *http.Request) (TicketQuery, error) {
	v := r.URL.Query()
	q := TicketQuery{
		Category: v.Get("category"), Urgency: v.Get("urgency"), Owner: v.Get("owner"),
		Caller: v.Get("caller"), Account: v.Get("account"), Before: v.Get("before"),
	}
	if s := v.Get("state"); s != "" {
		q.States = strings.Split(s, ",")
	}
	if s := v.Get("overdue"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return q, errors.New("overdue: want true or false")
		}
		q.Overdue = b
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return q, errors.New("limit: want 1 to 1000")
		}
		q.Limit = n
	}
	for key, dst := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
		if s := v.Get(key); s != "" {
			t, err := parseDateOrTime(s)
			if err != nil {
				return q, errors.New(key + ": want RFC 3339 or YYYY-MM-DD")
			}
			*dst = t
		}
	}
	return q, nil
}

// readWindow reads ?from and ?to (RFC 3339, or YYYY-MM-DD in UTC) in
// place of the defaults from and to; its error is the message of a 400.
func readWindow(r *http.Request, from, to time.Time) (time.Time, time.Time, error) {
	for key, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if s := r.URL.Query().Get(key); s != "" {
			t, err := parseDateOrTime(s)
			if err != nil {
				return from, to, errors.New(key + ": want RFC 3339 or YYYY-MM-DD")
			}
			*dst = t
		}
	}
	if !to.After(from) {
		return from, to, errors.New("to: must be after from")
	}
	return from, to, nil
}

func parseDateOrTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	return t, err
}

// sync takes the work-order system's status update. The signature is the
// credential: a bad or missing one gets 401 and the ticket is left alone.
func (a *Tickets) sync(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxTicketBody))
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	webkit.NoteActor(r.Context(), "work-order-system", webkit.RoleSupervisor, "")
	out, err := a.ctl.SyncTicket(r.Context(), body, r.Header.Get("X-Hotline-Signature"))
	WriteTicketResult(w, http.StatusOK, out, err)
}

// Figures answers the ticket figures of a window, the last 30 days by default.
func (a *Tickets) Figures(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	now := a.now()
	from, to, err := readWindow(r, now.Add(-30*24*time.Hour), now.Add(time.Minute))
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.TicketFigures(r.Context(), from, to)
	WriteTicketResult(w, http.StatusOK, out, err)
}

// Complainers serves the month's repeat complainers: month=YYYY-MM in the
// report time zone, this month by default.
func (a *Tickets) Complainers(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	now := a.now().In(a.loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, a.loc)
	if s := r.URL.Query().Get("month"); s != "" {
		m, err := time.ParseInLocation("2006-01", s, a.loc)
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, "month: want YYYY-MM")
			return
		}
		month = m
	}
	out, err := a.ctl.RepeatComplainers(r.Context(), month)
	WriteTicketResult(w, http.StatusOK, out, err)
}

// WriteTicketResult is webkit.WriteResult with the lifecycle's 409 and the
// signature's 401.
func WriteTicketResult(w http.ResponseWriter, code int, out any, err error) {
	switch {
	case errors.Is(err, webkit.ErrConflict):
		webkit.WriteError(w, http.StatusConflict, err.Error())
	case errors.Is(err, webkit.ErrUnauthorized):
		webkit.WriteError(w, http.StatusUnauthorized, err.Error())
	default:
		webkit.WriteResult(w, code, out, err)
	}
}
