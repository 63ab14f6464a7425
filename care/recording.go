package care

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/store"
)

// recording returns queue's recording settings, as of the last reload,
// when it records calls.
func (svc *Service) recording(queue string) *config.Recording {
	if r := svc.queue(queue).Recording; r != nil && r.Enabled {
		return r
	}
	return nil
}

func (svc *Service) recordingConfigured() bool {
	for name := range svc.queues {
		if svc.recording(name) != nil {
			return true
		}
	}
	return false
}

// callRecording is one call's recording in progress.
type callRecording struct {
	svc     *Service
	rec     *media.Recording
	ev      call.Event // who and where, for RecordingSaved
	rel     string     // file relative to the recordings directory
	path    string
	started time.Time
}

// startRecording records the bridge when the call's queue records calls;
// it returns nil otherwise, or when the file cannot be created (the call
// goes on unrecorded: a failed recording must not fail the call).
func (cc *Call) startRecording(bridge *media.BridgeHandle, queue, agent string) *callRecording {
	if cc.recording(queue) == nil { // the settings the call was queued with (reload.go)
		return nil
	}
	svc, c := cc.svc, cc.c
	now := svc.deps.Clock.Now()
	rel := RecordingFile(now.In(svc.loc), c.ID)
	path := filepath.Join(svc.recDir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		c.Log.Warn("recording not started", "err", err)
		return nil
	}
	rec, err := bridge.StartRecordingFile(path)
	if err != nil {
		c.Log.Warn("recording not started", "err", err)
		return nil
	}
	ev := call.Event{Kind: call.RecordingSaved, CallID: c.ID, Caller: c.Caller, Number: c.Number, Queue: queue, Agent: agent}
	return &callRecording{svc: svc, rec: rec, ev: ev, rel: rel, path: path, started: now}
}

// recordBridge records an agent's talk with the caller. The call's first
// recorded talk starts its recording; every later one (after a blind
// transfer) continues it, so a call has one file and one row however
// often it is handed on, with silence for the time in between.
func (cc *Call) recordBridge(bridge *media.BridgeHandle, queue, agent string) {
	if cc.rec == nil {
		cc.rec = cc.startRecording(bridge, queue, agent)
		return
	}
	if err := bridge.AttachRecording(cc.rec.rec); err != nil {
		cc.c.Log.Warn("recording not continued", "agent", agent, "err", err)
	}
}

// finish stops the recording and, off the call's path, saves its row and
// announces it (RecordingSaved, whose Detail is the relative file name).
func (r *callRecording) finish() {
	if r == nil {
		return
	}
	svc := r.svc
	log := svc.log.With("call", r.ev.CallID)
	if err := r.rec.Stop(); err != nil {
		log.Warn("recording incomplete", "file", r.rel, "err", err)
	}
	var size int64
	if info, err := os.Stat(r.path); err == nil {
		size = info.Size()
	}
	st := r.rec.Stats()
	rec := store.Recording{
		CallID: r.ev.CallID, Queue: r.ev.Queue, Agent: r.ev.Agent, File: r.rel,
		Started: r.started, Duration: time.Duration(st.Frames) * rtpcodec.FrameDuration, Bytes: size,
	}
	svc.metrics.RecordingBytes(size)
	svc.bg.Add(1)
	go func() {
		defer svc.bg.Done()
		if s := svc.deps.Store; s != nil {
			// Through the store's spool: an outage delays the row, and
			// the recording is listed and swept once it is written.
			if err := s.SaveRecording(rec); err != nil {
				log.Warn("recording row not saved; the call record still names the file", "err", err)
			}
		}
		ev := r.ev
		ev.Time, ev.Detail = svc.deps.Clock.Now(), r.rel
		svc.deps.Publish(ev)
	}()
}

// RecordingFile is where a call's recording goes, relative to the
// recordings directory: YYYY/MM/DD/<call id>.wav in the report time zone.
// The call id is reduced to safe characters, so no id can reach outside
// its day's directory.
func RecordingFile(t time.Time, callID string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == '@':
			return r
		}
		return '_'
	}, callID)
	if len(safe) > 100 || safe != callID {
		// Two ids that differ only in unsafe characters stay apart.
		sum := sha256.Sum256([]byte(callID))
		safe = safe[:min(len(safe), 80)] + "-" + hex.EncodeToString(sum[:6])
	}
	return fmt.Sprintf("%04d/%02d/%02d/%s.wav", t.Year(), t.Month(), t.Day(), safe)
}

// RecordingPath resolves a stored relative file name inside the
// recordings directory, refusing anything that would leave it.
func (svc *Service) RecordingPath(rel string) (string, error) {
	p := filepath.FromSlash(rel)
	if !filepath.IsLocal(p) {
		return "", fmt.Errorf("recording file %q is not inside the recordings directory", rel)
	}
	return filepath.Join(svc.recDir, p), nil
}

// sweepLoop deletes expired recordings now and at every tick until close.
func (svc *Service) sweepLoop(ticks <-chan time.Time) {
	defer svc.bg.Done()
	for {
		if _, err := svc.SweepRecordings(svc.deps.Clock.Now()); err != nil {
			svc.log.Warn("recording retention sweep", "err", err)
		}
		select {
		case <-svc.stop:
			return
		case <-ticks:
		}
	}
}

// SweepRecordings deletes the files and rows of recordings older than
// their queue's retention_days; it returns how many went.
func (svc *Service) SweepRecordings(now time.Time) (int, error) {
	if svc.deps.Store == nil {
		return 0, nil
	}
	deleted := 0
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(svc.queues)) {
		r := svc.recording(name)
		if r == nil || r.RetentionDays <= 0 {
			continue
		}
		n, err := svc.sweepQueue(name, now.AddDate(0, 0, -r.RetentionDays))
		deleted += n
		if err != nil {
			errs = append(errs, fmt.Errorf("queue %s: %w", name, err))
		}
	}
	if deleted > 0 {
		svc.log.Info("expired recordings deleted", "count", deleted)
	}
	return deleted, errors.Join(errs...)
}

func (svc *Service) sweepQueue(queue string, cutoff time.Time) (int, error) {
	deleted := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		batch, err := svc.deps.Store.ExpiredRecordings(ctx, queue, cutoff, 200)
		cancel()
		if err != nil || len(batch) == 0 {
			return deleted, err
		}
		for _, rec := range batch {
			if err := svc.deleteRecording(rec); err != nil {
				// Stop rather than loop on a row that cannot go.
				return deleted, err
			}
			deleted++
		}
	}
}

func (svc *Service) deleteRecording(rec store.Recording) error {
	path, err := svc.RecordingPath(rec.File)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete recording %s: %w", rec.CallID, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return svc.deps.Store.DeleteRecording(ctx, rec.CallID)
}
