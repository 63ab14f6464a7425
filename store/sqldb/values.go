package sqldb

import (
	"database/sql"
	"time"
)

// Column limits shared by both schemas; longer values are cut so that one
// odd value can never make a record unwritable in strict MySQL.
const (
	MaxIDLen       = 255
	MaxNumberLen   = 64
	MaxNameLen     = 128
	MaxShortLen    = 32
	MaxTargetLen   = 255
	MaxFileLen     = 512
	MaxLanguageLen = 16
)

// Clip cuts s to n characters (runes) when it is longer than n bytes.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n])
}

// MS is t in Unix milliseconds, the tables' time; the zero time is 0.
func MS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// NullMS is t in Unix milliseconds, NULL for the zero time.
func NullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// FromMS reads a time kept in Unix milliseconds, in UTC.
func FromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// FromNullMS is FromMS with NULL as the zero time.
func FromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return FromMS(v.Int64)
}

// MSOrZero is FromMS with 0 as "never".
func MSOrZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return FromMS(v)
}
