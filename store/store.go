// Package store keeps the records of the hotline: one call detail record
// per call, agent state changes, dispositions, survey answers and the
// current agent status, in SQLite (the default, in the data directory) or
// MySQL/MariaDB. It also computes the reports of KPIS.md from those records.
//
// Records come from the call event stream through a Recorder. Writes go
// through a bounded in-memory queue and one writer goroutine; when the
// database is down or slow, or the queue is full, records go to an
// append-only spool on local disk and are written, in order, when the
// database is back. A database outage delays records; it does not lose them
// and does not hold up a call.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Errors returned by the store.
var (
	ErrClosed            = errors.New("store: closed")
	ErrBackupUnsupported = errors.New("store: online backup is only built in for SQLite; use mariadb-dump or mariabackup")
	ErrNotFound          = errors.New("store: not found")
)

// Clock tells the time; tests inject a fake one.
type Clock interface{ Now() time.Time }

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

	// wrapSink lets tests put a faulty database between writer and store.
	wrapSink func(sink) sink
}

// Store is an open record store.
type Store struct {
	db       *sqlx.DB
	d        dialect
	log      *slog.Logger
	clock    Clock
	pipe     *pipeline
	recorder *Recorder

	closeOnce sync.Once
}

// Open connects to the database, runs the migrations, starts the writer and
// writes what an earlier run left in the spool (waiting for that first pass
// within ctx; if the database fails it, the records stay spooled and are
// retried in the background).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = withDefaults(cfg)
	if cfg.DataDir == "" {
		return nil, errors.New("store: DataDir is required (it holds the spool)")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	db, d, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, d, cfg.Logger); err != nil {
		_ = db.Close()
		return nil, err
	}
	sp, err := openSpool(filepath.Join(cfg.DataDir, "spool"), cfg.Logger)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s := &Store{db: db, d: d, log: cfg.Logger, clock: cfg.Clock}
	s.pipe = &pipeline{
		spool: sp, log: cfg.Logger, hooks: cfg.Hooks,
		maxQueue: cfg.QueueSize, batchSize: cfg.BatchSize, timeout: cfg.WriteTimeout,
		retryMin: cfg.RetryMin, retryMax: cfg.RetryMax,
	}
	var sk sink = newDBSink(db, d, sp, cfg.Logger, s.pipe.rejected)
	if cfg.wrapSink != nil {
		sk = cfg.wrapSink(sk)
	}
	s.pipe.sink = sk
	if n, _ := sp.stats(); n > 0 {
		cfg.Logger.Info("store: replaying spooled records", "records", n)
	}
	s.pipe.start(ctx)
	s.recorder = newRecorder(s.pipe.put, cfg.Clock, cfg.Linger, cfg.StaleCallAfter)
	return s, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
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

func connect(ctx context.Context, cfg Config) (*sqlx.DB, dialect, error) {
	dsn := strings.TrimSpace(cfg.DSN)
	if dsn == "" || strings.HasPrefix(dsn, "sqlite:") {
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			path = filepath.Join(cfg.DataDir, "hotline.db")
		}
		db, err := openSQLite(ctx, path, cfg.SQLiteBusyTimeout)
		if err == nil {
			cfg.Logger.Info("store: opened", "dialect", dialectSQLite, "path", path)
		}
		return db, sqliteDialect, err
	}
	db, err := openMySQL(ctx, strings.TrimPrefix(dsn, "mysql://"), cfg.Logger)
	return db, mysqlDialect, err
}

func openSQLite(ctx context.Context, path string, busy time.Duration) (*sqlx.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: sqlite path must not contain '?' or '#'")
	}
	// Immediate transactions take the write lock at BEGIN, so two writers
	// wait for each other (busy timeout) instead of failing on upgrade.
	dsn := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_txlock=immediate", path, busy.Milliseconds())
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	db := sqlx.NewDb(raw, sqliteDialect.bindName)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	return db, nil
}

