package ticketsql

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// TicketFigures are the ticket figures of a period (docs/metrics.md
// defines each): opened and closed in it, how many of those closed had
// their first answer by the deadline, the median time from opening to
// closing, and the tickets overdue at the end of it.
type TicketFigures struct {
	From               time.Time      `json:"from"`
	To                 time.Time      `json:"to"`
	Opened             int            `json:"opened"`
	Closed             int            `json:"closed"`
	ClosedInDeadline   int            `json:"closed_in_deadline"`
	Overdue            int            `json:"overdue"`
	MedianCloseSeconds float64        `json:"median_close_seconds"`
	ReturnVisits       int            `json:"return_visits"`
	Satisfied          int            `json:"satisfied"` // return visits scored 4 or 5
	ReopenedAfterVisit int            `json:"reopened_after_visit"`
	MeanSatisfaction   float64        `json:"mean_satisfaction"`
	OpenedByCategory   map[string]int `json:"opened_by_category"`
}

// TicketFigures counts the tickets of [from, to); overdue is counted at
// to (or now, when to is later).
func (tb *Table) TicketFigures(ctx context.Context, from, to, now time.Time) (TicketFigures, error) {
	f := TicketFigures{From: from, To: to, OpenedByCategory: map[string]int{}}
	db, err := tb.h.DB()
	if err != nil {
		return f, err
	}
	var byCat []struct {
		Category string `db:"category"`
		N        int    `db:"n"`
	}
	err = db.SelectContext(ctx, &byCat, db.Rebind(
		"SELECT category, COUNT(*) AS n FROM tickets WHERE created_ms >= ? AND created_ms < ? GROUP BY category"),
		sqldb.MS(from), sqldb.MS(to))
	if err != nil {
		return f, fmt.Errorf("store: ticket figures: %w", err)
	}
	for _, c := range byCat {
		f.OpenedByCategory[c.Category] = c.N
		f.Opened += c.N
	}
	var closed []struct {
		CreatedMS  int64 `db:"created_ms"`
		ClosedMS   int64 `db:"closed_ms"`
		AnsweredMS int64 `db:"answered_ms"`
		DueMS      int64 `db:"due_ms"`
	}
	err = db.SelectContext(ctx, &closed, db.Rebind(
		"SELECT created_ms, closed_ms, answered_ms, due_ms FROM tickets WHERE closed_ms >= ? AND closed_ms < ?"),
		sqldb.MS(from), sqldb.MS(to))
	if err != nil {
		return f, fmt.Errorf("store: ticket figures: %w", err)
	}
	durations := make([]int64, 0, len(closed))
	for _, c := range closed {
		f.Closed++
		if c.AnsweredMS > 0 && c.AnsweredMS <= c.DueMS {
			f.ClosedInDeadline++
		}
		durations = append(durations, c.ClosedMS-c.CreatedMS)
	}
	f.MedianCloseSeconds = medianSeconds(durations)
	at := to
	if !now.IsZero() && now.Before(to) {
		at = now
	}
	err = db.GetContext(ctx, &f.Overdue, db.Rebind(
		"SELECT COUNT(*) FROM tickets WHERE state IN (?, ?, ?) AND due_ms < ?"), "open", "assigned", "reopened", sqldb.MS(at))
	if err != nil {
		return f, fmt.Errorf("store: ticket figures: %w", err)
	}
	return f, visitFigures(ctx, db, &f)
}

func visitFigures(ctx context.Context, db *sqlx.DB, f *TicketFigures) error {
	var visits []struct {
		Satisfaction int    `db:"satisfaction"`
		Resolved     string `db:"resolved"`
	}
	err := db.SelectContext(ctx, &visits, db.Rebind(
		"SELECT satisfaction, resolved FROM tickets WHERE visit_state = ? AND updated_ms >= ? AND updated_ms < ?"),
		"done", sqldb.MS(f.From), sqldb.MS(f.To))
	if err != nil {
		return fmt.Errorf("store: return visit figures: %w", err)
	}
	sum := 0
	for _, v := range visits {
		f.ReturnVisits++
		sum += v.Satisfaction
		if v.Satisfaction >= 4 {
			f.Satisfied++
		}
		if v.Resolved == "no" {
			f.ReopenedAfterVisit++
		}
	}
	if f.ReturnVisits > 0 {
		f.MeanSatisfaction = float64(sum) / float64(f.ReturnVisits)
	}
	return nil
}

func medianSeconds(d []int64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	n := len(d)
	if n%2 == 1 {
		return float64(d[n/2]) / 1000
	}
	return float64(d[n/2-1]+d[n/2]) / 2000
}

// RepeatComplainer is a caller with many complaint tickets in a period.
type RepeatComplainer struct {
	Caller     string   `json:"caller"`
	Complaints int      `json:"complaints"`
	Tickets    []Ticket `json:"tickets"`
}

// RepeatComplainers lists the callers with at least min complaint tickets
// created in [from, to), most complaints first, each with those tickets.
func (tb *Table) RepeatComplainers(ctx context.Context, from, to time.Time, minimum int) ([]RepeatComplainer, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	var counts []struct {
		Caller string `db:"caller"`
		N      int    `db:"n"`
	}
	err = db.SelectContext(ctx, &counts, db.Rebind(`SELECT caller, COUNT(*) AS n FROM tickets
WHERE category = ? AND created_ms >= ? AND created_ms < ? AND caller <> ''
GROUP BY caller HAVING COUNT(*) >= ? ORDER BY n DESC, caller LIMIT 1000`), "complaint", sqldb.MS(from), sqldb.MS(to), minimum)
	if err != nil {
		return nil, fmt.Errorf("store: repeat complainers: %w", err)
	}
	out := make([]RepeatComplainer, 0, len(counts))
	for _, c := range counts {
		var rows []ticketRow
		q := ticketSelect + " WHERE caller = ? AND category = ? AND created_ms >= ? AND created_ms < ? ORDER BY created_ms"
		if err := db.SelectContext(ctx, &rows, db.Rebind(q), c.Caller, "complaint", sqldb.MS(from), sqldb.MS(to)); err != nil {
			return nil, fmt.Errorf("store: repeat complainer tickets: %w", err)
		}
		rc := RepeatComplainer{Caller: c.Caller, Complaints: c.N, Tickets: make([]Ticket, len(rows))}
		for i, r := range rows {
			rc.Tickets[i] = r.ticket()
		}
		out = append(out, rc)
	}
	return out, nil
}
