package app

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A headless Linphone for the end-to-end tests: linphonec (Debian package
// linphone-cli) with its own HOME, driven by commands on its standard
// input, its console output read line by line. Sound goes through files:
// "soundcard use files" makes it send a WAV file (play) and write what it
// hears to one (record).

// linphonecLifetime bounds a linphonec that a dying test binary leaves
// behind: it is started under timeout(1).
const linphonecLifetime = 90 * time.Second

// linphone is a running linphonec.
type linphone struct {
	user  string
	dir   string // HOME, the rc file, the sound files
	port  int    // its SIP port
	stdin io.WriteCloser

	mu     sync.Mutex
	lines  []string
	change chan struct{}
	done   bool
}

// needLinphone returns linphonec's path; a missing tool skips the test,
// loudly, except under CI=true.
func needLinphone(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("linphonec")
	if err != nil {
		missingTool(t, "linphonec not found on PATH (apt-get install -y --no-install-recommends linphone-cli)")
	}
	if _, err := exec.LookPath("timeout"); err != nil {
		missingTool(t, "timeout (coreutils) not found on PATH")
	}
	return bin
}

// startLinphone starts linphonec for user with an audio-only profile on
// a free loopback SIP port. It is stopped on cleanup.
func startLinphone(t *testing.T, bin, user string) *linphone {
	t.Helper()
	l := &linphone{user: user, dir: t.TempDir(), port: freeSIPPort(t), change: make(chan struct{})}
	// Headless, the core never leaves its start-up state (and never
	// registers) unless its database folder exists.
	if err := os.MkdirAll(filepath.Join(l.dir, ".local", "share", "linphone"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Audio only: video is on by default in the core's policy.
	rc := "[video]\nenabled=0\ndisplay=0\ncapture=0\n[sound]\nechocancellation=0\n"
	rcPath := filepath.Join(l.dir, ".linphonerc")
	if err := os.WriteFile(rcPath, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("timeout", "-s", "KILL", strconv.Itoa(int(linphonecLifetime.Seconds())), bin, "-c", rcPath)
	cmd.Env = append(os.Environ(), "HOME="+l.dir)
	cmd.Dir = l.dir
	// Its own process group, so that a last-resort kill reaches linphonec
	// and not only timeout(1) in front of it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start linphonec: %v", err)
	}
	l.stdin = stdin
	readDone := make(chan struct{})
	go l.read(out, readDone)
	t.Cleanup(func() {
		_, _ = io.WriteString(stdin, "quit\n")
		_ = stdin.Close()
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		<-readDone
		if t.Failed() {
			t.Logf("--- linphonec %s (tail) ---\n%s", user, tail(l.output(), 6000))
		}
	})
	l.send(t, fmt.Sprintf("ports sip %d", l.port)) // the rc file's sip_port is ignored
	l.send(t, "soundcard use files")
	return l
}

func (l *linphone) read(out io.Reader, done chan<- struct{}) {
	defer close(done)
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		l.mu.Lock()
		l.lines = append(l.lines, sc.Text())
		close(l.change)
		l.change = make(chan struct{})
		l.mu.Unlock()
	}
	l.mu.Lock()
	l.done = true
	close(l.change)
	l.change = make(chan struct{})
	l.mu.Unlock()
}

// send types one console command.
func (l *linphone) send(t *testing.T, command string) {
	t.Helper()
	if _, err := io.WriteString(l.stdin, command+"\n"); err != nil {
		t.Fatalf("linphonec %s: %s: %v", l.user, command, err)
	}
}

// mark returns how many lines were printed so far, for waitLine.
func (l *linphone) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// waitLine waits for a line, printed after line from on, that contains
// every one of parts, and returns it.
func (l *linphone) waitLine(t *testing.T, from int, what string, parts ...string) string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		l.mu.Lock()
		for _, line := range l.lines[min(from, len(l.lines)):] {
			if containsAll(line, parts) {
				l.mu.Unlock()
				return line
			}
		}
		ch, done := l.change, l.done
		l.mu.Unlock()
		if done {
			t.Fatalf("linphonec %s exited while waiting for %s", l.user, what)
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("linphonec %s: timed out waiting for %s", l.user, what)
		}
	}
}

// waitRegistrationOK asks for the registration state until Linphone has
// taken the registrar's 200 (the server may record the binding first).
func (l *linphone) waitRegistrationOK(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		from := l.mark()
		l.send(t, "states proxies")
		line := l.waitLine(t, from, "the registration state", "sip:"+l.user+"@", "LinphoneRegistration")
		if strings.Contains(line, "LinphoneRegistrationOk") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("linphonec %s: registration state %q", l.user, line)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func containsAll(line string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(line, p) {
			return false
		}
	}
	return true
}

func (l *linphone) output() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
