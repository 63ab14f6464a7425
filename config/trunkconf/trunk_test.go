package trunkconf

import "testing"

func TestParseTrunkAddress(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1": "192.0.2.1:5060", "192.0.2.1:5080": "192.0.2.1:5080", "[2001:db8::1]:5061": "[2001:db8::1]:5061",
		"2001:db8::1": "[2001:db8::1]:5060",
	} {
		got, err := ParseTrunkAddress(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseTrunkAddress(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "host.example", "192.0.2.1:0", "192.0.2.1:99999"} {
		if _, err := ParseTrunkAddress(in); err == nil {
			t.Errorf("ParseTrunkAddress(%q) accepted", in)
		}
	}
}
