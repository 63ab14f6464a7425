package sipstatus

import (
	"errors"
	"fmt"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media/srtp"
)

// Why ringing an agent did not give a connected leg.
var (
	ErrNoContact     = errors.New("agent has no registered phone")
	ErrAgentBusy     = errors.New("agent busy")
	ErrAgentDeclined = errors.New("agent declined")
	ErrNoAnswer      = errors.New("agent did not answer")
	ErrDialCancelled = errors.New("ringing cancelled")
	ErrDialFailed    = errors.New("call to agent failed")
)

// Why a secure-only number or agent refused a request.
var (
	ErrTLSRequired  = errors.New("TLS transport required")
	ErrSRTPRequired = errors.New("SRTP (RTP/SAVP with a=crypto) required")
)

// StatusError is the final answer that failed a dial; it wraps
// ErrDialFailed.
type StatusError struct{ Code int }

func (e *StatusError) Error() string { return fmt.Sprintf("%v: status %d", ErrDialFailed, e.Code) }

// Unwrap makes errors.Is(err, ErrDialFailed) hold.
func (e *StatusError) Unwrap() error { return ErrDialFailed }

// ErrorForStatus is the error a dial fails with when the far end answers
// code: ErrAgentBusy, ErrAgentDeclined or ErrNoAnswer for the customer's
// own answers, else a *StatusError.
func ErrorForStatus(code int) error {
	switch code {
	case sipmsg.StatusBusyHere, sipmsg.StatusGlobalBusyEverywhere:
		return ErrAgentBusy
	case sipmsg.StatusGlobalDecline:
		return ErrAgentDeclined
	case sipmsg.StatusTemporarilyUnavailable, sipmsg.StatusRequestTimeout, sipmsg.StatusRequestTerminated:
		return ErrNoAnswer
	}
	return &StatusError{Code: code}
}

// PickDialError reports the most telling failure among forks: a busy or
// declining phone says more than one that did not answer.
func PickDialError(errs []error) error {
	for _, want := range []error{ErrAgentDeclined, ErrAgentBusy, ErrNoAnswer} {
		for _, err := range errs {
			if errors.Is(err, want) {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return ErrDialFailed
}

// ReasonPhrase is the reason phrase we send with code.
func ReasonPhrase(code int) string {
	switch code {
	case sipmsg.StatusBadRequest:
		return "Bad Request"
	case sipmsg.StatusNotFound:
		return "Not Found"
	case sipmsg.StatusUnsupportedMediaType:
		return "Unsupported Media Type"
	case sipmsg.StatusNotAcceptableHere:
		return "Not Acceptable Here"
	case sipmsg.StatusServiceUnavailable:
		return "Service Unavailable"
	case sipmsg.StatusBusyHere:
		return "Busy Here"
	}
	return "Error"
}

// ConsultPhrase is the reason phrase of code when a consult call ends
// an agent's internal call.
func ConsultPhrase(code int) string {
	switch code {
	case sipmsg.StatusTemporarilyUnavailable:
		return "Temporarily Unavailable"
	case sipmsg.StatusRequestTerminated:
		return "Request Terminated"
	case sipmsg.StatusGlobalDecline:
		return "Decline"
	case sipmsg.StatusForbidden:
		return "Forbidden"
	case sipmsg.StatusInternalServerError:
		return "Server Internal Error"
	}
	return ReasonPhrase(code)
}

// ReasonForStatus names a call refused at setup with code, for CallEnded.
func ReasonForStatus(code int) string {
	switch code {
	case sipmsg.StatusNotAcceptableHere:
		return "no_common_codec"
	case sipmsg.StatusBadRequest:
		return "bad_sdp"
	case sipmsg.StatusServiceUnavailable:
		return "no_rtp_port"
	case sipmsg.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	return fmt.Sprintf("status_%d", code)
}

// RefusalReason names why a call was refused at setup, for CallEnded:
// SRTP refusals get their own reasons rather than the generic one of
// their status code.
func RefusalReason(code int, err error) string {
	switch {
	case errors.Is(err, ErrSRTPRequired):
		return "srtp_required"
	case errors.Is(err, srtp.ErrNoCryptoSuite):
		return "no_crypto_suite"
	}
	return ReasonForStatus(code)
}
