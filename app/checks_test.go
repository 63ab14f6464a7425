package app

import (
	"bufio"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
)

// allCalls reads every stored call record. The range is wide on purpose:
// in these tests the SIP layer stamps arrival with the real clock while the
// rest of the server uses the harness's shifted clock.
func allCalls(t *testing.T, st *store.Store) ([]store.CallRecord, error) {
	t.Helper()
	return st.Calls(ctxT(t, 10*time.Second), time.Unix(0, 0), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0)
}

// drainStore waits until the writer has written everything: the queue and
// the spool are empty and no call is still being folded.
func drainStore(t *testing.T, st *store.Store) {
	t.Helper()
	waitFor(t, "the spool to drain", time.Minute, func() bool {
		err := st.Flush(ctxT(t, 15*time.Second))
		s := st.Stats()
		return err == nil && s.Queued == 0 && s.SpoolRecords == 0 && s.OpenCalls == 0
	})
	if s := st.Stats(); s.LastError != nil || s.Rejected != 0 {
		t.Errorf("store after the outage: last error %v, %d rejected records", s.LastError, s.Rejected)
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	if !pollUntil(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// pollUntil polls cond until it holds (true) or timeout passes (false).
func pollUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}

// endedCalls counts the calls that have ended.
func (r *recorder) endedCalls() int { return len(r.endedCallIDs()) }

// endedCallIDs lists the ids of the ended calls, sorted.
func (r *recorder) endedCallIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, e := range r.events {
		if e.Kind == call.CallEnded && !slices.Contains(ids, e.CallID) {
			ids = append(ids, e.CallID)
		}
	}
	slices.Sort(ids)
	return ids
}

// scrapeSum adds up every series of a metric on the server's /metrics page.
func scrapeSum(t *testing.T, h *harness, name string) float64 {
	t.Helper()
	res, err := http.Get("http://" + h.srv.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sum float64
	found := false
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			t.Fatalf("/metrics: %q: %v", line, err)
		}
		sum += v
		found = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("/metrics has no %s", name)
	}
	return sum
}
