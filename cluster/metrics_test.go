package cluster

import (
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestMetricsAreDocumentedAndPresentFromTheStart: every cluster series is
// in docs/metrics.md, and the bad-message counter exists at 0 for each
// kind before anything goes wrong.
func TestMetricsAreDocumentedAndPresentFromTheStart(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewMetrics(reg); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if !strings.Contains(string(doc), "`"+f.GetName()) {
			t.Errorf("%s is not in docs/metrics.md", f.GetName())
		}
		if f.GetName() == "hotline_cluster_bad_messages_total" && len(f.GetMetric()) != 6 {
			t.Errorf("bad messages: %d series at start, want one per kind (6)", len(f.GetMetric()))
		}
	}
	if len(families) != 7 {
		t.Errorf("%d families gathered, want 7", len(families))
	}
	if _, err := NewMetrics(reg); err == nil {
		t.Error("registering twice went unnoticed")
	}
}
