package app

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/audiotest"
	"github.com/hotline-oss/hotline/metrics"
)

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
		"audio": map[string]string{"en": base64.StdEncoding.EncodeToString(audiotest.ToneWAV(t, 16000, 1500*time.Millisecond))},
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
	eightBit := audiotest.ToneWAV(t, 8000, time.Second)
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
	_, _ = fw.Write(audiotest.ToneWAV(t, 44100, time.Second))
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
		"audio": map[string]string{"en": base64.StdEncoding.EncodeToString(audiotest.ToneWAV(t, 8000, time.Second))},
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
