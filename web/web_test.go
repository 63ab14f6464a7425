package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestProbesAndMetrics(t *testing.T) {
	var draining atomic.Bool
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hotline_up 1\n") })
	s := New(metrics, func() error {
		if draining.Load() {
			return errors.New("draining")
		}
		return nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func(path string) (int, string) {
		res, err := http.Get("http://" + s.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz %d %q", code, body)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz %d while ready", code)
	}
	draining.Store(true)
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "draining") {
		t.Errorf("/readyz %d %q while draining", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "hotline_up 1") {
		t.Errorf("/metrics %d %q", code, body)
	}
	if code, _ := get("/nope"); code != 404 {
		t.Errorf("unknown path %d", code)
	}
}
