package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// connector opens the database named by cfg and checks that it answers.
// Tests swap it to stage an outage and the database's return.
type connector func(ctx context.Context, cfg Config) (*sqlx.DB, error)

// SQLiteFile is the record database's file name inside the data directory
// when no DSN is configured.
const SQLiteFile = "hotline.db"

// targetDialect tells from the DSN alone which database is meant, so that
// the store knows its dialect before it has reached the database.
func targetDialect(dsn string) dialect {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" || strings.HasPrefix(dsn, "sqlite:") {
		return sqliteDialect
	}
	return mysqlDialect
}

func connect(ctx context.Context, cfg Config) (*sqlx.DB, error) {
	dsn := strings.TrimSpace(cfg.DSN)
	if targetDialect(dsn).Name == dialectSQLite {
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			path = filepath.Join(cfg.DataDir, SQLiteFile)
		}
		db, err := openSQLite(ctx, path, cfg.SQLiteBusyTimeout)
		if err == nil {
			cfg.Logger.Info("store: opened", "dialect", dialectSQLite, "path", path)
		}
		return db, err
	}
	return openMySQL(ctx, strings.TrimPrefix(dsn, "mysql://"), cfg.Logger)
}

// openDatabase connects and brings the schema up to date.
func openDatabase(ctx context.Context, cfg Config) (*sqlx.DB, error) {
	db, err := cfg.connector(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, targetDialect(cfg.DSN), cfg.Logger); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// unreachable tells a database that cannot be reached right now from one
// that answered and refused (see sqldb.Unreachable).
func unreachable(err error) bool { return sqldb.Unreachable(err) }

// reconnect gives the writer its way to reach a database that was
// unreachable at Open: connect, run the migrations, and only then make the
// database visible to readers and hand the writer its sink. The writer
// calls it on its retry schedule, so a long outage costs one attempt per
// backoff step and logs nothing per attempt; only an answer that is not an
// outage (a password changed meanwhile, say) is logged, once.
func (s *Store) reconnect(cfg Config) func(context.Context) (sink, error) {
	loggedRefusal := false
	return func(ctx context.Context) (sink, error) {
		connectCtx, cancel := context.WithTimeout(ctx, cfg.WriteTimeout)
		db, err := cfg.connector(connectCtx, cfg)
		cancel()
		if err == nil {
			if err = migrate(ctx, db, s.d, s.log); err != nil {
				_ = db.Close()
			}
		}
		if err != nil {
			if !unreachable(err) && ctx.Err() == nil && !loggedRefusal {
				loggedRefusal = true
				s.log.Error("store: the database answers but refuses the store; still retrying", "err", err)
			}
			return nil, err
		}
		recs, _ := s.spool.Stats()
		s.log.Info("store: database reachable again; writing the spool", "dialect", s.d.Name, "spooled", recs)
		return s.useDatabase(db, cfg), nil
	}
}

// useDatabase makes db the store's database and returns the writer's sink
// for it.
func (s *Store) useDatabase(db *sqlx.DB, cfg Config) sink {
	s.h.Set(db)
	var sk sink = s.newSink(db)
	if cfg.wrapSink != nil {
		sk = cfg.wrapSink(sk)
	}
	return sk
}

// newSink is the writer's way into db: rows it refuses are set aside in
// the spool directory and counted by the writer.
func (s *Store) newSink(db *sqlx.DB) *dbSink {
	return newDBSink(db, s.d, s.spool, s.log, func(err error) { s.pipe.Rejected(err) }, s.newTableSinks(db))
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
	db := sqlx.NewDb(raw, sqliteDialect.BindName)
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
	db := sqlx.NewDb(sql.OpenDB(conn), mysqlDialect.BindName)
	db.SetConnMaxLifetime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: mysql %s@%s/%s: %w", mc.User, mc.Addr, mc.DBName, err)
	}
	log.Info("store: opened", "dialect", dialectMySQL, "user", mc.User, "addr", mc.Addr, "db", mc.DBName)
	return db, nil
}

func migrate(ctx context.Context, db *sqlx.DB, d dialect, log *slog.Logger) error {
	fsys, err := migrations(d)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(gooseDialect(d), db.DB, fsys, goose.WithSlog(log), goose.WithDisableGlobalRegistry(true))
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

// unavailable marks an error that means the database cannot be reached
// right now (see sqldb.Unavailable).
func unavailable(err error) error { return sqldb.Unavailable(err) }
