package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media/wav"
)

// A headless baresip for the end-to-end tests: a generated configuration,
// the process, and a client for its ctrl_tcp control interface.

// baresipSetup is what the generated configuration needs.
type baresipSetup struct {
	moduleDir string
	server    netip.AddrPort // the registrar, in the account's AOR
	outbound  netip.AddrPort // where the phone sends its requests
	user      string
	password  string
}

// baresipMessage is one netstring of ctrl_tcp: a command's response or a
// user-agent event.
type baresipMessage struct {
	Event     bool   `json:"event"`
	Type      string `json:"type"`
	Class     string `json:"class"`
	Direction string `json:"direction"`
	PeerURI   string `json:"peeruri"`
	ID        string `json:"id"`
	Param     string `json:"param"`
	Response  bool   `json:"response"`
	OK        bool   `json:"ok"`
	Data      string `json:"data"`
	Token     string `json:"token"`
}

// baresip is a running baresip process and its control connection.
type baresip struct {
	user    string // the agent it registers as
	dir     string // configuration, log and voice file
	snd     string // sndfile's recordings
	log     string
	ctrl    net.Conn
	tokens  int
	mu      sync.Mutex
	msgs    []baresipMessage
	change  chan struct{}
	readErr error
}

// startBaresip writes a configuration, starts baresip on it and connects
// to its control port. The process is stopped on cleanup.
func startBaresip(t *testing.T, bin string, s baresipSetup) *baresip {
	t.Helper()
	// The account sends its requests to the server as outbound proxy,
	// answers calls at once and offers G.711 only.
	account := fmt.Sprintf("<sip:%s@%s;transport=udp>;auth_pass=%s;answermode=auto;audio_codecs=PCMU,PCMA;regint=3600;outbound=\"sip:%s;lr\"\n",
		s.user, s.server, s.password, s.outbound)
	return runBaresip(t, bin, s.user, s.moduleDir, "", account)
}

