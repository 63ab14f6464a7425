package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// The fakes below answer with the store's own record types, so that the
// schemas are checked against what the server really encodes.

var docNow = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// docControl is an ACD of two agents with real-looking views.
type docControl struct {
	mu     sync.Mutex
	states map[string]string
}

func newDocControl() *docControl {
	return &docControl{states: map[string]string{"1001": "logged_out", "1002": "available"}}
}

func (c *docControl) Agents() []AgentView {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []AgentView
	for _, id := range []string{"1001", "1002"} {
		out = append(out, AgentView{
			ID: id, Name: "Agent " + id, WorkNumber: "20" + id[2:], State: c.states[id], Since: docNow,
			Queues: []string{"general", "billing"}, CallsToday: 3,
		})
	}
	return out
}

func (c *docControl) Queues() []QueueView {
	return []QueueView{{Name: "general", Waiting: 2, OldestWaitSeconds: 31.5, ExpectedWaitSeconds: 40,
		Agents: map[string]int{"available": 1, "logged_out": 1}}}
}

func (c *docControl) set(agent, from, to string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.states[agent]
	switch {
	case !ok:
		return fmt.Errorf("%w: agent %s", ErrNotFound, agent)
	case from != "" && cur != from:
		return fmt.Errorf("acd: agent %s is %s", agent, cur)
	}
	c.states[agent] = to
	return nil
}

func (c *docControl) Login(a string) error    { return c.set(a, "logged_out", "available") }
func (c *docControl) Logout(a string) error   { return c.set(a, "", "logged_out") }
func (c *docControl) Ready(a string) error    { return c.set(a, "paused", "available") }
func (c *docControl) Pause(a, _ string) error { return c.set(a, "available", "paused") }
func (c *docControl) Disposition(string, string, bool) error {
	return errors.New("acd: agent has no call")
}

type docReports struct{}

func (docReports) Interval(_ context.Context, q ReportQuery) (Table, error) {
	rows := []store.IntervalRow{{
		Queue: "general", Start: q.From, End: q.To, Offered: 10, Answered: 8, Abandoned: 2,
		ServiceLevel: 0.75, AbandonRate: 0.2, ASA: 12.5, AvgQueueTime: 14, AvgAbandonTime: 30,
		AHT: 180, AvgTalk: 150, AvgHold: 10, AvgACW: 20, TransferRate: 0, FCR: store.Figure(math.NaN()),
		Satisfaction: store.Figure(math.NaN()), SurveyMean: store.Figure(math.NaN()),
	}}
	return Table{JSON: rows, CSV: func(w io.Writer) error { return store.WriteCSV(w, rows) }}, nil
}

func (docReports) Agents(_ context.Context, _ ReportQuery) (Table, error) {
	rows := []store.AgentRow{{
		Agent: "1001", Calls: 4, TalkTime: 600, HoldTime: 30, ACWTime: 60, AvgTalk: 150, AvgHold: 7.5,
		AvgACW: 15, AHT: 172.5, LoggedIn: 3600, Available: 2400, Paused: 600,
		PausedByReason: map[string]float64{"lunch": 600}, Occupancy: 0.3, CallsPerHour: 4,
		Satisfaction: store.Figure(math.NaN()), SurveyMean: store.Figure(math.NaN()),
	}}
	return Table{JSON: rows, CSV: func(w io.Writer) error { return store.WriteCSV(w, rows) }}, nil
}

func (docReports) RepeatCallers(_ context.Context, q ReportQuery) (Table, error) {
	rep := store.RepeatReport{
		From: q.From, To: q.From.AddDate(0, 1, 0),
		Counts:  []store.RepeatCount{{MinCalls: 5, Callers: 1, Complainers: 0}, {MinCalls: 10}},
		Callers: []store.RepeatCaller{{Caller: "13800000001", Calls: 6, Complaints: 1, FirstCall: q.From, LastCall: q.From.Add(time.Hour)}},
	}
	return Table{JSON: rep, CSV: func(w io.Writer) error { return store.WriteCSV(w, rep.Callers) }}, nil
}

type docNotices struct{}

func (docNotices) notice(id int64, in NoticeInput) store.Notice {
	n := store.Notice{ID: id, Areas: in.Areas, Prompts: map[string]string{"en": "en.wav"}, Starts: docNow,
		CreatedBy: "sup", Created: docNow, Updated: docNow}
	if in.Text != nil {
		n.Text = *in.Text
	}
	if n.Areas == nil { // an update without areas keeps the stored ones
		n.Areas = []string{"north"}
	}
	return n
}

func (d docNotices) ListNotices(context.Context, bool) (any, error) {
	return []store.Notice{d.notice(1, NoticeInput{Areas: []string{"north"}})}, nil
}
func (d docNotices) CreateNotice(_ context.Context, in NoticeInput, _ string) (any, error) {
	if len(in.Areas) == 0 {
		return nil, fmt.Errorf("%w: areas: at least one area", ErrInvalid)
	}
	return d.notice(2, in), nil
}
func (d docNotices) UpdateNotice(_ context.Context, id int64, in NoticeInput, _ string) (any, error) {
	return d.notice(id, in), nil
}
func (d docNotices) ExpireNotice(_ context.Context, id int64, _ string) (any, error) {
	if id == 503 { // stands for a database outage
		return nil, fmt.Errorf("%w: the database cannot be reached, nothing was changed", ErrUnavailable)
	}
	n := d.notice(id, NoticeInput{Areas: []string{"*"}})
	n.Expired = true
	return n, nil
}
func (docNotices) DeleteNotice(_ context.Context, id int64, _ string) error {
	if id != 1 {
		return fmt.Errorf("%w: notice %d", ErrNotFound, id)
	}
	return nil
}

