package store

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/hotline-oss/hotline/store/sqldb"
)

//go:embed migrations/sqlite/*.sql migrations/mysql/*.sql
var migrationFiles embed.FS

// dialect is everything that differs between SQLite and MySQL/MariaDB
// (package sqldb); the rest of the store writes one portable SQL.
type dialect = sqldb.Dialect

const (
	dialectSQLite = sqldb.NameSQLite
	dialectMySQL  = sqldb.NameMySQL
)

var (
	sqliteDialect = sqldb.SQLite
	mysqlDialect  = sqldb.MySQL
)

// gooseDialect is the migration tool's name for d.
func gooseDialect(d dialect) goose.Dialect {
	if d.Name == dialectMySQL {
		return goose.DialectMySQL
	}
	return goose.DialectSQLite3
}

// migrations are d's migration files.
func migrations(d dialect) (fs.FS, error) {
	sub, err := fs.Sub(migrationFiles, "migrations/"+d.Name)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return sub, nil
}
