package spool

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// num is a record for these tests; zero is what a line of nothing parses to.
type num struct {
	N int `json:"n"`
}

func (r num) Empty() bool { return r.N == 0 }

// memorySink is a database that can be down.
type memorySink struct {
	mu      sync.Mutex
	down    bool
	written []int
}

var errDown = errors.New("database down")

func (m *memorySink) Write(_ context.Context, recs []num) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return 0, errDown
	}
	for _, r := range recs {
		m.written = append(m.written, r.N)
	}
	return len(recs), nil
}

func (m *memorySink) setDown(down bool) {
	m.mu.Lock()
	m.down = down
	m.mu.Unlock()
}

func startWriter(t *testing.T, dir string, sink Sink[num]) *Writer[num] {
	t.Helper()
	sp, err := Open[num](dir, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := New(Config[num]{
		Spool: sp, Log: slog.New(slog.DiscardHandler), MaxQueue: 4, BatchSize: 3,
		Timeout: time.Second, RetryMin: time.Hour, RetryMax: time.Hour,
	})
	w.Start(context.Background(), sink)
	return w
}

// Records written during an outage wait in the spool, also across a
// restart, and reach the database in the order they were put.
func TestWriterKeepsTheOrderThroughAnOutageAndARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := &memorySink{down: true}
	w := startWriter(t, dir, db)
	for n := 1; n <= 10; n++ {
		w.Put(num{n})
	}
	if err := w.Flush(ctx); !errors.Is(err, errDown) {
		t.Fatalf("flush while down: %v, want %v", err, errDown)
	}
	if st := w.Stats(); st.SpoolRecords != 10 || st.Written != 0 || st.LastError == nil {
		t.Fatalf("stats while down: %+v", st)
	}
	w.Close(ctx)
	if segs, _ := filepath.Glob(filepath.Join(dir, SegmentPrefix+"*")); len(segs) == 0 {
		t.Fatal("nothing spooled at close")
	}

	db.setDown(false)
	w = startWriter(t, dir, db)
	defer w.Close(ctx)
	for n := 11; n <= 15; n++ {
		w.Put(num{n})
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
	want := make([]int, 15)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(db.written, want) {
		t.Errorf("written %v, want %v", db.written, want)
	}
	if st := w.Stats(); st.SpoolRecords != 0 || st.Queued != 0 || st.LastError != nil {
		t.Errorf("stats after recovery: %+v", st)
	}
}

// A torn last line (a crash in the middle of an append) is skipped; the
// records before it are kept.
func TestSpoolSkipsATornLine(t *testing.T) {
	dir := t.TempDir()
	sp, err := Open[num](dir, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := sp.AppendTail([]num{{1}, {2}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"n":3`); err != nil {
		t.Fatal(err)
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open[num](dir, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	if err := again.Each(func(r num) { got = append(got, r.N) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int{1, 2}) {
		t.Errorf("records %v, want [1 2]", got)
	}
	if n, _ := again.Stats(); n != 2 {
		t.Errorf("counted %d records, want 2", n)
	}
}

// A record the database refuses is kept in RejectedFile with the reason.
func TestRejectKeepsTheRecordAndTheReason(t *testing.T) {
	dir := t.TempDir()
	sp, err := Open[num](dir, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Reject(num{7}, errors.New("value too long")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, RejectedFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"error":"value too long","record":{"n":7}}` + "\n"; string(data) != want {
		t.Errorf("rejected file %q, want %q", data, want)
	}
}
