package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/hotline-oss/hotline/store/spool"
	"github.com/hotline-oss/hotline/store/sqldb"
)

// Errors returned by the store.
var (
	ErrClosed = spool.ErrClosed
	// ErrDatabaseUnavailable: the database has not been reached since Open;
	// records wait in the spool and reads have nothing to read from.
	ErrDatabaseUnavailable = spool.ErrDatabaseUnavailable
	ErrBackupUnsupported   = errors.New("store: online backup is only built in for SQLite; use mariadb-dump or mariabackup")
	ErrNotFound            = sqldb.ErrNotFound
)

// Clock tells the time; tests inject a fake one.
type Clock interface{ Now() time.Time }

// Hooks let the server export the writer's health as metrics (see
// spool.Hooks).
type Hooks = spool.Hooks

// sink is the database as the writer sees it; recordSpool and recordWriter
// are the write path (package spool) for this package's records.
type (
	sink         = spool.Sink[record]
	recordSpool  = spool.Spool[record]
	recordWriter = spool.Writer[record]
)

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config says where the records live.
//
// DSN selects the database. Empty: SQLite in DataDir/hotline.db. "sqlite:"
// followed by a path: SQLite in that file. Anything else is MySQL/MariaDB in
// go-sql-driver's native form, "user:pass@tcp(host:3306)/hotline", optionally
// prefixed "mysql://". The store forces parseTime, UTC and client-side
// placeholder interpolation, and never logs the password.
type Config struct {
	DSN     string
	DataDir string // holds hotline.db and spool/; required
	Logger  *slog.Logger
	Clock   Clock

	QueueSize    int           // records held in memory before spilling to disk (default 4096)
	BatchSize    int           // records per transaction (default 256)
	WriteTimeout time.Duration // per batch (default 10s)
	RetryMin     time.Duration // first retry after a failed write (default 500ms)
	RetryMax     time.Duration // longest wait between retries (default 30s)
	// Linger is how long a finished call still takes late events (default
	// 2m); StaleCallAfter ends a call whose CallEnded never came (default 6h).
	Linger         time.Duration
	StaleCallAfter time.Duration
	// SQLiteBusyTimeout is how long a SQLite write waits for a lock (default 5s).
	SQLiteBusyTimeout time.Duration
	Hooks             Hooks
	// SpoolSync makes an append to the spool durable; nil means
	// (*os.File).Sync. Tests put a slow disk here.
	SpoolSync func(*os.File) error

	// wrapSink lets tests put a faulty database between writer and store;
	// connector lets them stage an unreachable database (default connect).
	wrapSink  func(sink) sink
	connector connector
}

// Store is an open record store. Besides the methods below it has those
// of the tables it embeds (tables.go): auditsql.Table (Audit, AuditLog),
// noticesql.Table (notices), recordingsql.Table (recordings),
// reportsql.Table (IntervalReport, AgentReport, CallTotals,
// RepeatCallers, AgentStates), reviewsql.Table (reviews), shiftsql.Table
// (shifts), ticketsql.Table (tickets, their figures and repeat
// complainers) and workordersql.Table (work orders).
type Store struct {
	tables // tickets, reviews, shifts, notices, ... (tables.go)

	// h is empty until the database has been reached and migrated; it
	// never goes back to empty, so a reader that saw it set may use it.
	// The tables below read through it.
	h        *sqldb.Handle
	d        dialect
	log      *slog.Logger
	clock    Clock
	pipe     *recordWriter
	spool    *recordSpool
	recorder *Recorder

	closeOnce sync.Once
}

