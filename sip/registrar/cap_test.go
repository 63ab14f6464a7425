package registrar

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestRegistrarSixthContactReplacesTheOldest(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	r := New(clock.now, nil)
	var replaced []string
	r.OnReplaced = func(user string, b Binding) { replaced = append(replaced, user+" "+b.Contact.Host) }
	phone := func(i int) string { return fmt.Sprintf("<sip:1001@10.0.1.%d:5060>", i) }
	for i := 1; i <= 5; i++ {
		clock.t = clock.t.Add(time.Second)
		if bs, err := r.Update("1001", registerWith(t, fmt.Sprintf("p%d", i), 1, "600", phone(i)), "x"); err != nil || len(bs) != i {
			t.Fatalf("phone %d: %v, %d bindings", i, err, len(bs))
		}
	}
	// Phone 1 refreshes: phone 2 is now the one refreshed longest ago.
	if _, err := r.Update("1001", registerWith(t, "p1", 2, "600", phone(1)), "x"); err != nil {
		t.Fatal(err)
	}
	bs, err := r.Update("1001", registerWith(t, "p6", 1, "600", phone(6)), "x")
	if err != nil || len(bs) != DefaultMaxContacts {
		t.Fatalf("sixth phone: %v, %d bindings, want %d", err, len(bs), DefaultMaxContacts)
	}
	var hosts []string
	for _, b := range r.Lookup("1001") {
		hosts = append(hosts, b.Contact.Host)
	}
	slices.Sort(hosts)
	if want := []string{"10.0.1.1", "10.0.1.3", "10.0.1.4", "10.0.1.5", "10.0.1.6"}; !slices.Equal(hosts, want) {
		t.Errorf("bindings %v, want %v", hosts, want)
	}
	if len(replaced) != 1 || replaced[0] != "1001 10.0.1.2" {
		t.Errorf("replaced %v, want phone 2 of 1001", replaced)
	}
	// Another agent has a cap of its own.
	if bs, _ := r.Update("1002", registerWith(t, "q1", 1, "600", "<sip:1002@10.0.2.1>"), "x"); len(bs) != 1 {
		t.Errorf("agent 1002: %d bindings", len(bs))
	}
}

func TestRegistrarCapAppliesWithinOneRegister(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	r := New(clock.now, nil)
	r.MaxContacts = 2
	n := 0
	r.OnReplaced = func(string, Binding) { n++ }
	bs, err := r.Update("1001", registerWith(t, "c", 1, "600",
		"<sip:1001@10.0.3.1>", "<sip:1001@10.0.3.2>", "<sip:1001@10.0.3.3>"), "x")
	if err != nil || len(bs) != 2 || bs[0].Contact.Host != "10.0.3.2" || bs[1].Contact.Host != "10.0.3.3" {
		t.Fatalf("%v %+v, want the last two contacts", err, bs)
	}
	if n != 1 {
		t.Errorf("%d replacements, want 1", n)
	}
}
