package interp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/ivr"
)

// guard only stops a broken test from hanging; no step waits on it.
const guard = 5 * time.Second

type fakeLeg struct {
	events  chan Event
	calls   chan string // what the runner asked the leg to do, in order
	playErr error
}

func newFakeLeg() *fakeLeg {
	return &fakeLeg{events: make(chan Event, 16), calls: make(chan string, 64)}
}

func (l *fakeLeg) Play(prompts []ivr.PromptRef, bargeIn bool) error {
	if l.playErr != nil {
		return l.playErr
	}
	l.calls <- describe(Play{Prompts: prompts, BargeIn: bargeIn})
	return nil
}

func (l *fakeLeg) StopPlayback()           { l.calls <- "stop" }
func (l *fakeLeg) SetLanguage(lang string) { l.calls <- "lang " + lang }
func (l *fakeLeg) Events() <-chan Event    { return l.events }

func (l *fakeLeg) expectCall(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-l.calls:
		if got != want {
			t.Fatalf("leg call %q, want %q", got, want)
		}
	case <-time.After(guard):
		t.Fatalf("no leg call, want %q", want)
	}
}

type fakeTimer struct {
	after   time.Duration
	fire    func()
	stopped atomic.Bool
}

func (f *fakeTimer) Stop() bool { return !f.stopped.Swap(true) }

type fakeTimers struct{ started chan *fakeTimer }

func (ft *fakeTimers) AfterFunc(d time.Duration, f func()) Stopper {
	t := &fakeTimer{after: d, fire: f}
	ft.started <- t
	return t
}

func (ft *fakeTimers) expectTimer(t *testing.T, after time.Duration) *fakeTimer {
	t.Helper()
	select {
	case tm := <-ft.started:
		if tm.after != after {
			t.Fatalf("timer for %v, want %v", tm.after, after)
		}
		return tm
	case <-time.After(guard):
		t.Fatalf("no timer started, want %v", after)
		return nil
	}
}

type runResult struct {
	out   Outcome
	err   error
	nodes []string
}

// startRun runs the demo flow in the background, as a call goroutine would.
func startRun(t *testing.T, ctx context.Context, leg *fakeLeg) (*fakeTimers, <-chan runResult) {
	t.Helper()
	flows, cals := loadDemo(t)
	timers := &fakeTimers{started: make(chan *fakeTimer, 16)}
	done := make(chan runResult, 1)
	go func() {
		var nodes []string
		out, err := Run(ctx, NewSession(flows["main"], demoEnv(cals)), leg, timers,
			func(n NodeEntered) { nodes = append(nodes, n.Node) })
		done <- runResult{out, err, nodes}
	}()
	return timers, done
}

func waitResult(t *testing.T, done <-chan runResult) runResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(guard):
		t.Fatal("Run did not return")
		return runResult{}
	}
}

func TestRunToQueueWithTimers(t *testing.T) {
	leg := newFakeLeg()
	timers, done := startRun(t, context.Background(), leg)
	leg.expectCall(t, "play zh/greeting")
	leg.events <- PlaybackDone{}
	leg.expectCall(t, "play! zh/main_menu")
	leg.events <- PlaybackDone{}
	first := timers.expectTimer(t, 5*time.Second)
	first.fire()
	leg.expectCall(t, "play! zh/hello_help zh/main_menu")
	leg.events <- PlaybackDone{}
	second := timers.expectTimer(t, 5*time.Second)
	leg.events <- Digit{D: '0'} // prompt already over: nothing to stop
	r := waitResult(t, done)

	if r.err != nil || r.out.Queue != "general" || r.out.Hangup || r.out.CallerHungUp {
		t.Fatalf("outcome %+v, err %v", r.out, r.err)
	}
	want := []string{"greeting", "notice", "hours", "main_menu", "agent"}
	if !slices.Equal(r.out.Path, want) || !slices.Equal(r.nodes, want) {
		t.Fatalf("path %v, nodes seen %v, want %v", r.out.Path, r.nodes, want)
	}
	if r.out.Language != "zh" {
		t.Fatalf("language %q", r.out.Language)
	}
	if !second.stopped.Load() {
		t.Fatal("the live timer must be stopped when Run returns")
	}
	fired := make(chan struct{})
	go func() { second.fire(); close(fired) }()
	select {
	case <-fired: // a late timer callback must not block forever
	case <-time.After(guard):
		t.Fatal("late timer callback blocked")
	}
}

