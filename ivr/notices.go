package ivr

// This file holds the notices node: outage notices for the caller's area,
// then "press 1 to continue, or hang up". A caller who hangs up there has
// had their answer from the notice, which the call's result reflects.

// TypeNotices plays the active outage notices for the area in a session
// variable (set by a lookup, or by a menu where the caller picks an area).
const TypeNotices NodeType = "notices"

// DefaultAreaVar is the variable a notices node reads the area from.
const DefaultAreaVar = "area"
