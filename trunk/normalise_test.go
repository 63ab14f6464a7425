package trunk

import "testing"

func TestNumberingApply(t *testing.T) {
	cn := Numbering{CountryCode: "86", NationalPrefix: "0", InternationalPrefix: "00"}
	cases := []struct {
		rule Rule
		in   string
		want string
	}{
		{Rule{Format: Keep}, "02112345678", "02112345678"},
		{Rule{Format: E164}, "02112345678", "+862112345678"},
		{Rule{Format: E164}, "13800000001", "+8613800000001"},
		{Rule{Format: E164}, "+442071234567", "+442071234567"},
		{Rule{Format: E164}, "00442071234567", "+442071234567"},
		{Rule{Format: E164}, "95598", "95598"}, // service code
		{Rule{Format: E164}, "alice", "alice"}, // not a number
		{Rule{Format: E164}, "*21", "*21"},     // feature code
		{Rule{Format: National}, "+862112345678", "02112345678"},
		{Rule{Format: National}, "+442071234567", "00442071234567"},
		{Rule{Format: National}, "02112345678", "02112345678"},
		{Rule{Format: Keep, Strip: "+86"}, "+8613800000001", "13800000001"},
		{Rule{Format: Keep, Strip: "9"}, "913800000001", "13800000001"},
		{Rule{Format: National, Add: "17909"}, "+862112345678", "1790902112345678"},
		{Rule{Format: E164, Strip: "9"}, "902112345678", "+862112345678"},
		{Rule{Format: Keep, Add: "0"}, "", ""},
	}
	for _, c := range cases {
		if got := cn.Apply(c.rule, c.in); got != c.want {
			t.Errorf("Apply(%+v, %q) = %q, want %q", c.rule, c.in, got, c.want)
		}
	}
	if got := (Numbering{}).Apply(Rule{Format: E164}, "02112345678"); got != "02112345678" {
		t.Errorf("without a country code e164 must keep the number, got %q", got)
	}
}
