package promptset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/hotline-oss/hotline/media/playout"
)

// Set holds every prompt of every language, decoded and encoded to
// G.711 once at load so that playback only copies ready frames.
type Set struct {
	byKey map[string]*playout.Prompt // "lang/name"
}

// Load reads <lang>/<name>.wav for each language from the embedded
// prompts, then from dir (if set), whose files replace or add to them.
func Load(embedded fs.FS, dir string, languages []string) (*Set, error) {
	ps := &Set{byKey: make(map[string]*playout.Prompt)}
	if err := ps.loadFS(embedded, "embedded prompts", languages); err != nil {
		return nil, err
	}
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("prompts_dir: %w", err)
		}
		if err := ps.loadFS(os.DirFS(dir), dir, languages); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// musicDir holds language-neutral audio: music on hold.
const musicDir = "music"

func (ps *Set) loadFS(fsys fs.FS, where string, languages []string) error {
	var errs []error
	for _, lang := range append([]string{musicDir}, languages...) {
		entries, err := fs.ReadDir(fsys, lang)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("prompts %s: %w", where, err)
		}
		for _, e := range entries {
			name, ok := strings.CutSuffix(e.Name(), ".wav")
			if !ok || e.IsDir() {
				continue
			}
			p, err := loadOne(fsys, path.Join(lang, e.Name()), name)
			if err != nil {
				errs = append(errs, fmt.Errorf("prompts %s: %s: %w", where, path.Join(lang, e.Name()), err))
				continue
			}
			ps.byKey[lang+"/"+name] = p
		}
	}
	return errors.Join(errs...)
}

func loadOne(fsys fs.FS, file, name string) (*playout.Prompt, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return playout.LoadPromptWAV(name, f)
}

// Has reports whether a prompt exists in a language.
func (ps *Set) Has(lang, name string) bool {
	_, ok := ps.byKey[lang+"/"+name]
	return ok
}

// Get returns a prompt or nil.
func (ps *Set) Get(lang, name string) *playout.Prompt {
	return ps.byKey[lang+"/"+name]
}

// Music returns a language-neutral piece of music (music on hold) or nil.
func (ps *Set) Music(name string) *playout.Prompt {
	return ps.byKey[musicDir+"/"+name]
}

// Len is the number of prompts loaded.
func (ps *Set) Len() int { return len(ps.byKey) }
