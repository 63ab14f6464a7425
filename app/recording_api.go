package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// recordingsAPI serves the recordings to the HTTP API.
type recordingsAPI struct{ s *Server }

func (r recordingsAPI) ListRecordings(ctx context.Context, q web.RecordingQuery) (any, error) {
	if r.s.store == nil {
		return nil, web.ErrUnavailable
	}
	list, err := r.s.store.Recordings(ctx, store.RecordingFilter{From: q.From, To: q.To, Queue: q.Queue, Agent: q.Agent})
	if errors.Is(err, store.ErrDatabaseUnavailable) {
		return nil, fmt.Errorf("%w: %v", web.ErrUnavailable, err)
	}
	return list, err
}

// OpenRecording finds the call's recording by its id in the store and
// opens the file it names inside the recordings directory.
func (r recordingsAPI) OpenRecording(ctx context.Context, callID string) (web.RecordingAudio, error) {
	if r.s.store == nil || r.s.care == nil {
		return web.RecordingAudio{}, web.ErrUnavailable
	}
	rec, err := r.s.store.RecordingOf(ctx, callID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return web.RecordingAudio{}, web.ErrNotFound
	case errors.Is(err, store.ErrDatabaseUnavailable):
		return web.RecordingAudio{}, fmt.Errorf("%w: %v", web.ErrUnavailable, err)
	case err != nil:
		return web.RecordingAudio{}, err
	}
	p, err := r.s.care.RecordingPath(rec.File)
	if err != nil {
		r.s.log.Error("recording row names a file outside the recordings directory", "call", callID, "err", err)
		return web.RecordingAudio{}, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return web.RecordingAudio{}, web.ErrNotFound
	}
	if err != nil {
		r.s.log.Warn("recording file unreadable", "call", callID, "err", err)
		return web.RecordingAudio{}, fmt.Errorf("open recording: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return web.RecordingAudio{}, fmt.Errorf("stat recording: %w", err)
	}
	return web.RecordingAudio{Content: f, ModTime: info.ModTime(), Name: path.Base(rec.File)}, nil
}
