package reviewsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Review is a supervisor's evaluation of one recorded call.
type Review struct {
	ID             int64          `json:"id"`
	CallID         string         `json:"call_id"`
	Agent          string         `json:"agent"`
	Queue          string         `json:"queue"`
	Form           string         `json:"form"`
	Answers        map[string]int `json:"answers"`
	Score          float64        `json:"score"`
	Raw            float64        `json:"raw_score"`
	CriticalFailed []string       `json:"critical_failed,omitempty"`
	Comment        string         `json:"comment,omitempty"`
	Reviewer       string         `json:"reviewer"`
	Started        time.Time      `json:"call_started"`
	Reviewed       time.Time      `json:"reviewed_at"`
	Acknowledged   time.Time      `json:"acknowledged_at,omitzero"`
}

// ErrReviewExists: the call was reviewed already (one review per call).
var ErrReviewExists = errors.New("store: call already reviewed")

type reviewRow struct {
	ID             int64   `db:"id"`
	CallID         string  `db:"call_id"`
	Agent          string  `db:"agent"`
	Queue          string  `db:"queue"`
	Form           string  `db:"form"`
	Answers        string  `db:"answers"`
	Score          float64 `db:"score"`
	Raw            float64 `db:"raw_score"`
	CriticalFailed string  `db:"critical_failed"`
	Comment        string  `db:"comment"`
	Reviewer       string  `db:"reviewer"`
	StartedMS      int64   `db:"started_ms"`
	ReviewedMS     int64   `db:"reviewed_ms"`
	AckMS          int64   `db:"acknowledged_ms"`
}

const reviewColumns = "id, call_id, agent, queue, form, answers, score, raw_score, critical_failed, comment, reviewer, started_ms, reviewed_ms, acknowledged_ms"

func (r reviewRow) review() (Review, error) {
	v := Review{
		ID: r.ID, CallID: r.CallID, Agent: r.Agent, Queue: r.Queue, Form: r.Form, Score: r.Score, Raw: r.Raw,
		Comment: r.Comment, Reviewer: r.Reviewer, Started: sqldb.FromMS(r.StartedMS), Reviewed: sqldb.FromMS(r.ReviewedMS),
	}
	if r.CriticalFailed != "" {
		v.CriticalFailed = strings.Split(r.CriticalFailed, ",")
	}
	if r.AckMS != 0 {
		v.Acknowledged = sqldb.FromMS(r.AckMS)
	}
	if err := json.Unmarshal([]byte(r.Answers), &v.Answers); err != nil {
		return v, fmt.Errorf("store: review %d: answers: %w", r.ID, err)
	}
	return v, nil
}

// Table is the reviews table, read and written directly (see SaveReview).
type Table struct{ h *sqldb.Handle }

// New is the table on h.
func New(h *sqldb.Handle) *Table { return &Table{h: h} }

// SaveReview writes a review at once (it is a supervisor's action, not a
// call's record) and returns it with its id. ErrReviewExists when the
// call has one; sqldb.ErrDatabaseUnavailable while the database is down.
func (tb *Table) SaveReview(ctx context.Context, r Review) (Review, error) {
	db, err := tb.h.DB()
	if err != nil {
		return r, err
	}
	var n int
	err = db.GetContext(ctx, &n, db.Rebind("SELECT COUNT(*) FROM reviews WHERE call_id = ?"), r.CallID)
	if err != nil {
		return r, fmt.Errorf("store: save review: %w", sqldb.Unavailable(err))
	}
	if n > 0 {
		return r, fmt.Errorf("store: review of %s: %w", r.CallID, ErrReviewExists)
	}
	answers, err := json.Marshal(r.Answers)
	if err != nil {
		return r, fmt.Errorf("store: save review: %w", err)
	}
	res, err := db.ExecContext(ctx, db.Rebind("INSERT INTO reviews (call_id, agent, queue, form, answers, score, raw_score, critical_failed, comment, reviewer, started_ms, reviewed_ms, acknowledged_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"),
		r.CallID, r.Agent, r.Queue, r.Form, string(answers), r.Score, r.Raw, sqldb.Clip(strings.Join(r.CriticalFailed, ","), 1024),
		r.Comment, sqldb.Clip(r.Reviewer, 128), sqldb.MS(r.Started), sqldb.MS(r.Reviewed))
	if err != nil {
		return r, fmt.Errorf("store: save review: %w", sqldb.Unavailable(err))
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return r, fmt.Errorf("store: save review: id: %w", err)
	}
	return r, nil
}

