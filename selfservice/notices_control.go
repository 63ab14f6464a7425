package selfservice

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// Notices are written straight to the database, not through the spool: a
// supervisor waits to know a notice is saved, and its id comes from the
// database. While the database cannot be reached, every notice write fails
// with 503 and changes nothing: not the database, not the recordings on
// disk, not the board the calls play from. A write the store took changes
// the board at once, so what the calls hear is what the API answered.

// stagingPrefix names the directories recordings wait in until their
// notice is saved.
const stagingPrefix = ".staging-"

// noticeControl is the API's view of the board (web.NoticeControl).
type noticeControl struct{ b *noticeBoard }

// apiStoreErr maps the store's errors to the API's: an unreachable
// database to 503, a missing notice or work order to 404.
func apiStoreErr(err error) error {
	switch {
	case errors.Is(err, store.ErrDatabaseUnavailable):
		return fmt.Errorf("%w: the database cannot be reached, nothing was changed; try again later: %v", web.ErrUnavailable, err)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %v", web.ErrNotFound, err)
	}
	return err
}

func (c noticeControl) ListNotices(ctx context.Context, activeOnly bool) (any, error) {
	list, err := c.b.store.Notices(ctx, !activeOnly)
	if err != nil {
		return nil, apiStoreErr(err)
	}
	if activeOnly {
		now := c.b.clock.Now()
		list = slices.DeleteFunc(list, func(n store.Notice) bool { return !n.ActiveAt(now) })
	}
	if list == nil {
		list = []store.Notice{}
	}
	return list, nil
}

func (c noticeControl) CreateNotice(ctx context.Context, in web.NoticeInput, by string) (any, error) {
	now := c.b.clock.Now()
	n := store.Notice{CreatedBy: by, Created: now, Updated: now}
	if err := c.b.apply(&n, in, true); err != nil {
		return nil, err
	}
	audio, err := c.b.recordings(ctx, in, n.Text)
	if err != nil {
		return nil, err
	}
	staged, err := c.b.stageAudio(audio)
	if err != nil {
		return nil, err
	}
	defer staged.discard()
	n.Prompts = staged.files
	if n, err = c.b.store.CreateNotice(ctx, n); err != nil {
		return nil, apiStoreErr(err)
	}
	if err := staged.install(c.b.noticeDir(n.ID), true); err != nil {
		// A notice without its recordings is heard by nobody: take it back.
		if derr := c.b.store.DeleteNotice(context.WithoutCancel(ctx), n.ID); derr != nil {
			c.b.log.Error("notice saved without its recordings and not taken back", "notice", n.ID, "err", derr)
		}
		return nil, err
	}
	c.b.put(n)
	c.b.log.Info("notice created", "notice", n.ID, "areas", n.Areas, "by", by)
	return n, nil
}

func (c noticeControl) UpdateNotice(ctx context.Context, id int64, in web.NoticeInput, by string) (any, error) {
	n, err := c.b.store.Notice(ctx, id)
	if err != nil {
		return nil, apiStoreErr(err)
	}
	if err := c.b.apply(&n, in, false); err != nil {
		return nil, err
	}
	n.Updated = c.b.clock.Now()
	var staged *stagedAudio
	if len(in.Audio) > 0 || in.Generate {
		audio, err := c.b.recordings(ctx, in, n.Text)
		if err != nil {
			return nil, err
		}
		if staged, err = c.b.stageAudio(audio); err != nil {
			return nil, err
		}
		defer staged.discard()
		n.Prompts = staged.files
	}
	if err := c.b.store.UpdateNotice(ctx, n); err != nil {
		return nil, apiStoreErr(err)
	}
	if staged != nil {
		if err := staged.install(c.b.noticeDir(n.ID), false); err != nil {
			c.b.put(n) // saved: play what there is
			return nil, err
		}
	}
	c.b.put(n)
	c.b.log.Info("notice updated", "notice", n.ID, "by", by)
	return n, nil
}

