package agentstate

import (
	"errors"
	"testing"
)

// The whole legal-transition table; every other pair must be refused.
var legal = map[State]map[Event]State{
	LoggedOut: {EventLogin: Available},
	Available: {EventOffer: Ringing, EventPause: Paused, EventLogout: LoggedOut, EventConsult: Talking},
	Paused:    {EventReady: Available, EventPause: Paused, EventLogout: LoggedOut},
	Ringing: {EventAnswer: Talking, EventNoAnswer: Available, EventCancel: Available,
		EventPause: Paused, EventLogout: LoggedOut},
	Talking: {EventHold: Hold, EventHangup: Wrapup, EventConsultEnd: Available},
	Hold:    {EventUnhold: Talking, EventHangup: Wrapup},
	Wrapup:  {EventWrapupDone: Available, EventReady: Available, EventPause: Paused, EventLogout: LoggedOut},
}

func TestTransitionTable(t *testing.T) {
	for _, s := range States {
		for e := EventLogin; e <= EventConsultEnd; e++ {
			got, err := Transition(s, e)
			want, ok := legal[s][e]
			switch {
			case ok && (err != nil || got != want):
				t.Errorf("%s on %s: got %s, %v; want %s", s, e, got, err, want)
			case !ok && err == nil:
				t.Errorf("%s on %s: allowed (to %s), want refused", s, e, got)
			case !ok:
				wantErr(t, err, ErrInvalidTransition)
				if got != s {
					t.Errorf("%s on %s: refused but moved to %s", s, e, got)
				}
			}
		}
	}
}

func TestEnumNames(t *testing.T) {
	names := map[string]bool{}
	for _, s := range States {
		names[s.String()] = true
	}
	for _, want := range []string{"logged_out", "available", "paused", "ringing", "talking", "hold", "wrapup"} {
		if !names[want] {
			t.Errorf("no state named %s", want)
		}
	}
	if State(99).String() != "unknown" || Event(99).String() != "unknown" {
		t.Error("out-of-range names")
	}
	for e := EventLogin; e <= EventConsultEnd; e++ {
		if e.String() == "unknown" {
			t.Errorf("event %d has no name", e)
		}
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}
