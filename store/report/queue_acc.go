package report

import (
	"time"

	"github.com/hotline-oss/hotline/store/cdr"
)

// intervalAcc sums one row.
type intervalAcc struct {
	row IntervalRow
	th  QueueThresholds

	waitAll, waitAnswered, waitAbandoned time.Duration
	talk, hold, acw                      time.Duration
	scoreSum                             int
}

func (a *intervalAcc) add(v Visit, in *Inputs) {
	r := &a.row
	wait := time.Duration(v.WaitMS) * time.Millisecond
	// A callback caller is offered once, by the inbound call's visit; the
	// callback's visit carries the whole wait (from the first queueing)
	// and the answer or abandon, as the live metrics count them.
	if !v.continuesCallback() {
		r.Offered++
	}
	if v.Outcome != cdr.OutcomeCallback {
		a.waitAll += wait
	}
	switch v.Outcome {
	case cdr.OutcomeAnswered:
		r.Answered++
		a.waitAnswered += wait
		if wait <= a.th.ServiceLevel {
			r.AnsweredWithinSL++
		}
		a.addHandling(v, in)
	case cdr.OutcomeAbandoned:
		r.Abandoned++
		a.waitAbandoned += wait
		if wait <= a.th.ShortAbandon {
			r.ShortAbandoned++
		}
	case cdr.OutcomeOverflowed:
		r.Overflowed++
	}
}

// addHandling adds the answering agent's part of the call: talk, hold,
// wrap-up, transfer, resolution; and the caller's survey, which rates the
// agent they spoke to last.
func (a *intervalAcc) addHandling(v Visit, in *Inputs) {
	r := &a.row
	a.talk += time.Duration(v.TalkMS) * time.Millisecond
	a.hold += time.Duration(v.HoldMS) * time.Millisecond
	a.acw += AfterCallWork(in.Wrapups[v.CallID][v.Agent], derefMS(v.TalkEndedMS))
	if v.TransferKind != "" {
		r.Transfers++
	}
	if in.Resolved[v.CallID][v.Agent] && !in.Repeated[v.CallID] {
		r.FCRCalls++
	}
	if score, ok := in.Surveys[v.CallID]; ok && in.LastAnswered[v.CallID] == v.Seq {
		r.SurveyResponses++
		a.scoreSum += score
		if score >= 4 {
			r.Satisfied++
		}
	}
}

// AfterCallWork is from the agent's talk end to the end of their wrap-up;
// zero when either is unknown (a queue without wrap-up).
func AfterCallWork(wrapupEndMS, talkEndMS int64) time.Duration {
	if wrapupEndMS == 0 || talkEndMS == 0 || wrapupEndMS < talkEndMS {
		return 0
	}
	return time.Duration(wrapupEndMS-talkEndMS) * time.Millisecond
}

func (a *intervalAcc) finish() IntervalRow {
	r := a.row
	counted := float64(r.Offered - r.ShortAbandoned)
	r.ServiceLevel = ratio(float64(r.AnsweredWithinSL), counted)
	r.AbandonRate = ratio(float64(r.Abandoned-r.ShortAbandoned), counted)
	r.ASA = average(a.waitAnswered, r.Answered)
	r.AvgQueueTime = average(a.waitAll, r.Offered)
	r.AvgAbandonTime = average(a.waitAbandoned, r.Abandoned)
	r.AHT = average(a.talk+a.hold+a.acw, r.Answered)
	r.AvgTalk = average(a.talk, r.Answered)
	r.AvgHold = average(a.hold, r.Answered)
	r.AvgACW = average(a.acw, r.Answered)
	r.TransferRate = ratio(float64(r.Transfers), float64(r.Answered))
	r.FCR = ratio(float64(r.FCRCalls), float64(r.Answered))
	r.Satisfaction = ratio(float64(r.Satisfied), float64(r.SurveyResponses))
	r.SurveyMean = ratio(float64(a.scoreSum), float64(r.SurveyResponses))
	return r
}

func derefMS(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}
