package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrUnauthorized: a request whose credentials (a signature) do not check
// out; it gets 401 and changes nothing.
var ErrUnauthorized = errors.New("unauthorized")

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
// asks ("agent:1001", a token's name). Errors: ErrInvalid (400),
// ErrNotFound (404), ErrConflict (409, the lifecycle's reason),
// ErrUnauthorized (401), ErrUnavailable (503).
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

type ticketAPI struct {
	api
	ctl TicketControl
	now func() time.Time
	loc *time.Location
}

// maxTicketBody bounds a ticket request: a description of a few thousand
// characters fits with room to spare.
const maxTicketBody = 32 << 10

// WithTickets adds the tickets API: agents and up create, list, read and
// change tickets; supervisors read the figures and the repeat
// complainers; the work-order system posts status updates signed with the
// shared secret (no token).
func (s *Server) WithTickets(ctl TicketControl, tokens []Token, loc *time.Location) {
	a := &ticketAPI{api: api{tokens: tokens}, ctl: ctl, now: s.now, loc: loc}
	s.mux.HandleFunc("POST /api/v1/tickets", a.auth(RoleAgent, a.create))
	s.mux.HandleFunc("GET /api/v1/tickets", a.auth(RoleAgent, a.list))
	s.mux.HandleFunc("GET /api/v1/tickets/figures", a.auth(RoleSupervisor, a.figures))
	s.mux.HandleFunc("GET /api/v1/tickets/{id}", a.auth(RoleAgent, a.get))
	s.mux.HandleFunc("POST /api/v1/tickets/{id}/{action}", a.auth(RoleAgent, a.change))
	s.mux.HandleFunc("POST /api/v1/tickets/sync", a.sync)
	s.mux.HandleFunc("GET /api/v1/reports/repeat-complainers", a.auth(RoleSupervisor, a.complainers))
}

func actorOf(t Token) string {
	if t.Role == RoleAgent && t.Agent != "" {
		return "agent:" + t.Agent
	}
	return t.Name
}

func (a *ticketAPI) create(w http.ResponseWriter, r *http.Request, t Token) {
	var in TicketInput
	if err := decodeLimited(w, r, &in, maxTicketBody); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.CreateTicket(r.Context(), in, actorOf(t))
	writeTicketResult(w, http.StatusCreated, out, err)
}

func (a *ticketAPI) get(w http.ResponseWriter, r *http.Request, _ Token) {
	out, err := a.ctl.Ticket(r.Context(), r.PathValue("id"))
	writeTicketResult(w, http.StatusOK, out, err)
}

func (a *ticketAPI) change(w http.ResponseWriter, r *http.Request, t Token) {
	var in TicketChangeInput
	if r.ContentLength != 0 {
		if err := decodeLimited(w, r, &in, maxTicketBody); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	out, err := a.ctl.ChangeTicket(r.Context(), r.PathValue("id"), r.PathValue("action"), in, actorOf(t))
	writeTicketResult(w, http.StatusOK, out, err)
}

func (a *ticketAPI) list(w http.ResponseWriter, r *http.Request, _ Token) {
	q, err := parseTicketQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.ListTickets(r.Context(), q)
	writeTicketResult(w, http.StatusOK, out, err)
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

func parseDateOrTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	return t, err
}

// sync takes the work-order system's status update. The signature is the
// credential: a bad or missing one gets 401 and the ticket is left alone.
func (a *ticketAPI) sync(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTicketBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	NoteActor(r.Context(), "work-order-system", RoleSupervisor, "")
	out, err := a.ctl.SyncTicket(r.Context(), body, r.Header.Get("X-Hotline-Signature"))
	writeTicketResult(w, http.StatusOK, out, err)
}

func (a *ticketAPI) figures(w http.ResponseWriter, r *http.Request, _ Token) {
	now := a.now()
	from, to := now.Add(-30*24*time.Hour), now.Add(time.Minute)
	for key, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if s := r.URL.Query().Get(key); s != "" {
			t, err := parseDateOrTime(s)
			if err != nil {
				writeError(w, http.StatusBadRequest, key+": want RFC 3339 or YYYY-MM-DD")
				return
			}
			*dst = t
		}
	}
	if !to.After(from) {
		writeError(w, http.StatusBadRequest, "to: must be after from")
		return
	}
	out, err := a.ctl.TicketFigures(r.Context(), from, to)
	writeTicketResult(w, http.StatusOK, out, err)
}

// complainers serves the month's repeat complainers: month=YYYY-MM in the
// report time zone, this month by default.
func (a *ticketAPI) complainers(w http.ResponseWriter, r *http.Request, _ Token) {
	now := a.now().In(a.loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, a.loc)
	if s := r.URL.Query().Get("month"); s != "" {
		m, err := time.ParseInLocation("2006-01", s, a.loc)
		if err != nil {
			writeError(w, http.StatusBadRequest, "month: want YYYY-MM")
			return
		}
		month = m
	}
	out, err := a.ctl.RepeatComplainers(r.Context(), month)
	writeTicketResult(w, http.StatusOK, out, err)
}

// writeTicketResult is writeResult with the lifecycle's 409 and the
// signature's 401.
func writeTicketResult(w http.ResponseWriter, code int, out any, err error) {
	switch {
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrUnauthorized):
		writeError(w, http.StatusUnauthorized, err.Error())
	default:
		writeResult(w, code, out, err)
	}
}

// decodeLimited reads a JSON body of at most limit bytes, refusing
// unknown fields.
func decodeLimited(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return decodeJSONStrict(r.Body, v)
}

func decodeJSONStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}
