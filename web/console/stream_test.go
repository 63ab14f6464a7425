package console_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/console"
	"github.com/hotline-oss/hotline/web/internal/webtest"
)

// BenchmarkConsoleSnapshotEncode is the server's share of one console
// update of 2 000 agents and 100 queues: reading the floor and encoding
// it, once per second per open console.
func BenchmarkConsoleSnapshotEncode(b *testing.B) {
	floor := webtest.NewFloor(2000, 100, 200)
	c, err := console.New(console.ConsoleDeps{Source: floor, Agents: floor}, nil, time.Now, "zh")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		data, err := json.Marshal(c.Snapshot())
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size)/1024, "KiB/update")
}
