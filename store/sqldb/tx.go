package sqldb

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Tx is the writer's transaction for one batch. It runs the batch's
// statements, preparing each once per transaction where that pays (SQLite
// compiles every statement it is given; MySQL interpolates on the client
// and needs one round trip either way).
type Tx struct {
	tx      *sqlx.Tx
	prepare bool
	stmts   map[string]*sql.Stmt
}

// NewTx wraps tx for a batch written in dialect d.
func NewTx(tx *sqlx.Tx, d Dialect) *Tx { return &Tx{tx: tx, prepare: d.PrepareInTx} }

// Exec runs one statement of the batch.
func (b *Tx) Exec(ctx context.Context, query string, args ...any) error {
	if !b.prepare {
		_, err := b.tx.ExecContext(ctx, query, args...)
		return err
	}
	st, ok := b.stmts[query]
	if !ok {
		var err error
		if st, err = b.tx.PrepareContext(ctx, query); err != nil {
			return err
		}
		if b.stmts == nil {
			b.stmts = make(map[string]*sql.Stmt)
		}
		b.stmts[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

// Get reads one row into dest inside the batch's transaction.
func (b *Tx) Get(ctx context.Context, dest any, query string, args ...any) error {
	return b.tx.GetContext(ctx, dest, query, args...)
}
