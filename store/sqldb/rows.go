package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Select runs query (written with ? placeholders) into rows of type R and
// turns each into a T with conv: how every table reads its rows. what
// names the table in errors; a database that cannot be reached is
// reported as ErrDatabaseUnavailable.
func Select[R, T any](ctx context.Context, db *sqlx.DB, what, query string, conv func(R) (T, error), args ...any) ([]T, error) {
	var rows []R
	if err := db.SelectContext(ctx, &rows, db.Rebind(query), args...); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s: %w", what, Unavailable(err))
	}
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		v, err := conv(r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
