package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// sippRun describes one SIPp load: calls placed at rate per second, at
// most limit at once, each held for hold.
type sippRun struct {
	Bin      string
	Scenario string // XML file, copied into Dir
	Target   string // server SIP address
	Service  string // dialled number
	Rate     float64
	Limit    int
	Calls    int
	Hold     time.Duration
	Dir      string // working directory for SIPp's files
	Timeout  time.Duration
}

// sippOutcome is what SIPp reported when it exited.
type sippOutcome struct {
	ExitCode   int
	Successful int
	Failed     int
}

type sippProc struct {
	cmd     *exec.Cmd
	run     sippRun
	statCSV string
	stdout  *os.File
}

// startSIPp launches SIPp as a UAC with RTP echo. SIPp stops by itself
// after Calls calls or Timeout, whichever comes first.
func startSIPp(r sippRun) (*sippProc, error) {
	xml, err := os.ReadFile(r.Scenario)
	if err != nil {
		return nil, fmt.Errorf("sipp: scenario: %w", err)
	}
	scenario := filepath.Join(r.Dir, filepath.Base(r.Scenario))
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
	p := &sippProc{run: r, statCSV: filepath.Join(r.Dir, "sipp-stats.csv")}
	args := []string{
		r.Target, "-sf", scenario, "-s", r.Service,
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(sigPort), "-mp", strconv.Itoa(mediaPort),
		"-rtp_echo",
		"-r", strconv.FormatFloat(r.Rate, 'f', -1, 64), "-rp", "1000",
		"-l", strconv.Itoa(r.Limit), "-m", strconv.Itoa(r.Calls),
		"-d", strconv.FormatInt(r.Hold.Milliseconds(), 10),
		"-buff_size", "4194304",
		"-nostdin",
		"-timeout", strconv.Itoa(int(r.Timeout.Seconds())) + "s",
		"-trace_stat", "-stf", p.statCSV, "-fd", "1",
		"-trace_err", "-error_file", filepath.Join(r.Dir, "sipp-errors.log"),
	}
	if p.stdout, err = os.Create(filepath.Join(r.Dir, "sipp-screen.log")); err != nil {
		return nil, fmt.Errorf("sipp: %w", err)
	}
	p.cmd = exec.Command(r.Bin, args...)
	p.cmd.Dir = r.Dir
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stdout
	if err := p.cmd.Start(); err != nil {
		_ = p.stdout.Close()
		return nil, fmt.Errorf("sipp: start: %w", err)
	}
	return p, nil
}

func (p *sippProc) pid() int { return p.cmd.Process.Pid }

// wait waits for SIPp to exit (killing it once ctx ends) and reads its
// final statistics.
func (p *sippProc) wait(ctx context.Context) (sippOutcome, error) {
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-ctx.Done():
		_ = p.cmd.Process.Kill()
		err = <-exited
	}
	_ = p.stdout.Close()
	out := sippOutcome{ExitCode: p.cmd.ProcessState.ExitCode()}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return out, fmt.Errorf("sipp: %w", err)
	}
	f, err := os.Open(p.statCSV)
	if err != nil {
		return out, fmt.Errorf("sipp: statistics: %w", err)
	}
	defer f.Close()
	out.Successful, out.Failed, err = parseSIPpStats(f)
	return out, err
}

// parseSIPpStats reads the cumulative successful and failed call counts
// from the last row of SIPp's -trace_stat CSV (';'-separated, one header
// row, one row per -fd period).
func parseSIPpStats(r io.Reader) (successful, failed int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var header, last []string
	for sc.Scan() {
		row := strings.Split(strings.TrimRight(sc.Text(), ";\r"), ";")
		if header == nil {
			header = row
			continue
		}
		last = row
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("sipp stats: %w", err)
	}
	if last == nil {
		return 0, 0, fmt.Errorf("sipp stats: no data row")
	}
	column := func(name string) (int, error) {
		for i, h := range header {
			if h == name && i < len(last) {
				return strconv.Atoi(strings.TrimSpace(last[i]))
			}
		}
		return 0, fmt.Errorf("sipp stats: no column %s", name)
	}
	if successful, err = column("SuccessfulCall(C)"); err != nil {
		return 0, 0, err
	}
	if failed, err = column("FailedCall(C)"); err != nil {
		return 0, 0, err
	}
	return successful, failed, nil
}

// freeUDPPort finds a free loopback UDP port. SIPp cannot bind port 0 for
// media and binds its RTP echo's second stream at port+2, so a media port
// is even with port+2 free as well. The port is released before SIPp binds
// it; on a benchmark machine nothing else races for it.
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
	return 0, errors.New("free port: no even UDP port pair")
}
