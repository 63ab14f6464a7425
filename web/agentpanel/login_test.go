package agentpanel_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/webkit"
)

func TestPanelLoginGoodAndCookieFlags(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	code, body, res := r.login(c, "1001", "pw1001")
	if code != http.StatusOK || agentField(body, "id") != "1001" {
		t.Fatalf("login: %d %v", code, body)
	}
	var ck *http.Cookie
	for _, x := range res.Cookies() {
		if x.Name == agentpanel.PanelCookie {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/agent" || ck.Secure {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/agent, not Secure over plain HTTP", ck)
	}
	// 32 random bytes, base64url without padding.
	if len(ck.Value) != 43 {
		t.Errorf("token length %d, want 43", len(ck.Value))
	}
	if code, body, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusOK ||
		agentField(body, "id") != "1001" || body["pause_reasons"] == nil || body["categories"] == nil {
		t.Fatalf("me: %d %v", code, body)
	}
	// Another browser without the cookie is not logged in.
	if code, _, _ := r.do(r.client(), "GET", "/agent/api/me", "", false); code != http.StatusUnauthorized {
		t.Errorf("me without a session: %d, want 401", code)
	}
}

func TestPanelLoginFailuresLookAlike(t *testing.T) {
	r := newPanelRig(t)
	codeWrong, wrong, _ := r.login(r.client(), "1001", "nope")
	codeUnknown, unknown, _ := r.login(r.client(), "9999", "pw1001")
	if codeWrong != http.StatusUnauthorized || codeUnknown != http.StatusUnauthorized {
		t.Fatalf("codes %d, %d; want 401 both", codeWrong, codeUnknown)
	}
	if wrong["error"] != unknown["error"] || wrong["error"] != agentpanel.LoginFailed {
		t.Errorf("wrong password says %q, unknown agent %q: want the same message", wrong["error"], unknown["error"])
	}
	if code, _, _ := r.login(r.client(), "1001", ""); code != http.StatusBadRequest {
		t.Errorf("empty password: %d, want 400", code)
	}
	if code, _, _ := r.do(r.client(), "POST", "/agent/login", `{"agent":"1001","password":"pw1001","role":"admin"}`, true); code != http.StatusBadRequest {
		t.Errorf("unknown body field: %d, want 400", code)
	}
}

func TestPanelLoginLockoutPerAddress(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	for i := 1; i < webkit.DefaultMaxFailures; i++ {
		if code, _, _ := r.login(c, "1001", "guess"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i, code)
		}
	}
	// The tenth failure locks the address; from then on even the right
	// password is refused, or guessing would simply go on.
	r.login(c, "1001", "guess")
	code, body, res := r.login(c, "1001", "pw1001")
	if code != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "900" {
		t.Fatalf("after 10 failures: %d %v Retry-After %q; want 429, 900", code, body, res.Header.Get("Retry-After"))
	}
	r.clock.advance(webkit.DefaultLockout - time.Second)
	if code, _, _ := r.login(c, "1001", "pw1001"); code != http.StatusTooManyRequests {
		t.Fatalf("1 s before the lockout ends: %d, want 429", code)
	}
	r.clock.advance(time.Second)
	if code, _, _ := r.login(c, "1001", "pw1001"); code != http.StatusOK {
		t.Fatalf("after the lockout: %d, want 200", code)
	}
}

func TestPanelFailuresOutsideTheWindowDoNotAddUp(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	for i := 0; i < webkit.DefaultMaxFailures-1; i++ {
		r.login(c, "1001", "guess")
	}
	r.clock.advance(webkit.DefaultFailureWindow + time.Second)
	if code, _, _ := r.login(c, "1001", "guess"); code != http.StatusUnauthorized {
		t.Fatalf("failure in a new window: %d, want 401 (not locked)", code)
	}
	if code, _, _ := r.login(c, "1001", "pw1001"); code != http.StatusOK {
		t.Fatalf("good login: %d", code)
	}
}

func TestPanelSessionExpiresWhenIdle(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	r.login(c, "1001", "pw1001")
	// Use keeps the session alive past 12 h from the login.
	r.clock.advance(11 * time.Hour)
	if code, _, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusOK {
		t.Fatalf("after 11 h: %d", code)
	}
	r.clock.advance(11 * time.Hour)
	if code, _, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusOK {
		t.Fatalf("11 h after the last use: %d", code)
	}
	r.clock.advance(webkit.DefaultSessionIdle + time.Second)
	code, body, _ := r.do(c, "GET", "/agent/api/me", "", false)
	if code != http.StatusUnauthorized {
		t.Fatalf("after 12 h idle: %d %v, want 401", code, body)
	}
}

func TestPanelLogoutEndsTheSession(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	r.login(c, "1001", "pw1001")
	if code, _, _ := r.do(c, "POST", "/agent/logout", "", false); code != http.StatusForbidden {
		t.Errorf("logout without the panel header: %d, want 403", code)
	}
	if code, _, _ := r.do(c, "POST", "/agent/logout", "", true); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusUnauthorized {
		t.Errorf("me after logout: %d, want 401", code)
	}
}

func TestPanelPostsNeedTheHeader(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	if code, _, _ := r.do(c, "POST", "/agent/login", `{"agent":"1001","password":"pw1001"}`, false); code != http.StatusForbidden {
		t.Errorf("login without header: %d, want 403", code)
	}
	r.login(c, "1001", "pw1001")
	for _, path := range []string{"/agent/api/state", "/agent/api/disposition"} {
		code, body, _ := r.do(c, "POST", path, `{"action":"login"}`, false)
		if code != http.StatusForbidden || !strings.Contains(fmt.Sprint(body["error"]), agentpanel.PanelHeader) {
			t.Errorf("%s without header: %d %v, want 403 naming the header", path, code, body)
		}
	}
	if got := r.src.Actions(); len(got) != 0 {
		t.Errorf("a refused request acted: %v", got)
	}
}
