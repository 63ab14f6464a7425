package store

import (
	"github.com/hotline-oss/hotline/store/auditsql"
	"github.com/hotline-oss/hotline/store/callbacksql"
	"github.com/hotline-oss/hotline/store/noticesql"
	"github.com/hotline-oss/hotline/store/recordingsql"
	"github.com/hotline-oss/hotline/store/reviewsql"
	"github.com/hotline-oss/hotline/store/shiftsql"
	"github.com/hotline-oss/hotline/store/ticketsql"
	"github.com/hotline-oss/hotline/store/workordersql"
)

// The rows of the tables (tables.go) under the names the rest of the
// server has always used for them.
type (
	AuditEntry       = auditsql.AuditEntry
	AuditFilter      = auditsql.AuditFilter
	PendingCallback  = callbacksql.PendingCallback
	Notice           = noticesql.Notice
	Recording        = recordingsql.Recording
	RecordingFilter  = recordingsql.RecordingFilter
	Review           = reviewsql.Review
	ReviewFilter     = reviewsql.ReviewFilter
	ReviewCandidate  = reviewsql.ReviewCandidate
	Shift            = shiftsql.Shift
	ShiftBreak       = shiftsql.ShiftBreak
	ShiftFilter      = shiftsql.ShiftFilter
	Ticket           = ticketsql.Ticket
	TicketChange     = ticketsql.TicketChange
	TicketFilter     = ticketsql.TicketFilter
	TicketFigures    = ticketsql.TicketFigures
	RepeatComplainer = ticketsql.RepeatComplainer
	WorkOrder        = workordersql.WorkOrder
)

// The tables' errors (the same values, so errors.Is matches either name).
var (
	ErrBadAuditFilter = auditsql.ErrBadAuditFilter
	ErrBadCallback    = callbacksql.ErrBadCallback
	ErrBadNotice      = noticesql.ErrBadNotice
	ErrBadRecording   = recordingsql.ErrBadRecording
	ErrReviewExists   = reviewsql.ErrReviewExists
	ErrBadTicket      = ticketsql.ErrBadTicket
	ErrBadWorkOrder   = workordersql.ErrBadWorkOrder
)

// Audit read limits (see auditsql).
const (
	DefaultAuditLimit = auditsql.DefaultAuditLimit
	MaxAuditLimit     = auditsql.MaxAuditLimit
)
