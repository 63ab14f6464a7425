package interp

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

func lookupHarness(t *testing.T, lang string) *harness {
	t.Helper()
	flows, _, err := ivrtest.ParseConfig(t, "lookup.yaml", ivrtest.LookupFlow, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, flows["main"], Env{Language: lang})
	h.start()
	h.done()
	return h
}

// lastLookup returns the Lookup among actions.
func lookupIn(t *testing.T, actions []Action) Lookup {
	t.Helper()
	for _, a := range actions {
		if l, ok := a.(Lookup); ok {
			return l
		}
	}
	t.Fatalf("no lookup in %v", actions)
	return Lookup{}
}

func TestLookupFoundSpeaksAccount(t *testing.T) {
	h := lookupHarness(t, "en")
	acts := h.s.Handle(Digit{D: '1'})
	acts = append(acts, h.s.Handle(Digit{D: '2'})...)
	acts = append(acts, h.s.Handle(Digit{D: '3'})...)
	acts = append(acts, h.s.Handle(Digit{D: '4'})...)
	l := lookupIn(t, acts)
	if l.Service != "accounts" || l.Account != "1234" {
		t.Fatalf("lookup %+v", l)
	}
	got := h.send(LookupResult{ID: l.ID, Status: LookupOK, Vars: map[string]string{
		ivr.VarBalanceCents: "12345", ivr.VarArrearsCents: "0", ivr.VarDueDate: "2026-12-05", ivr.VarArea: "north",
	}})
	expect(t, "result", got, "stop", "enter say",
		"play en/account_balance_is en/num_1 en/num_100 en/num_20 en/num_3 en/currency_major en/num_40 en/num_5 en/currency_minor "+
			"en/account_due_on en/month_12 en/day_5")
	if v := h.s.Vars(); v[ivr.VarArea] != "north" || v["account"] != "1234" {
		t.Errorf("vars %v", v)
	}
	expect(t, "said", h.done(), "enter bye", "play en/goodbye")
	expect(t, "bye", h.done(), "hangup completed self-service")
}

func TestLookupNotFoundAndStaleResult(t *testing.T) {
	h := lookupHarness(t, "zh")
	acts := append(h.s.Handle(Digit{D: '5'}), h.s.Handle(Digit{D: '#'})...)
	l := lookupIn(t, acts)
	expect(t, "stale id", h.send(LookupResult{ID: l.ID + 7, Status: LookupOK}))
	expect(t, "not found", h.send(LookupResult{ID: l.ID, Status: LookupNotFound}), "stop", "enter unknown", "play zh/account_unknown")
	expect(t, "late duplicate", h.send(LookupResult{ID: l.ID, Status: LookupOK}))
}

func TestLookupFailureSpeaksFallback(t *testing.T) {
	h := lookupHarness(t, "en")
	l := lookupIn(t, append(h.s.Handle(Digit{D: '5'}), h.s.Handle(Digit{D: '#'})...))
	got := h.send(LookupResult{ID: l.ID, Status: LookupFailed})
	expect(t, "failed", got, "stop", "play en/lookup_unavailable")
	expect(t, "key during fallback", h.keys("1"))
	expect(t, "fallback done", h.done(), "enter desk", "queue billing 0")
}

func TestLookupTimesOutOnTheInjectedTimer(t *testing.T) {
	h := lookupHarness(t, "en")
	acts := append(h.s.Handle(Digit{D: '5'}), h.s.Handle(Digit{D: '#'})...)
	l := lookupIn(t, acts)
	var timer StartTimer
	for _, a := range acts {
		if st, ok := a.(StartTimer); ok {
			timer = st
		}
	}
	if timer.After != 3*time.Second {
		t.Fatalf("lookup timer %v, want 3s", timer.After)
	}
	expect(t, "please-wait prompt ends", h.done())
	expect(t, "timeout", h.send(TimerFired{ID: timer.ID}), "play en/lookup_unavailable")
	expect(t, "result after giving up", h.send(LookupResult{ID: l.ID, Status: LookupOK}))
}
