package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is the hotline process under test.
type server struct {
	cmd     *exec.Cmd
	baseURL string
	log     *os.File
	exited  chan error
}

// startServer runs the hotline binary, logging into dir, and waits until
// /readyz answers 200.
func startServer(ctx context.Context, o options) (*server, error) {
	logFile, err := os.Create(filepath.Join(o.WorkDir, "hotline.log"))
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	cmd := exec.Command(o.ServerBin, "-config", o.Config,
		"-sip-listen", o.SIPAddr, "-http-listen", o.HTTPAddr,
		"-data-dir", filepath.Join(o.WorkDir, "data"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("server: start: %w", err)
	}
	s := &server{cmd: cmd, baseURL: "http://" + o.HTTPAddr, log: logFile, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	deadline, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		if code, err := s.get(deadline, "/readyz", io.Discard); err == nil && code == http.StatusOK {
			return s, nil
		}
		select {
		case err := <-s.exited:
			return nil, fmt.Errorf("server: exited before ready (%v); see %s", err, logFile.Name())
		case <-deadline.Done():
			s.stop()
			return nil, fmt.Errorf("server: not ready: %w", deadline.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *server) get(ctx context.Context, path string, into io.Writer) (int, error) {
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

// stop drains the server with SIGTERM and kills it if it lingers.
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

// sipp is the SIPp process placing the calls.
type sipp struct {
	cmd    *exec.Cmd
	out    *os.File
	stats  string
	exited chan error
}

// startSIPp places calls without end, at most o.Calls at once: SIPp
// starts a new call whenever one ends, up to o.Rate per second.
func startSIPp(o options) (*sipp, error) {
	xml, err := os.ReadFile(o.Scenario)
	if err != nil {
		return nil, fmt.Errorf("sipp: scenario: %w", err)
	}
	scenario := filepath.Join(o.WorkDir, filepath.Base(o.Scenario))
	if err := os.WriteFile(scenario, xml, 0o644); err != nil {
		return nil, fmt.Errorf("sipp: %w", err)
	}
	sigPort, err := freeUDPPort(false)
	if err != nil {
		return nil, err
	}
	mediaPort, err := freeUDPPort(true)
	if err != nil {
		return nil, err
	}
	p := &sipp{stats: filepath.Join(o.WorkDir, "sipp-stats.csv"), exited: make(chan error, 1)}
	args := []string{
		o.SIPAddr, "-sf", scenario, "-s", o.Number,
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(sigPort), "-mp", strconv.Itoa(mediaPort),
		"-rtp_echo",
		"-r", strconv.FormatFloat(o.Rate, 'f', -1, 64), "-rp", "1000",
		"-l", strconv.Itoa(o.Calls),
		"-buff_size", "4194304", "-nostdin",
		"-trace_stat", "-stf", p.stats, "-fd", "10",
		"-trace_err", "-error_file", filepath.Join(o.WorkDir, "sipp-errors.log"),
	}
	if p.out, err = os.Create(filepath.Join(o.WorkDir, "sipp-screen.log")); err != nil {
		return nil, fmt.Errorf("sipp: %w", err)
	}
	p.cmd = exec.Command(o.SIPpBin, args...)
	p.cmd.Dir = o.WorkDir
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		_ = p.out.Close()
		return nil, fmt.Errorf("sipp: start: %w", err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	return p, nil
}

// finish asks SIPp to stop placing calls and to exit once its calls have
// ended (SIGUSR1), killing it after wait.
func (p *sipp) finish(wait time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGUSR1)
	select {
	case <-p.exited:
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	_ = p.out.Close()
}

// outcome reads the cumulative successful and failed calls from the last
// row of SIPp's -trace_stat CSV.
func (p *sipp) outcome() (successful, failed int, err error) {
	f, err := os.Open(p.stats)
	if err != nil {
		return 0, 0, fmt.Errorf("sipp stats: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var header, last []string
	for sc.Scan() {
		row := strings.Split(strings.TrimRight(sc.Text(), ";\r"), ";")
		if header == nil {
			header = row
		} else {
			last = row
		}
	}
	if err := sc.Err(); err != nil || last == nil {
		return 0, 0, fmt.Errorf("sipp stats: no data row (%v)", err)
	}
	col := func(name string) int {
		for i, h := range header {
			if h == name && i < len(last) {
				v, _ := strconv.Atoi(strings.TrimSpace(last[i]))
				return v
			}
		}
		return -1
	}
	return col("SuccessfulCall(C)"), col("FailedCall(C)"), nil
}

// freeUDPPort finds a free loopback UDP port; for media, an even one with
// port+2 free as well (SIPp's echo binds both).
func freeUDPPort(media bool) (int, error) {
	loopback := net.IPv4(127, 0, 0, 1)
	for range 100 {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback})
		if err != nil {
			return 0, fmt.Errorf("free port: %w", err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		if !media {
			return port, c.Close()
		}
		if port%2 != 0 || port+2 > 65535 {
			_ = c.Close()
			continue
		}
		c2, err := net.ListenUDP("udp4", &net.UDPAddr{IP: loopback, Port: port + 2})
		_ = c.Close()
		if err == nil {
			return port, c2.Close()
		}
	}
	return 0, fmt.Errorf("free port: no even UDP port pair")
}
