package ivr_test

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

func TestLookupParseErrors(t *testing.T) {
	bad := strings.Replace(ivrtest.LookupFlow, "        not_found: unknown\n", "", 1)
	if _, _, err := ivrtest.ParseConfig(t, "lookup.yaml", bad, ivr.Validator{}); err == nil || !strings.Contains(err.Error(), `missing key "not_found"`) {
		t.Errorf("missing not_found: %v", err)
	}
	_, _, err := ivrtest.ParseConfig(t, "lookup.yaml", ivrtest.LookupFlow, ivr.Validator{HasService: func(s string) bool { return s == "crm" }})
	if err == nil || !strings.Contains(err.Error(), `unknown service "accounts"`) {
		t.Errorf("unknown service: %v", err)
	}
}

func TestAccountSpeechSkipsBadValues(t *testing.T) {
	got := ivr.AccountSpeech("zh", map[string]string{
		ivr.VarBalanceCents: "abc", ivr.VarArrearsCents: "5000", ivr.VarDueDate: "2026-13-01",
		ivr.VarOutageStart: "2026-12-01T08:00:00+08:00",
	})
	want := "account_arrears_is 5 10 currency_major account_outage_on month_12 day_1"
	if names(got) != want {
		t.Errorf("speech %q, want %q", names(got), want)
	}
}
