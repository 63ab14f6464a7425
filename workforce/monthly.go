package workforce

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
	"github.com/hotline-oss/hotline/workforce/rules"
)

// MonthlyReport is the month's report as the service standard asks for
// it: the hotline's figures, then each agent by work number.
type MonthlyReport struct {
	Month   string         `json:"month"` // YYYY-MM
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
	Service MonthlyService `json:"service"`
	Agents  []MonthlyAgent `json:"agents"`
	// MonitoringScores says whether a quality review gives scores; without
	// one the monitoring_score column is empty.
	MonitoringScores bool `json:"monitoring_scores"`
}

// MonthlyService is the hotline's month (every queue together).
type MonthlyService struct {
	Calls              int          `json:"calls"`               // calls that reached the server
	Offered            int          `json:"offered"`             // calls that entered a queue
	Answered           int          `json:"answered"`            // answered by an agent
	AnsweredRate       store.Figure `json:"answered_rate"`       // answered ÷ calls
	ServiceLevel       store.Figure `json:"service_level"`       // within SL ÷ (offered − short abandoned)
	AbandonRate        store.Figure `json:"abandon_rate"`        // (abandoned − short) ÷ (offered − short)
	Complaints         int          `json:"complaints"`          // calls classified as complaints
	ComplaintsResolved int          `json:"complaints_resolved"` // of which resolved
	SurveyResponses    int          `json:"survey_responses"`
	Satisfaction       store.Figure `json:"satisfaction"` // satisfied (4-5 of 5) ÷ responses
	SurveyMean         store.Figure `json:"survey_mean"`
	Adherence          store.Figure `json:"adherence"`
	AdherenceTarget    float64      `json:"adherence_target"`
}

// MonthlyAgent is one agent's month.
type MonthlyAgent struct {
	WorkNumber      string       `json:"work_number" csv:"work_number"`
	Agent           string       `json:"agent" csv:"agent"`
	Name            string       `json:"name" csv:"name"`
	Calls           int          `json:"calls" csv:"calls"`
	AHT             store.Figure `json:"aht_seconds" csv:"aht_seconds"`
	Adherence       store.Figure `json:"adherence" csv:"adherence"`
	ShiftsScheduled int          `json:"shifts_scheduled" csv:"shifts_scheduled"`
	ShiftsWorked    int          `json:"shifts_worked" csv:"shifts_worked"`
	ShiftsMissed    int          `json:"shifts_missed" csv:"shifts_missed"`
	LateLogins      int          `json:"late_logins" csv:"late_logins"`
	EarlyLogouts    int          `json:"early_logouts" csv:"early_logouts"`
	Attendance      store.Figure `json:"attendance_rate" csv:"attendance_rate"`
	MonitoringScore store.Figure `json:"monitoring_score" csv:"monitoring_score"`
	SurveyResponses int          `json:"survey_responses" csv:"survey_responses"`
	Satisfaction    store.Figure `json:"satisfaction" csv:"satisfaction"`
}

// Monthly builds the report of the month starting at month.
func (r reports) Monthly(ctx context.Context, month time.Time) (web.Document, error) {
	rep, err := r.s.Monthly(ctx, month)
	if err != nil {
		return web.Document{}, err
	}
	return web.Document{
		Table: web.Table{JSON: rep, CSV: rep.WriteCSV},
		HTML:  rep.WriteHTML,
	}, nil
}

// Monthly computes the month starting at month (its first day, local).
func (s *Service) Monthly(ctx context.Context, month time.Time) (MonthlyReport, error) {
	set := s.setup()
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, month.Location())
	to := from.AddDate(0, 1, 0)
	rep := MonthlyReport{Month: from.Format("2006-01"), From: from, To: to, Agents: []MonthlyAgent{}}
	queues, err := s.opts.Store.IntervalReport(ctx, store.IntervalParams{From: from, To: to, Location: from.Location(),
		Interval: store.IntervalMonth, Thresholds: set.rules.Queues})
	if err != nil {
		return rep, readError(err)
	}
	totals, err := s.opts.Store.CallTotals(ctx, from, to)
	if err != nil {
		return rep, readError(err)
	}
	agentRows, err := s.opts.Store.AgentReport(ctx, store.AgentParams{From: from, To: to})
	if err != nil {
		return rep, readError(err)
	}
	periods, err := s.load(ctx, from, to)
	if err != nil {
		return rep, err
	}
	scores, err := s.monitoringScores(ctx, from, to)
	if err != nil {
		return rep, err
	}
	rep.MonitoringScores = scores != nil
	rep.Service = serviceMonth(queues, totals)
	rep.Service.AdherenceTarget = set.rules.Target
	agents, team := s.monthAgents(periods, agentRows, scores, from, to)
	rep.Agents = agents
	rep.Service.Adherence = store.Ratio(team.Adherent.Seconds(), team.Scheduled.Seconds())
	return rep, nil
}

func (s *Service) monitoringScores(ctx context.Context, from, to time.Time) (map[string]float64, error) {
	src := s.scores.Load()
	if src == nil || *src == nil {
		return nil, nil
	}
	scores, err := (*src).MonitoringScores(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("workforce: monitoring scores: %w", readError(err))
	}
	if scores == nil {
		scores = map[string]float64{}
	}
	return scores, nil
}

