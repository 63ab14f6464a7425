package signedhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A vector computed independently (openssl dgst -sha256 -hmac key) keeps
// the wire format fixed for receivers that check it.
func TestSignMatchesAKnownVector(t *testing.T) {
	got := Sign([]byte("key"), []byte("The quick brown fox jumps over the lazy dog"))
	const want = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestPostSignsSendsHeadersAndClassifiesAnswers(t *testing.T) {
	var gotSig, gotEvent, gotType string
	var gotBody []byte
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotSig, gotEvent, gotType = r.Header.Get(SignatureHeader), r.Header.Get("X-Hotline-Event"), r.Header.Get("Content-Type")
		gotBody, _ = io.ReadAll(r.Body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	p := Poster{Client: srv.Client(), Secret: []byte("s3cret")}
	body := []byte(`{"call_id":"c1"}`)
	ans, err := p.Post(context.Background(), Request{URL: srv.URL, Body: body,
		Header: map[string]string{"X-Hotline-Event": "work_order"}, MaxAnswer: 10})
	if err != nil || !ans.OK() || ans.Retryable() || string(ans.Body) != "xxxxxxxxxx" {
		t.Fatalf("Post = %+v, %v; want 200 with the first 10 bytes", ans, err)
	}
	if gotSig != "sha256="+Sign([]byte("s3cret"), body) || gotEvent != "work_order" ||
		gotType != "application/json" || string(gotBody) != string(body) {
		t.Errorf("server saw sig %q event %q type %q body %s", gotSig, gotEvent, gotType, gotBody)
	}

	for code, retry := range map[int]bool{429: true, 500: true, 503: true, 400: false, 404: false, 409: false} {
		status = code
		ans, err := p.Post(context.Background(), Request{URL: srv.URL, Body: body})
		if err != nil || ans.Status != code || ans.Retryable() != retry || ans.OK() {
			t.Errorf("status %d: %+v, %v; want retryable=%v", code, ans, err, retry)
		}
	}

	// Without a secret nothing is signed.
	status = http.StatusOK
	if _, err := (Poster{Client: srv.Client()}).Post(context.Background(), Request{URL: srv.URL, Body: body}); err != nil || gotSig != "" {
		t.Errorf("unsigned post: err %v, signature %q", err, gotSig)
	}
}

func TestPostTimesOutEachAttempt(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	ans, err := (Poster{Client: srv.Client()}).Post(context.Background(),
		Request{URL: srv.URL, Body: []byte("{}"), Timeout: 50 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || ans.Status != 0 {
		t.Fatalf("slow service: %+v, %v; want a deadline error and no answer", ans, err)
	}
}
