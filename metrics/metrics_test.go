package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
)

func TestEventsDriveTheSeries(t *testing.T) {
	m := New()
	at := time.Unix(1_800_000_000, 0)
	feed := func(e call.Event) { e.Time = at; m.HandleEvent(e) }

	feed(call.Event{Kind: call.CallArrived, CallID: "a"})
	feed(call.Event{Kind: call.CallAnswered, CallID: "a", Delay: 30 * time.Millisecond})
	feed(call.Event{Kind: call.CallArrived, CallID: "b"})
	feed(call.Event{Kind: call.CallAnswered, CallID: "b", Delay: 2 * time.Second})
	if got := testutil.ToFloat64(m.activeCalls.WithLabelValues("ivr")); got != 2 {
		t.Fatalf("ivr calls %v, want 2", got)
	}
	feed(call.Event{Kind: call.QueueRequested, CallID: "b", Queue: "billing"})
	if ivr, queue := testutil.ToFloat64(m.activeCalls.WithLabelValues("ivr")), testutil.ToFloat64(m.activeCalls.WithLabelValues("queue")); ivr != 1 || queue != 1 {
		t.Fatalf("ivr %v queue %v, want 1 and 1", ivr, queue)
	}
	feed(call.Event{Kind: call.CallEnded, CallID: "a", Result: call.ResultSelfService})
	feed(call.Event{Kind: call.CallEnded, CallID: "b", Result: call.ResultBlocked})
	feed(call.Event{Kind: call.CallBlocked, CallID: "c", Result: call.ResultBlocked})
	// An end without a start (a refused call) must not drive a gauge negative.
	feed(call.Event{Kind: call.CallEnded, CallID: "d", Result: call.ResultFailed})

	for stage, want := range map[string]float64{"ivr": 0, "queue": 0} {
		if got := testutil.ToFloat64(m.activeCalls.WithLabelValues(stage)); got != want {
			t.Errorf("active %s = %v, want %v", stage, got, want)
		}
	}
	for result, want := range map[string]float64{"self_service": 1, "blocked": 2, "failed": 1, "answered_by_agent": 0} {
		if got := testutil.ToFloat64(m.calls.WithLabelValues(result)); got != want {
			t.Errorf("calls{%s} = %v, want %v", result, got, want)
		}
	}
	if n := testutil.CollectAndCount(m.answerDelay); n != 1 {
		t.Errorf("answer delay series %d", n)
	}
}

func TestHandlerServesPrometheusText(t *testing.T) {
	m := New()
	m.ObserveSendLateness(0.0007)
	m.AddPacketsLost(3)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`hotline_calls_total{result="abandoned_in_queue"} 0`,
		`hotline_rtp_send_lateness_seconds_bucket{le="0.001"} 1`,
		`hotline_rtp_packets_lost_total 3`,
		`hotline_active_calls{stage="talking"} 0`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestObserveSendLatenessDoesNotAllocate(t *testing.T) {
	m := New()
	if n := testing.AllocsPerRun(1000, func() { m.ObserveSendLateness(0.001) }); n != 0 {
		t.Errorf("%v allocations per observation on the media hot path", n)
	}
}
