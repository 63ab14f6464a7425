package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/spool"
)

// Errors the tables share with the store.
var (
	// ErrDatabaseUnavailable: the database has not been reached since the
	// store opened, or cannot be reached now.
	ErrDatabaseUnavailable = spool.ErrDatabaseUnavailable
	ErrNotFound            = errors.New("store: not found")
)

// Handle is the database as the tables see it: empty until the store has
// reached and migrated it, then set for good, so a reader that saw it set
// may keep using it.
type Handle struct {
	db atomic.Pointer[sqlx.DB]
	// D is the dialect the store's DSN names; it is known before the
	// database is reached.
	D Dialect
}

// NewHandle is an empty handle for a database of dialect d.
func NewHandle(d Dialect) *Handle { return &Handle{D: d} }

// Set makes db the database; the store calls it once, after migrating.
func (h *Handle) Set(db *sqlx.DB) { h.db.Store(db) }

// DB returns the database, or ErrDatabaseUnavailable while it has not been
// reached; every read starts with it.
func (h *Handle) DB() (*sqlx.DB, error) {
	db := h.db.Load()
	if db == nil {
		return nil, ErrDatabaseUnavailable
	}
	return db, nil
}

// Server errors that mean "not now" rather than "not you": too many
// connections, shutdown in progress, host blocked after connection errors,
// connection killed.
var mysqlBusyErrors = map[uint16]bool{1040: true, 1053: true, 1129: true, 1927: true}

// Unreachable tells a database that cannot be reached right now (refused,
// timed out, unknown host, gone in the middle of the handshake), which the
// store waits out, from one that answered and refused the configuration
// (bad DSN, wrong password, unknown database, failing migration), which is
// a mistake to report at once. A cancelled context is the caller giving
// up, not an outage.
func Unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return mysqlBusyErrors[me.Number]
	}
	for _, gone := range []error{context.DeadlineExceeded, driver.ErrBadConn, mysql.ErrInvalidConn,
		io.EOF, io.ErrUnexpectedEOF} {
		if errors.Is(err, gone) {
			return true
		}
	}
	return false
}

// Unavailable marks an error that means the database cannot be reached
// right now, so that callers can tell an outage from a mistake.
func Unavailable(err error) error {
	if Unreachable(err) {
		return fmt.Errorf("%w: %w", ErrDatabaseUnavailable, err)
	}
	return err
}
