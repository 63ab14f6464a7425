package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/store"
)

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
