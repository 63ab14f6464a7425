package registrar

import (
	"errors"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

func registerWith(t *testing.T, callID string, cseq uint32, expires string, contacts ...string) *sipmsg.Request {
	t.Helper()
	req := sipmsg.NewRequest(sipmsg.REGISTER, sipmsg.Uri{Host: "127.0.0.1"})
	req.AppendHeader(sipmsg.NewHeader("Call-ID", callID))
	req.AppendHeader(&sipmsg.CSeqHeader{SeqNo: cseq, MethodName: sipmsg.REGISTER})
	if expires != "" {
		req.AppendHeader(sipmsg.NewHeader("Expires", expires))
	}
	for _, c := range contacts {
		var h sipmsg.ContactHeader
		if c == "*" {
			h.Address.Wildcard = true
		} else if _, err := sipmsg.ParseAddressValue(c, &h.Address, &h.Params); err != nil {
			t.Fatal(err)
		}
		req.AppendHeader(&h)
	}
	return req
}

func TestRegistrarBindAndExpire(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	var changes []string
	r := New(clock.now, func(u string, on bool) {
		if on {
			changes = append(changes, u+"+")
		} else {
			changes = append(changes, u+"-")
		}
	})
	bs, err := r.Update("1001", registerWith(t, "c1", 1, "120", "<sip:1001@10.0.0.5:5062>"), "203.0.113.5:40000")
	if err != nil || len(bs) != 1 || bs[0].Source != "203.0.113.5:40000" {
		t.Fatalf("bind: %v %+v", err, bs)
	}
	// A second phone of the same agent: both ring.
	if bs, _ = r.Update("1001", registerWith(t, "c2", 1, "", "<sip:1001@10.0.0.6:5060>;expires=300"), "203.0.113.6:5060"); len(bs) != 2 {
		t.Fatalf("second contact: %+v", bs)
	}
	// A refresh replaces, it does not add.
	if bs, _ = r.Update("1001", registerWith(t, "c1", 2, "120", "<sip:1001@10.0.0.5:5062>"), "203.0.113.5:40000"); len(bs) != 2 {
		t.Fatalf("refresh: %+v", bs)
	}
	if _, err := r.Update("1001", registerWith(t, "c1", 2, "120", "<sip:1001@10.0.0.5:5062>"), "x"); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("replayed CSeq: %v", err)
	}
	if _, err := r.Update("1001", registerWith(t, "c3", 1, "10", "<sip:1001@10.0.0.7>"), "x"); !errors.Is(err, ErrIntervalTooBrief) {
		t.Errorf("10 s: %v", err)
	}
	clock.t = clock.t.Add(200 * time.Second)
	r.Expire()
	if bs := r.Lookup("1001"); len(bs) != 1 || bs[0].Contact.Host != "10.0.0.6" {
		t.Fatalf("after 200 s: %+v", bs)
	}
	clock.t = clock.t.Add(200 * time.Second)
	r.Expire()
	if bs := r.Lookup("1001"); len(bs) != 0 {
		t.Fatalf("after 400 s: %+v", bs)
	}
	if len(changes) != 2 || changes[0] != "1001+" || changes[1] != "1001-" {
		t.Errorf("changes %v", changes)
	}
}

func TestRegistrarUnregister(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	gone := 0
	r := New(clock.now, func(_ string, on bool) {
		if !on {
			gone++
		}
	})
	_, _ = r.Update("1002", registerWith(t, "c1", 1, "600", "<sip:1002@10.0.0.5>", "<sip:1002@10.0.0.8>"), "x")
	if _, err := r.Update("1002", registerWith(t, "c1", 2, "0", "*"), "x"); err != nil {
		t.Fatal(err)
	}
	if len(r.Lookup("1002")) != 0 || gone != 1 {
		t.Errorf("wildcard un-register: %d left, %d notifications", len(r.Lookup("1002")), gone)
	}
	if _, err := r.Update("1002", registerWith(t, "c1", 3, "60", "*"), "x"); err == nil {
		t.Error("wildcard with a non-zero Expires must be refused")
	}
}
