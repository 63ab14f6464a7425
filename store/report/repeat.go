package report

import (
	"maps"
	"slices"
	"time"
)

// RepeatParams selects a repeat-caller report for one calendar month.
type RepeatParams struct {
	Month    time.Time      // any instant in the month
	Location *time.Location // whose calendar (default UTC)
	// Thresholds are the N of "callers with ≥ N calls (or complaints)"
	// (default 5 and 10).
	Thresholds []int
	// ComplaintCategory is the disposition that counts as a complaint
	// (default "complaint").
	ComplaintCategory string
	// MinComplaints lists a caller with fewer than the smallest threshold
	// of calls when they complained at least this often (default 1).
	MinComplaints int
}

// RepeatReport is the month's repeat callers and complainers.
type RepeatReport struct {
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
	Counts  []RepeatCount  `json:"counts"`
	Callers []RepeatCaller `json:"callers"`
}

// RepeatCount says how many numbers reached one threshold.
type RepeatCount struct {
	MinCalls    int `json:"min" csv:"min"`
	Callers     int `json:"callers" csv:"callers"`         // numbers with ≥ MinCalls calls
	Complainers int `json:"complainers" csv:"complainers"` // numbers with ≥ MinCalls complaint dispositions
}

// RepeatCaller is one number that called often or complained. Numbers are
// personal data: mask them where they are shown to more people than need
// them (see Mask).
type RepeatCaller struct {
	Caller     string    `json:"caller" csv:"caller"`
	Calls      int       `json:"calls" csv:"calls"`
	Complaints int       `json:"complaints" csv:"complaints"`
	FirstCall  time.Time `json:"first_call" csv:"first_call"`
	LastCall   time.Time `json:"last_call" csv:"last_call"`
}

// WithDefaults fills in what p leaves out.
func (p RepeatParams) WithDefaults() RepeatParams {
	if p.Location == nil {
		p.Location = time.UTC
	}
	if len(p.Thresholds) == 0 {
		p.Thresholds = []int{5, 10}
	}
	p.Thresholds = slices.Sorted(slices.Values(p.Thresholds))
	if p.ComplaintCategory == "" {
		p.ComplaintCategory = "complaint"
	}
	if p.MinComplaints <= 0 {
		p.MinComplaints = 1
	}
	return p
}

// Summarise makes the month's report from the counts per number.
func (p RepeatParams) Summarise(from, to time.Time, byCaller map[string]*RepeatCaller) RepeatReport {
	rep := RepeatReport{From: from, To: to, Callers: []RepeatCaller{}}
	for _, n := range p.Thresholds {
		rc := RepeatCount{MinCalls: n}
		for _, c := range byCaller {
			if c.Calls >= n {
				rc.Callers++
			}
			if c.Complaints >= n {
				rc.Complainers++
			}
		}
		rep.Counts = append(rep.Counts, rc)
	}
	for _, key := range slices.Sorted(maps.Keys(byCaller)) {
		c := byCaller[key]
		if c.Calls >= p.Thresholds[0] || c.Complaints >= p.MinComplaints {
			rep.Callers = append(rep.Callers, *c)
		}
	}
	// Most calls first, then most complaints, then by number.
	slices.SortStableFunc(rep.Callers, func(a, b RepeatCaller) int {
		if a.Calls != b.Calls {
			return b.Calls - a.Calls
		}
		return b.Complaints - a.Complaints
	})
	return rep
}
