package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media/wav"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/selfservice"
	"github.com/hotline-oss/hotline/signedhttp"
)

const selfServiceConfig = "testdata/selfservice.yaml"
const ssToken = "selfservice-supervisor-token"

// promptTrace records every playback of every call, as prompt names.
type promptTrace struct {
	mu     sync.Mutex
	byCall map[string][]string
}

func traceHeard(h *harness) *promptTrace {
	hd := &promptTrace{byCall: map[string][]string{}}
	f := func(callID string, refs []ivr.PromptRef) {
		hd.mu.Lock()
		defer hd.mu.Unlock()
		for _, r := range refs {
			hd.byCall[callID] = append(hd.byCall[callID], r.String())
		}
	}
	h.srv.played.Store(&f)
	return hd
}

func (hd *promptTrace) text(callID string) string {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	return strings.Join(hd.byCall[callID], " ")
}

// ssRequest calls the HTTP API with the supervisor token.
func ssRequest(t *testing.T, h *harness, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, "http://"+h.srv.HTTPAddr()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ssToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// enterAccount dials, picks menu option digit and types the account.
func enterAccount(t *testing.T, h *harness, digit, account string) (string, func()) {
	t.Helper()
	c := h.dial(h.phone("udp"), "95598")
	id := c.CallID()
	h.events.waitNode(t, id, "menu")
	press(t, c, digit)
	press(t, c, account)
	return id, func() { _ = c.Hangup(ctxT(t, 5*time.Second)) }
}

func TestLookupSpeaksAccountStatus(t *testing.T) {
	h := start(t, selfServiceConfig, nil)
	hd := traceHeard(h)
	id, _ := enterAccount(t, h, "1", "1234567890")
	done := h.events.wait(t, id, "lookup", func(e call.Event) bool { return e.Kind == call.LookupDone })
	if done.Reason != selfservice.LookupOK || done.Detail != "accounts" {
		t.Fatalf("lookup %+v", done)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultSelfService {
		t.Errorf("end %+v, want self-service", end)
	}
	// 123.45 due, 50.00 overdue, pay by 5 December, outage on 28 November.
	want := "en/account_balance_is en/num_1 en/num_100 en/num_20 en/num_3 en/currency_major en/num_40 en/num_5 en/currency_minor " +
		"en/account_arrears_is en/num_50 en/currency_major en/account_due_on en/month_12 en/day_5 " +
		"en/account_outage_on en/month_11 en/day_28"
	if got := hd.text(id); !strings.Contains(got, want) {
		t.Errorf("promptTrace %q\nwant it to contain %q", got, want)
	}
	if p := pathString(h.events.path(id)); p != "menu>account>lookup>notices>status>served" {
		t.Errorf("path %s", p)
	}

	unknown, _ := enterAccount(t, h, "1", "5555555555")
	h.events.waitNode(t, unknown, "unknown")
	h.events.waitEnd(t, unknown)
	h.waitIdle()
	if got := h.metric("hotline_lookups_total", "service", "accounts", "result", "ok"); got != 1 {
		t.Errorf("lookups ok = %v", got)
	}
	if got := h.metric("hotline_lookups_total", "service", "accounts", "result", "not_found"); got != 1 {
		t.Errorf("lookups not_found = %v", got)
	}
	if got := h.metric("hotline_lookup_duration_seconds", "service", "accounts"); got != 2 {
		t.Errorf("lookup duration samples = %v", got)
	}
}

func TestLookupServiceDownFallsBack(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // connection refused from now on
	h := start(t, selfServiceConfig, func(c *config.Config) {
		c.Services["accounts"] = config.Service{URL: dead.URL, Timeout: 500 * time.Millisecond}
	})
	hd := traceHeard(h)
	id, _ := enterAccount(t, h, "1", "1234567890")
	h.events.waitNode(t, id, "desk")
	done := h.events.wait(t, id, "lookup", func(e call.Event) bool { return e.Kind == call.LookupDone })
	if done.Reason != selfservice.LookupError {
		t.Errorf("lookup result %q, want error", done.Reason)
	}
	if !strings.Contains(hd.text(id), "en/lookup_unavailable") {
		t.Errorf("fallback not promptTrace: %q", hd.text(id))
	}
	h.events.waitEnd(t, id)
	h.waitIdle()
	if got := h.metric("hotline_lookups_total", "service", "accounts", "result", "error"); got != 1 {
		t.Errorf("lookups error = %v", got)
	}
}

// toneWAV is a 16 kHz mono recording, so the upload path must resample.
func toneWAV(t *testing.T, rate int, d time.Duration) []byte {
	t.Helper()
	pcm := make([]int16, int(d.Seconds()*float64(rate)))
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	var buf bytes.Buffer
	if err := wav.Encode(&buf, pcm, rate, 1); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type noticeJSON struct {
	ID      int64             `json:"id"`
	Areas   []string          `json:"areas"`
	Prompts map[string]string `json:"prompts"`
	Expired bool              `json:"expired"`
}

func TestNoticeHangupIsSelfService(t *testing.T) {
	h := start(t, selfServiceConfig, nil)
	code, body := ssRequest(t, h, "POST", "/api/v1/notices", map[string]any{
		"areas": []string{"north"}, "text": "Planned work in the north",
		"audio": map[string]string{"en": base64.StdEncoding.EncodeToString(toneWAV(t, 16000, 1500*time.Millisecond))},
	})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var n noticeJSON
	if err := json.Unmarshal(body, &n); err != nil || n.ID == 0 || n.Prompts["en"] != "en.wav" {
		t.Fatalf("created %s (%v)", body, err)
	}
	if _, err := os.Stat(filepath.Join(h.srv.cfg.DataDir, "notices", fmt.Sprint(n.ID), "en.wav")); err != nil {
		t.Fatalf("recording not stored: %v", err)
	}
	code, body = ssRequest(t, h, "GET", "/api/v1/notices?active=true", nil)
	if code != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`"id":%d`, n.ID)) {
		t.Fatalf("list: %d %s", code, body)
	}

	id, hangup := enterAccount(t, h, "1", "1234567890")
	played := h.events.wait(t, id, "notice", func(e call.Event) bool { return e.Kind == call.NoticePlayed })
	if played.Detail != fmt.Sprint(n.ID) || played.Target != "north" {
		t.Errorf("notice played %+v", played)
	}
	hangup()
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultSelfService || end.Reason != metrics.ReasonNoticeHangup {
		t.Errorf("end %+v, want self-service after a notice", end)
	}

	code, body = ssRequest(t, h, "POST", fmt.Sprintf("/api/v1/notices/%d/expire", n.ID), nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"expired":true`) {
		t.Fatalf("expire: %d %s", code, body)
	}
	after, _ := enterAccount(t, h, "1", "1234567890")
	h.events.waitNode(t, after, "status")
	h.events.waitEnd(t, after)
	if ssHasEvent(h, after, call.NoticePlayed) {
		t.Error("an expired notice was played")
	}
	h.waitIdle()
	if got := h.metric("hotline_notice_played_total"); got != 1 {
		t.Errorf("notices played = %v", got)
	}
	if got := h.metric("hotline_notice_hangups_total"); got != 1 {
		t.Errorf("notice hang-ups = %v", got)
	}
	if got := h.metric("hotline_calls_total", "result", "self_service"); got != 2 {
		t.Errorf("self-service calls = %v", got)
	}
	if code, _ := ssRequest(t, h, "DELETE", fmt.Sprintf("/api/v1/notices/%d", n.ID), nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
	if code, _ := ssRequest(t, h, "DELETE", fmt.Sprintf("/api/v1/notices/%d", n.ID), nil); code != http.StatusNotFound {
		t.Errorf("second delete: %d", code)
	}
}

func TestNoticeAPIRejectsBadInput(t *testing.T) {
	h := start(t, selfServiceConfig, nil)
	eightBit := toneWAV(t, 8000, time.Second)
	eightBit[34] = 8 // bits per sample
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"no areas", map[string]any{"text": "x"}, "areas"},
		{"comma in area", map[string]any{"areas": []string{"a,b"}, "text": "x"}, "area"},
		{"unknown language", map[string]any{"areas": []string{"north"}, "audio": map[string]string{"fr": base64.StdEncoding.EncodeToString(eightBit)}}, "unknown language"},
		{"not a wav", map[string]any{"areas": []string{"north"}, "audio": map[string]string{"en": base64.StdEncoding.EncodeToString([]byte("hello"))}}, "bad recording"},
		{"8-bit pcm", map[string]any{"areas": []string{"north"}, "audio": map[string]string{"en": base64.StdEncoding.EncodeToString(eightBit)}}, "8-bit"},
		{"ends before start", map[string]any{"areas": []string{"north"}, "text": "x", "starts_at": "2026-11-23T10:00:00Z", "ends_at": "2026-11-23T09:00:00Z"}, "ends_at"},
		{"unknown field", map[string]any{"areas": []string{"north"}, "colour": "red"}, "unknown field"},
	}
	for _, c := range cases {
		code, body := ssRequest(t, h, "POST", "/api/v1/notices", c.body)
		if code != http.StatusBadRequest || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s (want 400 mentioning %q)", c.name, code, body, c.want)
		}
	}
	// Text alone asks for generated speech: made when espeak-ng is there,
	// else refused with a request to upload a recording.
	code, body := ssRequest(t, h, "POST", "/api/v1/notices", map[string]any{"areas": []string{"*"}, "text": "Storm warning"})
	if _, err := exec.LookPath("espeak-ng"); err == nil {
		if code != http.StatusCreated {
			t.Errorf("generated notice: %d %s", code, body)
		}
	} else if code != http.StatusUnprocessableEntity || !strings.Contains(string(body), "upload a recording") {
		t.Errorf("generated notice without espeak-ng: %d %s", code, body)
	}
	if code, _ := ssRequest(t, h, "PUT", "/api/v1/notices/999", map[string]any{"text": "x"}); code != http.StatusNotFound {
		t.Errorf("update unknown: %d", code)
	}
	if code, _ := ssRequest(t, h, "POST", "/api/v1/notices/abc/expire", nil); code != http.StatusBadRequest {
		t.Errorf("bad id: %d", code)
	}
}

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
	filed := h.events.wait(t, id, "fault report", func(e call.Event) bool { return e.Kind == call.FaultReported })
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

func ssHasEvent(h *harness, callID string, kind call.Kind) bool {
	h.events.mu.Lock()
	defer h.events.mu.Unlock()
	for _, e := range h.events.events {
		if e.CallID == callID && e.Kind == kind {
			return true
		}
	}
	return false
}

func TestNoticeMultipartUploadAndUpdate(t *testing.T) {
	h := start(t, selfServiceConfig, nil)
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("areas", "north,east")
	_ = mw.WriteField("text", "Cable repair")
	_ = mw.WriteField("ends_at", "2030-01-01T00:00:00Z")
	fw, _ := mw.CreateFormFile("audio_en", "notice.wav")
	_, _ = fw.Write(toneWAV(t, 44100, time.Second))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", "http://"+h.srv.HTTPAddr()+"/api/v1/notices", &form)
	req.Header.Set("Authorization", "Bearer "+ssToken)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var n noticeJSON
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &n) != nil || len(n.Areas) != 2 {
		t.Fatalf("multipart create: %d %s", resp.StatusCode, body)
	}
	code, body := ssRequest(t, h, "PUT", fmt.Sprintf("/api/v1/notices/%d", n.ID), map[string]any{"areas": []string{"south"}})
	if code != http.StatusOK || !strings.Contains(string(body), `"areas":["south"]`) || !strings.Contains(string(body), `"text":"Cable repair"`) {
		t.Fatalf("update: %d %s", code, body)
	}
	// The board follows the update at once.
	if got := h.srv.areaNotices("north"); len(got) != 0 {
		t.Errorf("north still has %v", got)
	}
	if got := h.srv.areaNotices("south"); len(got) != 1 || got[0].ID != fmt.Sprint(n.ID) {
		t.Errorf("south has %v", got)
	}
}

// A caller who picks the area from a menu (a set node) hears that area's
// notices, and another area's caller does not.
func TestNoticeForChosenArea(t *testing.T) {
	h := start(t, selfServiceConfig, nil)
	code, body := ssRequest(t, h, "POST", "/api/v1/notices", map[string]any{
		"areas": []string{"south"}, "text": "Water mains repair in the south",
		"audio": map[string]string{"en": base64.StdEncoding.EncodeToString(toneWAV(t, 8000, time.Second))},
	})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var n noticeJSON
	if err := json.Unmarshal(body, &n); err != nil {
		t.Fatal(err)
	}
	south, hangup := enterAccount(t, h, "3", "2")
	played := h.events.wait(t, south, "notice", func(e call.Event) bool { return e.Kind == call.NoticePlayed })
	if played.Detail != fmt.Sprint(n.ID) || played.Target != "south" {
		t.Errorf("notice played %+v", played)
	}
	hangup()
	if end := h.events.waitEnd(t, south); end.Result != call.ResultSelfService {
		t.Errorf("end %+v, want self-service after a notice", end)
	}

	north, _ := enterAccount(t, h, "3", "1")
	h.events.waitEnd(t, north)
	if ssHasEvent(h, north, call.NoticePlayed) {
		t.Error("the north caller heard the south notice")
	}
}
