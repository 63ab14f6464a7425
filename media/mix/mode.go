package mix

import (
	"errors"
	"fmt"
)

// ErrMode is a monitor mode that is not listen, whisper or barge.
var ErrMode = errors.New("media: invalid monitor mode")

// Mode is how a supervisor joins an agent's call.
type Mode uint8

// Monitor modes. The zero value is not a mode, so a forgotten field is an
// error rather than a silent listen.
const (
	// Listen: the supervisor hears caller and agent; nobody hears
	// the supervisor.
	Listen Mode = iota + 1
	// Whisper: the supervisor hears caller and agent, the agent
	// hears caller and supervisor, the caller hears only the agent.
	Whisper
	// Barge: a three-way conference; everyone hears the other two.
	Barge
)

// The three parties of a monitored call, as indexes into the mixer's
// tables.
const (
	Caller = iota
	Agent
	Supervisor
	Parties
)

func (m Mode) String() string {
	switch m {
	case Listen:
		return "listen"
	case Whisper:
		return "whisper"
	case Barge:
		return "barge"
	}
	return fmt.Sprintf("MonitorMode(%d)", uint8(m))
}

// Valid reports whether m is one of the three modes.
func (m Mode) Valid() bool { return m >= Listen && m <= Barge }

// ParseMode reads "listen", "whisper" or "barge".
func ParseMode(s string) (Mode, error) {
	for _, m := range []Mode{Listen, Whisper, Barge} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want listen, whisper or barge)", ErrMode, s)
}

// hears is the routing matrix: whether listener hears source in mode.
// While the bridge is held the caller is parked with music, so the caller
// neither hears nor is heard; agent and supervisor may still talk (a
// whisper during hold is the classic coaching moment).
func hears(mode Mode, held bool, listener, source int) bool {
	if listener == source {
		return false
	}
	if held && (listener == Caller || source == Caller) {
		return false
	}
	switch {
	case listener == Supervisor:
		return true
	case source == Supervisor:
		return mode == Barge || (mode == Whisper && listener == Agent)
	}
	return true // caller and agent always hear each other
}
