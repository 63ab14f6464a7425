package app

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/metrics"
)

// stoppableClock runs like the harness's clock until frozen, so that the
// figures before and after a restart can be read at the same instant.
type stoppableClock struct {
	run shiftedClock

	mu     sync.Mutex
	frozen time.Time
}

func (c *stoppableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return c.run.Now()
}

func (c *stoppableClock) freeze() {
	c.mu.Lock()
	c.frozen = c.run.Now()
	c.mu.Unlock()
}

// The rolling windows (15m, 30m, today) and the wallboard's counts of
// today are rebuilt from the stored records at start: after answered,
// abandoned and self-service calls and an agent's changes, a restart on
// the same database shows the same figures at the same instant, on SQLite
// and on MySQL.
func TestWindowsSurviveRestart(t *testing.T) {
	onSQLiteAndMariaDB(t, windowsSurviveRestart)
}

func windowsSurviveRestart(t *testing.T, dsn string) {
	dir := t.TempDir()
	clk := &stoppableClock{run: newShiftedClock(officeOpen)}
	keep := func(c *config.Config) { c.DataDir, c.Database.DSN = dir, dsn }
	useClock := func(s *Server) { s.clock = clk }

	h := startPrepared(t, acdTestConfig, keep, useClock)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	h.waitAgentState("1001", "available", "")
	// Answered after some talk, so that occupancy has work in it.
	answered := h.queueCaller(t, "0")
	leg := waitIncoming(t, agent)
	time.Sleep(300 * time.Millisecond)
	_ = leg.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, answered.CallID())
	h.waitAgentState("1001", "available", "")
	// Abandoned while the only agent is paused.
	h.feature(agent, "*23")
	h.waitAgentState("1001", "paused", "break")
	gaveUp := h.queueCaller(t, "2")
	time.Sleep(200 * time.Millisecond)
	_ = gaveUp.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, gaveUp.CallID())
	h.flushStore()

	clk.freeze()
	before := windowFigures(h.srv.Metrics())
	board := h.srv.Metrics().Wallboard()
	general := before[metrics.WindowToday]["general"]
	if general.Offered != 1 || general.Answered != 1 || !general.Occupancy.Defined {
		t.Fatalf("before the restart, general today: %+v", general)
	}
	if billing := before[metrics.WindowToday]["billing"]; billing.Offered != 1 || billing.Abandoned != 1 {
		t.Fatalf("before the restart, billing today: %+v", billing)
	}
	h.srv.Shutdown(ctxT(t, 5*time.Second))

	again := startPrepared(t, acdTestConfig, keep, useClock)
	after := windowFigures(again.srv.Metrics())
	for _, win := range metrics.Windows {
		for _, queue := range []string{"general", "billing"} {
			sameFigures(t, string(win)+" "+queue, before[win][queue], after[win][queue])
		}
	}
	boardAfter := again.srv.Metrics().Wallboard()
	if len(board) != len(boardAfter) {
		t.Fatalf("wallboard: %d queues before, %d after", len(board), len(boardAfter))
	}
	for i := range board {
		b, a := board[i], boardAfter[i]
		if b.Queue != a.Queue || b.Offered != a.Offered || b.Answered != a.Answered || b.Abandoned != a.Abandoned {
			t.Errorf("wallboard %s: before %+v, after %+v", b.Queue, b, a)
		}
	}
}

func windowFigures(m *metrics.Metrics) map[metrics.Window]map[string]metrics.Figures {
	out := map[metrics.Window]map[string]metrics.Figures{}
	for _, win := range metrics.Windows {
		out[win] = m.WindowFigures(win)
	}
	return out
}

// sameFigures compares counts exactly and the KPIs to the records'
// millisecond resolution.
func sameFigures(t *testing.T, what string, before, after metrics.Figures) {
	t.Helper()
	if before.Offered != after.Offered || before.Answered != after.Answered ||
		before.AnsweredWithinSL != after.AnsweredWithinSL || before.Abandoned != after.Abandoned ||
		before.ShortAbandoned != after.ShortAbandoned {
		t.Errorf("%s: counts before %+v, after %+v", what, before, after)
	}
	near := func(name string, b, a metrics.Figure, tolerance float64) {
		if b.Defined != a.Defined || math.Abs(b.Value-a.Value) > tolerance {
			t.Errorf("%s: %s before %+v, after %+v", what, name, b, a)
		}
	}
	near("service level", before.ServiceLevel, after.ServiceLevel, 1e-9)
	near("abandon rate", before.AbandonRate, after.AbandonRate, 1e-9)
	near("ASA", before.ASA, after.ASA, 0.002)
	near("occupancy", before.Occupancy, after.Occupancy, 0.01)
}
