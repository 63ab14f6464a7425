package sipregister

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// scripted answers each REGISTER with the next of its responses, built by
// the given functions, and keeps the requests.
type scripted struct {
	answers []func(req *sip.Request) *sip.Response
	sent    []*sip.Request
}

func (s *scripted) send(_ context.Context, req *sip.Request) (*sip.Response, error) {
	s.sent = append(s.sent, req)
	if len(s.answers) == 0 {
		return nil, errors.New("no answer scripted")
	}
	answer := s.answers[0]
	s.answers = s.answers[1:]
	return answer(req), nil
}

func reply(code int, reason string, headers ...sip.Header) func(*sip.Request) *sip.Response {
	return func(req *sip.Request) *sip.Response {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		for _, h := range headers {
			res.AppendHeader(h)
		}
		return res
	}
}

func contact(uri string, expires string) *sip.ContactHeader {
	c := &sip.ContactHeader{Params: sip.NewParams()}
	if err := sip.ParseUri(uri, &c.Address); err != nil {
		panic(err)
	}
	if expires != "" {
		c.Params.Add("expires", expires)
	}
	return c
}

func newClient(s *scripted) *Client {
	return New(Identity{
		User: "1001", Domain: "127.0.0.1",
		Registrar: sip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: 5060},
		Contact:   *contact("sip:1001@127.0.0.1:40000", ""),
	}, s.send)
}

func TestRegisterReadsBindingsAndKeepsTheDialog(t *testing.T) {
	s := &scripted{answers: []func(*sip.Request) *sip.Response{
		reply(200, "OK", contact("sip:1001@127.0.0.1:40000", "90"), contact("sip:1001@10.0.0.9:5060", "300")),
		reply(200, "OK", sip.NewHeader("Expires", "60")),
	}}
	c := newClient(s)

	reg, err := c.Register(context.Background(), Options{Expires: 2 * time.Minute})
	if err != nil || !reg.OK() || reg.Expires != 90*time.Second || len(reg.Contacts) != 2 {
		t.Fatalf("Register = %+v, %v; want our contact's 90s and both bindings", reg, err)
	}
	reg, err = c.Register(context.Background(), Options{Expires: 2 * time.Minute})
	if err != nil || reg.Expires != time.Minute || len(reg.Contacts) != 0 {
		t.Fatalf("Register = %+v, %v; want the Expires header's 60s", reg, err)
	}
	first, second := s.sent[0], s.sent[1]
	if first.CallID().Value() != second.CallID().Value() || second.CSeq().SeqNo != first.CSeq().SeqNo+1 {
		t.Errorf("Call-ID %s then %s, CSeq %d then %d: want one Call-ID, rising CSeq",
			first.CallID().Value(), second.CallID().Value(), first.CSeq().SeqNo, second.CSeq().SeqNo)
	}
	if got := first.GetHeader("Expires").Value(); got != "120" {
		t.Errorf("Expires sent = %s, want 120", got)
	}
}

func TestRegisterFollowsMinExpiresWhenAsked(t *testing.T) {
	tooBrief := reply(sip.StatusIntervalToBrief, "Interval Too Brief", sip.NewHeader("Min-Expires", "600"))
	s := &scripted{answers: []func(*sip.Request) *sip.Response{tooBrief, reply(200, "OK")}}
	c := newClient(s)

	reg, err := c.Register(context.Background(), Options{Expires: time.Minute, FollowMinExpires: true})
	if err != nil || !reg.OK() || reg.Expires != 10*time.Minute {
		t.Fatalf("Register = %+v, %v; want 200 for the minimum", reg, err)
	}
	if got := s.sent[1].GetHeader("Expires").Value(); got != "600" {
		t.Errorf("retry asked for %s, want 600", got)
	}

	s.answers = append(s.answers, tooBrief)
	reg, err = c.Register(context.Background(), Options{Expires: time.Minute})
	if err != nil || reg.Code != sip.StatusIntervalToBrief || reg.Reason != "Interval Too Brief" || reg.OK() {
		t.Errorf("Register without following = %+v, %v; want the 423", reg, err)
	}
}

func TestRemovalReusesTheLastSuccessfulCredentials(t *testing.T) {
	s := &scripted{answers: []func(*sip.Request) *sip.Response{reply(200, "OK"), reply(403, "Forbidden")}}
	c := newClient(s)

	good := Options{Password: "s3cret", AuthUser: "agent", Expires: time.Hour, FollowMinExpires: true}
	if _, err := c.Register(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(context.Background(), Options{Password: "wrong", Expires: time.Hour}); err != nil {
		t.Fatal(err)
	}
	want := Options{Password: "s3cret", AuthUser: "agent"}
	if got := c.Removal(); got != want {
		t.Errorf("Removal = %+v, want %+v", got, want)
	}
}

func TestRegisterReturnsTheSendersError(t *testing.T) {
	c := newClient(&scripted{})
	if _, err := c.Register(context.Background(), Options{Expires: time.Hour}); err == nil {
		t.Error("Register with nothing answering = nil error")
	}
}