// ReviewFilter selects reviews of calls that started in [From, To); an
// empty Agent matches all.
type ReviewFilter struct {
	From, To time.Time
	Agent    string
}

// Reviews lists reviews, the most recent call first.
func (tb *Table) Reviews(ctx context.Context, f ReviewFilter) ([]Review, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	where, args := "started_ms >= ? AND started_ms < ?", []any{sqldb.MS(f.From), sqldb.MS(f.To)}
	if f.Agent != "" {
		where, args = where+" AND agent = ?", append(args, f.Agent)
	}
	return reviewsWhere(ctx, db, where+" ORDER BY started_ms DESC, id DESC LIMIT 5000", args...)
}

// ReviewOf reads one review by id, or sqldb.ErrNotFound.
func (tb *Table) ReviewOf(ctx context.Context, id int64) (Review, error) {
	db, err := tb.h.DB()
	if err != nil {
		return Review{}, err
	}
	list, err := reviewsWhere(ctx, db, "id = ?", id)
	if err != nil {
		return Review{}, err
	}
	if len(list) == 0 {
		return Review{}, fmt.Errorf("store: review %d: %w", id, sqldb.ErrNotFound)
	}
	return list[0], nil
}

// AcknowledgeReview marks that the agent read review id, once: a second
// acknowledgement keeps the first time. sqldb.ErrNotFound when the review does
// not exist or is not the agent's.
func (tb *Table) AcknowledgeReview(ctx context.Context, id int64, agent string, at time.Time) (Review, error) {
	db, err := tb.h.DB()
	if err != nil {
		return Review{}, err
	}
	_, err = db.ExecContext(ctx, db.Rebind("UPDATE reviews SET acknowledged_ms = ? WHERE id = ? AND agent = ? AND acknowledged_ms = 0"), sqldb.MS(at), id, agent)
	if err != nil {
		return Review{}, fmt.Errorf("store: acknowledge review %d: %w", id, sqldb.Unavailable(err))
	}
	r, err := tb.ReviewOf(ctx, id)
	if err == nil && r.Agent != agent {
		return Review{}, fmt.Errorf("store: review %d of agent %s: %w", id, agent, sqldb.ErrNotFound)
	}
	return r, err
}

func reviewsWhere(ctx context.Context, db *sqlx.DB, where string, args ...any) ([]Review, error) {
	return sqldb.Select(ctx, db, "reviews", "SELECT "+reviewColumns+" FROM reviews WHERE "+where, reviewRow.review, args...)
}

// ReviewCandidate is a recorded call with what flags it for review.
type ReviewCandidate struct {
	CallID      string        `db:"call_id"`
	Agent       string        `db:"agent"`
	Queue       string        `db:"queue"`
	StartedMS   int64         `db:"started_ms"`
	DurationMS  int64         `db:"duration_ms"`
	SurveyScore int           `db:"survey_score"`
	Category    string        `db:"category"`
	Started     time.Time     `db:"-"`
	Duration    time.Duration `db:"-"`
}

// ReviewCandidates lists the recorded calls that started in [from, to),
// each with its survey score (0 when none) and the answering agent's
// disposition ("" when none).
func (tb *Table) ReviewCandidates(ctx context.Context, from, to time.Time) ([]ReviewCandidate, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	var rows []ReviewCandidate
	err = db.SelectContext(ctx, &rows, db.Rebind(`SELECT r.call_id, r.agent, r.queue, r.started_ms, r.duration_ms,
		COALESCE(sa.score, 0) AS survey_score, COALESCE(d.category, '') AS category
		FROM recordings r
		LEFT JOIN survey_answers sa ON sa.call_id = r.call_id
		LEFT JOIN dispositions d ON d.call_id = r.call_id AND d.agent = r.agent
		WHERE r.started_ms >= ? AND r.started_ms < ?
		ORDER BY r.started_ms LIMIT 100000`), sqldb.MS(from), sqldb.MS(to))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: review candidates: %w", sqldb.Unavailable(err))
	}
	for i := range rows {
		rows[i].Started = sqldb.FromMS(rows[i].StartedMS)
		rows[i].Duration = time.Duration(rows[i].DurationMS) * time.Millisecond
	}
	return rows, nil
}
