package sqldb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
)

// Dialect is everything that differs between SQLite and MySQL/MariaDB;
// the tables write one portable SQL.
type Dialect struct {
	Name string
	// BindName is the driver name sqlx knows the placeholder style of.
	BindName string
	// PrepareInTx: prepare each statement once per batch.
	PrepareInTx bool
	// isPermanent says an error is about the record, not the database:
	// writing it again will fail again.
	isPermanent func(error) bool
	// upsertTail ends an INSERT so that a row with the same key is
	// replaced; when guard is set, only by a row whose guard column is not
	// older.
	upsertTail func(table string, key, cols []string, guard string) string
}

// The dialects' names.
const (
	NameSQLite = "sqlite"
	NameMySQL  = "mysql"
)

// SQLite and MySQL are the two dialects.
var (
	SQLite = Dialect{
		Name: NameSQLite, BindName: "sqlite3", PrepareInTx: true,
		isPermanent: sqlitePermanent, upsertTail: sqliteUpsert,
	}
	MySQL = Dialect{
		Name: NameMySQL, BindName: "mysql",
		isPermanent: mysqlPermanent, upsertTail: mysqlUpsert,
	}
)

// IsPermanent says err is about the record, not the database: writing it
// again will fail again.
func (d Dialect) IsPermanent(err error) bool { return d.isPermanent(err) }

// InsertSQL builds the upsert for table with "?" placeholders: a row with
// the same key is replaced; when guard is set, only by a row whose guard
// column is not older.
func (d Dialect) InsertSQL(table string, key, cols []string, guard string) string {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) %s",
		table, strings.Join(cols, ", "), marks, d.upsertTail(table, key, cols, guard))
}

// InsertIfAbsentSQL inserts a row unless one with the same key exists; the
// check and the insert are one statement, so a concurrent writer of the
// same key (another node) cannot slip in between.
func (d Dialect) InsertIfAbsentSQL(table, key string, cols []string) string {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	tail := "ON CONFLICT (" + key + ") DO NOTHING"
	if d.Name == NameMySQL {
		tail = "ON DUPLICATE KEY UPDATE " + key + " = " + key
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) %s", table, strings.Join(cols, ", "), marks, tail)
}

func sqliteUpsert(table string, key, cols []string, guard string) string {
	var sets []string
	for _, c := range nonKey(key, cols) {
		sets = append(sets, fmt.Sprintf("%s = excluded.%s", c, c))
	}
	tail := fmt.Sprintf("ON CONFLICT (%s) DO UPDATE SET %s", strings.Join(key, ", "), strings.Join(sets, ", "))
	if guard != "" {
		tail += fmt.Sprintf(" WHERE excluded.%s >= %s.%s", guard, table, guard)
	}
	return tail
}

// mysqlUpsert uses VALUES(col), which MariaDB and MySQL both accept (MySQL
// 8 warns that it is deprecated in favour of a row alias MariaDB lacks).
// MySQL applies the assignments left to right, so the guard column is set
// last, after every other column has compared against its old value.
func mysqlUpsert(_ string, key, cols []string, guard string) string {
	var sets []string
	for _, c := range nonKey(key, cols) {
		if c == guard {
			continue
		}
		if guard == "" {
			sets = append(sets, fmt.Sprintf("%s = VALUES(%s)", c, c))
		} else {
			sets = append(sets, fmt.Sprintf("%s = IF(VALUES(%s) >= %s, VALUES(%s), %s)", c, guard, guard, c, c))
		}
	}
	if guard != "" {
		sets = append(sets, fmt.Sprintf("%s = GREATEST(%s, VALUES(%s))", guard, guard, guard))
	}
	return "ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
}

func nonKey(key, cols []string) []string {
	var out []string
	for _, c := range cols {
		isKey := false
		for _, k := range key {
			isKey = isKey || k == c
		}
		if !isKey {
			out = append(out, c)
		}
	}
	return out
}

// SQLite primary result codes that no retry can cure.
const (
	sqliteTooBig     = 18
	sqliteConstraint = 19
	sqliteMismatch   = 20
	sqliteRange      = 25
)

func sqlitePermanent(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqliteTooBig, sqliteConstraint, sqliteMismatch, sqliteRange:
		return true
	}
	return false
}

// mysqlPermanent lists the server errors about a value: too long, out of
// range, not null, bad encoding, bad date, foreign key. Everything else
// (connection lost, lock wait timeout, read-only server, ...) is worth
// retrying.
func mysqlPermanent(err error) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case 1048, 1264, 1265, 1292, 1366, 1406, 1452, 3140, 4025:
		return true
	}
	return false
}