// Open connects to the database, runs the migrations, starts the writer and
// writes what an earlier run left in the spool (waiting for that first pass
// within ctx; if the database fails it, the records stay spooled and are
// retried in the background).
//
// A database that cannot be reached (connection refused, timeout, unknown
// host, server gone, or ctx expiring first) does not stop the store: Open
// returns it degraded. The Recorder and SaveAgentStatus then put every
// record in the spool; the writer keeps trying to connect on its retry
// schedule (RetryMin doubling up to RetryMax) and, once connected, runs the
// migrations and writes the spool in order. Until then the reads return
// ErrDatabaseUnavailable and Stats reports DatabaseConnected false. A
// database that answers and refuses (bad DSN, wrong password, unknown
// database, failing migration) is a configuration mistake: Open fails.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = withDefaults(cfg)
	if cfg.DataDir == "" {
		return nil, errors.New("store: DataDir is required (it holds the spool)")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	db, dbErr := openDatabase(ctx, cfg)
	if dbErr != nil && !unreachable(dbErr) {
		return nil, dbErr
	}
	sp, err := spool.Open[record](filepath.Join(cfg.DataDir, "spool"), cfg.Logger, cfg.SpoolSync)
	if err != nil {
		if db != nil {
			_ = db.Close()
		}
		return nil, err
	}
	d := targetDialect(cfg.DSN)
	s := &Store{h: sqldb.NewHandle(d), d: d, log: cfg.Logger, clock: cfg.Clock, spool: sp}
	s.openTables()
	// Callbacks an earlier run saved or ended during an outage are not in
	// their table as they should be until the spool is written: remember
	// them for PendingCallbacks.
	if err := sp.Each(func(r record) { s.callbacks.NoteSpooled(r.Callback, r.CallbackDone) }); err != nil {
		if db != nil {
			_ = db.Close()
		}
		return nil, err
	}
	s.pipe = spool.New(spool.Config[record]{
		Spool: sp, Log: cfg.Logger, Hooks: cfg.Hooks,
		MaxQueue: cfg.QueueSize, BatchSize: cfg.BatchSize, Timeout: cfg.WriteTimeout,
		RetryMin: cfg.RetryMin, RetryMax: cfg.RetryMax,
		Reach: s.reconnect(cfg), OpenErr: dbErr,
		Resolved: func(recs []record) { s.callbacks.Written(callbackRecords(recs)) },
	})
	n, _ := sp.Stats()
	var sk sink
	if db != nil {
		sk = s.useDatabase(db, cfg)
		if n > 0 {
			cfg.Logger.Info("store: replaying spooled records", "records", n)
		}
	} else {
		cfg.Logger.Warn("store: database unreachable; starting without it, records wait in the spool",
			"dialect", s.d.Name, "spooled", n, "err", dbErr)
	}
	s.pipe.Start(ctx, sk)
	s.recorder = newRecorder(func(r record) { s.pipe.Put(r) }, cfg.Clock, cfg.Linger, cfg.StaleCallAfter)
	return s, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.connector == nil {
		cfg.connector = connect
	}
	setDefault(&cfg.QueueSize, 4096)
	setDefault(&cfg.BatchSize, 256)
	setDefault(&cfg.WriteTimeout, 10*time.Second)
	setDefault(&cfg.RetryMin, 500*time.Millisecond)
	setDefault(&cfg.RetryMax, 30*time.Second)
	setDefault(&cfg.Linger, 2*time.Minute)
	setDefault(&cfg.StaleCallAfter, 6*time.Hour)
	setDefault(&cfg.SQLiteBusyTimeout, 5*time.Second)
	return cfg
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Recorder returns the store's event subscriber; subscribe it to the bus.
func (s *Store) Recorder() *Recorder { return s.recorder }

// Dialect names the database in use: "sqlite" or "mysql".
func (s *Store) Dialect() string { return s.d.Name }

// db is the database; callers check connected first.
func (s *Store) db() *sqlx.DB {
	db, _ := s.h.DB()
	return db
}

// connected returns ErrDatabaseUnavailable while the database has not been
// reached since Open; every read starts with it.
func (s *Store) connected() error {
	_, err := s.h.DB()
	return err
}

// SaveAgentStatus records an agent's current status through the writer:
// it never blocks and does no I/O (it runs on the event bus, under the
// ACD's lock), and survives an outage in the spool. A save older than the
// stored one (by Updated) is ignored.
func (s *Store) SaveAgentStatus(st AgentStatus) {
	if st.Updated.IsZero() {
		st.Updated = s.clock.Now()
	}
	st.Queues = append([]string(nil), st.Queues...)
	s.pipe.Put(record{AgentStatus: &st})
}

// Flush asks the writer to write everything now and waits for it. It
// returns nil when every record handed over before the call is in the
// database, or the write error that kept some in the spool. A store still
// waiting for its database tries to connect now; the error of a failed
// attempt is ErrDatabaseUnavailable.
func (s *Store) Flush(ctx context.Context) error { return s.pipe.Flush(ctx) }

// Stats is the writer's state, for gauges.
type Stats struct {
	Queued       int   // records in the in-memory queue
	SpoolRecords int   // records waiting in the spool
	SpoolBytes   int64 // size of the spool segments
	Written      int64 // records written since Open
	WriteErrors  int64 // failed write attempts since Open
	Rejected     int64 // records the database refused for their content
	OpenCalls    int   // calls the Recorder is folding
	// SpillBacklog is the records handed to the spool and not yet on disk;
	// Spilled counts every record that took the spool's way since Open,
	// SpillOverflow those handed over while the backlog already held
	// QueueSize records (kept in memory: the disk was slower than calls).
	SpillBacklog  int
	Spilled       int64
	SpillOverflow int64
	// LastError is the last write error, nil once a write succeeds again:
	// non-nil means records are waiting in the spool for the database.
	// While the database is unreachable it is the last failed attempt to
	// connect (errors.Is ErrDatabaseUnavailable); each such attempt also
	// counts in WriteErrors and goes to Hooks.WriteError.
	LastError error
	// DatabaseConnected is false while the database has not been reached
	// since Open (records wait in the spool, reads fail). It stays true
	// through later outages, which show in LastError instead.
	DatabaseConnected bool
}

// Stats reports the writer's state.
func (s *Store) Stats() Stats {
	w := s.pipe.Stats()
	return Stats{
		Queued: w.Queued, SpoolRecords: w.SpoolRecords, SpoolBytes: w.SpoolBytes,
		Written: w.Written, WriteErrors: w.WriteErrors,
		Rejected: w.Rejected, OpenCalls: s.recorder.OpenCalls(), LastError: w.LastError,
		DatabaseConnected: s.connected() == nil,
		SpillBacklog:      w.SpillBacklog, Spilled: w.Spilled, SpillOverflow: w.SpillOverflow,
	}
}

// Close writes out the calls still open (as ended by shutdown), flushes
// what it can within ctx, leaves the rest in the spool for the next Open,
// and closes the database. A store still waiting for its database stops
// trying (abandoning an attempt under way) and leaves everything in the
// spool.
func (s *Store) Close(ctx context.Context) error {
	err := ErrClosed
	s.closeOnce.Do(func() {
		s.recorder.finishAll()
		s.pipe.Close(ctx)
		if n, _ := s.spool.Stats(); n > 0 {
			s.log.Warn("store: closed with records in the spool", "records", n)
		}
		err = nil
		if db := s.db(); db != nil {
			err = db.Close()
		}
	})
	return err
}

// Backup writes a consistent copy of a SQLite database to path while the
// store keeps running. path must not exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.d.Name != dialectSQLite {
		return ErrBackupUnsupported
	}
	if err := s.connected(); err != nil {
		return err
	}
	return vacuumInto(ctx, s.db(), path)
}

// BackupFile copies the SQLite database file db to path, for a process
// other than the server (hotline backup). It opens nothing but the file: no
// migrations, no spool, so the running server's spool is not replayed or
// rewritten behind its back. db must exist; it is not created.
func BackupFile(ctx context.Context, db, path string) error {
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	conn, err := openSQLite(ctx, db, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	return vacuumInto(ctx, conn, path)
}

// vacuumInto writes a consistent copy of the database to path (SQLite's
// VACUUM INTO works while other connections write).
func vacuumInto(ctx context.Context, db *sqlx.DB, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s already exists", filepath.Base(path))
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
