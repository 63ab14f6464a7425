package call

import (
	"testing"
	"time"
)

func TestBusDeliversInOrderToEverySubscriber(t *testing.T) {
	var bus Bus
	var first, second []Kind
	bus.Subscribe(SubscriberFunc(func(e Event) { first = append(first, e.Kind) }))
	bus.Subscribe(SubscriberFunc(func(e Event) { second = append(second, e.Kind) }))
	at := time.Unix(0, 0)
	for _, k := range []Kind{CallArrived, CallAnswered, CallEnded} {
		bus.Publish(Event{Kind: k, Time: at})
	}
	want := []Kind{CallArrived, CallAnswered, CallEnded}
	for i, got := range [][]Kind{first, second} {
		if len(got) != len(want) {
			t.Fatalf("subscriber %d got %v, want %v", i, got, want)
		}
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("subscriber %d got %v, want %v", i, got, want)
			}
		}
	}
}

func TestKindNames(t *testing.T) {
	if CallEnded.String() != "call_ended" || Kind(200).String() != "unknown" {
		t.Fatalf("names: %q %q", CallEnded, Kind(200))
	}
}
