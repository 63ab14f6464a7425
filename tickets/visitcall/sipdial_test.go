package visitcall

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/dialpolicy"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestVisitDialCheckRefusesOffListAndDoNotCallNumbers(t *testing.T) {
	allow, err := dialpolicy.NewAllowList([]string{`1[3-9]\d{9}`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := &Dialer{d: Deps{Clock: fixedClock(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))}, allow: allow, caps: dialpolicy.Caps{PerNumber: 2, PerHour: 10},
		doNotCall: []*regexp.Regexp{regexp.MustCompile(`^(?:13912345678)$`)}}
	refusal := func(err error) dialpolicy.Reason {
		var r *dialpolicy.Refusal
		if !errors.As(err, &r) {
			return ""
		}
		return r.Reason
	}
	if r := refusal(v.check("a", "00861234567")); r != dialpolicy.NotAllowed {
		t.Errorf("off the allow-list: %q", r)
	}
	if r := refusal(v.check("b", "13912345678")); r != DoNotCall {
		t.Errorf("do-not-call number: %q", r)
	}
	if err := v.check("c1", "13800000001"); err != nil {
		t.Fatal(err)
	}
	if err := v.check("c2", "13800000001"); err != nil {
		t.Fatal(err)
	}
	if r := refusal(v.check("c3", "13800000001")); r != dialpolicy.NumberCap {
		t.Errorf("third visit call to one number in 24h: %q", r)
	}
}
