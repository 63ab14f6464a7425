package store

import (
	"time"

	"github.com/hotline-oss/hotline/store/callbacksql"
	"github.com/hotline-oss/hotline/store/cdr"
	"github.com/hotline-oss/hotline/store/recordingsql"
	"github.com/hotline-oss/hotline/store/sqldb"
	"github.com/hotline-oss/hotline/store/ticketsql"
	"github.com/hotline-oss/hotline/store/workordersql"
)

// The call detail record, its queue visits and their outcomes live in
// package cdr with the fold that builds them.
type (
	CallRecord = cdr.CallRecord
	QueueVisit = cdr.QueueVisit
)

// Visit outcomes (see cdr).
const (
	OutcomeAnswered   = cdr.OutcomeAnswered
	OutcomeAbandoned  = cdr.OutcomeAbandoned
	OutcomeOverflowed = cdr.OutcomeOverflowed
	OutcomeEnded      = cdr.OutcomeEnded
	OutcomeCallback   = cdr.OutcomeCallback
)

// What agents and callers add to calls, and agent state changes (see cdr).
type (
	AgentStateRecord = cdr.AgentStateRecord
	Disposition      = cdr.Disposition
	SurveyAnswer     = cdr.SurveyAnswer
	Wrapup           = cdr.Wrapup
)

// AgentStatus is an agent's current standing, saved so that logged-in and
// paused agents survive a restart.
type AgentStatus struct {
	Agent   string    `json:"agent"`
	State   string    `json:"state"`            // e.g. available, paused, logged_out
	Reason  string    `json:"reason,omitempty"` // pause reason code
	Queues  []string  `json:"queues,omitempty"` // queues the agent is logged into
	Since   time.Time `json:"since"`
	Updated time.Time `json:"updated"` // a save never replaces a newer one
}

// record is one unit of work for the writer and one line of the spool:
// exactly one field is set.
type record struct {
	Call *CallRecord `json:"call,omitempty"`
	// Provisional marks a call record the Recorder had to end itself (no
	// CallEnded came); it never replaces a record already written.
	Provisional bool              `json:"provisional,omitempty"`
	AgentState  *AgentStateRecord `json:"agent_state,omitempty"`
	Disposition *Disposition      `json:"disposition,omitempty"`
	Survey      *SurveyAnswer     `json:"survey,omitempty"`
	Wrapup      *Wrapup           `json:"wrapup,omitempty"`
	AgentStatus *AgentStatus      `json:"agent_status,omitempty"`
	Audit       *AuditEntry       `json:"audit,omitempty"`
	// Rows of the tables that are not built from events (tables.go).
	Recording    *recordingsql.Spooled `json:"recording,omitempty"`
	WorkOrder    *workordersql.Spooled `json:"work_order,omitempty"`
	Callback     *callbacksql.Spooled  `json:"callback,omitempty"`
	CallbackDone *callbacksql.Done     `json:"callback_done,omitempty"`
	Ticket       *ticketsql.Spooled    `json:"ticket,omitempty"`
}

func (r record) Empty() bool {
	return r.Call == nil && r.AgentState == nil && r.Disposition == nil &&
		r.Survey == nil && r.Wrapup == nil && r.AgentStatus == nil && r.Audit == nil &&
		r.Recording == nil && r.WorkOrder == nil && r.Callback == nil && r.CallbackDone == nil &&
		r.Ticket == nil
}

// The tables' value helpers and column limits (package sqldb), under the
// short names the statements of this package read best with.
var (
	clip       = sqldb.Clip
	ms         = sqldb.MS
	nullMS     = sqldb.NullMS
	fromMS     = sqldb.FromMS
	fromNullMS = sqldb.FromNullMS
)

const (
	maxIDLen     = sqldb.MaxIDLen
	maxNumberLen = sqldb.MaxNumberLen
	maxNameLen   = sqldb.MaxNameLen
	maxShortLen  = sqldb.MaxShortLen
	maxTargetLen = sqldb.MaxTargetLen
	maxFileLen   = sqldb.MaxFileLen
)
