package web

import (
	"github.com/hotline-oss/hotline/web/reports"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// The names app and the features know the HTTP side by. The types live in
// the sub-packages that serve them (webkit, rest, reports); these aliases
// keep one import, web, for everything that plugs into the server.

// Tokens, roles and the actor of a request (package webkit).
type (
	Role  = webkit.Role
	Token = webkit.Token
	Actor = webkit.Actor
)

const (
	RoleAgent      = webkit.RoleAgent
	RoleSupervisor = webkit.RoleSupervisor
	RoleAdmin      = webkit.RoleAdmin
)

var (
	NewToken  = webkit.NewToken
	NoteActor = webkit.NoteActor
)

// The errors the controls return; the statuses they get are in webkit.
var (
	ErrInvalid       = webkit.ErrInvalid
	ErrUnauthorized  = webkit.ErrUnauthorized
	ErrForbidden     = webkit.ErrForbidden
	ErrNotFound      = webkit.ErrNotFound
	ErrConflict      = webkit.ErrConflict
	ErrUnprocessable = webkit.ErrUnprocessable
	ErrUnavailable   = webkit.ErrUnavailable
)

// The REST API's resources (package rest).
type (
	AgentView         = rest.AgentView
	QueueView         = rest.QueueView
	AgentControl      = rest.AgentControl
	APIOption         = rest.AgentsOption
	NoticeInput       = rest.NoticeInput
	NoticeControl     = rest.NoticeControl
	FaultControl      = rest.FaultControl
	Month             = rest.Month
	ReviewInput       = rest.ReviewInput
	ReviewControl     = rest.ReviewControl
	TicketInput       = rest.TicketInput
	TicketChangeInput = rest.TicketChangeInput
	TicketQuery       = rest.TicketQuery
	TicketControl     = rest.TicketControl
	MonitorRequest    = rest.MonitorRequest
	MonitorView       = rest.MonitorView
	MonitorControl    = rest.MonitorControl
	RecordingQuery    = rest.RecordingQuery
	RecordingAudio    = rest.RecordingAudio
	Recordings        = rest.Recordings
	ConfigRejected    = rest.ConfigRejected
	Reloader          = rest.Reloader
)

var (
	WithAPIPauseReasons          = rest.WithPauseReasons
	WithAPIDispositionCategories = rest.WithDispositionCategories
)

// The reports and schedules (package reports).
type (
	Table            = reports.Table
	ReportQuery      = reports.ReportQuery
	Reports          = reports.Reports
	Document         = reports.Document
	WorkforceReports = reports.WorkforceReports
	ShiftInput       = reports.ShiftInput
	ShiftQuery       = reports.ShiftQuery
	LineProblem      = reports.LineProblem
	ProblemsError    = reports.ProblemsError
	ScheduleControl  = reports.ScheduleControl
)
