package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// texts maps a prompt name to its text per language code.
type texts map[string]map[string]string

// prompt is one file to render.
type prompt struct {
	name string
	lang string
	text string
}

var (
	errBadName     = errors.New("prompt name must be lower-case letters, digits and underscores")
	errUnknownLang = errors.New("language has no voice")
	errEmptyText   = errors.New("empty text")
	errNoLanguages = errors.New("prompt has no language")
)

var promptName = regexp.MustCompile(`^[a-z0-9_]+$`)

func loadTexts(path string) (texts, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("texts: %w", err)
	}
	return parseTexts(raw)
}

func parseTexts(raw []byte) (texts, error) {
	var catalogue texts
	if err := yaml.Unmarshal(raw, &catalogue); err != nil {
		return nil, fmt.Errorf("texts: %w", err)
	}
	for name, byLang := range catalogue {
		if !promptName.MatchString(name) {
			return nil, fmt.Errorf("texts: %q: %w", name, errBadName)
		}
		if len(byLang) == 0 {
			return nil, fmt.Errorf("texts: %s: %w", name, errNoLanguages)
		}
		for lang, text := range byLang {
			if _, ok := voices[lang]; !ok {
				return nil, fmt.Errorf("texts: %s.%s: %w", name, lang, errUnknownLang)
			}
			if strings.TrimSpace(text) == "" {
				return nil, fmt.Errorf("texts: %s.%s: %w", name, lang, errEmptyText)
			}
		}
	}
	return catalogue, nil
}

// prompts lists every (name, language) pair in a stable order so runs are
// reproducible and logs comparable.
func (catalogue texts) prompts() []prompt {
	var all []prompt
	for name, byLang := range catalogue {
		for lang, text := range byLang {
			all = append(all, prompt{name: name, lang: lang, text: strings.TrimSpace(text)})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].lang != all[j].lang {
			return all[i].lang < all[j].lang
		}
		return all[i].name < all[j].name
	})
	return all
}

// findOrphans lists WAV files under outDir/<lang> that have no text.
func findOrphans(catalogue texts, outDir string) ([]string, error) {
	langs := make([]string, 0, len(voices))
	for lang := range voices {
		langs = append(langs, lang)
	}
	sort.Strings(langs)

	var orphans []string
	for _, lang := range langs {
		files, err := filepath.Glob(filepath.Join(outDir, lang, "*.wav"))
		if err != nil {
			return nil, fmt.Errorf("orphans: %w", err)
		}
		for _, file := range files {
			name := strings.TrimSuffix(filepath.Base(file), ".wav")
			if _, ok := catalogue[name][lang]; !ok {
				orphans = append(orphans, file)
			}
		}
	}
	return orphans, nil
}
