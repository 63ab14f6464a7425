package benchkit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// readyWithin is how long the server may take to answer /readyz.
const readyWithin = 20 * time.Second

// Server is one hotline process under test.
type Server struct {
	cmd     *exec.Cmd
	baseURL string
	log     *os.File
	done    chan struct{} // closed once the process has exited
	err     error         // what Wait returned, valid after done
}

// StartServer runs the hotline binary of s, its data and log in dir, and
// waits until /readyz answers 200.
func (s Setup) StartServer(ctx context.Context, dir string) (*Server, error) {
	logFile, err := os.Create(filepath.Join(dir, "hotline.log"))
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	cmd := exec.Command(s.ServerBin, "-config", s.Config,
		"-sip-listen", s.SIPAddr, "-http-listen", s.HTTPAddr,
		"-data-dir", filepath.Join(dir, "data"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("server: start: %w", err)
	}
	srv := &Server{cmd: cmd, baseURL: "http://" + s.HTTPAddr, log: logFile, done: make(chan struct{})}
	go func() {
		srv.err = cmd.Wait()
		close(srv.done)
	}()
	if err := srv.waitReady(ctx); err != nil {
		srv.Stop()
		return nil, err
	}
	return srv, nil
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Done is closed once the server has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyWithin)
	defer cancel()
	for {
		if code, err := s.Get(ctx, "/readyz", io.Discard); err == nil && code == http.StatusOK {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("server: exited before ready (%v); see %s", s.err, s.log.Name())
		case <-ctx.Done():
			return fmt.Errorf("server: not ready: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Get fetches path from the server's HTTP API into into and returns the
// status code.
func (s *Server) Get(ctx context.Context, path string, into io.Writer) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.baseURL+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(into, resp.Body)
	return resp.StatusCode, err
}

// Scrape fetches and parses /metrics.
func (s *Server) Scrape(ctx context.Context) (Metrics, error) {
	var body bytes.Buffer
	code, err := s.Get(ctx, "/metrics", &body)
	if err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("server: metrics: status %d", code)
	}
	return ParseMetrics(&body)
}

// Stop drains the server with SIGTERM and kills it if it is still there
// after its grace period and a margin.
func (s *Server) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	_ = s.log.Close()
}
