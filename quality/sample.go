package quality

import (
	"cmp"
	"hash/fnv"
	"slices"
	"time"
)

// Call is a recorded call that may be reviewed.
type Call struct {
	CallID  string    `json:"call_id"`
	Agent   string    `json:"agent"`
	Queue   string    `json:"queue"`
	Started time.Time `json:"started"`
	// DurationSeconds is the recording's length.
	DurationSeconds float64 `json:"duration_seconds"`
	// SurveyScore is the caller's survey answer, 0 when none.
	SurveyScore int `json:"survey_score,omitempty"`
	// Category is the agent's disposition, "" when none.
	Category string `json:"category,omitempty"`
}

// Why a call is in the review queue.
const (
	ReasonSample    = "sample"
	ReasonLowSurvey = "low_survey"
	ReasonComplaint = "complaint"
)

// Rules decide which calls go to the review queue.
type Rules struct {
	SamplePerAgent      int
	LowSurveyScore      int // 0: off
	ComplaintCategories []string
}

// Item is one call to review, with why.
type Item struct {
	Call
	Reasons []string `json:"reasons"`
}

// Queue picks the month's review queue from its recorded calls: every
// flagged call, plus a random sample of SamplePerAgent calls of each
// agent among the rest. The sample is drawn by hashing each call id with
// the month: the same sample whenever it is asked for, on any node,
// without keeping it anywhere, and a different one each month.
// Items come by agent, then start time.
func Queue(calls []Call, month string, r Rules) []Item {
	byAgent := map[string][]Call{}
	var out []Item
	for _, c := range calls {
		if c.Agent == "" {
			continue
		}
		var why []string
		if r.LowSurveyScore > 0 && c.SurveyScore > 0 && c.SurveyScore <= r.LowSurveyScore {
			why = append(why, ReasonLowSurvey)
		}
		if c.Category != "" && slices.Contains(r.ComplaintCategories, c.Category) {
			why = append(why, ReasonComplaint)
		}
		if len(why) > 0 {
			out = append(out, Item{Call: c, Reasons: why})
			continue
		}
		byAgent[c.Agent] = append(byAgent[c.Agent], c)
	}
	for _, pool := range byAgent {
		slices.SortFunc(pool, func(a, b Call) int { return cmp.Compare(draw(month, a.CallID), draw(month, b.CallID)) })
		for _, c := range pool[:min(r.SamplePerAgent, len(pool))] {
			out = append(out, Item{Call: c, Reasons: []string{ReasonSample}})
		}
	}
	slices.SortFunc(out, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Agent, b.Agent), a.Started.Compare(b.Started), cmp.Compare(a.CallID, b.CallID))
	})
	return out
}

// draw is a call's place in the month's random order.
func draw(month, callID string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(month))
	h.Write([]byte{0})
	h.Write([]byte(callID))
	return h.Sum64()
}
