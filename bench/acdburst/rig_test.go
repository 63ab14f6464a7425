package acdburst

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/app"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

const (
	burstConfig  = "testdata/burst.yaml"
	burstNumber  = "95598"
	loginCode    = "*21"
	setupTimeout = 60 * time.Second
	// loginConcurrency bounds agents logging in at once: setting up 200
	// agents is not what is measured, so it is not made a burst of its own.
	loginConcurrency = 25
	closeTimeout     = 10 * time.Second
)

// rig is one running server with its recorder, agents' phones and callers'
// phones, all in this process.
type rig struct {
	tb      testing.TB
	srv     *app.Server
	cfg     *config.Config
	rec     *recorder
	agents  []*testphone.Phone
	callers []*testphone.Phone
	// goroutinesBefore is the count before the server started, to check
	// that teardown gives everything back.
	goroutinesBefore int
}

// startRig starts the server from the benchmark's configuration with SIP
// and HTTP on free loopback ports and a throw-away data directory.
func startRig(tb testing.TB) *rig {
	tb.Helper()
	data, err := os.ReadFile(burstConfig)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Parse(burstConfig, data)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.DataDir = tb.TempDir()
	r := &rig{tb: tb, cfg: cfg, rec: newRecorder(), goroutinesBefore: runtime.NumGoroutine()}
	r.srv, err = app.Prepare(cfg, app.NewLogger(cfg, os.Stderr))
	if err != nil {
		tb.Fatalf("prepare: %v", err)
	}
	if err := r.srv.Start(); err != nil {
		tb.Fatalf("start: %v", err)
	}
	r.srv.Bus().Subscribe(r.rec)
	return r
}

// loginAgents brings up n agent phones as a real agent would: register,
// dial the login code, hear the confirmation; then waits until the ACD
// has all n available. Phones answer every later call at once.
func (r *rig) loginAgents(ctx context.Context, n int) error {
	if n > len(r.cfg.Agents) {
		return fmt.Errorf("acdburst: %d agents asked for, %d configured", n, len(r.cfg.Agents))
	}
	r.agents = make([]*testphone.Phone, n)
	errs := make([]error, n)
	sem := make(chan struct{}, loginConcurrency)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r.agents[i], errs[i] = r.loginAgent(ctx, r.cfg.Agents[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return r.rec.waitUntil(ctx, fmt.Sprintf("%d agents available", n), func() bool {
		return r.rec.availableAgents() >= n
	})
}

func (r *rig) loginAgent(ctx context.Context, a config.Agent) (*testphone.Phone, error) {
	pw := a.AgentPassword()
	p, err := testphone.New(testphone.Config{Server: r.srv.SIPAddr().String(), User: a.ID, Password: pw})
	if err != nil {
		return nil, fmt.Errorf("agent %s: %w", a.ID, err)
	}
	if err := p.Register(ctx, pw, time.Hour); err != nil {
		return p, fmt.Errorf("agent %s: register: %w", a.ID, err)
	}
	p.SetAnswerMode(testphone.AutoAnswer)
	c, err := p.Call(ctx, loginCode)
	if err != nil {
		return p, fmt.Errorf("agent %s: login: %w", a.ID, err)
	}
	// The server hangs up after the spoken confirmation.
	select {
	case <-c.Done():
		return p, nil
	case <-ctx.Done():
		return p, fmt.Errorf("agent %s: login call never ended: %w", a.ID, ctx.Err())
	}
}

// openCallers starts the phones the callers dial from.
func (r *rig) openCallers(n int) error {
	for i := range n {
		p, err := testphone.New(testphone.Config{
			Server: r.srv.SIPAddr().String(), User: fmt.Sprintf("1380000%04d", i),
		})
		if err != nil {
			return fmt.Errorf("caller phone %d: %w", i, err)
		}
		r.callers = append(r.callers, p)
	}
	return nil
}

// close hangs up every call still up, closes every phone and the server,
// then checks that the goroutines they ran are gone.
func (r *rig) close(placed []placement) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, p := range placed {
		if p.call != nil {
			wg.Go(func() { _ = p.call.Hangup(ctx) })
		}
	}
	wg.Wait()
	for _, phones := range [][]*testphone.Phone{r.callers, r.agents} {
		for _, p := range phones {
			if p != nil {
				wg.Go(func() { _ = p.Close() })
			}
		}
		wg.Wait()
	}
	r.srv.Close()
	r.waitGoroutines()
}

func (r *rig) waitGoroutines() {
	deadline := time.Now().Add(closeTimeout)
	for runtime.NumGoroutine() > r.goroutinesBefore {
		if time.Now().After(deadline) {
			r.tb.Errorf("teardown: %d goroutines left, %d before the server started",
				runtime.NumGoroutine(), r.goroutinesBefore)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
