package rest

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

type fakeRecordings struct {
	lastQuery RecordingQuery
	closed    bool
}

func (f *fakeRecordings) ListRecordings(_ context.Context, q RecordingQuery) (any, error) {
	f.lastQuery = q
	if q.Queue == "down" {
		return nil, webkit.ErrUnavailable
	}
	return []map[string]string{{"call_id": "c1"}}, nil
}

type closeTracker struct {
	*strings.Reader
	f *fakeRecordings
}

func (c closeTracker) Close() error { c.f.closed = true; return nil }

func (f *fakeRecordings) OpenRecording(_ context.Context, id string) (RecordingAudio, error) {
	switch id {
	case "c1":
		return RecordingAudio{Content: closeTracker{strings.NewReader("RIFF-fake-wav"), f}, Name: "c1.wav", ModTime: time.Unix(0, 0)}, nil
	case "broken":
		return RecordingAudio{}, errors.New("open /secret/path: permission denied")
	}
	return RecordingAudio{}, webkit.ErrNotFound
}

func TestRecordingsAPI(t *testing.T) {
	f := &fakeRecordings{}
	s := newTestServer()
	RecordingRoutes(s.mux, time.Now, f, []webkit.Token{
		webkit.NewToken("sup", "supervisor-secret-123", webkit.RoleSupervisor, ""),
		webkit.NewToken("a1", "agent-1001-secret-123", webkit.RoleAgent, "1001"),
	}, time.UTC)
	do := func(path, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, req)
		return rec
	}
	const sup = "supervisor-secret-123"
	cases := []struct {
		path, token string
		code        int
		contains    string
	}{
		{"/api/v1/recordings", "", 401, "missing bearer token"},
		{"/api/v1/recordings", "agent-1001-secret-123", 403, "may not"},
		{"/api/v1/recordings?from=2026-03-01&to=2026-03-02&queue=billing&agent=1001", sup, 200, `"call_id":"c1"`},
		{"/api/v1/recordings?from=junk", sup, 400, ""},
		{"/api/v1/recordings?from=2026-03-01&to=2026-03-02&queue=down", sup, 503, "unavailable"},
		{"/api/v1/recordings/c1/audio", "", 401, ""},
		{"/api/v1/recordings/c1/audio", sup, 200, "RIFF-fake-wav"},
		{"/api/v1/recordings/nope/audio", sup, 404, "no recording"},
		{"/api/v1/recordings/..%2F..%2Fetc%2Fpasswd/audio", sup, 404, "no recording"},
		{"/api/v1/recordings/broken/audio", sup, 500, "failed"},
	}
	for _, tc := range cases {
		rec := do(tc.path, tc.token)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("%s: %d %s, want %d containing %q", tc.path, rec.Code, rec.Body.String(), tc.code, tc.contains)
		}
		if strings.Contains(rec.Body.String(), "/secret/path") {
			t.Errorf("%s: internal path leaked: %s", tc.path, rec.Body.String())
		}
	}
	do("/api/v1/recordings?from=2026-03-01&to=2026-03-02&queue=billing&agent=1001", sup)
	want := RecordingQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Queue: "billing", Agent: "1001"}
	if got := f.lastQuery; !got.From.Equal(want.From) || !got.To.Equal(want.To) || got.Queue != want.Queue || got.Agent != want.Agent {
		t.Errorf("query %+v, want %+v", got, want)
	}
	rec := do("/api/v1/recordings/c1/audio", sup)
	if ct := rec.Header().Get("Content-Type"); ct != "audio/wav" {
		t.Errorf("content type %q", ct)
	}
	if !f.closed {
		t.Error("recording file left open")
	}
}
