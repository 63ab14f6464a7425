package agentpanel

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-oss/hotline/web/webkit"
)

// loginBody is the panel's sign-in form.
type loginBody struct {
	Agent    string `json:"agent"`
	Password string `json:"password"`
}

// loginFailed is the one answer to an unknown agent and a wrong password,
// so the form cannot be used to find agent ids.
const loginFailed = "wrong agent id or password"

func (p *Panel) login(w http.ResponseWriter, r *http.Request) {
	addr := webkit.ClientAddr(r)
	if wait, locked := p.throttle.Locked(addr); locked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		webkit.WriteError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
		return
	}
	var body loginBody
	if err := webkit.DecodeBody(w, r, &body); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	body.Agent = strings.TrimSpace(body.Agent)
	if body.Agent == "" || body.Password == "" {
		webkit.WriteError(w, http.StatusBadRequest, "agent id and password are required")
		return
	}
	want, known := p.passwords(body.Agent)
	// An unknown agent is compared against a dummy so that it costs the
	// same time as a wrong password.
	match := webkit.SamePassword(body.Password, want)
	if !known || want == "" || !match {
		locked := p.throttle.Fail(addr)
		p.log.Warn("agent panel login failed", "agent", body.Agent, "remote", addr, "locked_out", locked)
		webkit.WriteError(w, http.StatusUnauthorized, loginFailed)
		return
	}
	p.throttle.Succeed(addr)
	token, err := p.sessions.Create(body.Agent)
	if err != nil {
		p.log.Error("agent panel session not created", "err", err)
		webkit.WriteError(w, http.StatusInternalServerError, "session could not be created")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: panelCookie, Value: token, Path: "/agent", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	webkit.NoteActor(r.Context(), "agent:"+body.Agent, webkit.RoleAgent, body.Agent)
	p.log.Info("agent panel login", "agent", body.Agent, "remote", addr)
	p.me(w, r, body.Agent)
}

func (p *Panel) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(panelCookie); err == nil {
		if agent, ok := p.sessions.Lookup(c.Value, false); ok {
			webkit.NoteActor(r.Context(), "agent:"+agent, webkit.RoleAgent, agent)
			p.log.Info("agent panel logout", "agent", agent)
		}
		p.sessions.Remove(c.Value)
	}
	clearPanelCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func clearPanelCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: panelCookie, Value: "", Path: "/agent", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}
