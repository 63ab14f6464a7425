package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store/cdr"
)

// discardSink accepts every record without a database, so that the
// Recorder benchmark measures the Recorder.
type discardSink struct{}

func (discardSink) Write(_ context.Context, recs []record) (int, error) { return len(recs), nil }

// BenchmarkRecorderHandleEvent is the cost a call's goroutine pays per
// event published (a full answered call of 22 events, cycled).
func BenchmarkRecorderHandleEvent(b *testing.B) {
	env := &testEnv{dialect: dialectSQLite, dataDir: b.TempDir(), clock: newFakeClock()}
	s, err := Open(context.Background(), env.config(func(c *Config) {
		c.wrapSink = func(sink) sink { return discardSink{} }
		c.QueueSize = 1 << 20
	}))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	template := fullCall().events
	r := s.Recorder()
	b.ReportAllocs()
	b.ResetTimer()
	callNo := 0
	var e call.Event
	for i := range b.N {
		k := i % len(template)
		if k == 0 {
			callNo++
		}
		e = template[k]
		e.CallID = fmt.Sprintf("bench-%d", callNo)
		r.HandleEvent(e)
	}
}

// BenchmarkWriterThroughput writes finished call records (each with one
// queue visit) through the writer and reports rows per second.
func BenchmarkWriterThroughput(b *testing.B) {
	b.Run(dialectSQLite, func(b *testing.B) {
		benchmarkWriter(b, &testEnv{dialect: dialectSQLite, dataDir: b.TempDir(), clock: newFakeClock()})
	})
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		return
	}
	b.Run(dialectMySQL, func(b *testing.B) {
		benchmarkWriter(b, &testEnv{dialect: dialectMySQL, dsn: freshMySQLDatabase(b, base),
			dataDir: b.TempDir(), clock: newFakeClock()})
	})
}

func benchmarkWriter(b *testing.B, env *testEnv) {
	s, err := Open(context.Background(), env.config(func(c *Config) { c.QueueSize = b.N + 1 }))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	rec := getBenchRecord()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		c := rec
		c.CallID = fmt.Sprintf("w-%d", i)
		s.pipe.Put(record{Call: &c})
	}
	if err := s.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
}

func getBenchRecord() CallRecord {
	b := cdr.NewBuilder(call.Event{CallID: "x", Time: t0})
	for _, e := range fullCall().events {
		b.Apply(e)
	}
	return b.Record()
}
