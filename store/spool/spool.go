package spool

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The spool is an ordered list of append-only JSON-lines segment files
// named by a number; reading them in number order gives the records in the
// order they were spooled. Producers append at the tail; the writer drains
// from the head and, when a write to the database fails, puts the records it
// was holding (which are older than anything spooled) in a new segment in
// front of the head. A crash can leave a torn last line, which is skipped.
type Spool[R Record] struct {
	dir string
	log *slog.Logger

	mu       sync.Mutex
	segments []int64 // segment numbers in order; the last may be the open tail
	tail     *os.File
	tailSeg  int64
	tailSize int64
	records  int   // records in all segments
	bytes    int64 // bytes in all segments
	segLimit int64 // rotate the tail past this size

	// fsync makes an append durable: (*os.File).Sync unless a test slows
	// the disk down (see Open).
	fsync func(*os.File) error
}

// The files of the spool directory: the segments, SegmentPrefix, a number
// and SegmentSuffix; and RejectedFile, where records the database refused
// for their content are kept for an operator to look at.
const (
	SegmentPrefix = "seg-"
	SegmentSuffix = ".jsonl"
	RejectedFile  = "rejected.jsonl"
	// firstSegment leaves room below for segments put in front of the head.
	firstSegment int64 = 1 << 40
)

// Record is what a spool holds: a value that survives a JSON round trip.
// Empty reports a line that parsed to nothing this version knows, which is
// skipped like a torn one.
type Record interface {
	Empty() bool
}

// Open opens the spool in dir (creating it) and counts what an earlier run
// left there. sync makes an append durable; nil means (*os.File).Sync.
func Open[R Record](dir string, log *slog.Logger, sync func(*os.File) error) (*Spool[R], error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: spool: %w", err)
	}
	if sync == nil {
		sync = (*os.File).Sync
	}
	s := &Spool[R]{dir: dir, log: log, segLimit: 4 << 20, fsync: sync}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store: spool: %w", err)
	}
	for _, e := range entries {
		n, ok := segmentNumber(e.Name())
		if !ok || e.IsDir() {
			continue
		}
		recs, size, err := s.read(n)
		if err != nil {
			return nil, err
		}
		s.segments = append(s.segments, n)
		s.records += len(recs)
		s.bytes += size
	}
	slices.Sort(s.segments)
	return s, nil
}

func segmentNumber(name string) (int64, bool) {
	if !strings.HasPrefix(name, SegmentPrefix) || !strings.HasSuffix(name, SegmentSuffix) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, SegmentPrefix), SegmentSuffix), 10, 64)
	return n, err == nil
}

func (s *Spool[R]) path(n int64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%s%020d%s", SegmentPrefix, n, SegmentSuffix))
}

// encode turns records into JSON lines.
func encode[R any](recs []R) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return nil, fmt.Errorf("store: spool: encode: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// AppendTail writes records after everything spooled so far. The write
// happens under the lock so concurrent producers keep their order; the
// fsync is left to the caller (see SyncTail) so that it does not hold the
// lock.
func (s *Spool[R]) AppendTail(recs []R) (*os.File, error) {
	data, err := encode(recs)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tail == nil || s.tailSize >= s.segLimit {
		if err := s.openTailLocked(); err != nil {
			return nil, err
		}
	}
	n, err := s.tail.Write(data)
	s.tailSize += int64(n)
	s.bytes += int64(n)
	if err != nil {
		return nil, fmt.Errorf("store: spool: append: %w", err)
	}
	s.records += len(recs)
	return s.tail, nil
}

// SyncTail makes an append durable; a tail closed meanwhile was synced by
// whoever closed it.
func (s *Spool[R]) SyncTail(f *os.File) error {
	if err := s.fsync(f); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("store: spool: sync: %w", err)
	}
	return nil
}

