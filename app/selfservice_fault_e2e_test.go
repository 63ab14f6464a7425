package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/media/wav"
	"github.com/hotline-oss/hotline/selfservice"
	"github.com/hotline-oss/hotline/signedhttp"
)

// workOrderReceiver is a CRM stand-in that records what it was sent.
type workOrderReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	events []string
}

func (r *workOrderReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, body)
	r.sigs = append(r.sigs, req.Header.Get("X-Hotline-Signature"))
	r.events = append(r.events, req.Header.Get("X-Hotline-Event"))
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted) // accepted, no number of its own
}

func TestFaultReportFilesWorkOrder(t *testing.T) {
	rx := &workOrderReceiver{}
	srv := httptest.NewServer(rx)
	defer srv.Close()
	const secret = "work-order-secret"
	h := start(t, selfServiceConfig, func(c *config.Config) {
		c.Services[selfservice.WorkOrderService] = config.Service{URL: srv.URL, Secret: secret, Timeout: 2 * time.Second}
	})
	hd := traceHeard(h)
	id, filed := h.leaveFaultMessage(t)
	if !regexp.MustCompile(`^F\d{8}-0001$`).MatchString(filed.Detail) {
		t.Errorf("work order %q, want a local F<date>-0001", filed.Detail)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultSelfService {
		t.Errorf("end %+v", end)
	}
	var digits []string
	for _, d := range filed.Detail {
		if d >= '0' && d <= '9' {
			digits = append(digits, "en/digit_"+string(d))
		}
	}
	if want := "en/fault_work_order_is " + strings.Join(digits, " "); !strings.Contains(hd.text(id), want) {
		t.Errorf("read-back %q not in %q", want, hd.text(id))
	}

	rx.mu.Lock()
	if len(rx.bodies) != 1 {
		rx.mu.Unlock()
		t.Fatalf("receiver got %d requests", len(rx.bodies))
	}
	body, sig, kind := rx.bodies[0], rx.sigs[0], rx.events[0]
	rx.mu.Unlock()
	if sig != "sha256="+signedhttp.Sign([]byte(secret), body) || kind != "work_order" {
		t.Errorf("signature %q event %q", sig, kind)
	}
	var req selfservice.WorkOrderRequest
	if err := json.Unmarshal(body, &req); err != nil || req.Account != "1234567890" || req.CallID != id || req.Recording == "" {
		t.Fatalf("request %s (%v)", body, err)
	}
	checkFaultWAV(t, filepath.Join(h.srv.cfg.DataDir, "faults", req.Recording))

	code, list := ssRequest(t, h, "GET", "/api/v1/faults", nil)
	if code != http.StatusOK || !strings.Contains(string(list), filed.Detail) {
		t.Errorf("faults list: %d %s", code, list)
	}
	code, wav := ssRequest(t, h, "GET", "/api/v1/faults/"+req.Recording, nil)
	if code != http.StatusOK || !bytes.HasPrefix(wav, []byte("RIFF")) {
		t.Errorf("download: %d, %d bytes", code, len(wav))
	}
	if code, _ := ssRequest(t, h, "GET", "/api/v1/faults/other.wav", nil); code != http.StatusNotFound {
		t.Errorf("unknown recording: %d", code)
	}
	h.waitIdle()
	if got := h.metric("hotline_fault_reports_total"); got != 1 {
		t.Errorf("fault reports = %v", got)
	}
	// The report opened a fault ticket, linked to the call, the account,
	// the voice message and the work order.
	opened := h.events.wait(t, "", "fault ticket", func(e call.Event) bool { return e.Kind == call.TicketOpened && e.Target == id })
	tk, err := h.srv.tickets.Get(context.Background(), opened.Detail)
	if err != nil || tk.Category != "fault" || tk.State != "open" || tk.Account != "1234567890" ||
		tk.WorkOrder != filed.Detail || tk.Recording != req.Recording || tk.Caller != "13800000001" || tk.CreatedBy != "ivr" ||
		!tk.CallerTrusted {
		t.Errorf("fault ticket %+v (%v)", tk, err)
	}
}

// leaveFaultMessage calls the self-service number, reports a fault for
// account 1234567890 and speaks a message; it returns the call id and the
// fault report's event.
func (h *harness) leaveFaultMessage(t *testing.T) (string, call.Event) {
	t.Helper()
	c := h.dial(h.phone("udp"), "95598")
	id := c.CallID()
	h.events.waitNode(t, id, "menu")
	press(t, c, "2")
	press(t, c, "1234567890")
	h.events.waitNode(t, id, "fault_message")
	// Three and a half seconds of tone: the message starts once the short
	// instruction prompt has played, then silence ends it.
	c.SendTone(440)
	time.Sleep(3500 * time.Millisecond)
	c.SendTone(0)
	return id, h.events.wait(t, id, "fault report", func(e call.Event) bool { return e.Kind == call.FaultReported })
}

// checkFaultWAV: 8 kHz mono, about three seconds, and the tone is in it.
func checkFaultWAV(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	defer f.Close()
	pcm, rate, err := wav.Decode(f)
	if err != nil || rate != 8000 {
		t.Fatalf("recording: rate %d, %v", rate, err)
	}
	d := time.Duration(len(pcm)) * time.Second / 8000
	if d < 2*time.Second || d > 10*time.Second {
		t.Errorf("recording lasts %v, want about 3-4 s", d)
	}
	loud := 0
	for i := 0; i+160 <= len(pcm); i += 160 {
		if rms(pcm[i:i+160]) > 2000 {
			loud++
		}
	}
	if loud < 100 { // 2 s of 20 ms frames
		t.Errorf("only %d loud frames in the recording", loud)
	}
}
