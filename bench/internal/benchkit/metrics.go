package benchkit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// series is one line of the Prometheus text exposition format.
type series struct {
	name   string
	labels map[string]string
	value  float64
}

// Metrics is everything one GET /metrics returned: the series of the
// Prometheus text exposition format, parsed far enough to add counters up
// and to read histograms.
type Metrics []series

var ErrNoHistogram = errors.New("histogram not found")

// ParseMetrics reads the text format. Comments and the optional timestamp
// are ignored; a line that does not parse is an error, because a silently
// skipped series would skew the figures.
func ParseMetrics(r io.Reader) (Metrics, error) {
	var out Metrics
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		s, err := parseSeries(text)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %w", line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return out, nil
}

func parseSeries(text string) (series, error) {
	s := series{labels: map[string]string{}}
	rest := text
	if i := strings.IndexAny(text, "{ "); i < 0 {
		return s, fmt.Errorf("no value in %q", text)
	} else {
		s.name, rest = text[:i], text[i:]
	}
	if strings.HasPrefix(rest, "{") {
		var err error
		if rest, err = parseLabels(rest[1:], s.labels); err != nil {
			return s, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return s, fmt.Errorf("%s: no value", s.name)
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, fmt.Errorf("%s: value: %w", s.name, err)
	}
	s.value = v
	return s, nil
}

// parseLabels reads `k="v",...}` into into and returns what follows the
// closing brace.
func parseLabels(text string, into map[string]string) (string, error) {
	for {
		text = strings.TrimLeft(text, " ,")
		if strings.HasPrefix(text, "}") {
			return text[1:], nil
		}
		eq := strings.Index(text, "=\"")
		if eq <= 0 {
			return "", fmt.Errorf("bad labels near %q", text)
		}
		key := strings.TrimSpace(text[:eq])
		var val strings.Builder
		i := eq + 2
		for ; i < len(text) && text[i] != '"'; i++ {
			if text[i] == '\\' && i+1 < len(text) {
				i++
				switch text[i] {
				case 'n':
					val.WriteByte('\n')
				default:
					val.WriteByte(text[i])
				}
				continue
			}
			val.WriteByte(text[i])
		}
		if i >= len(text) {
			return "", fmt.Errorf("unterminated label %s", key)
		}
		into[key] = val.String()
		text = text[i+1:]
	}
}

// Sum adds the values of every series called name whose labels include
// the given name/value pairs.
func (s Metrics) Sum(name string, labels ...string) float64 {
	total := 0.0
	for _, x := range s {
		if x.name == name && x.has(labels) {
			total += x.value
		}
	}
	return total
}

func (x series) has(labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		if x.labels[labels[i]] != labels[i+1] {
			return false
		}
	}
	return true
}

// bucket is one cumulative histogram bucket: count observations <= le.
type bucket struct {
	le    float64
	count float64
}

// Histogram is a cumulative histogram sorted by le; the last bucket is +Inf.
type Histogram []bucket

// Histogram collects the _bucket series of a histogram called name.
func (s Metrics) Histogram(name string) (Histogram, error) {
	var h Histogram
	for _, x := range s {
		if x.name != name+"_bucket" {
			continue
		}
		le, err := strconv.ParseFloat(x.labels["le"], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: le %q: %w", name, x.labels["le"], err)
		}
		h = append(h, bucket{le: le, count: x.value})
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoHistogram)
	}
	sort.Slice(h, func(i, j int) bool { return h[i].le < h[j].le })
	return h, nil
}

// Since is the histogram of the observations made after earlier was
// scraped: the counters only grow, so the difference of two scrapes is
// what happened in between.
func (h Histogram) Since(earlier Histogram) Histogram {
	out := make(Histogram, len(h))
	for i, b := range h {
		out[i] = b
		for _, e := range earlier {
			if e.le == b.le {
				out[i].count -= e.count
			}
		}
	}
	return out
}

func (h Histogram) Total() float64 {
	if len(h) == 0 {
		return 0
	}
	return h[len(h)-1].count
}

// Quantile estimates the q-quantile the way Prometheus'
// histogram_quantile does: find the bucket holding the rank and
// interpolate linearly inside it. A rank in the +Inf bucket returns the
// highest finite bound. NaN when there are no observations.
func (h Histogram) Quantile(q float64) float64 {
	total := h.Total()
	if total <= 0 || q < 0 || q > 1 {
		return math.NaN()
	}
	rank := q * total
	lower, below := 0.0, 0.0
	for _, b := range h {
		if b.count >= rank {
			if math.IsInf(b.le, 1) {
				return lower
			}
			if b.count == below {
				return b.le
			}
			return lower + (b.le-lower)*(rank-below)/(b.count-below)
		}
		if !math.IsInf(b.le, 1) {
			lower = b.le
		}
		below = b.count
	}
	return lower
}

// Overflows reports whether the q-quantile lies above the highest finite
// bound, where Quantile can only return that bound.
func (h Histogram) Overflows(q float64) bool {
	if len(h) < 2 || !math.IsInf(h[len(h)-1].le, 1) {
		return false
	}
	return h[len(h)-2].count < q*h.Total()
}
