package web

import (
	"net/http"
	"strconv"
	"strings"
)

// loginBody is the panel's sign-in form.
type loginBody struct {
	Agent    string `json:"agent"`
	Password string `json:"password"`
}

// loginFailed is the one answer to an unknown agent and a wrong password,
// so the form cannot be used to find agent ids.
const loginFailed = "wrong agent id or password"

func (p *agentPanel) login(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if wait, locked := p.throttle.locked(addr); locked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
		return
	}
	var body loginBody
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	body.Agent = strings.TrimSpace(body.Agent)
	if body.Agent == "" || body.Password == "" {
		writeError(w, http.StatusBadRequest, "agent id and password are required")
		return
	}
	want, known := p.passwords(body.Agent)
	// An unknown agent is compared against a dummy so that it costs the
	// same time as a wrong password.
	match := samePassword(body.Password, want)
	if !known || want == "" || !match {
		locked := p.throttle.fail(addr)
		p.log.Warn("agent panel login failed", "agent", body.Agent, "remote", addr, "locked_out", locked)
		writeError(w, http.StatusUnauthorized, loginFailed)
		return
	}
	p.throttle.succeed(addr)
	token, err := p.sessions.create(body.Agent)
	if err != nil {
		p.log.Error("agent panel session not created", "err", err)
		writeError(w, http.StatusInternalServerError, "session could not be created")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: panelCookie, Value: token, Path: "/agent", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	NoteActor(r.Context(), "agent:"+body.Agent, RoleAgent, body.Agent)
	p.log.Info("agent panel login", "agent", body.Agent, "remote", addr)
	p.me(w, r, body.Agent)
}

func (p *agentPanel) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(panelCookie); err == nil {
		if agent, ok := p.sessions.lookup(c.Value, false); ok {
			NoteActor(r.Context(), "agent:"+agent, RoleAgent, agent)
			p.log.Info("agent panel logout", "agent", agent)
		}
		p.sessions.remove(c.Value)
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
