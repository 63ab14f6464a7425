package webadapt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// RecordingPaths finds a recording's file inside the recordings
// directory (the care part).
type RecordingPaths interface {
	RecordingPath(file string) (string, error)
}

// Recordings serves the recordings to the HTTP API; without a store or
// the care part they are unavailable.
type Recordings struct {
	Store *store.Store
	Paths RecordingPaths
	Log   *slog.Logger
}

func (r Recordings) ListRecordings(ctx context.Context, q web.RecordingQuery) (any, error) {
	if r.Store == nil {
		return nil, web.ErrUnavailable
	}
	list, err := r.Store.Recordings(ctx, store.RecordingFilter{From: q.From, To: q.To, Queue: q.Queue, Agent: q.Agent})
	if errors.Is(err, store.ErrDatabaseUnavailable) {
		return nil, fmt.Errorf("%w: %v", web.ErrUnavailable, err)
	}
	return list, err
}

// OpenRecording finds the call's recording by its id in the store and
// opens the file it names inside the recordings directory.
func (r Recordings) OpenRecording(ctx context.Context, callID string) (web.RecordingAudio, error) {
	if r.Store == nil || r.Paths == nil {
		return web.RecordingAudio{}, web.ErrUnavailable
	}
	rec, err := r.Store.RecordingOf(ctx, callID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return web.RecordingAudio{}, web.ErrNotFound
	case errors.Is(err, store.ErrDatabaseUnavailable):
		return web.RecordingAudio{}, fmt.Errorf("%w: %v", web.ErrUnavailable, err)
	case err != nil:
		return web.RecordingAudio{}, err
	}
	p, err := r.Paths.RecordingPath(rec.File)
	if err != nil {
		r.Log.Error("recording row names a file outside the recordings directory", "call", callID, "err", err)
		return web.RecordingAudio{}, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return web.RecordingAudio{}, web.ErrNotFound
	}
	if err != nil {
		r.Log.Warn("recording file unreadable", "call", callID, "err", err)
		return web.RecordingAudio{}, fmt.Errorf("open recording: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return web.RecordingAudio{}, fmt.Errorf("stat recording: %w", err)
	}
	return web.RecordingAudio{Content: f, ModTime: info.ModTime(), Name: path.Base(rec.File)}, nil
}
