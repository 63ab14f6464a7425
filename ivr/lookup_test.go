package ivr

import (
	"strings"
	"testing"
)

func TestLookupParseErrors(t *testing.T) {
	bad := strings.Replace(lookupFlow, "        not_found: unknown\n", "", 1)
	if _, _, err := parseConfig(t, "lookup.yaml", bad, Validator{}); err == nil || !strings.Contains(err.Error(), `missing key "not_found"`) {
		t.Errorf("missing not_found: %v", err)
	}
	_, _, err := parseConfig(t, "lookup.yaml", lookupFlow, Validator{HasService: func(s string) bool { return s == "crm" }})
	if err == nil || !strings.Contains(err.Error(), `unknown service "accounts"`) {
		t.Errorf("unknown service: %v", err)
	}
}

func TestAccountSpeechSkipsBadValues(t *testing.T) {
	got := AccountSpeech("zh", map[string]string{
		VarBalanceCents: "abc", VarArrearsCents: "5000", VarDueDate: "2026-13-01",
		VarOutageStart: "2026-12-01T08:00:00+08:00",
	})
	want := "account_arrears_is 5 10 currency_major account_outage_on month_12 day_1"
	if names(got) != want {
		t.Errorf("speech %q, want %q", names(got), want)
	}
}

const lookupFlow = `
flows:
  main:
    start: account
    nodes:
      account:
        type: collect
        prompts: [enter_account]
        var: account
        max: 4
        next: lookup
      lookup:
        type: lookup
        service: accounts
        prompts: [please_wait]
        fallback: [lookup_unavailable]
        timeout: 3s
        next: say
        not_found: unknown
        on_fail: desk
      say: {type: say_account, next: bye}
      unknown: {type: play, prompts: [account_unknown], next: account}
      desk: {type: queue, queue: billing}
      bye: {type: hangup, prompts: [goodbye], self_service: true}
`