func (s *Spool[R]) openTailLocked() error {
	if err := s.sealLocked(); err != nil {
		return err
	}
	n := firstSegment
	if len(s.segments) > 0 {
		n = s.segments[len(s.segments)-1] + 1
	}
	f, err := os.OpenFile(s.path(n), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		_ = f.Close()
		return err
	}
	s.tail, s.tailSeg, s.tailSize = f, n, 0
	s.segments = append(s.segments, n)
	return nil
}

// sealLocked closes the open tail so that it can be read and removed.
func (s *Spool[R]) sealLocked() error {
	if s.tail == nil {
		return nil
	}
	f := s.tail
	s.tail = nil
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: spool: seal: %w", err)
	}
	return nil
}

// prepend puts records in a new segment in front of the head, durably.
func (s *Spool[R]) prepend(recs []R) error {
	if len(recs) == 0 {
		return nil
	}
	data, err := encode(recs)
	if err != nil {
		return err
	}
	s.mu.Lock()
	n := firstSegment
	if len(s.segments) > 0 {
		n = s.segments[0] - 1
	}
	// Reserve the number now; only the writer reads the head, and it is
	// the one calling, so nobody sees the segment before it is complete.
	s.segments = slices.Insert(s.segments, 0, n)
	s.mu.Unlock()
	if err := writeFileSync(s.path(n), data); err != nil {
		s.mu.Lock()
		s.segments = slices.DeleteFunc(s.segments, func(v int64) bool { return v == n })
		s.mu.Unlock()
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.mu.Lock()
	s.records += len(recs)
	s.bytes += int64(len(data))
	s.mu.Unlock()
	return nil
}

// head returns the first segment, sealing it if it is the open tail.
func (s *Spool[R]) head() (int64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segments) == 0 {
		return 0, false, nil
	}
	n := s.segments[0]
	if s.tail != nil && n == s.tailSeg {
		if err := s.sealLocked(); err != nil {
			return 0, false, err
		}
	}
	return n, true, nil
}

// read loads a sealed segment. Lines that do not parse (a torn last line
// after a crash) are skipped and logged.
func (s *Spool[R]) read(n int64) ([]R, int64, error) {
	data, err := os.ReadFile(s.path(n))
	if err != nil {
		return nil, 0, fmt.Errorf("store: spool: %w", err)
	}
	var recs []R
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		var r R
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Empty() {
			s.log.Warn("store: skipping unreadable spool line", "segment", n, "line", line)
			continue
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: spool: read segment %d: %w", n, err)
	}
	return recs, int64(len(data)), nil
}

// Each calls fn with every spooled record, in order; it is meant for
// Open, before the writer starts.
func (s *Spool[R]) Each(fn func(R)) error {
	s.mu.Lock()
	segments := slices.Clone(s.segments)
	s.mu.Unlock()
	for _, n := range segments {
		recs, _, err := s.read(n)
		if err != nil {
			return err
		}
		for _, r := range recs {
			fn(r)
		}
	}
	return nil
}

// remove deletes a drained segment.
func (s *Spool[R]) remove(n int64, recs int, size int64) error {
	if err := os.Remove(s.path(n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: spool: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.segments = slices.DeleteFunc(s.segments, func(v int64) bool { return v == n })
	s.records -= recs
	s.bytes -= size
	return nil
}

// empty reports whether nothing is spooled; call with the writer's lock
// held so that no producer appends meanwhile.
func (s *Spool[R]) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.segments) == 0
}

// Stats returns the records spooled and the size of their segments.
func (s *Spool[R]) Stats() (records int, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records, s.bytes
}

// Close seals the open tail; a later append opens a new one.
func (s *Spool[R]) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sealLocked()
}

// Reject keeps a record the database refused for its content, so that an
// operator can look at it, and so that it does not block the records after
// it.
func (s *Spool[R]) Reject(r R, cause error) error {
	line, err := json.Marshal(struct {
		Error  string `json:"error"`
		Record R      `json:"record"`
	}{cause.Error(), r})
	if err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.dir, RejectedFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: spool: reject: %w", err)
	}
	return nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	_, err = f.Write(data)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("store: spool: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: spool: sync dir: %w", err)
	}
	return nil
}