func (c noticeControl) ExpireNotice(ctx context.Context, id int64, by string) (any, error) {
	n, err := c.b.store.Notice(ctx, id)
	if err != nil {
		return nil, apiStoreErr(err)
	}
	n.Expired, n.Updated = true, c.b.clock.Now()
	if err := c.b.store.UpdateNotice(ctx, n); err != nil {
		return nil, apiStoreErr(err)
	}
	c.b.put(n)
	c.b.log.Info("notice expired", "notice", n.ID, "by", by)
	return n, nil
}

func (c noticeControl) DeleteNotice(ctx context.Context, id int64, by string) error {
	if err := c.b.store.DeleteNotice(ctx, id); err != nil {
		return apiStoreErr(err)
	}
	c.b.drop(id)
	if err := os.RemoveAll(c.b.noticeDir(id)); err != nil {
		c.b.log.Warn("notice recordings not removed", "notice", id, "err", err)
	}
	c.b.log.Info("notice deleted", "notice", id, "by", by)
	return nil
}

// put shows the board a notice as the store now has it: an expired one
// leaves the board, any other takes its place with its recordings.
func (b *noticeBoard) put(n store.Notice) {
	audio := map[string]*playout.Prompt{}
	if !n.Expired {
		b.loadRecordings(n, audio)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropLocked(n.ID)
	if n.Expired {
		return
	}
	// The store lists newest first; keep that order.
	b.notices = append(b.notices, n)
	slices.SortFunc(b.notices, func(x, y store.Notice) int { return cmp.Compare(y.ID, x.ID) })
	for k, p := range audio {
		b.audio[k] = p
	}
}

// drop takes a deleted notice off the board.
func (b *noticeBoard) drop(id int64) {
	b.mu.Lock()
	b.dropLocked(id)
	b.mu.Unlock()
}

func (b *noticeBoard) dropLocked(id int64) {
	// A new slice: forArea's callers may still hold the old one.
	b.notices = slices.DeleteFunc(slices.Clone(b.notices), func(n store.Notice) bool { return n.ID == id })
	prefix := strconv.FormatInt(id, 10) + "/"
	for k := range b.audio {
		if strings.HasPrefix(k, prefix) {
			delete(b.audio, k)
		}
	}
}

// stagedAudio is a notice's recordings written to a directory of their own
// before the notice is saved, so that a write the store refuses leaves the
// notice's recordings as they were.
type stagedAudio struct {
	dir   string
	files map[string]string // language → file name, as the store keeps it
}

// stageAudio checks and writes each recording as <lang>.wav in a new
// staging directory.
func (b *noticeBoard) stageAudio(audio map[string][]byte) (*stagedAudio, error) {
	if err := os.MkdirAll(b.dir, 0o750); err != nil {
		return nil, fmt.Errorf("notice recordings: %w", err)
	}
	dir, err := os.MkdirTemp(b.dir, stagingPrefix)
	if err != nil {
		return nil, fmt.Errorf("notice recordings: %w", err)
	}
	s := &stagedAudio{dir: dir, files: map[string]string{}}
	for lang, data := range audio {
		if _, err := playout.LoadPromptWAV("check", bytes.NewReader(data)); err != nil {
			s.discard()
			return nil, fmt.Errorf("notice recording %s: %w", lang, err)
		}
		name := lang + ".wav"
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o640); err != nil {
			s.discard()
			return nil, fmt.Errorf("notice recording %s: %w", lang, err)
		}
		s.files[lang] = name
	}
	return s, nil
}

// install moves the recordings into the notice's directory; fresh first
// empties it (a directory left behind under an id the database gives
// again).
func (s *stagedAudio) install(dst string, fresh bool) error {
	if fresh {
		if err := os.RemoveAll(dst); err != nil {
			return fmt.Errorf("notice recordings: %w", err)
		}
	}
	if err := os.MkdirAll(dst, 0o750); err != nil {
		return fmt.Errorf("notice recordings: %w", err)
	}
	for _, name := range s.files {
		if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(dst, name)); err != nil {
			return fmt.Errorf("notice recordings: %w", err)
		}
	}
	return nil
}

// discard removes what is left of the staging directory.
func (s *stagedAudio) discard() { _ = os.RemoveAll(s.dir) }
