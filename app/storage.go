package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/hotline-oss/hotline/app/selfstats"
	"github.com/hotline-oss/hotline/app/windowsync"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/webhooks"
)

// openStore opens the record store and subscribes it to the event stream:
// call records, agent states, and each agent's current state so that it
// survives a restart.
func (s *Server) openStore() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Config{
		DSN: s.cfg.DatabaseDSN(), DataDir: s.cfg.DataDir, Logger: s.log.With("component", "store"), Clock: s.clock,
		SpoolSync: s.spoolSync,
	})
	if err != nil {
		return err
	}
	s.store = st
	s.bus.Subscribe(st.Recorder())
	s.bus.Subscribe(call.SubscriberFunc(func(e call.Event) {
		if e.Kind == call.AgentStateChanged {
			st.SaveAgentStatus(store.AgentStatus{Agent: e.Agent, State: e.State, Reason: e.Reason, Since: e.Time, Updated: e.Time})
		}
	}))
	s.log.Info("records", "database", st.Dialect())
	selfstats.Store(s.metrics.Registry(), st)
	windows := windowsync.Folder{Metrics: s.metrics, Store: st, Now: func() time.Time { return s.clock.Now() }, Log: s.log, Cluster: s.cfg.Cluster.Enabled}
	windows.Rebuild()
	if s.cfg.Cluster.Enabled {
		s.windowRefresh = windows.StartRefresh()
	}
	return nil
}

func (s *Server) closeStore() {
	if s.store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.store.Close(ctx); err != nil {
		s.log.Warn("store closed with records left in the spool", "err", err)
	}
}

// ErrNoDatabase is returned by Backup when the data directory holds no
// record database: there is nothing to copy, and opening the store would
// create an empty one.
var ErrNoDatabase = errors.New("no record database")

// Backup copies the record database to path without stopping a running
// server (SQLite only; MySQL has its own tools, see docs/records.md). It
// never creates the database, the data directory or path when there is
// nothing to copy.
func Backup(ctx context.Context, cfg *config.Config, path string) error {
	if cfg.DatabaseDSN() != "" {
		return errors.New("database.dsn is set: back up MySQL with mysqldump or mariabackup (see docs/records.md)")
	}
	if err := checkDatabaseFile(cfg.DataDir); err != nil {
		return err
	}
	// Only the database file: opening the whole store here would replay and
	// rewrite the running server's spool from a second process.
	return store.BackupFile(ctx, filepath.Join(cfg.DataDir, store.SQLiteFile), path)
}

// checkDatabaseFile says what is missing when the data directory or its
// SQLite database does not exist, so a typo in -data-dir is not answered
// with a backup of a fresh, empty database.
func checkDatabaseFile(dataDir string) error {
	info, err := os.Stat(dataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: data directory %s does not exist", ErrNoDatabase, dataDir)
	case err != nil:
		return fmt.Errorf("data directory: %w", err)
	case !info.IsDir():
		return fmt.Errorf("%w: data directory %s is not a directory", ErrNoDatabase, dataDir)
	}
	file := filepath.Join(dataDir, store.SQLiteFile)
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s not found (has the server run with this data directory?)", ErrNoDatabase, file)
	} else if err != nil {
		return fmt.Errorf("record database: %w", err)
	}
	return nil
}

// webhookSink is the webhook dispatcher as the server uses it: a
// subscriber of the bus with delivery counts, closed at shutdown.
type webhookSink interface {
	HandleEvent(e call.Event)
	Stats() []webhooks.Stats
	Close(ctx context.Context) error
}
