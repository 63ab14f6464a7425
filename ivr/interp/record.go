package interp

import (
	"strings"
	"time"

	"github.com/hotline-oss/hotline/ivr"
)

// Timing of the record node as the interpreter runs it.
const (
	recordTimerAllowance = 2 * time.Second // the driver's own stop comes first
	minRecordingToAccept = 500 * time.Millisecond
)

// StartRecording asks the driver to record the caller until StopRecording,
// MaxDuration, or EndSilence of quiet after some sound, and then to send a
// RecordingDone with the same ID.
type StartRecording struct {
	ID          uint64
	MaxDuration time.Duration
	EndSilence  time.Duration
}

// StopRecording ends the recording with ID early (the caller pressed the
// terminator, or the interpreter's timer ran out).
type StopRecording struct{ ID uint64 }

// RecordingDone reports a finished recording; File is empty when nothing
// usable was recorded.
type RecordingDone struct {
	ID       uint64
	File     string
	Duration time.Duration
}

// FileFaultReport asks the driver to file a work order for Account with
// the recording File, and to answer with FaultReportFiled.
type FileFaultReport struct {
	ID      uint64
	Account string
	File    string
}

// FaultReportFiled answers FileFaultReport; an empty Number means it failed.
type FaultReportFiled struct {
	ID     uint64
	Number string
}

func (StartRecording) isAction() {}

func (StopRecording) isAction() {}

func (FileFaultReport) isAction() {}

func (RecordingDone) isEvent() {}

func (FaultReportFiled) isEvent() {}

// startRecording starts recording once the instructions have played.
func (s *Session) startRecording() {
	n := s.node
	s.lookupSeq++
	s.lookupID = s.lookupSeq
	s.phase = phaseRecord
	s.emit(StartRecording{ID: s.lookupID, MaxDuration: n.Timeout, EndSilence: n.EndSilence})
	s.startTimer(n.Timeout + recordTimerAllowance)
}

// recordKey: the terminator ends the message; other keys are part of the
// message as far as the caller is concerned, and ignored.
func (s *Session) recordKey(d rune) {
	if s.node.Terminator != 0 && d == s.node.Terminator {
		s.emit(StopRecording{ID: s.lookupID})
	}
}

func (s *Session) onRecordingDone(e RecordingDone) {
	if s.phase != phaseRecord || e.ID != s.lookupID {
		return
	}
	s.lookupID, s.liveTimer = 0, 0
	n := s.node
	if e.File == "" || e.Duration < minRecordingToAccept {
		s.goTo(n.OnFail)
		return
	}
	s.vars[n.Var] = e.File
	s.goTo(n.Next)
}

func (s *Session) startFaultReport(n *ivr.Node) (string, bool) {
	s.lookupSeq++
	s.lookupID = s.lookupSeq
	s.phase = phaseFiling
	s.emit(FileFaultReport{ID: s.lookupID, Account: s.vars[n.AccountVar], File: s.vars[n.Var]})
	s.startTimer(n.Timeout)
	return "", true
}

func (s *Session) onFaultReportFiled(e FaultReportFiled) {
	if s.phase != phaseFiling || e.ID != s.lookupID {
		return
	}
	s.lookupID, s.liveTimer = 0, 0
	if e.Number == "" {
		s.lookupFailed() // same path as a failed lookup: fallback, then on_fail
		return
	}
	s.vars[ivr.DefaultWorkOrderVar] = e.Number
	n := s.node
	s.playing(phasePlaying, append(append([]ivr.PromptRef{}, n.Prompts...), readDigits(e.Number)...), false)
}

// readDigits speaks the digits of a work-order number one by one; letters
// and separators ("F20261123-0042") are left out, since callers quote the
// number by its digits.
func readDigits(number string) []ivr.PromptRef {
	var out []ivr.PromptRef
	for _, d := range number {
		if strings.ContainsRune("0123456789", d) {
			out = append(out, ivr.PromptRef{Name: ivr.DigitPromptName(d)})
		}
	}
	return out
}

// onJobTimeout handles the interpreter's timer while the driver works.
func (s *Session) onJobTimeout() {
	switch s.phase {
	case phaseRecord:
		// The driver missed its own limit: stop it, and wait no longer.
		s.emit(StopRecording{ID: s.lookupID})
		s.lookupID = 0
		s.goTo(s.node.OnFail)
	case phaseFiling:
		s.lookupFailed()
	}
}