func openMySQL(ctx context.Context, dsn string, log *slog.Logger) (*sqlx.DB, error) {
	mc, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: mysql dsn: %w", err)
	}
	mc.ParseTime = true
	mc.Loc = time.UTC
	mc.InterpolateParams = true
	if mc.Timeout == 0 {
		mc.Timeout = 5 * time.Second
	}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, fmt.Errorf("store: mysql: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(conn), mysqlDialect.bindName)
	db.SetConnMaxLifetime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: mysql %s@%s/%s: %w", mc.User, mc.Addr, mc.DBName, err)
	}
	log.Info("store: opened", "dialect", dialectMySQL, "user", mc.User, "addr", mc.Addr, "db", mc.DBName)
	return db, nil
}

func migrate(ctx context.Context, db *sqlx.DB, d dialect, log *slog.Logger) error {
	fsys, err := d.migrations()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(d.goose, db.DB, fsys, goose.WithSlog(log), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	for _, r := range results {
		log.Info("store: migrated", "version", r.Source.Version, "file", r.Source.Path)
	}
	return nil
}

// Recorder returns the store's event subscriber; subscribe it to the bus.
func (s *Store) Recorder() *Recorder { return s.recorder }

// Dialect names the database in use: "sqlite" or "mysql".
func (s *Store) Dialect() string { return s.d.name }

// SaveAgentStatus records an agent's current status through the writer:
// it never blocks, and survives an outage in the spool. A save older than
// the stored one (by Updated) is ignored.
func (s *Store) SaveAgentStatus(st AgentStatus) {
	if st.Updated.IsZero() {
		st.Updated = s.clock.Now()
	}
	st.Queues = append([]string(nil), st.Queues...)
	s.pipe.putNow(record{AgentStatus: &st})
}

// Flush asks the writer to write everything now and waits for it. It
// returns nil when every record handed over before the call is in the
// database, or the write error that kept some in the spool.
func (s *Store) Flush(ctx context.Context) error { return s.pipe.flushNow(ctx) }

// Stats is the writer's state, for gauges.
type Stats struct {
	Queued       int   // records in the in-memory queue
	SpoolRecords int   // records waiting in the spool
	SpoolBytes   int64 // size of the spool segments
	Written      int64 // records written since Open
	WriteErrors  int64 // failed write attempts since Open
	Rejected     int64 // records the database refused for their content
	OpenCalls    int   // calls the Recorder is folding
	// LastError is the last write error, nil once a write succeeds again:
	// non-nil means records are waiting in the spool for the database.
	LastError error
}

// Stats reports the writer's state.
func (s *Store) Stats() Stats {
	s.pipe.mu.Lock()
	queued := len(s.pipe.queue)
	s.pipe.mu.Unlock()
	recs, size := s.pipe.spool.stats()
	s.pipe.stats.mu.Lock()
	defer s.pipe.stats.mu.Unlock()
	return Stats{
		Queued: queued, SpoolRecords: recs, SpoolBytes: size,
		Written: s.pipe.stats.written, WriteErrors: s.pipe.stats.writeErrors,
		Rejected: s.pipe.stats.rejected, OpenCalls: s.recorder.OpenCalls(), LastError: s.pipe.stats.lastErr,
	}
}

// Close writes out the calls still open (as ended by shutdown), flushes
// what it can within ctx, leaves the rest in the spool for the next Open,
// and closes the database.
func (s *Store) Close(ctx context.Context) error {
	err := ErrClosed
	s.closeOnce.Do(func() {
		s.recorder.finishAll()
		s.pipe.close(ctx)
		if n, _ := s.pipe.spool.stats(); n > 0 {
			s.log.Warn("store: closed with records in the spool", "records", n)
		}
		err = s.db.Close()
	})
	return err
}

// Backup writes a consistent copy of a SQLite database to path while the
// store keeps running. path must not exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.d.name != dialectSQLite {
		return ErrBackupUnsupported
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s already exists", filepath.Base(path))
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