// runBaresip writes the configuration (the common one plus extraConfig)
// and the accounts file, starts baresip on them and connects to its
// control port. The process is stopped on cleanup.
func runBaresip(t *testing.T, bin, user, moduleDir, extraConfig, account string) *baresip {
	t.Helper()
	b := &baresip{user: user, dir: t.TempDir(), change: make(chan struct{})}
	b.snd = filepath.Join(b.dir, "heard")
	b.log = filepath.Join(b.dir, "baresip.log")
	if err := os.Mkdir(b.snd, 0o755); err != nil {
		t.Fatal(err)
	}
	voice := filepath.Join(b.dir, "voice.wav")
	writeAgentVoice(t, voice)
	ctrlPort := freeTCPPort(t)
	config := baresipConfigText(moduleDir, freeSIPPort(t), ctrlPort, voice, b.snd) + extraConfig
	for name, text := range map[string]string{"config": config, "accounts": account} {
		if err := os.WriteFile(filepath.Join(b.dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logFile, err := os.Create(b.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", b.dir, "-t", strconv.Itoa(baresipLifetime))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	t.Cleanup(func() {
		_ = logFile.Close()
		if t.Failed() {
			t.Logf("--- baresip log (tail) ---\n%s", tail(b.logText(), 6000))
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatalf("start baresip: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() { stopProcess(cmd, exited) })
	b.connect(t, ctrlPort, exited)
	return b
}

// stopProcess asks baresip to quit (it unregisters first) and kills it if
// it takes too long.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

func baresipConfigText(moduleDir string, sipPort, ctrlPort int, voice, snd string) string {
	lines := []string{
		"poll_method\tepoll",
		fmt.Sprintf("sip_listen\t127.0.0.1:%d", sipPort),
		"net_interface\t127.0.0.1",
		"audio_source\taufile," + voice,
		"module_path\t" + moduleDir,
		"module\tg711.so",
		"module\taufile.so",
		"module\tsndfile.so",
		"snd_path\t" + snd,
		"module_app\taccount.so",
		"module_app\tmenu.so",
		"module_app\tctrl_tcp.so",
		fmt.Sprintf("ctrl_tcp_listen\t127.0.0.1:%d", ctrlPort),
	}
	return strings.Join(lines, "\n") + "\n"
}

// writeAgentVoice writes what the agent says: agentToneFor of a 1 kHz
// tone, then silence, as 8 kHz 16-bit mono (what aufile accepts).
func writeAgentVoice(t *testing.T, path string) {
	t.Helper()
	pcm := make([]int16, int(agentVoiceFor.Seconds()*baresipRate))
	for i := range int(agentToneFor.Seconds() * baresipRate) {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*agentToneHz*float64(i)/baresipRate))
	}
	var buf bytes.Buffer
	if err := wav.Encode(&buf, pcm, baresipRate, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// connect dials ctrl_tcp, retrying while baresip starts up, and reads
// its messages until the connection closes.
func (b *baresip) connect(t *testing.T, port int, exited <-chan struct{}) {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			b.ctrl = conn
			break
		}
		select {
		case <-exited:
			t.Fatalf("baresip exited at start:\n%s", b.logText())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip control port %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	done := make(chan struct{})
	go b.readMessages(done)
	t.Cleanup(func() {
		_ = b.ctrl.Close()
		<-done
	})
}

func (b *baresip) readMessages(done chan<- struct{}) {
	defer close(done)
	r := bufio.NewReader(b.ctrl)
	for {
		raw, err := readNetstring(r)
		var m baresipMessage
		if err == nil {
			err = json.Unmarshal(raw, &m)
		}
		b.mu.Lock()
		if err != nil {
			b.readErr = err
		} else {
			b.msgs = append(b.msgs, m)
		}
		close(b.change)
		b.change = make(chan struct{})
		b.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// readNetstring reads one "<length>:<bytes>," frame.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(head, ":")))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("baresip: bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("baresip: netstring: %w", err)
	}
	if buf[n] != ',' {
		return nil, errors.New("baresip: netstring without its comma")
	}
	return buf[:n], nil
}

// command runs a baresip command (as typed after "/") and fails the test
// unless baresip accepts it.
func (b *baresip) command(t *testing.T, name, params string) {
	t.Helper()
	b.tokens++
	token := "t" + strconv.Itoa(b.tokens)
	raw, err := json.Marshal(map[string]string{"command": name, "params": params, "token": token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(b.ctrl, "%d:%s,", len(raw), raw); err != nil {
		t.Fatalf("baresip %s: %v", name, err)
	}
	res := b.waitEvent(t, "the response to "+name, func(m baresipMessage) bool {
		return m.Response && m.Token == token
	})
	if !res.OK {
		t.Fatalf("baresip refused %s %s: %s", name, params, res.Data)
	}
}

// waitEvent blocks until match holds for some message received so far
// or later.
func (b *baresip) waitEvent(t *testing.T, what string, match func(baresipMessage) bool) baresipMessage {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		b.mu.Lock()
		for _, m := range b.msgs {
			if match(m) {
				b.mu.Unlock()
				return m
			}
		}
		ch, readErr := b.change, b.readErr
		b.mu.Unlock()
		if readErr != nil {
			t.Fatalf("baresip: waiting for %s: control connection: %v", what, readErr)
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("baresip: timed out waiting for %s", what)
		}
	}
}

// logIn dials the login feature code and waits for the ACD to make the
// agent available and for the server to hang up after its confirmation.
// The login call's recordings are removed so that the agent call's are
// the only ones left.
func (b *baresip) logIn(t *testing.T, h *harness) {
	t.Helper()
	b.command(t, "dial", "*21")
	h.events.wait(t, "", "agent "+b.user+" available", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == b.user && e.State == "available"
	})
	b.waitEvent(t, "the login call to end", func(m baresipMessage) bool {
		return m.Type == "CALL_CLOSED" && m.Direction == "outgoing"
	})
	files, err := filepath.Glob(filepath.Join(b.snd, "*.wav"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
}

// recording returns what the agent heard on its one call: sndfile's
// decoder-side dump.
func (b *baresip) recording(t *testing.T) []int16 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(b.snd, "dump-*-dec.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("baresip recordings of what the agent heard: %v, want exactly one", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, rate, err := wav.Decode(f)
	if err != nil {
		t.Fatalf("agent recording: %v", err)
	}
	if rate != baresipRate {
		t.Fatalf("agent recording at %d Hz, want %d", rate, baresipRate)
	}
	return pcm
}

func (b *baresip) logText() string {
	raw, err := os.ReadFile(b.log)
	if err != nil {
		return err.Error()
	}
	return string(raw)
}

// freeSIPPort finds a loopback port free for both UDP and TCP: baresip
// listens on both. Like freeport.UDP, it is released before baresip binds.
func freeSIPPort(t *testing.T) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		_ = l.Close()
		if err == nil {
			_ = u.Close()
			return port
		}
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return 0
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