func TestRunHangupAfterGoodbye(t *testing.T) {
	leg := newFakeLeg()
	_, done := startRun(t, context.Background(), leg)
	leg.expectCall(t, "play zh/greeting")
	leg.events <- PlaybackDone{}
	leg.expectCall(t, "play! zh/main_menu")
	leg.events <- Digit{D: '1'}
	leg.expectCall(t, "stop")
	leg.expectCall(t, "play! zh/outage_info")
	leg.events <- PlaybackDone{}
	leg.expectCall(t, "play zh/outage_menu")
	leg.events <- PlaybackDone{}
	leg.events <- Digit{D: '1'}
	leg.expectCall(t, "play zh/goodbye")
	leg.events <- PlaybackDone{}
	r := waitResult(t, done)
	if r.err != nil || !r.out.Hangup || !r.out.SelfService || r.out.Reason != ReasonCompleted {
		t.Fatalf("outcome %+v, err %v", r.out, r.err)
	}
}

func TestRunCallerHangup(t *testing.T) {
	leg := newFakeLeg()
	_, done := startRun(t, context.Background(), leg)
	leg.expectCall(t, "play zh/greeting")
	leg.events <- CallerHangup{}
	r := waitResult(t, done)
	if r.err != nil || !r.out.CallerHungUp || r.out.Reason != ReasonCallerHangup {
		t.Fatalf("outcome %+v, err %v", r.out, r.err)
	}
}

func TestRunClosedEventsCountAsHangup(t *testing.T) {
	leg := newFakeLeg()
	_, done := startRun(t, context.Background(), leg)
	leg.expectCall(t, "play zh/greeting")
	close(leg.events)
	r := waitResult(t, done)
	if r.err != nil || !r.out.CallerHungUp {
		t.Fatalf("outcome %+v, err %v", r.out, r.err)
	}
}

func TestRunContextCancelled(t *testing.T) {
	leg := newFakeLeg()
	ctx, cancel := context.WithCancel(context.Background())
	_, done := startRun(t, ctx, leg)
	leg.expectCall(t, "play zh/greeting")
	cancel()
	r := waitResult(t, done)
	if !errors.Is(r.err, context.Canceled) || r.out.Reason != ReasonCancelled {
		t.Fatalf("outcome %+v, err %v", r.out, r.err)
	}
	if !slices.Equal(r.out.Path, []string{"greeting"}) {
		t.Fatalf("partial path %v", r.out.Path)
	}
}

func TestRunDropsPlaybackDoneOfReplacedPlayback(t *testing.T) {
	leg := newFakeLeg()
	// Queued before the greeting started: it cannot be the greeting's end.
	leg.events <- PlaybackDone{}
	leg.events <- Digit{D: '5'}
	timers, done := startRun(t, context.Background(), leg)
	leg.expectCall(t, "play zh/greeting")
	leg.events <- PlaybackDone{}
	leg.expectCall(t, "play! zh/main_menu")
	leg.events <- Digit{D: '0'}
	leg.expectCall(t, "stop")
	r := waitResult(t, done)
	if r.out.Queue != "general" {
		t.Fatalf("outcome %+v, err %v", r.out, r.err)
	}
	if len(timers.started) != 0 {
		t.Fatal("a stale PlaybackDone ended the menu prompt early")
	}
}

func TestRunPlayError(t *testing.T) {
	leg := newFakeLeg()
	leg.playErr = errors.New("no such file")
	_, done := startRun(t, context.Background(), leg)
	r := waitResult(t, done)
	if r.err == nil || !strings.Contains(r.err.Error(), "no such file") {
		t.Fatalf("want the play error, got %v", r.err)
	}
}
