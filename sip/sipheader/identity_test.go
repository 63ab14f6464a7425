package sipheader

import "testing"

func TestAssertedNumber(t *testing.T) {
	for value, want := range map[string]string{
		"<sip:+8613800000001@sbc.carrier.example;user=phone>":            "+8613800000001",
		`"Zhang San" <sip:13800000001@10.0.0.1>`:                         "13800000001",
		"<tel:+86-138-0000-0001;cpc=ordinary>":                           "+8613800000001",
		"tel:13800000001":                                                "13800000001",
		"<sips:13800000001@sbc>, <tel:+8613800000001>":                   "13800000001",
		`"a, b" <sip:anonymous@anonymous.invalid>, <tel:+8613900000002>`: "+8613900000002",
		"<mailto:someone@example.com>, <sip:13800000001@sbc>":            "13800000001",
		"<sip:sbc.carrier.example>":                                      "",
		"<sip:13800000001x@sbc>":                                         "",
		"<sip:+@sbc>":                                                    "",
		"<sip:13800000001@sbc":                                           "",
		"":                                                               "",
	} {
		if got := AssertedNumber(value); got != want {
			t.Errorf("assertedNumber(%q) = %q, want %q", value, got, want)
		}
	}
}