// docWAV is a minimal WAV header and a few samples: enough to download.
var docWAV = append([]byte("RIFF\x2c\x00\x00\x00WAVEfmt "), make([]byte, 36)...)

type seekCloser struct{ *strings.Reader }

func (seekCloser) Close() error { return nil }

type docFaults struct{}

func (docFaults) ListFaults(context.Context, time.Time, time.Time) (any, error) {
	return []store.WorkOrder{{Number: "F20261123-0001", CallID: "c1", Account: "1234567890",
		Caller: "13800000001", Recording: "20261123T101502.123-c1.wav", Created: docNow}}, nil
}
func (docFaults) FaultRecording(_ context.Context, file string) (io.ReadSeekCloser, error) {
	if file != "20261123T101502.123-c1.wav" {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, file)
	}
	return seekCloser{strings.NewReader(string(docWAV))}, nil
}

type docRecordings struct{}

func (docRecordings) ListRecordings(context.Context, RecordingQuery) (any, error) {
	return []store.Recording{{CallID: "c1", Queue: "general", Agent: "1001", File: "2026/11/23/c1.wav",
		Started: docNow, Bytes: 64044, DurationSeconds: 2}}, nil
}
func (docRecordings) OpenRecording(_ context.Context, id string) (RecordingAudio, error) {
	if id != "c1" {
		return RecordingAudio{}, ErrNotFound
	}
	return RecordingAudio{Content: seekCloser{strings.NewReader(string(docWAV))}, ModTime: docNow, Name: "c1.wav"}, nil
}

type docMonitor struct{}

func (docMonitor) StartMonitor(req MonitorRequest) (MonitorView, error) {
	if req.Agent != "1001" {
		return MonitorView{}, fmt.Errorf("%w: agent %s has no call", ErrNotFound, req.Agent)
	}
	return MonitorView{Supervisor: req.Supervisor, Agent: req.Agent, Mode: req.Mode, CallID: "c1", Status: "ringing"}, nil
}

// docReloader answers as the app's reload does: what changed, or every
// problem of a rejected file.
type docReloader struct{ reject bool }

func (r *docReloader) Reload(context.Context) (any, error) {
	if r.reject {
		return nil, &ConfigRejected{Problems: []string{"hotline.yaml:3:5: queues.x.strategy: unknown"}}
	}
	return map[string][]string{"changed": {"agents.1004 added"}, "needs_restart": {}}, nil
}

// docAudit keeps entries and reads them back as the app does: with an id
// and the detail as an object.
type docAudit struct {
	mu      sync.Mutex
	entries []AuditEntry
}

func (a *docAudit) Record(e AuditEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
}

func (a *docAudit) Read(context.Context, AuditQuery) (any, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	type entry struct {
		store.AuditEntry
		Detail map[string]string `json:"detail,omitempty"`
	}
	out := make([]entry, 0, len(a.entries))
	for i, e := range a.entries {
		out = append(out, entry{AuditEntry: store.AuditEntry{
			ID: fmt.Sprint(i + 1), At: e.At, Actor: e.Actor, Role: string(e.Role), Agent: e.Agent,
			Action: e.Action, Target: e.Target, Source: e.Source, Result: e.Result,
		}, Detail: e.Detail})
	}
	return out, nil
}

// docReviews is the quality review with one form and one review.
type docReviews struct{}

var docReview = store.Review{ID: 1, CallID: "c1", Agent: "1001", Queue: "general", Form: "standard",
	Answers: map[string]int{"greeting": 1, "tone": 3}, Score: 87.5, Raw: 87.5, Reviewer: "sup",
	Started: docNow, Reviewed: docNow}

func (docReviews) Forms() any {
	return []map[string]any{{"id": "standard", "name": "Standard", "sections": []map[string]any{{"title": "Opening",
		"questions": []map[string]any{{"id": "greeting", "text": "Greeted with the work number", "weight": 10, "max": 1, "critical": true}}}}}}
}
func (docReviews) ReviewQueue(_ context.Context, m Month) (any, error) {
	return map[string]any{"month": m.Key, "total": 1, "reviewed": 1, "items": []map[string]any{{
		"call_id": "c1", "agent": "1001", "queue": "general", "started": docNow, "duration_seconds": 2.0,
		"reasons": []string{"sample"}, "form": "standard", "review_id": 1, "score": 87.5}}}, nil
}
func (docReviews) SaveReview(_ context.Context, in ReviewInput, _ string) (any, error) {
	switch in.CallID {
	case "c1":
		return docReview, nil
	case "c9":
		return nil, fmt.Errorf("%w: call c9 was reviewed already", ErrConflict)
	}
	return nil, fmt.Errorf("%w: call %s was not recorded", ErrUnprocessable, in.CallID)
}
func (docReviews) Reviews(context.Context, Month, string) (any, error) {
	return []store.Review{docReview}, nil
}
func (docReviews) AcknowledgeReview(_ context.Context, id int64, agent string) (any, error) {
	if id != 1 || agent != "1001" {
		return nil, fmt.Errorf("%w: review %d", ErrNotFound, id)
	}
	r := docReview
	r.Acknowledged = docNow
	return r, nil
}
func (docReviews) Scores(_ context.Context, m Month) (any, error) {
	return map[string]any{"month": m.Key, "all": map[string]any{"name": "all", "reviews": 1, "score": 87.5},
		"agents": []map[string]any{{"name": "1001", "reviews": 1, "score": 87.5}}, "teams": []map[string]any{}}, nil
}
