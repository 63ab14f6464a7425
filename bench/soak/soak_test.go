package main

import (
	"testing"
	"time"
)

func TestVerdict(t *testing.T) {
	base := sample{RSSKB: 50000, Goroutines: 620, OpenFiles: 420, Ports: 200, Calls: 200}
	idle := sample{RSSKB: 30000, Goroutines: 20, OpenFiles: 12}
	mk := func(end sample) *report {
		s0, s1, s2 := base, base, end
		s0.At, s1.At, s2.At = 2*time.Minute, 16*time.Minute, 30*time.Minute
		return &report{
			limits: limits{RSSGrowth: 0.25, CountDrift: 0.15}, warmup: time.Minute,
			idle: idle, samples: []sample{{At: 10 * time.Second}, s0, s1, s2},
			drained: sample{RSSKB: 52000, Goroutines: 22, OpenFiles: 13},
		}
	}
	if r := mk(base); !r.flat() {
		t.Fatalf("identical start and end not flat: %+v", r.checks())
	}
	start, middle, end, ok := mk(base).points()
	if !ok || start.At != 2*time.Minute || middle.At != 16*time.Minute || end.At != 30*time.Minute {
		t.Fatalf("points = %v %v %v %v", start.At, middle.At, end.At, ok)
	}
	leaky := base
	leaky.Goroutines = 900
	if mk(leaky).flat() {
		t.Error("goroutine growth 620 -> 900 counted as flat")
	}
	fat := base
	fat.RSSKB = 70000
	if mk(fat).flat() {
		t.Error("RSS growth 50 -> 70 MB counted as flat")
	}
	// A sawtooth is not growth: the peaks of the thirds are compared.
	saw := &report{limits: limits{RSSGrowth: 0.25, CountDrift: 0.15}, warmup: time.Minute, idle: idle,
		drained: sample{Goroutines: 22, OpenFiles: 13}}
	for i, rss := range []int64{50000, 60000, 66000, 52000, 61000, 65000, 51000, 64000, 66000} {
		s := base
		s.At, s.RSSKB = time.Duration(i+1)*time.Minute, rss
		saw.samples = append(saw.samples, s)
	}
	if first, last, ok := saw.rssPeaks(); !ok || first != 66000 || last != 66000 || !saw.flat() {
		t.Errorf("sawtooth: peaks %d, %d, flat %v", first, last, saw.flat())
	}
	r := mk(base)
	r.drained.Ports = 2
	if r.flat() {
		t.Error("ports left after the load counted as flat")
	}
	if (&report{warmup: time.Minute, samples: []sample{{At: time.Second}}}).flat() {
		t.Error("no samples after warm-up counted as flat")
	}
}
