package app

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// The wallboard's event stream follows a real call: a caller waiting in
// the queue appears, is answered, and the day's figures change.
func TestWallboardStreamFollowsACall(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+h.srv.HTTPAddr()+"/wallboard/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- data
			}
		}
		close(events)
	}()
	waitFor := func(what string, match func(string) bool) {
		t.Helper()
		for {
			select {
			case data, ok := <-events:
				if !ok {
					t.Fatalf("stream ended before %s", what)
				}
				if match(data) {
					return
				}
			case <-ctx.Done():
				t.Fatalf("wallboard never showed %s", what)
			}
		}
	}
	general := func(data, want string) bool {
		i := strings.Index(data, `"queue":"general"`)
		if i < 0 {
			return false
		}
		rest := data[i:]
		if j := strings.Index(rest[1:], `"queue":`); j >= 0 {
			rest = rest[:j+1]
		}
		return strings.Contains(rest, want)
	}
	waitFor("an idle general queue", func(d string) bool { return general(d, `"waiting":0`) })

	agent := h.agentPhone("1001", "pw1001", testphone.NoAnswer)
	caller, id := h.dialAndPress("0")
	waitFor("one caller waiting", func(d string) bool { return general(d, `"waiting":1`) })
	agent.SetAnswerMode(testphone.AutoAnswer)
	h.events.wait(t, id, "answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	waitFor("the answer counted", func(d string) bool { return general(d, `"answered":1`) && general(d, `"waiting":0`) })
	_ = caller.Hangup(ctxT(t, 5*time.Second))
}
