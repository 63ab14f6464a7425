package inbound

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// fakeHost records the replies a call sends through its Host.
type fakeHost struct {
	mu      sync.Mutex
	replies []*sipmsg.Response
	expired int
}

func (h *fakeHost) Reply(req *sipmsg.Request, _ sipmsg.ServerTransaction, code int, reason string, headers ...sipmsg.Header) {
	res := sipmsg.NewResponseFromRequest(req, code, reason, nil)
	for _, hd := range headers {
		res.AppendHeader(hd)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.replies = append(h.replies, res)
}

func (h *fakeHost) Respond(sipmsg.ServerTransaction, *sipmsg.Response) {}

func (h *fakeHost) Contact(string) sipmsg.Uri { return sipmsg.Uri{Host: "127.0.0.1"} }

func (h *fakeHost) TimerPolicy() sipheader.TimerPolicy {
	return sipheader.NewTimerPolicy(90*time.Second, 1800*time.Second)
}

func (h *fakeHost) TransactionTimeout() time.Duration { return time.Second }

func (h *fakeHost) Context() context.Context { return context.Background() }

func (h *fakeHost) Codecs() []rtpcodec.Codec { return []rtpcodec.Codec{rtpcodec.PCMA} }

func (h *fakeHost) SessionExpired() { h.expired++ }

func (h *fakeHost) Log() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var _ Host = (*fakeHost)(nil)

func newTestCall(h Host, late bool) *Call {
	return New(Params{
		ID: "c1", Number: "95598", Arrived: time.Unix(1_700_000_000, 0),
		Host: h, Log: h.Log(),
		Neg:      sdp.Negotiated{Codec: rtpcodec.PCMA, PayloadType: 8, Direction: sdp.SendRecv},
		LocalRTP: netip.MustParseAddrPort("127.0.0.1:20000"),
		Late:     late,
	})
}

func TestRefuseTimer(t *testing.T) {
	h := &fakeHost{}
	req := sipmsg.NewRequest(sipmsg.UPDATE, sipmsg.Uri{User: "95598", Host: "127.0.0.1"})
	if RefuseTimer(h, req, nil, false, nil) {
		t.Fatal("acceptable timer refused")
	}
	if !RefuseTimer(h, req, nil, true, nil) {
		t.Fatal("interval below Min-SE not refused")
	}
	if !RefuseTimer(h, req, nil, false, errors.New("bad header")) {
		t.Fatal("malformed header not refused")
	}
	if len(h.replies) != 2 {
		t.Fatalf("%d replies, want 2", len(h.replies))
	}
	if r := h.replies[0]; r.StatusCode != 422 || r.GetHeader("Min-SE") == nil || r.GetHeader("Min-SE").Value() != "90" {
		t.Errorf("too small: got %d with Min-SE %v, want 422 with Min-SE 90", r.StatusCode, r.GetHeader("Min-SE"))
	}
	if r := h.replies[1]; r.StatusCode != sipmsg.StatusBadRequest {
		t.Errorf("malformed: got %d, want 400", r.StatusCode)
	}
}

func TestStartSessionTimerArmsAndStops(t *testing.T) {
	c := newTestCall(&fakeHost{}, false)
	c.StartSessionTimer(sipheader.SessionTimer{}) // none negotiated
	if c.sessTimer != nil {
		t.Fatal("timer armed without a session interval")
	}
	st := sipheader.SessionTimer{Interval: 1800 * time.Second, Refresher: sipheader.RefresherUAS}
	c.StartSessionTimer(st)
	if c.sessTimer == nil || c.session != st {
		t.Fatalf("timer not armed for %+v", st)
	}
	c.StopSessionTimer()
	if c.sessTimer != nil {
		t.Fatal("timer still armed after StopSessionTimer")
	}
}

// A 2xx to our refresh rearms the timer with the interval and refresher
// it names, as long as the interval is not below our Min-SE.
func TestAfterRefreshTakesTheAnsweredInterval(t *testing.T) {
	c := newTestCall(&fakeHost{}, false)
	defer c.StopSessionTimer()
	st := sipheader.SessionTimer{Interval: 1800 * time.Second, Refresher: sipheader.RefresherUAS}
	res := sipmsg.NewResponse(sipmsg.StatusOK, "OK")
	res.AppendHeader(sipmsg.NewHeader("Session-Expires", "1200;refresher=uac"))
	c.afterRefresh(st, sipmsg.UPDATE, res, nil)
	want := sipheader.SessionTimer{Interval: 1200 * time.Second, Refresher: sipheader.RefresherUAC}
	if c.session != want {
		t.Errorf("session %+v, want %+v", c.session, want)
	}
	res = sipmsg.NewResponse(sipmsg.StatusOK, "OK")
	res.AppendHeader(sipmsg.NewHeader("Session-Expires", "30"))
	c.afterRefresh(want, sipmsg.UPDATE, res, nil)
	if c.session != want {
		t.Errorf("interval below Min-SE taken: session %+v, want %+v", c.session, want)
	}
}

// A refresh refused with anything but 408 or 481 leaves the call up, to
// expire at the interval unless the caller refreshes.
func TestAfterRefreshRefusedKeepsTheCall(t *testing.T) {
	c := newTestCall(&fakeHost{}, false)
	defer c.StopSessionTimer()
	st := sipheader.SessionTimer{Interval: 1800 * time.Second, Refresher: sipheader.RefresherUAS}
	c.afterRefresh(st, sipmsg.UPDATE, sipmsg.NewResponse(sipmsg.StatusMethodNotAllowed, "Method Not Allowed"), nil)
	if c.isEnded() {
		t.Fatal("call ended on a refused refresh")
	}
	if c.sessTimer == nil {
		t.Fatal("no expiry armed after a refused refresh")
	}
}

// A late offer's 200 carries our offer of every codec; otherwise the
// answer to the caller's offer.
func TestAnswerSDPLateOffer(t *testing.T) {
	h := &fakeHost{}
	late, err := sdp.Negotiate(newTestCall(h, true).AnswerSDP(), h.Codecs())
	if err != nil {
		t.Fatalf("our late offer does not parse: %v", err)
	}
	if late.DTMFPayloadType != LateOfferDTMF || late.Direction != sdp.SendRecv {
		t.Errorf("late offer: dtmf %d direction %s, want %d sendrecv", late.DTMFPayloadType, late.Direction, LateOfferDTMF)
	}
	if got := newTestCall(h, false).AnswerSDP(); len(got) == 0 {
		t.Error("no answer SDP")
	}
}
