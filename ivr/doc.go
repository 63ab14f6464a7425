// Package ivr holds the IVR flow model and reads it from YAML: flows and
// their nodes, prompt references, business-hours calendars, the defaults
// of each node type, how numbers, amounts and dates are spoken, and the
// validation of a flow against the rest of the configuration, with errors
// that carry file, line and column.
//
// It owns the model, which is immutable once parsed, so running calls can
// share it and a reload can swap it. It must not run a flow (that is
// ivr/interp), read the clock, do I/O beyond the YAML node it is handed,
// or import sip, media or acd.
package ivr
