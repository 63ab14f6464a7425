package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store/reportsql"
)

// callRow is a calls row as scanned.
type callRow struct {
	CallID          string        `db:"call_id"`
	Caller          string        `db:"caller"`
	Number          string        `db:"number"`
	Language        string        `db:"language"`
	Flow            string        `db:"flow"`
	IVRPath         string        `db:"ivr_path"`
	Vars            string        `db:"vars"`
	Queue           string        `db:"queue"`
	Agent           string        `db:"agent"`
	Priority        int           `db:"priority"`
	ArrivedMS       int64         `db:"arrived_ms"`
	AnsweredMS      sql.NullInt64 `db:"answered_ms"`
	IVREndedMS      sql.NullInt64 `db:"ivr_ended_ms"`
	QueuedMS        sql.NullInt64 `db:"queued_ms"`
	AgentOfferedMS  sql.NullInt64 `db:"agent_offered_ms"`
	AgentAnsweredMS sql.NullInt64 `db:"agent_answered_ms"`
	TalkEndedMS     sql.NullInt64 `db:"talk_ended_ms"`
	EndedMS         sql.NullInt64 `db:"ended_ms"`
	AgentOffers     int           `db:"agent_offers"`
	TalkMS          int64         `db:"talk_ms"`
	HoldMS          int64         `db:"hold_ms"`
	HoldCount       int           `db:"hold_count"`
	TransferKind    string        `db:"transfer_kind"`
	TransferTarget  string        `db:"transfer_target"`
	HangupBy        string        `db:"hangup_by"`
	Result          string        `db:"result"`
	EndReason       string        `db:"end_reason"`
	RecordingFile   string        `db:"recording_file"`
	AnswerDelayMS   int64         `db:"answer_delay_ms"`
	QueueWaitMS     int64         `db:"queue_wait_ms"`
}

func (r callRow) record() (CallRecord, error) {
	c := CallRecord{
		CallID: r.CallID, Caller: r.Caller, Number: r.Number, Language: r.Language, Flow: r.Flow,
		Queue: r.Queue, Agent: r.Agent, Priority: r.Priority,
		Arrived: fromMS(r.ArrivedMS), Answered: fromNullMS(r.AnsweredMS), IVREnded: fromNullMS(r.IVREndedMS),
		Queued: fromNullMS(r.QueuedMS), AgentOffered: fromNullMS(r.AgentOfferedMS),
		AgentAnswered: fromNullMS(r.AgentAnsweredMS), TalkEnded: fromNullMS(r.TalkEndedMS),
		Ended: fromNullMS(r.EndedMS), AgentOffers: r.AgentOffers,
		Talk: time.Duration(r.TalkMS) * time.Millisecond,
		Hold: time.Duration(r.HoldMS) * time.Millisecond, HoldCount: r.HoldCount,
		TransferKind: r.TransferKind, TransferTarget: r.TransferTarget,
		HangupBy: call.HangupBy(r.HangupBy), Result: call.Result(r.Result), EndReason: r.EndReason,
		RecordingFile: r.RecordingFile,
		AnswerDelay:   time.Duration(r.AnswerDelayMS) * time.Millisecond,
		QueueWait:     time.Duration(r.QueueWaitMS) * time.Millisecond,
	}
	if err := json.Unmarshal([]byte(r.IVRPath), &c.Path); err != nil {
		return c, fmt.Errorf("store: call %s: ivr_path: %w", r.CallID, err)
	}
	if err := json.Unmarshal([]byte(r.Vars), &c.Vars); err != nil {
		return c, fmt.Errorf("store: call %s: vars: %w", r.CallID, err)
	}
	if len(c.Path) == 0 {
		c.Path = nil
	}
	if len(c.Vars) == 0 {
		c.Vars = nil
	}
	return c, nil
}

type visitRow struct {
	CallID       string        `db:"call_id"`
	Seq          int           `db:"seq"`
	Queue        string        `db:"queue"`
	Priority     int           `db:"priority"`
	QueuedMS     int64         `db:"queued_ms"`
	LeftMS       sql.NullInt64 `db:"left_ms"`
	Outcome      string        `db:"outcome"`
	WaitMS       int64         `db:"wait_ms"`
	Target       string        `db:"target"`
	Agent        string        `db:"agent"`
	TalkEndedMS  sql.NullInt64 `db:"talk_ended_ms"`
	TalkMS       int64         `db:"talk_ms"`
	HoldMS       int64         `db:"hold_ms"`
	TransferKind string        `db:"transfer_kind"`
}

func (v visitRow) visit() QueueVisit {
	return QueueVisit{
		Seq: v.Seq, Queue: v.Queue, Priority: v.Priority, Queued: fromMS(v.QueuedMS),
		Left: fromNullMS(v.LeftMS), Outcome: v.Outcome,
		Wait: time.Duration(v.WaitMS) * time.Millisecond, Target: v.Target,
		Agent: v.Agent, TalkEnded: fromNullMS(v.TalkEndedMS),
		Talk: time.Duration(v.TalkMS) * time.Millisecond, Hold: time.Duration(v.HoldMS) * time.Millisecond,
		TransferKind: v.TransferKind,
	}
}

