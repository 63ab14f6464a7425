package ivr

import (
	"time"
)

// This file holds the record node, which takes a short voice message, and
// the fault_report node, which files it as a work order and reads the
// work-order number back. As with lookups, the interpreter only emits
// actions and waits for the driver's events or its own timer.

// Node types of fault reports.
const (
	TypeRecord      NodeType = "record"       // record the caller's voice into a variable
	TypeFaultReport NodeType = "fault_report" // file a work order, read its number back
)

// Defaults of record and fault_report nodes.
const (
	DefaultRecordMax     = 60 * time.Second
	DefaultRecordSilence = 3 * time.Second
	DefaultRecordingVar  = "recording"
	DefaultWorkOrderVar  = "work_order"
	DefaultFaultTimeout  = 15 * time.Second
)

// MaxRecordDuration bounds a record node's max_duration: a caller's voice
// message is a minute or two, and the recorder reserves memory for the
// whole duration when it starts.
const MaxRecordDuration = 10 * time.Minute

// PromptWorkOrderIs is the default lead-in when a fault_report node has no
// prompts of its own.
const PromptWorkOrderIs = "fault_work_order_is"
