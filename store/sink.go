package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store/sqldb"
)

var (
	callColumns = []string{
		"call_id", "caller", "number", "language", "flow", "ivr_path", "vars", "queue", "agent", "priority",
		"arrived_ms", "answered_ms", "ivr_ended_ms", "queued_ms", "agent_offered_ms", "agent_answered_ms",
		"talk_ended_ms", "ended_ms", "agent_offers", "talk_ms", "hold_ms", "hold_count", "transfer_kind",
		"transfer_target", "hangup_by", "result", "end_reason", "recording_file", "answer_delay_ms",
		"queue_wait_ms",
	}
	visitColumns = []string{
		"call_id", "seq", "queue", "priority", "queued_ms", "left_ms", "outcome", "wait_ms", "target",
		"agent", "talk_ended_ms", "talk_ms", "hold_ms", "transfer_kind",
	}
	agentStateColumns  = []string{"id", "agent", "state", "prev_state", "reason", "at_ms"}
	dispositionColumns = []string{"call_id", "agent", "category", "resolved", "at_ms"}
	surveyColumns      = []string{"call_id", "score", "at_ms"}
	wrapupColumns      = []string{"call_id", "agent", "at_ms"}
	agentStatusColumns = []string{"agent", "state", "reason", "queues", "since_ms", "updated_ms"}
)

const maxCategoryLen = 64

// dbSink writes records in one transaction per batch with upserts keyed so
// that writing a record twice leaves one row.
type dbSink struct {
	db       *sqlx.DB
	d        dialect
	spool    *recordSpool
	log      *slog.Logger
	onReject func(error)

	callSQL, visitSQL, agentStateSQL, dispositionSQL string
	surveySQL, wrapupSQL, agentStatusSQL             string
	deleteVisitsSQL                                  string
	callIfAbsentSQL                                  string // refusedAtTheDoor, provisional records
	tables                                           tableSinks
}

func newDBSink(db *sqlx.DB, d dialect, sp *recordSpool, log *slog.Logger, onReject func(error), t tableSinks) *dbSink {
	q := func(table string, key, cols []string, guard string) string {
		return db.Rebind(d.InsertSQL(table, key, cols, guard))
	}
	return &dbSink{
		db: db, d: d, spool: sp, log: log, onReject: onReject,
		callSQL:         q("calls", []string{"call_id"}, callColumns, ""),
		visitSQL:        q("queue_visits", []string{"call_id", "seq"}, visitColumns, ""),
		agentStateSQL:   q("agent_states", []string{"id"}, agentStateColumns, ""),
		dispositionSQL:  q("dispositions", []string{"call_id", "agent"}, dispositionColumns, "at_ms"),
		surveySQL:       q("survey_answers", []string{"call_id"}, surveyColumns, "at_ms"),
		wrapupSQL:       q("wrapups", []string{"call_id", "agent"}, wrapupColumns, "at_ms"),
		agentStatusSQL:  q("agent_status", []string{"agent"}, agentStatusColumns, "updated_ms"),
		deleteVisitsSQL: db.Rebind("DELETE FROM queue_visits WHERE call_id = ?"),
		callIfAbsentSQL: db.Rebind(d.InsertIfAbsentSQL("calls", "call_id", callColumns)),
		tables:          t,
	}
}

func (s *dbSink) Write(ctx context.Context, recs []record) (int, error) {
	err := s.writeTx(ctx, recs)
	if err == nil {
		return len(recs), nil
	}
	if !s.d.IsPermanent(err) {
		return 0, err
	}
	// Some record in the batch is unwritable; find it by writing them one
	// by one, and set it aside so the ones behind it are not held up.
	for i, r := range recs {
		err := s.writeTx(ctx, recs[i:i+1])
		if err == nil {
			continue
		}
		if !s.d.IsPermanent(err) {
			return i, err
		}
		s.log.Error("store: record refused by the database; set aside in the spool directory", "err", err)
		if rerr := s.spool.Reject(r, err); rerr != nil {
			return i, rerr
		}
		if s.onReject != nil {
			s.onReject(err)
		}
	}
	return len(recs), nil
}