// CallDetail is a call's record together with what the agent and the
// caller added to it.
type CallDetail struct {
	CallRecord
	Dispositions []Disposition `json:"dispositions,omitempty"`
	Survey       *SurveyAnswer `json:"survey,omitempty"`
	Wrapups      []Wrapup      `json:"wrapups,omitempty"`
}

// Call reads one call by its id; ErrNotFound if there is none.
func (s *Store) Call(ctx context.Context, callID string) (CallDetail, error) {
	if err := s.connected(); err != nil {
		return CallDetail{}, err
	}
	var row callRow
	err := s.db().GetContext(ctx, &row, s.db().Rebind("SELECT "+strings.Join(callColumns, ", ")+
		" FROM calls WHERE call_id = ?"), callID)
	if errors.Is(err, sql.ErrNoRows) {
		return CallDetail{}, ErrNotFound
	}
	if err != nil {
		return CallDetail{}, fmt.Errorf("store: call: %w", err)
	}
	rec, err := row.record()
	if err != nil {
		return CallDetail{}, err
	}
	d := CallDetail{CallRecord: rec}
	if d.Visits, err = s.visits(ctx, callID); err != nil {
		return d, err
	}
	if d.Dispositions, err = reportsql.Dispositions(ctx, s.db(), "call_id = ?", callID); err != nil {
		return d, err
	}
	if d.Wrapups, err = reportsql.Wrapups(ctx, s.db(), "call_id = ?", callID); err != nil {
		return d, err
	}
	surveys, err := reportsql.Surveys(ctx, s.db(), "call_id = ?", callID)
	if len(surveys) > 0 {
		d.Survey = &surveys[0]
	}
	return d, err
}

// Calls lists the calls that arrived in [from, to), oldest first, at most
// limit of them (0: no limit). Visits are not filled in.
func (s *Store) Calls(ctx context.Context, from, to time.Time, limit int) ([]CallRecord, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	q := "SELECT " + strings.Join(callColumns, ", ") +
		" FROM calls WHERE arrived_ms >= ? AND arrived_ms < ? ORDER BY arrived_ms, call_id"
	args := []any{from.UnixMilli(), to.UnixMilli()}
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	return s.selectCalls(ctx, "calls", q, args...)
}

// selectCalls runs a query for callColumns and turns each row into a
// record; what names the read in the error.
func (s *Store) selectCalls(ctx context.Context, what, q string, args ...any) ([]CallRecord, error) {
	var rows []callRow
	if err := s.db().SelectContext(ctx, &rows, s.db().Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	out := make([]CallRecord, 0, len(rows))
	for _, r := range rows {
		c, err := r.record()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Store) visits(ctx context.Context, callID string) ([]QueueVisit, error) {
	var rows []visitRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind("SELECT "+strings.Join(visitColumns, ", ")+
		" FROM queue_visits WHERE call_id = ? ORDER BY seq"), callID)
	if err != nil {
		return nil, fmt.Errorf("store: visits: %w", err)
	}
	var out []QueueVisit
	for _, r := range rows {
		out = append(out, r.visit())
	}
	return out, nil
}

type agentStatusRow struct {
	Agent     string `db:"agent"`
	State     string `db:"state"`
	Reason    string `db:"reason"`
	Queues    string `db:"queues"`
	SinceMS   int64  `db:"since_ms"`
	UpdatedMS int64  `db:"updated_ms"`
}

// LoadAgentStatus reads every saved agent status, by agent. Statuses saved
// during an outage are in it once the spool has been written (Open waits
// for the first attempt). A store opened without its database returns
// ErrDatabaseUnavailable: the saved statuses are out of reach.
func (s *Store) LoadAgentStatus(ctx context.Context) ([]AgentStatus, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	var rows []agentStatusRow
	err := s.db().SelectContext(ctx, &rows, "SELECT agent, state, reason, queues, since_ms, updated_ms"+
		" FROM agent_status ORDER BY agent")
	if err != nil {
		return nil, fmt.Errorf("store: agent status: %w", err)
	}
	out := make([]AgentStatus, 0, len(rows))
	for _, r := range rows {
		st := AgentStatus{Agent: r.Agent, State: r.State, Reason: r.Reason,
			Since: fromMS(r.SinceMS), Updated: fromMS(r.UpdatedMS)}
		if err := json.Unmarshal([]byte(r.Queues), &st.Queues); err != nil {
			return nil, fmt.Errorf("store: agent status %s: queues: %w", r.Agent, err)
		}
		if len(st.Queues) == 0 {
			st.Queues = nil
		}
		out = append(out, st)
	}
	return out, nil
}

// LastCalls lists a caller's latest calls, newest first (the agent panel
// shows them when the caller calls again).
func (s *Store) LastCalls(ctx context.Context, caller string, limit int) ([]CallRecord, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	if caller == "" {
		return nil, nil
	}
	q := "SELECT " + strings.Join(callColumns, ", ") + " FROM calls WHERE caller = ? ORDER BY arrived_ms DESC LIMIT ?"
	return s.selectCalls(ctx, "last calls", q, caller, limit)
}
