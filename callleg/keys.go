package callleg

import (
	"time"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
)

// KeyWaits bound a ReadKeys dialogue.
type KeyWaits struct {
	First    time.Duration // after the prompt, for the first key
	Between  time.Duration // between keys
	Dialogue time.Duration // the most the whole question may take
}

// ReadKeys plays refs (a key interrupts them) and collects up to max keys,
// ending early on term (not included); a pause ends the input. gone
// reports a hang-up.
func (l *Leg) ReadKeys(refs []ivr.PromptRef, max int, term rune, w KeyWaits) (keys string, gone bool) {
	_ = l.Play(refs, true)
	guard := time.NewTimer(w.Dialogue)
	defer guard.Stop()
	pause := time.NewTimer(time.Hour)
	pause.Stop()
	defer pause.Stop()
	for {
		select {
		case ev := <-l.events:
			switch e := ev.(type) {
			case interp.CallerHangup:
				return keys, true
			case interp.PlaybackDone:
				pause.Reset(w.First)
			case interp.Digit:
				l.StopPlayback()
				if term != 0 && e.D == term {
					return keys, false
				}
				keys += string(e.D)
				if len(keys) >= max {
					return keys, false
				}
				pause.Reset(w.Between)
			}
		case <-pause.C:
			return keys, false
		case <-guard.C:
			return keys, false
		}
	}
}
