// Command gen renders the hotline prompts listed in prompts/texts.yaml to
// 8 kHz mono 16-bit PCM WAV files with espeak-ng and sox.
//
// It is a developer tool: the server never runs it, it ships the WAVs that
// this command wrote and that were committed. Run it from the repository
// root:
//
//	go run ./prompts/gen -texts prompts/texts.yaml -out prompts
//
// -only regenerates a subset, so studio recordings dropped in place of other
// prompts survive a regeneration.
//
// It must not be imported or run by the server, and writes prompts only
// under the -out directory (its scratch files go to a temporary directory
// it removes): the WAVs it writes are reviewed and committed like code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("gen", flag.ContinueOnError)
	textsPath := flags.String("texts", "prompts/texts.yaml", "prompt texts file")
	outDir := flags.String("out", "prompts", "directory that holds one sub-directory per language")
	only := flags.String("only", "", "comma-separated prompt names to regenerate (default: all)")
	if err := flags.Parse(args); err != nil {
		return err
	}

	catalogue, err := loadTexts(*textsPath)
	if err != nil {
		return err
	}
	selected, err := selectPrompts(catalogue, *only)
	if err != nil {
		return err
	}
	if err := checkTools(); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	written := 0
	for _, item := range selected {
		target := filepath.Join(*outDir, item.lang, item.name+".wav")
		if err := synthesise(ctx, item.lang, item.text, target); err != nil {
			return fmt.Errorf("%s/%s: %w", item.lang, item.name, err)
		}
		written++
	}
	slog.Info("prompts written", "files", written, "dir", *outDir)

	// Orphans are only reported: they may be recordings an operator added
	// on purpose ahead of a texts.yaml update.
	orphans, err := findOrphans(catalogue, *outDir)
	if err != nil {
		return err
	}
	for _, orphan := range orphans {
		slog.Warn("WAV has no entry in texts file", "file", orphan)
	}
	return nil
}

// selectPrompts returns the prompts named in a comma-separated list, or all
// of them when the list is empty. Unknown names are an error so a typo does
// not silently regenerate nothing.
func selectPrompts(catalogue texts, only string) ([]prompt, error) {
	all := catalogue.prompts()
	if strings.TrimSpace(only) == "" {
		return all, nil
	}
	wanted := map[string]bool{}
	for _, name := range strings.Split(only, ",") {
		name = strings.TrimSpace(name)
		if _, ok := catalogue[name]; !ok {
			return nil, fmt.Errorf("-only: %q: %w", name, errUnknownPrompt)
		}
		wanted[name] = true
	}
	var picked []prompt
	for _, item := range all {
		if wanted[item.name] {
			picked = append(picked, item)
		}
	}
	return picked, nil
}

var errUnknownPrompt = errors.New("no such prompt in texts file")
