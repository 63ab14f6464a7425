package noticesql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Notice is an outage notice for one or more areas ("*": every area).
// Prompts maps a language to the notice's recording, a file name relative
// to the notice's own directory. A zero Ends means "until expired".
type Notice struct {
	ID        int64             `json:"id"`
	Areas     []string          `json:"areas"`
	Text      string            `json:"text"`
	Prompts   map[string]string `json:"prompts"`
	Starts    time.Time         `json:"starts_at"`
	Ends      time.Time         `json:"ends_at,omitzero"`
	CreatedBy string            `json:"created_by"`
	Created   time.Time         `json:"created_at"`
	Updated   time.Time         `json:"updated_at"`
	Expired   bool              `json:"expired"`
}

// ErrBadNotice: a notice without areas, or with areas that cannot be
// stored (commas are the separator).
var ErrBadNotice = errors.New("store: bad notice")

// ActiveAt reports whether the notice is to be played at t.
func (n Notice) ActiveAt(t time.Time) bool {
	return !n.Expired && !t.Before(n.Starts) && (n.Ends.IsZero() || t.Before(n.Ends))
}

// Covers reports whether the notice concerns area.
func (n Notice) Covers(area string) bool {
	return slices.Contains(n.Areas, "*") || (area != "" && slices.Contains(n.Areas, area))
}

type noticeRow struct {
	ID        int64  `db:"id"`
	Areas     string `db:"areas"`
	Text      string `db:"text"`
	Prompts   string `db:"prompts"`
	StartsMS  int64  `db:"starts_ms"`
	EndsMS    int64  `db:"ends_ms"`
	CreatedBy string `db:"created_by"`
	CreatedMS int64  `db:"created_ms"`
	UpdatedMS int64  `db:"updated_ms"`
	Expired   bool   `db:"expired"`
}

const noticeColumns = "id, areas, text, prompts, starts_ms, ends_ms, created_by, created_ms, updated_ms, expired"

func (r noticeRow) notice() (Notice, error) {
	n := Notice{
		ID: r.ID, Areas: strings.Split(r.Areas, ","), Text: r.Text, Starts: sqldb.FromMS(r.StartsMS),
		CreatedBy: r.CreatedBy, Created: sqldb.FromMS(r.CreatedMS), Updated: sqldb.FromMS(r.UpdatedMS), Expired: r.Expired,
	}
	if r.EndsMS != 0 {
		n.Ends = sqldb.FromMS(r.EndsMS)
	}
	if err := json.Unmarshal([]byte(r.Prompts), &n.Prompts); err != nil {
		return n, fmt.Errorf("store: notice %d: prompts: %w", r.ID, err)
	}
	return n, nil
}

func noticeFields(n Notice) (areas, prompts string, err error) {
	if len(n.Areas) == 0 {
		return "", "", fmt.Errorf("%w: no areas", ErrBadNotice)
	}
	for _, a := range n.Areas {
		if a == "" || strings.ContainsAny(a, ",\n") || len(a) > 64 {
			return "", "", fmt.Errorf("%w: area %q (1-64 characters, no commas)", ErrBadNotice, a)
		}
	}
	p, err := json.Marshal(n.Prompts)
	if err != nil {
		return "", "", fmt.Errorf("store: notice prompts: %w", err)
	}
	if n.Prompts == nil {
		p = []byte("{}")
	}
	return strings.Join(n.Areas, ","), string(p), nil
}

// Table is the notices table, read and written directly (see CreateNotice).
type Table struct{ h *sqldb.Handle }

// New is the table on h.
func New(h *sqldb.Handle) *Table { return &Table{h: h} }

// CreateNotice stores a new notice and returns it with its id. Notices go
// straight to the database, not through the spool: a supervisor creating
// one waits to know it is saved, and its id comes from the database. While
// the database cannot be reached, notice reads and writes fail with
// sqldb.ErrDatabaseUnavailable and change nothing.
func (tb *Table) CreateNotice(ctx context.Context, n Notice) (Notice, error) {
	db, err := tb.h.DB()
	if err != nil {
		return n, err
	}
	areas, prompts, err := noticeFields(n)
	if err != nil {
		return n, err
	}
	res, err := db.ExecContext(ctx, db.Rebind(
		"INSERT INTO notices (areas, text, prompts, starts_ms, ends_ms, created_by, created_ms, updated_ms, expired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		areas, n.Text, prompts, sqldb.MS(n.Starts), sqldb.MS(n.Ends), sqldb.Clip(n.CreatedBy, 128), sqldb.MS(n.Created), sqldb.MS(n.Updated), n.Expired)
	if err != nil {
		return n, fmt.Errorf("store: create notice: %w", sqldb.Unavailable(err))
	}
	if n.ID, err = res.LastInsertId(); err != nil {
		return n, fmt.Errorf("store: create notice: id: %w", err)
	}
	return n, nil
}

// UpdateNotice replaces every field of notice n.ID but its creation.
func (tb *Table) UpdateNotice(ctx context.Context, n Notice) error {
	db, err := tb.h.DB()
	if err != nil {
		return err
	}
	areas, prompts, err := noticeFields(n)
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, db.Rebind(
		"UPDATE notices SET areas = ?, text = ?, prompts = ?, starts_ms = ?, ends_ms = ?, updated_ms = ?, expired = ? WHERE id = ?"),
		areas, n.Text, prompts, sqldb.MS(n.Starts), sqldb.MS(n.Ends), sqldb.MS(n.Updated), n.Expired, n.ID)
	if err != nil {
		return fmt.Errorf("store: update notice %d: %w", n.ID, sqldb.Unavailable(err))
	}
	return affectedOne(res, n.ID)
}

// DeleteNotice removes notice id.
func (tb *Table) DeleteNotice(ctx context.Context, id int64) error {
	db, err := tb.h.DB()
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, db.Rebind("DELETE FROM notices WHERE id = ?"), id)
	if err != nil {
		return fmt.Errorf("store: delete notice %d: %w", id, sqldb.Unavailable(err))
	}
	return affectedOne(res, id)
}

type rowsAffected interface{ RowsAffected() (int64, error) }

func affectedOne(res rowsAffected, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: notice %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: notice %d: %w", id, sqldb.ErrNotFound)
	}
	return nil
}

// Notice reads one notice, or sqldb.ErrNotFound.
func (tb *Table) Notice(ctx context.Context, id int64) (Notice, error) {
	list, err := tb.noticesWhere(ctx, "id = ?", id)
	if err != nil {
		return Notice{}, err
	}
	if len(list) == 0 {
		return Notice{}, fmt.Errorf("store: notice %d: %w", id, sqldb.ErrNotFound)
	}
	return list[0], nil
}

// Notices lists notices not expired by flag, newest first; all includes
// expired ones too.
func (tb *Table) Notices(ctx context.Context, all bool) ([]Notice, error) {
	if all {
		return tb.noticesWhere(ctx, "1 = 1 ORDER BY id DESC LIMIT 1000")
	}
	return tb.noticesWhere(ctx, "expired = 0 ORDER BY id DESC LIMIT 1000")
}

func (tb *Table) noticesWhere(ctx context.Context, where string, args ...any) ([]Notice, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	return sqldb.Select(ctx, db, "notices", "SELECT "+noticeColumns+" FROM notices WHERE "+where, noticeRow.notice, args...)
}
