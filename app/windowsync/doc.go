// Package windowsync keeps the metrics' rolling windows (15 min, 30 min,
// today) true to the stored records: it refolds them from the records at
// start, so a restart loses no figure, and on a node of a cluster every
// few seconds, so each node shows the cluster's figures from the shared
// database.
//
// It must not write records, hold the windows' own state, or import app.
package windowsync