func (s *dbSink) writeTx(ctx context.Context, recs []record) error {
	raw, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := sqldb.NewTx(raw, s.d)
	for _, r := range recs {
		if err := s.exec(ctx, tx, r); err != nil {
			_ = raw.Rollback()
			return err
		}
	}
	if err := raw.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (s *dbSink) exec(ctx context.Context, tx *sqldb.Tx, r record) error {
	var err error
	switch {
	case r.Call != nil:
		err = s.execCall(ctx, tx, r.Call, r.Provisional)
	case r.AgentState != nil:
		a := r.AgentState
		err = tx.Exec(ctx, s.agentStateSQL, agentStateID(a), clip(a.Agent, maxNameLen),
			clip(a.State, maxShortLen), clip(a.PrevState, maxShortLen), clip(a.Reason, maxNameLen), ms(a.At))
	case r.Disposition != nil:
		d := r.Disposition
		err = tx.Exec(ctx, s.dispositionSQL, clip(d.CallID, maxIDLen), clip(d.Agent, maxNameLen),
			clip(d.Category, maxCategoryLen), d.Resolved, ms(d.At))
	case r.Survey != nil:
		v := r.Survey
		err = tx.Exec(ctx, s.surveySQL, clip(v.CallID, maxIDLen), v.Score, ms(v.At))
	case r.Wrapup != nil:
		w := r.Wrapup
		err = tx.Exec(ctx, s.wrapupSQL, clip(w.CallID, maxIDLen), clip(w.Agent, maxNameLen), ms(w.At))
	case r.AgentStatus != nil:
		err = s.execAgentStatus(ctx, tx, r.AgentStatus)
	default:
		err = s.tables.write(ctx, tx, r)
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// refusedAtTheDoor is a call this node refused before answering (503:
// overload, draining, a cluster node without NATS). The same call, under
// the same Call-ID, may have gone on to another node of a cluster that
// answered it: such a record never replaces one already written.
func refusedAtTheDoor(c *CallRecord) bool {
	return c.Result == call.ResultBlocked && c.Answered.IsZero()
}

func (s *dbSink) execCall(ctx context.Context, tx *sqldb.Tx, c *CallRecord, provisional bool) error {
	id := clip(c.CallID, maxIDLen)
	path, err := json.Marshal(nonNilSlice(c.Path))
	if err != nil {
		return err
	}
	vars, err := json.Marshal(nonNilMap(c.Vars))
	if err != nil {
		return err
	}
	query := s.callSQL
	ifAbsent := provisional || refusedAtTheDoor(c)
	if ifAbsent {
		// Never replaces a record already written: the check and the
		// insert are one statement, so another node writing the same
		// call at the same moment cannot slip in between.
		query = s.callIfAbsentSQL
	}
	inserted, err := tx.ExecCount(ctx, query,
		id, clip(c.Caller, maxNumberLen), clip(c.Number, maxNumberLen), clip(c.Language, maxShortLen),
		clip(c.Flow, maxNameLen), string(path), string(vars), clip(c.Queue, maxNameLen),
		clip(c.Agent, maxNameLen), c.Priority,
		ms(c.Arrived), nullMS(c.Answered), nullMS(c.IVREnded), nullMS(c.Queued), nullMS(c.AgentOffered),
		nullMS(c.AgentAnswered), nullMS(c.TalkEnded), nullMS(c.Ended),
		c.AgentOffers, c.Talk.Milliseconds(), c.Hold.Milliseconds(), c.HoldCount, clip(c.TransferKind, maxShortLen),
		clip(c.TransferTarget, maxTargetLen), clip(string(c.HangupBy), maxShortLen),
		clip(string(c.Result), maxShortLen), clip(c.EndReason, maxNameLen), clip(c.RecordingFile, maxFileLen),
		c.AnswerDelay.Milliseconds(), c.QueueWait.Milliseconds())
	if err != nil || refusedAtTheDoor(c) || (ifAbsent && inserted == 0) {
		return err // a refusal has no visits; a record already there keeps its own
	}
	// The record replaces what was written before, visits included.
	if err := tx.Exec(ctx, s.deleteVisitsSQL, id); err != nil {
		return err
	}
	for _, v := range c.Visits {
		err = tx.Exec(ctx, s.visitSQL, id, v.Seq, clip(v.Queue, maxNameLen), v.Priority,
			ms(v.Queued), nullMS(v.Left), clip(v.Outcome, maxShortLen), v.Wait.Milliseconds(),
			clip(v.Target, maxTargetLen), clip(v.Agent, maxNameLen), nullMS(v.TalkEnded),
			v.Talk.Milliseconds(), v.Hold.Milliseconds(), clip(v.TransferKind, maxShortLen))
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *dbSink) execAgentStatus(ctx context.Context, tx *sqldb.Tx, a *AgentStatus) error {
	queues, err := json.Marshal(nonNilSlice(a.Queues))
	if err != nil {
		return err
	}
	err = tx.Exec(ctx, s.agentStatusSQL, clip(a.Agent, maxNameLen), clip(a.State, maxShortLen),
		clip(a.Reason, maxNameLen), string(queues), ms(a.Since), ms(a.Updated))
	return err
}

// agentStateID identifies a state change by agent, exact time and state,
// so that the same change written twice is one row.
func agentStateID(a *AgentStateRecord) string {
	return clip(a.Agent, maxNameLen) + "|" + strconv.FormatInt(a.At.UnixNano(), 10) + "|" + clip(a.State, maxShortLen)
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
