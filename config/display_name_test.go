package config

import (
	"strings"
	"testing"
)

func TestQueueDisplayName(t *testing.T) {
	base := "numbers: {\"1\": main}\nqueues:\n  billing: {display_name: %s}\n  repairs: {}\n"
	cfg, err := Parse("f.yaml", []byte(strings.Replace(base, "%s", `"Billing & payments"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.QueueDisplayName("billing"); got != "Billing & payments" {
		t.Errorf("billing shows as %q", got)
	}
	if got := cfg.QueueDisplayName("repairs"); got != "repairs" {
		t.Errorf("a queue without display_name shows as %q, want its key", got)
	}
	for name, tc := range map[string]struct{ value, want string }{
		"blank":        {`"   "`, "queues.billing: display_name: must not be blank"},
		"too long":     {`"` + strings.Repeat("x", 41) + `"`, "queues.billing: display_name: 41 characters; at most 40"},
		"two lines":    {`"Billing\nPayments"`, "queues.billing: display_name: must be printable text on one line"},
		"control char": {`"Bill\u0007ing"`, "queues.billing: display_name: must be printable"},
	} {
		_, err := Parse("f.yaml", []byte(strings.Replace(base, "%s", tc.value, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want it to contain %q", name, err, tc.want)
		}
	}
	if _, err := Parse("f.yaml", []byte(strings.Replace(base, "%s", `"Störungen – 停电"`, 1))); err != nil {
		t.Errorf("a display name in other scripts: %v", err)
	}
}
