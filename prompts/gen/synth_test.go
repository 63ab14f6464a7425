package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

func TestSynthesiseIsTelephoneFormatAndRepeatable(t *testing.T) {
	requireTools(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "a", "digit_1.wav")
	second := filepath.Join(dir, "b", "digit_1.wav")
	for _, target := range []string{first, second} {
		if err := synthesise(context.Background(), "zh", "幺", target); err != nil {
			t.Fatalf("synthesise: %v", err)
		}
	}
	raw, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, again) {
		t.Fatal("two renderings of the same text differ")
	}
	// sox writes the canonical 44-byte header for 16-bit PCM.
	if len(raw) < 44 || string(raw[0:4]) != "RIFF" || string(raw[36:40]) != "data" {
		t.Fatalf("unexpected header % x", raw[:min(len(raw), 44)])
	}
	channels := binary.LittleEndian.Uint16(raw[22:24])
	rate := binary.LittleEndian.Uint32(raw[24:28])
	bits := binary.LittleEndian.Uint16(raw[34:36])
	if channels != 1 || rate != 8000 || bits != 16 {
		t.Fatalf("got %d channel(s) %d Hz %d bits, want 1 8000 16", channels, rate, bits)
	}
	if _, err := os.Stat(first + ".partial"); !os.IsNotExist(err) {
		t.Fatalf("partial file left behind: %v", err)
	}
}

func TestSynthesiseRejectsUnknownLanguage(t *testing.T) {
	err := synthesise(context.Background(), "xx", "hello", filepath.Join(t.TempDir(), "x.wav"))
	if err == nil {
		t.Fatal("unknown language accepted")
	}
}
