package benchkit

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
	"syscall"
	"time"
)

// Load is how SIPp places its calls: at Rate per second, at most Limit at
// once.
type Load struct {
	Rate  float64
	Limit int
	// Calls ends the load after that many calls; 0 places calls without
	// end, a new one whenever one ends, until Finish.
	Calls int
	// Hold is how long each call lasts; 0 leaves it to the scenario.
	Hold time.Duration
	// Timeout makes SIPp stop by itself; 0 means no limit.
	Timeout time.Duration
	// StatEvery is the period of the statistics rows; 0 means 1 s.
	StatEvery time.Duration
}

// SIPp is a running SIPp process acting as a UAC with RTP echo.
type SIPp struct {
	cmd     *exec.Cmd
	statCSV string
	screen  *os.File
	done    chan struct{} // closed once the process has exited
	err     error         // what Wait returned, valid after done
}

// Outcome is what SIPp reported when it exited.
type Outcome struct {
	ExitCode   int
	Successful int
	Failed     int
}

// StartSIPp launches SIPp against the server of s with the scenario of s,
// its files in dir.
func (s Setup) StartSIPp(dir string, l Load) (*SIPp, error) {
	xml, err := os.ReadFile(s.Scenario)
	if err != nil {
		return nil, fmt.Errorf("sipp: scenario: %w", err)
	}
	scenario := filepath.Join(dir, filepath.Base(s.Scenario))
	if err := os.WriteFile(scenario, xml, 0o644); err != nil {
		return nil, fmt.Errorf("sipp: %w", err)
	}
	sigPort, err := FreeUDPPort(false)
	if err != nil {
		return nil, err
	}
	mediaPort, err := FreeUDPPort(true)
	if err != nil {
		return nil, err
	}
	p := &SIPp{statCSV: filepath.Join(dir, "sipp-stats.csv"), done: make(chan struct{})}
	statEvery := max(1, int(l.StatEvery.Seconds()))
	args := []string{
		s.SIPAddr, "-sf", scenario, "-s", s.Number,
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(sigPort), "-mp", strconv.Itoa(mediaPort),
		"-rtp_echo",
		"-r", strconv.FormatFloat(l.Rate, 'f', -1, 64), "-rp", "1000",
		"-l", strconv.Itoa(l.Limit),
		"-buff_size", "4194304", "-nostdin",
		"-trace_stat", "-stf", p.statCSV, "-fd", strconv.Itoa(statEvery),
		"-trace_err", "-error_file", filepath.Join(dir, "sipp-errors.log"),
	}
	if l.Calls > 0 {
		args = append(args, "-m", strconv.Itoa(l.Calls))
	}
	if l.Hold > 0 {
		args = append(args, "-d", strconv.FormatInt(l.Hold.Milliseconds(), 10))
	}
	if l.Timeout > 0 {
		args = append(args, "-timeout", strconv.Itoa(int(l.Timeout.Seconds()))+"s")
	}
	if p.screen, err = os.Create(filepath.Join(dir, "sipp-screen.log")); err != nil {
		return nil, fmt.Errorf("sipp: %w", err)
	}
	p.cmd = exec.Command(s.SIPpBin, args...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.screen, p.screen
	if err := p.cmd.Start(); err != nil {
		_ = p.screen.Close()
		return nil, fmt.Errorf("sipp: start: %w", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// PID is SIPp's process id.
func (p *SIPp) PID() int { return p.cmd.Process.Pid }

// Done is closed once SIPp has exited; ExitErr then tells how.
func (p *SIPp) Done() <-chan struct{} { return p.done }

// ExitErr is what waiting for SIPp returned; valid once Done is closed.
func (p *SIPp) ExitErr() error { return p.err }

// Finish asks SIPp to stop placing calls and to exit once its calls have
// ended (SIGUSR1), kills it after wait, and reads its final statistics.
func (p *SIPp) Finish(wait time.Duration) (Outcome, error) {
	_ = p.cmd.Process.Signal(syscall.SIGUSR1)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return p.Wait(ctx)
}

// Wait waits for SIPp to exit (killing it once ctx ends) and reads its
// final statistics. SIPp exits non-zero when any call failed, which is
// no error here: the outcome counts the failed calls.
func (p *SIPp) Wait(ctx context.Context) (Outcome, error) {
	select {
	case <-p.done:
	case <-ctx.Done():
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	_ = p.screen.Close()
	out := Outcome{ExitCode: p.cmd.ProcessState.ExitCode()}
	var exitErr *exec.ExitError
	if p.err != nil && !errors.As(p.err, &exitErr) {
		return out, fmt.Errorf("sipp: %w", p.err)
	}
	f, err := os.Open(p.statCSV)
	if err != nil {
		return out, fmt.Errorf("sipp: statistics: %w", err)
	}
	defer f.Close()
	out.Successful, out.Failed, err = ParseStats(f)
	return out, err
}

// ParseStats reads the cumulative successful and failed call counts from
// the last row of SIPp's -trace_stat CSV (';'-separated, one header row,
// one row per -fd period).
func ParseStats(r io.Reader) (successful, failed int, err error) {
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

// FreeUDPPort finds a free loopback UDP port. SIPp cannot bind port 0 for
// media and binds its RTP echo's second stream at port+2, so a media port
// is even with port+2 free as well. The port is released before SIPp binds
// it; on a benchmark machine nothing else races for it.
func FreeUDPPort(media bool) (int, error) {
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