func serviceMonth(queues []store.IntervalRow, totals store.CallTotals) MonthlyService {
	var m MonthlyService
	var withinSL, short, abandoned, satisfied int
	var scoreSum float64
	for _, q := range queues {
		m.Offered += q.Offered
		withinSL += q.AnsweredWithinSL
		short += q.ShortAbandoned
		abandoned += q.Abandoned
		m.SurveyResponses += q.SurveyResponses
		satisfied += q.Satisfied
		if q.SurveyMean.Defined() {
			scoreSum += float64(q.SurveyMean) * float64(q.SurveyResponses)
		}
	}
	m.Calls = totals.Calls
	m.Answered = totals.ByResult["answered_by_agent"]
	m.AnsweredRate = store.Ratio(float64(m.Answered), float64(m.Calls))
	m.ServiceLevel = store.Ratio(float64(withinSL), float64(m.Offered-short))
	m.AbandonRate = store.Ratio(float64(abandoned-short), float64(m.Offered-short))
	m.Complaints, m.ComplaintsResolved = totals.Complaints, totals.ComplaintsResolved
	m.Satisfaction = store.Ratio(float64(satisfied), float64(m.SurveyResponses))
	m.SurveyMean = store.Ratio(scoreSum, float64(m.SurveyResponses))
	return m
}

// monthAgents makes one row per configured agent (and per agent seen in
// the records since removed), ordered by work number.
func (s *Service) monthAgents(periods map[string]*agentPeriod, rows []store.AgentRow, scores map[string]float64, from, to time.Time) ([]MonthlyAgent, Tally) {
	set := s.setup()
	byAgent := map[string]*MonthlyAgent{}
	get := func(id string) *MonthlyAgent {
		if a := byAgent[id]; a != nil {
			return a
		}
		cfg := set.agents[id]
		a := &MonthlyAgent{Agent: id, Name: cfg.Name, WorkNumber: cfg.WorkNumber, AHT: store.Ratio(0, 0),
			Adherence: store.Ratio(0, 0), Attendance: store.Ratio(0, 0), MonitoringScore: store.Ratio(0, 0),
			Satisfaction: store.Ratio(0, 0)}
		byAgent[id] = a
		return a
	}
	for _, id := range set.order {
		get(id)
	}
	for _, r := range rows {
		a := get(r.Agent)
		a.Calls, a.AHT, a.SurveyResponses, a.Satisfaction = r.Calls, r.AHT, r.SurveyResponses, r.Satisfaction
	}
	upTo := rules.Earlier(to, s.opts.Now())
	var team Tally
	for id, p := range periods {
		a := get(id)
		t := set.rules.Measure(PlanOf(p.shifts), p.history, from, upTo)
		team = team.Add(t)
		a.Adherence = store.Ratio(t.Adherent.Seconds(), t.Scheduled.Seconds())
	}
	for _, row := range s.attendanceRows(periods, from, to) {
		a := get(row.Agent)
		a.ShiftsScheduled, a.ShiftsWorked, a.ShiftsMissed = row.Scheduled, row.Worked, row.Missed
		a.LateLogins, a.EarlyLogouts, a.Attendance = row.LateLogins, row.EarlyLogouts, row.AttendanceRate
	}
	for id, score := range scores {
		if a := byAgent[id]; a != nil { // scores of unknown agents are left out
			a.MonitoringScore = store.Figure(score)
		}
	}
	out := make([]MonthlyAgent, 0, len(byAgent))
	for _, a := range byAgent {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b MonthlyAgent) int {
		// Agents with a work number first, by it; then the others by id.
		return cmp.Or(cmp.Compare(noNumber(a), noNumber(b)), cmp.Compare(a.WorkNumber, b.WorkNumber), cmp.Compare(a.Agent, b.Agent))
	})
	return out, team
}

// WriteCSV writes the month as two tables separated by an empty line: the
// hotline's figures (figure,value) and the agents.
func (m MonthlyReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	s := m.Service
	lines := [][]string{
		{"figure", "value"}, {"month", m.Month},
		{"calls", fmt.Sprint(s.Calls)}, {"offered", fmt.Sprint(s.Offered)}, {"answered", fmt.Sprint(s.Answered)},
		{"answered_rate", s.AnsweredRate.String()}, {"service_level", s.ServiceLevel.String()},
		{"abandon_rate", s.AbandonRate.String()}, {"complaints", fmt.Sprint(s.Complaints)},
		{"complaints_resolved", fmt.Sprint(s.ComplaintsResolved)}, {"survey_responses", fmt.Sprint(s.SurveyResponses)},
		{"satisfaction", s.Satisfaction.String()}, {"survey_mean", s.SurveyMean.String()},
		{"adherence", s.Adherence.String()}, {"adherence_target", fmt.Sprint(s.AdherenceTarget)},
	}
	if err := cw.WriteAll(lines); err != nil {
		return fmt.Errorf("monthly csv: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("monthly csv: %w", err)
	}
	return store.WriteCSV(w, m.Agents)
}

func noNumber(a MonthlyAgent) int {
	if a.WorkNumber == "" {
		return 1
	}
	return 0
}
