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
	_, err := b.ExecCount(ctx, query, args...)
	return err
}

// ExecCount is Exec that tells how many rows the statement changed (an
// insert-if-absent tells by it whether it inserted).
func (b *Tx) ExecCount(ctx context.Context, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if !b.prepare {
		res, err = b.tx.ExecContext(ctx, query, args...)
	} else {
		res, err = b.execPrepared(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (b *Tx) execPrepared(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, ok := b.stmts[query]
	if !ok {
		var err error
		if st, err = b.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		if b.stmts == nil {
			b.stmts = make(map[string]*sql.Stmt)
		}
		b.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}

// Get reads one row into dest inside the batch's transaction.
func (b *Tx) Get(ctx context.Context, dest any, query string, args ...any) error {
	return b.tx.GetContext(ctx, dest, query, args...)
}
