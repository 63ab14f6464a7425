package testproc

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Output keeps what a program writes; it may be read while it runs.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Process is a program a test started.
type Process struct {
	Cmd  *exec.Cmd
	Out  *Output
	done chan struct{}
	err  error
}

// Start runs bin with args in a process group of its own, with env added
// to this process's environment; name says what failed to start. The
// caller stops it (Stop) when the test ends.
func Start(t testing.TB, name string, env []string, bin string, args ...string) *Process {
	t.Helper()
	return start(t, name, env, &Output{}, bin, args)
}

// start is Start writing to out.
func start(t testing.TB, name string, env []string, out *Output, bin string, args []string) *Process {
	t.Helper()
	p := &Process{Out: out, done: make(chan struct{})}
	p.Cmd = exec.Command(bin, args...)
	p.Cmd.Env = append(os.Environ(), env...)
	p.Cmd.Stdout, p.Cmd.Stderr = p.Out, p.Out
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.Cmd.Wait(); close(p.done) }()
	return p
}

// Done is closed once the program exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the program exited; valid once Done is closed.
func (p *Process) Err() error { return p.err }

// Exited reports whether the program has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends sig to the program's process group and waits until it
// exited; a group still running after grace is killed.
func (p *Process) Stop(sig syscall.Signal, grace time.Duration) {
	if p.Exited() {
		return
	}
	_ = syscall.Kill(-p.Cmd.Process.Pid, sig)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// WaitFor polls cond every 50 ms until it holds, failing the test after
// timeout.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
