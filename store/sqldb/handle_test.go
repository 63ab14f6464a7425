package sqldb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestUnreachableTellsOutagesFromMistakes(t *testing.T) {
	dnsErr := &net.DNSError{Err: "no such host", Name: "db.example", IsNotFound: true}
	cases := []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{fmt.Errorf("store: mysql u@db:3306/h: %w", dnsErr), true},
		{fmt.Errorf("store: migrations: %w", context.DeadlineExceeded), true},
		{mysql.ErrInvalidConn, true},
		{fmt.Errorf("read handshake: %w", io.ErrUnexpectedEOF), true},
		{&mysql.MySQLError{Number: 1040, Message: "Too many connections"}, true},
		{&mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}, true},
		{&mysql.MySQLError{Number: 1045, Message: "Access denied"}, false},
		{&mysql.MySQLError{Number: 1044, Message: "Access denied to database"}, false},
		{&mysql.MySQLError{Number: 1049, Message: "Unknown database"}, false},
		{fmt.Errorf("store: mysql dsn: %w", errors.New("invalid DSN: missing the slash")), false},
		{context.Canceled, false},
		{nil, false},
	}
	for _, tc := range cases {
		if got := Unreachable(tc.err); got != tc.want {
			t.Errorf("Unreachable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
