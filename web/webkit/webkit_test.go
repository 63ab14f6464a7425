package webkit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Each role reaches the routes of its rank and below; the actor is noted
// before the role is refused, so the audit log names who tried.
func TestGuardRanksRolesAndNotesTheActor(t *testing.T) {
	g := Guard{Tokens: []Token{NewToken("a1", "agent-secret", RoleAgent, "1001"), NewToken("sup", "sup-secret", RoleSupervisor, "")}}
	for _, tc := range []struct {
		secret string
		min    Role
		want   int
		actor  string
	}{
		{"", RoleAgent, 401, ""},
		{"nope", RoleAgent, 401, ""},
		{"agent-secret", RoleAgent, 200, "a1"},
		{"agent-secret", RoleSupervisor, 403, "a1"},
		{"sup-secret", RoleSupervisor, 200, "sup"},
		{"sup-secret", RoleAdmin, 403, "sup"},
	} {
		h := g.Auth(tc.min, func(w http.ResponseWriter, _ *http.Request, _ Token) { w.WriteHeader(200) })
		r := httptest.NewRequest("GET", "/", nil)
		if tc.secret != "" {
			r.Header.Set("Authorization", "Bearer "+tc.secret)
		}
		ctx, actor := WithActor(r.Context())
		rec := httptest.NewRecorder()
		h(rec, r.WithContext(ctx))
		if rec.Code != tc.want || actor.Name != tc.actor {
			t.Errorf("%q for %s: %d as %q, want %d as %q", tc.secret, tc.min, rec.Code, actor.Name, tc.want, tc.actor)
		}
	}
}

func TestWriteResultMapsTheControlsErrors(t *testing.T) {
	for err, want := range map[error]int{
		nil: 201, ErrInvalid: 400, ErrUnprocessable: 422, ErrNotFound: 404, ErrUnavailable: 503,
		fmt.Errorf("disk: %w", ErrUnavailable): 503, fmt.Errorf("something else"): 500,
	} {
		rec := httptest.NewRecorder()
		WriteResult(rec, 201, map[string]int{"id": 1}, err)
		if rec.Code != want || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%v: %d %q, want %d as JSON", err, rec.Code, rec.Header().Get("Content-Type"), want)
		}
	}
}

func TestRequireHeaderRefusesAPostWithoutIt(t *testing.T) {
	h := RequireHeader("X-Test", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	for value, want := range map[string]int{"": 403, "0": 403, "1": 204} {
		r := httptest.NewRequest("POST", "/", nil)
		if value != "" {
			r.Header.Set("X-Test", value)
		}
		rec := httptest.NewRecorder()
		h(rec, r)
		if rec.Code != want || (want == 403 && !strings.Contains(rec.Body.String(), "missing X-Test: 1 header")) {
			t.Errorf("X-Test %q: %d %s, want %d", value, rec.Code, rec.Body, want)
		}
	}
}

// A key holds at most perKey sessions: the oldest ends first.
func TestSessionStoreCapsSessionsPerKey(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	st := NewSessionStore(func() time.Time { return now }, time.Hour, 2)
	var tokens []string
	for range 3 {
		tok, err := st.Create("sup")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
		now = now.Add(time.Second)
	}
	if _, ok := st.Lookup(tokens[0], false); ok {
		t.Error("the oldest session outlived the cap")
	}
	for _, tok := range tokens[1:] {
		if key, ok := st.Lookup(tok, false); !ok || key != "sup" {
			t.Errorf("session %s: %q %v", tok, key, ok)
		}
	}
	now = now.Add(time.Hour + time.Second)
	if _, ok := st.Lookup(tokens[2], true); ok {
		t.Error("an idle session did not expire")
	}
}
