package rest

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/hotline-oss/hotline/web/webkit"
)

// MonitorRequest asks the server to call a supervisor's phone and, once
// answered, join it to an agent's current call.
type MonitorRequest struct {
	Supervisor string `json:"supervisor"`
	Agent      string `json:"agent"`
	Mode       string `json:"mode"` // listen (default), whisper or barge
	// Filled in by the handler: the token that asked and the client's
	// address, for the audit log.
	Token  string `json:"-"`
	Source string `json:"-"`
}

// MonitorView is a monitor session as the API shows it.
type MonitorView struct {
	Supervisor string `json:"supervisor"`
	Agent      string `json:"agent"`
	Mode       string `json:"mode"`
	CallID     string `json:"call_id"`
	Status     string `json:"status"` // ringing: the supervisor's phone is being called
}

// MonitorControl starts monitor sessions. StartMonitor returns once the
// supervisor's phone rings; errors wrap webkit.ErrNotFound (unknown supervisor
// or agent, or the agent has no call), webkit.ErrForbidden (the supervisor may
// not monitor that agent) or webkit.ErrConflict (the call is already monitored,
// the supervisor is busy or has no registered phone).
type MonitorControl interface {
	StartMonitor(req MonitorRequest) (MonitorView, error)
}

var monitorID = regexp.MustCompile(`^[0-9]{2,8}$`)

// MonitorRoutes adds POST /api/v1/monitor (supervisor role).
func MonitorRoutes(mux webkit.Registrar, ctrl MonitorControl, tokens []webkit.Token) {
	a := &webkit.Guard{Tokens: tokens}
	mux.HandleFunc("POST /api/v1/monitor", a.Auth(webkit.RoleSupervisor, MonitorHandler(ctrl)))
}

// MonitorHandler starts a monitor session for the API and the console.
func MonitorHandler(ctrl MonitorControl) func(http.ResponseWriter, *http.Request, webkit.Token) {
	return func(w http.ResponseWriter, r *http.Request, t webkit.Token) {
		var req MonitorRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			webkit.WriteError(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
		if msg := checkMonitorRequest(&req); msg != "" {
			webkit.WriteError(w, http.StatusBadRequest, msg)
			return
		}
		req.Token, req.Source = t.Name, webkit.ClientAddr(r)
		view, err := ctrl.StartMonitor(req)
		switch {
		case errors.Is(err, webkit.ErrNotFound):
			webkit.WriteError(w, http.StatusNotFound, err.Error())
		case errors.Is(err, webkit.ErrForbidden):
			webkit.WriteError(w, http.StatusForbidden, err.Error())
		case errors.Is(err, webkit.ErrConflict):
			webkit.WriteError(w, http.StatusConflict, err.Error())
		case err != nil:
			webkit.WriteError(w, http.StatusInternalServerError, err.Error())
		default:
			webkit.WriteJSON(w, http.StatusAccepted, view)
		}
	}
}

// checkMonitorRequest validates the body and defaults the mode; it
// returns what is wrong, or "".
func checkMonitorRequest(req *MonitorRequest) string {
	req.Supervisor, req.Agent = strings.TrimSpace(req.Supervisor), strings.TrimSpace(req.Agent)
	switch {
	case !monitorID.MatchString(req.Supervisor):
		return `supervisor: want the supervisor's extension (2 to 8 digits)`
	case !monitorID.MatchString(req.Agent):
		return `agent: want the agent's id (2 to 8 digits)`
	}
	switch req.Mode {
	case "":
		req.Mode = "listen"
	case "listen", "whisper", "barge":
	default:
		return `mode: want listen, whisper or barge`
	}
	return ""
}
