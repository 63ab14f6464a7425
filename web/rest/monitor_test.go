package rest

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/web/webkit"
)

type fakeMonitor struct{ got []MonitorRequest }

func (f *fakeMonitor) StartMonitor(req MonitorRequest) (MonitorView, error) {
	f.got = append(f.got, req)
	switch req.Agent {
	case "1009":
		return MonitorView{}, fmt.Errorf("%w: agent has no call", webkit.ErrNotFound)
	case "1008":
		return MonitorView{}, fmt.Errorf("%w: call already monitored", webkit.ErrConflict)
	case "1007":
		return MonitorView{}, fmt.Errorf("%w: not in the team", webkit.ErrForbidden)
	}
	return MonitorView{Supervisor: req.Supervisor, Agent: req.Agent, Mode: req.Mode, CallID: "c1", Status: "ringing"}, nil
}

func TestMonitorAPI(t *testing.T) {
	ctl := &fakeMonitor{}
	s := newTestServer()
	MonitorRoutes(s.mux, ctl, []webkit.Token{
		webkit.NewToken("sup", "sup-secret-0123456", webkit.RoleSupervisor, ""),
		webkit.NewToken("a1", "agent-secret-012345", webkit.RoleAgent, "1001"),
	})
	cases := []struct {
		token, body string
		code        int
		want        string
	}{
		{"sup-secret-0123456", `{"supervisor":"2001","agent":"1001"}`, 202, `"mode":"listen"`},
		{"sup-secret-0123456", `{"supervisor":" 2001 ","agent":"1001","mode":"whisper"}`, 202, `"status":"ringing"`},
		{"agent-secret-012345", `{"supervisor":"2001","agent":"1001"}`, 403, "may not do this"},
		{"", `{"supervisor":"2001","agent":"1001"}`, 401, "missing bearer token"},
		{"sup-secret-0123456", `{"supervisor":"2001","agent":"1001","mode":"loud"}`, 400, "mode: want listen, whisper or barge"},
		{"sup-secret-0123456", `{"supervisor":"2001"}`, 400, "agent: want"},
		{"sup-secret-0123456", `{"supervisor":"2001","agent":"1001","who":"me"}`, 400, "unknown field"},
		{"sup-secret-0123456", `not json`, 400, "body:"},
		{"sup-secret-0123456", `{"supervisor":"2001","agent":"1009"}`, 404, "has no call"},
		{"sup-secret-0123456", `{"supervisor":"2001","agent":"1008"}`, 409, "already monitored"},
		{"sup-secret-0123456", `{"supervisor":"2001","agent":"1007"}`, 403, "not in the team"},
	}
	for _, tc := range cases {
		req := httptest.NewRequest("POST", "/api/v1/monitor", strings.NewReader(tc.body))
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, req)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: %d %s; want %d %q", tc.body, rec.Code, rec.Body.String(), tc.code, tc.want)
		}
	}
	if len(ctl.got) != 5 {
		t.Fatalf("%d requests reached the server, want 5 (the valid ones)", len(ctl.got))
	}
	if r := ctl.got[1]; r.Supervisor != "2001" || r.Mode != "whisper" || r.Token != "sup" || r.Source == "" {
		t.Fatalf("request passed on as %+v", r)
	}
}
