package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/web/reports"
	"github.com/hotline-oss/hotline/web/webkit"
)

// AuditEntry is one audited request or action.
type AuditEntry struct {
	At     time.Time         `json:"at"`
	Actor  string            `json:"actor"` // token name, "agent:<id>", or "anonymous"
	Role   Role              `json:"role,omitempty"`
	Agent  string            `json:"agent,omitempty"`
	Action string            `json:"action"` // "METHOD /route/{pattern}"
	Target string            `json:"target,omitempty"`
	Detail map[string]string `json:"detail,omitempty"`
	Source string            `json:"source,omitempty"` // remote IP
	Result string            `json:"result"`           // HTTP status
}

// AuditQuery selects audit entries; see GET /api/v1/audit.
type AuditQuery struct {
	From, To time.Time
	Actor    string
	Action   string
	Limit    int
}

// AuditLog is where audit entries go and come back from. Record must not
// block on a database: it runs after every write request.
type AuditLog interface {
	Record(e AuditEntry)
	Read(ctx context.Context, q AuditQuery) (any, error)
}

// AuditOptions tune the audit middleware.
type AuditOptions struct {
	Now func() time.Time // the clock; time.Now when nil
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; requests from anywhere else are audited by their own
	// address, so a client cannot forge its source.
	TrustedProxies []netip.Prefix
}

// anonymous is the actor of a request no authentication accepted.
const anonymous = "anonymous"

// auditedFields are the only body fields copied into an entry's detail:
// what an operator needs to read the log, never a password or token.
var auditedFields = []string{"action", "reason", "category", "resolved", "queue", "agent", "state", "target",
	"call_id", "form", "mode", "supervisor"}

const (
	maxAuditedBody  = 64 << 10 // bodies beyond this are not summarised
	maxAuditedValue = 128
)

// WithAudit audits every write request under /api/, /agent/api/ and
// /supervisor/api/, and the panels' sign-in and sign-out, to log,
// and adds GET /api/v1/audit (admin role). It wraps the whole handler, so
// routes added later are audited too; call it before Start.
func (s *Server) WithAudit(log AuditLog, tokens []Token, opts AuditOptions) {
	if opts.Now == nil {
		opts.Now = s.now
	}
	mw := &auditMiddleware{next: s.mux, log: log, opts: opts}
	s.srv.Handler = mw
	a := webkit.Guard{Tokens: tokens}
	s.mux.HandleFunc("GET /api/v1/audit", a.Auth(RoleAdmin, func(w http.ResponseWriter, r *http.Request, _ Token) {
		q, err := parseAuditQuery(r)
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		out, err := log.Read(r.Context(), q)
		if err != nil {
			webkit.WriteQueryError(w, err)
			return
		}
		webkit.WriteJSON(w, http.StatusOK, out)
	}))
}

type auditMiddleware struct {
	next http.Handler
	log  AuditLog
	opts AuditOptions
}

func audited(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return false
	}
	switch r.URL.Path {
	case "/agent/login", "/agent/logout", "/supervisor/login", "/supervisor/logout":
		// Panel sign-ins are audited like API writes: a run of refused
		// logins from one address is exactly what an operator looks for.
		return true
	}
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/agent/api/") ||
		strings.HasPrefix(r.URL.Path, "/supervisor/api/")
}

func (m *auditMiddleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !audited(r) {
		m.next.ServeHTTP(w, r)
		return
	}
	detail := summariseBody(r)
	ctx, actor := webkit.WithActor(r.Context())
	r = r.WithContext(ctx)
	rec := &statusRecorder{ResponseWriter: w}
	m.next.ServeHTTP(rec, r)
	// The mux filled in r.Pattern and the path values on this request.
	e := AuditEntry{
		At: m.opts.Now().UTC(), Actor: actor.Name, Role: actor.Role, Agent: actor.Agent,
		Action: r.Pattern, Target: r.URL.Path, Source: m.source(r), Result: strconv.Itoa(rec.status()),
	}
	if e.Actor == "" {
		e.Actor = anonymous
	}
	if e.Action == "" {
		e.Action = r.Method + " " + r.URL.Path // no route matched
	}
	for _, name := range patternWildcards(r.Pattern) {
		if v := r.PathValue(name); v != "" {
			if detail == nil {
				detail = map[string]string{}
			}
			detail[name] = clipValue(v)
		}
	}
	e.Detail = detail
	m.log.Record(e)
}

// source is the client address: the peer, or the last address a trusted
// proxy appended to X-Forwarded-For.
func (m *auditMiddleware) source(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	hops := forwardedFor(r)
	// Walk back from the nearest hop while it is a trusted proxy; the
	// first untrusted address is the client as far as we can tell.
	for m.trusted(peer) && len(hops) > 0 {
		next, err := netip.ParseAddr(hops[len(hops)-1])
		if err != nil {
			break
		}
		peer, hops = next.Unmap(), hops[:len(hops)-1]
	}
	return peer.String()
}

func (m *auditMiddleware) trusted(a netip.Addr) bool {
	return slices.ContainsFunc(m.opts.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(a) })
}

func forwardedFor(r *http.Request) []string {
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	return hops
}

// summariseBody copies the whitelisted fields of a JSON body and puts the
// body back for the handler.
func summariseBody(r *http.Request) map[string]string {
	if r.Body == nil || r.ContentLength == 0 || r.ContentLength > maxAuditedBody {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxAuditedBody+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), r.Body), r.Body}
	if err != nil || len(data) > maxAuditedBody {
		return nil
	}
	var body map[string]any
	if json.Unmarshal(data, &body) != nil {
		return nil
	}
	var out map[string]string
	for _, k := range auditedFields {
		v, ok := body[k]
		if !ok {
			continue
		}
		switch v.(type) {
		case string, bool, float64:
		default:
			continue // objects and lists could hide anything
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = clipValue(fmt.Sprint(v))
	}
	return out
}

func clipValue(s string) string {
	if len(s) <= maxAuditedValue {
		return s
	}
	return s[:maxAuditedValue]
}

// patternWildcards lists the {name} segments of a route pattern.
func patternWildcards(pattern string) []string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(strings.TrimSuffix(name, "}"), "...")
			if name != "$" && name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush lets streaming handlers behind the middleware flush.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

func parseAuditQuery(r *http.Request) (AuditQuery, error) {
	v := r.URL.Query()
	q := AuditQuery{Actor: v.Get("actor"), Action: v.Get("action")}
	var err error
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		if *p.dst, err = reports.ParseWhen(s, time.Time{}, time.UTC); err != nil {
			return q, fmt.Errorf("%s: want YYYY-MM-DD or RFC 3339, got %q", p.name, s)
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 1 {
			return q, fmt.Errorf("limit: want a positive number, got %q", s)
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return q, reports.ErrBadRange
	}
	return q, nil
}
