package metrics

import (
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// familySeries gathers m's registry and returns the series of the family
// name; none when the family has no series.
func familySeries(t *testing.T, m *Metrics, name string) []*dto.Metric {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()
		}
	}
	return nil
}

// labelMap returns a series' labels by name.
func labelMap(s *dto.Metric) map[string]string {
	labels := map[string]string{}
	for _, l := range s.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	return labels
}
