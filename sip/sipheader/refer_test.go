package sipheader

import (
	"errors"
	"testing"
)

func TestReferReplacesParsing(t *testing.T) {
	cases := []struct {
		referTo string
		want    Replaces
		has     bool
		bad     bool
	}{
		{referTo: "<sip:1002@10.0.0.1>"},
		{referTo: "<sip:1002@10.0.0.1?Replaces=abc%40host%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>",
			want: Replaces{CallID: "abc@host", ToTag: "t1", FromTag: "f1"}, has: true},
		// Header names are case-insensitive and the tags may come in any order.
		{referTo: "<sip:1002@h?replaces=id1%3Bfrom-tag%3Df%3Bto-tag%3Dt%3Bearly-only>",
			want: Replaces{CallID: "id1", ToTag: "t", FromTag: "f"}, has: true},
		{referTo: "<sip:1002@h?Replaces=id1%3Bto-tag%3Dt>", has: true, bad: true},
		{referTo: "<sip:1002@h?Replaces=%3Bto-tag%3Dt%3Bfrom-tag%3Df>", has: true, bad: true},
		{referTo: "<sip:1002@h?Replaces=id%3Bto-tag%3Dt%3Bfrom-tag%3Df%3Bbogus%3D1>", has: true, bad: true},
		{referTo: "<sip:1002@h?Replaces=id%ZZ>", has: true, bad: true},
	}
	for _, tc := range cases {
		got, has, err := ReferReplaces(tc.referTo)
		if has != tc.has {
			t.Errorf("%s: has Replaces %v, want %v", tc.referTo, has, tc.has)
		}
		if tc.bad {
			if !errors.Is(err, ErrBadReplaces) {
				t.Errorf("%s: err %v, want ErrBadReplaces", tc.referTo, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v %v, want %+v", tc.referTo, got, err, tc.want)
		}
	}
}
