package metrics

import (
	"time"

	"github.com/hotline-oss/hotline/call"
)

// WindowsSince is the earliest moment a rolling window covers at now: the
// start of today in the windows' location, or 30 minutes back when
// midnight is nearer. The history a rebuild needs starts there. It is the
// zero time before EnableWindows.
func (m *Metrics) WindowsSince(now time.Time) time.Time {
	set := m.windows.Load()
	if set == nil {
		return time.Time{}
	}
	return set.Since(now)
}

// RebuildWindows replaces what the rolling windows hold with the given
// history, folded in order: the events of the stored records (the store's
// WindowEvents) since the earliest moment a window still covers. A node
// calls it at start, so that a restart loses neither today's figures nor
// the 15 and 30 minute windows, and a node of a cluster, whose records
// share one database, rebuilds the whole cluster's figures. Events must be
// sorted by time; a live event published meanwhile waits for the rebuild
// and lands after it. It does nothing before EnableWindows.
//
// A standalone process starts with every agent logged out, whatever its
// records last said: with a non-zero agentsLeft, every agent the history
// leaves talking, on hold or available is taken as logged out at that
// moment (the restart), so the downtime after it counts for no one's
// occupancy and the agent's next change starts from there. A node of a
// cluster passes the zero time: the cluster's agents carried on while it
// restarted.
func (m *Metrics) RebuildWindows(history []call.Event, agentsLeft time.Time) {
	if set := m.windows.Load(); set != nil {
		set.Rebuild(history, agentsLeft)
	}
}
