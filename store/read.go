package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/call"
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
	if d.Dispositions, err = s.dispositions(ctx, "call_id = ?", callID); err != nil {
		return d, err
	}
	if d.Wrapups, err = s.wrapups(ctx, "call_id = ?", callID); err != nil {
		return d, err
	}
	surveys, err := s.surveys(ctx, "call_id = ?", callID)
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
	var rows []callRow
	if err := s.db().SelectContext(ctx, &rows, s.db().Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: calls: %w", err)
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

type dispositionRow struct {
	CallID   string `db:"call_id"`
	Agent    string `db:"agent"`
	Category string `db:"category"`
	Resolved bool   `db:"resolved"`
	AtMS     int64  `db:"at_ms"`
}

// dispositions reads dispositions matching where, oldest first.
func (s *Store) dispositions(ctx context.Context, where string, args ...any) ([]Disposition, error) {
	var rows []dispositionRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind("SELECT call_id, agent, category, resolved, at_ms"+
		" FROM dispositions WHERE "+where+" ORDER BY at_ms, agent"), args...)
	if err != nil {
		return nil, fmt.Errorf("store: dispositions: %w", err)
	}
	var out []Disposition
	for _, r := range rows {
		out = append(out, Disposition{CallID: r.CallID, Agent: r.Agent, Category: r.Category,
			Resolved: r.Resolved, At: fromMS(r.AtMS)})
	}
	return out, nil
}

type surveyRow struct {
	CallID string `db:"call_id"`
	Score  int    `db:"score"`
	AtMS   int64  `db:"at_ms"`
}

func (s *Store) surveys(ctx context.Context, where string, args ...any) ([]SurveyAnswer, error) {
	var rows []surveyRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind("SELECT call_id, score, at_ms FROM survey_answers WHERE "+
		where+" ORDER BY at_ms"), args...)
	if err != nil {
		return nil, fmt.Errorf("store: surveys: %w", err)
	}
	var out []SurveyAnswer
	for _, r := range rows {
		out = append(out, SurveyAnswer{CallID: r.CallID, Score: r.Score, At: fromMS(r.AtMS)})
	}
	return out, nil
}

type wrapupRow struct {
	CallID string `db:"call_id"`
	Agent  string `db:"agent"`
	AtMS   int64  `db:"at_ms"`
}

func (s *Store) wrapups(ctx context.Context, where string, args ...any) ([]Wrapup, error) {
	var rows []wrapupRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind("SELECT call_id, agent, at_ms FROM wrapups WHERE "+
		where+" ORDER BY at_ms"), args...)
	if err != nil {
		return nil, fmt.Errorf("store: wrapups: %w", err)
	}
	var out []Wrapup
	for _, r := range rows {
		out = append(out, Wrapup{CallID: r.CallID, Agent: r.Agent, At: fromMS(r.AtMS)})
	}
	return out, nil
}

type agentStateRow struct {
	Agent     string `db:"agent"`
	State     string `db:"state"`
	PrevState string `db:"prev_state"`
	Reason    string `db:"reason"`
	AtMS      int64  `db:"at_ms"`
}

// AgentStates lists the state changes of every agent in [from, to), plus
// each agent's last change before from (the state it was in at from),
// ordered by agent and time. agent filters when non-empty.
func (s *Store) AgentStates(ctx context.Context, agent string, from, to time.Time) ([]AgentStateRecord, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	filter, args := "", []any{from.UnixMilli(), to.UnixMilli()}
	if agent != "" {
		filter, args = " AND agent = ?", append(args, agent)
	}
	var rows []agentStateRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind(`SELECT agent, state, prev_state, reason, at_ms
FROM agent_states WHERE at_ms >= ? AND at_ms < ?`+filter), args...)
	if err != nil {
		return nil, fmt.Errorf("store: agent states: %w", err)
	}
	// The state each agent was in when the period began: its latest
	// change before it (the (agent, at_ms) index answers the GROUP BY).
	var before []agentStateRow
	args[1] = from.UnixMilli()
	err = s.db().SelectContext(ctx, &before, s.db().Rebind(`SELECT s.agent, s.state, s.prev_state, s.reason, s.at_ms
FROM agent_states s JOIN (SELECT agent AS last_agent, MAX(at_ms) AS last_ms FROM agent_states
	WHERE at_ms < ? GROUP BY agent) last ON s.agent = last.last_agent AND s.at_ms = last.last_ms
WHERE s.at_ms < ?`+strings.ReplaceAll(filter, "agent", "s.agent")), args...)
	if err != nil {
		return nil, fmt.Errorf("store: agent states: %w", err)
	}
	rows = append(rows, before...)
	slices.SortStableFunc(rows, func(a, b agentStateRow) int {
		return cmp.Or(strings.Compare(a.Agent, b.Agent), cmp.Compare(a.AtMS, b.AtMS))
	})
	out := make([]AgentStateRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, AgentStateRecord{Agent: r.Agent, State: r.State, PrevState: r.PrevState,
			Reason: r.Reason, At: fromMS(r.AtMS)})
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
