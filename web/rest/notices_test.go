package rest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/web/webkit"
)

// downNotices is a notice control whose database cannot be reached.
type downNotices struct{}

var errDown = fmt.Errorf("%w: database down", webkit.ErrUnavailable)

func (downNotices) ListNotices(context.Context, bool) (any, error) { return nil, errDown }
func (downNotices) CreateNotice(context.Context, NoticeInput, string) (any, error) {
	return nil, errDown
}
func (downNotices) UpdateNotice(context.Context, int64, NoticeInput, string) (any, error) {
	return nil, errDown
}
func (downNotices) ExpireNotice(context.Context, int64, string) (any, error) { return nil, errDown }
func (downNotices) DeleteNotice(context.Context, int64, string) error        { return errDown }

// Every notice route answers 503 while the database is down, so that a
// supervisor knows the write did not happen and may try again.
func TestNoticeAPIAnswers503WithoutTheDatabase(t *testing.T) {
	s := newTestServer()
	NewNotices(downNotices{}, []webkit.Token{webkit.NewToken("sup", "supervisor-secret-123", webkit.RoleSupervisor, "")}).Routes(s.mux)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/v1/notices", ""},
		{"POST", "/api/v1/notices", `{"areas":["north"],"text":"x"}`},
		{"PUT", "/api/v1/notices/1", `{"text":"y"}`},
		{"POST", "/api/v1/notices/1/expire", ""},
		{"DELETE", "/api/v1/notices/1", ""},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer supervisor-secret-123")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "database down") {
			t.Errorf("%s %s: %d %s, want 503 saying why", tc.method, tc.path, rec.Code, rec.Body.String())
		}
	}
}
