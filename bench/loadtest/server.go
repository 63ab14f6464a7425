package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// server is one hotline process under test.
type server struct {
	cmd     *exec.Cmd
	baseURL string
	log     *os.File
	exited  chan error
}

// startServer runs the hotline binary with the benchmark configuration,
// its data and log in dir, and waits until /readyz answers 200.
func startServer(ctx context.Context, bin, config, sipAddr, httpAddr, dir string) (*server, error) {
	logFile, err := os.Create(filepath.Join(dir, "hotline.log"))
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	cmd := exec.Command(bin, "-config", config,
		"-sip-listen", sipAddr, "-http-listen", httpAddr,
		"-data-dir", filepath.Join(dir, "data"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("server: start: %w", err)
	}
	s := &server{cmd: cmd, baseURL: "http://" + httpAddr, log: logFile, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	if err := s.waitReady(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.baseURL+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-s.exited:
			return fmt.Errorf("server: exited before ready (%v); see %s", err, s.log.Name())
		case <-ctx.Done():
			return fmt.Errorf("server: not ready: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// scrape fetches and parses /metrics.
func (s *server) scrape(ctx context.Context) (scrape, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.baseURL+"/metrics", nil)
	if err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("server: metrics: status %d", resp.StatusCode)
	}
	return parseMetrics(resp.Body)
}

// activeCalls is the number of calls in progress, every stage together.
func (s *server) activeCalls(ctx context.Context) (int, error) {
	m, err := s.scrape(ctx)
	if err != nil {
		return 0, err
	}
	return int(m.sum("hotline_active_calls")), nil
}

// stop drains the server with SIGTERM and kills it if it is still there
// after its grace period and a margin.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	_ = s.log.Close()
}
