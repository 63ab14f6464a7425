// Package dtmf is RFC 4733 telephone-events and SIP INFO key presses:
// the 4-byte event payload both ways, the digit ↔ event mapping, Receiver
// (one key per event, however many redundant or lost packets) and Sender
// (queued presses turned into one event packet per 20 ms frame), and the
// application/dtmf-relay and application/dtmf bodies of SIP INFO.
//
// It owns encoding and per-stream key state only. It must not know
// sockets, SIP dialogs or the clock: the stream hands it payloads with
// their RTP timestamps and asks it for a payload per frame.
package dtmf
