package workforce

import (
	"fmt"
	"html/template"
	"io"

	"github.com/hotline-oss/hotline/store"
)

// The printable page: about 30 agents a landscape A4 sheet (longer floors
// go on with the column headings repeated), no script, no external
// resource.
var monthlyPage = template.Must(template.New("monthly").Funcs(template.FuncMap{
	"pct":  func(f store.Figure) string { return figureText(f, 100, "%.1f %%") },
	"secs": func(f store.Figure) string { return figureText(f, 1, "%.0f s") },
	"num":  func(f store.Figure) string { return figureText(f, 1, "%.1f") },
	"mulf": func(v float64) float64 { return v * 100 },
	// below is replaced per report, with the report's target.
	"below": func(store.Figure) bool { return false },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Hotline monthly report {{.Month}}</title>
<style>
@page { size: A4 landscape; margin: 8mm; }
body { font: 10pt/1.3 system-ui, sans-serif; color: #111; margin: 0 auto; max-width: 277mm; }
h1 { font-size: 15pt; margin: 0 0 3mm; }
h2 { font-size: 11pt; margin: 4mm 0 1.5mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; line-height: 1.15; }
th, td { border: 1px solid #999; padding: .3mm 1.5mm; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th.name, td.name { text-align: left; }
td.name { white-space: normal; }
thead th { background: #eee; }
thead { display: table-header-group; } /* repeated on every printed sheet */
tr { page-break-inside: avoid; }
.below { color: #a00; font-weight: bold; }
.note { font-size: 8pt; color: #444; }
</style></head><body>
<h1>Hotline monthly report — {{.Month}}</h1>
<h2>Service</h2>
<table><tbody>
<tr><th>Calls</th><td>{{.Service.Calls}}</td><th>Queued calls</th><td>{{.Service.Offered}}</td><th>Answered by agents</th><td>{{.Service.Answered}}</td></tr>
<tr><th>Answered rate</th><td>{{pct .Service.AnsweredRate}}</td><th>Service level</th><td>{{pct .Service.ServiceLevel}}</td><th>Abandon rate</th><td>{{pct .Service.AbandonRate}}</td></tr>
<tr><th>Complaints handled</th><td>{{.Service.Complaints}}</td><th>of which resolved</th><td>{{.Service.ComplaintsResolved}}</td><th>Satisfaction ({{.Service.SurveyResponses}} answers)</th><td>{{pct .Service.Satisfaction}}</td></tr>
<tr><th>Schedule adherence</th><td>{{pct .Service.Adherence}}</td><th>target</th><td>{{printf "%.0f %%" (mulf .Service.AdherenceTarget)}}</td><th>Survey mean (1-5)</th><td>{{num .Service.SurveyMean}}</td></tr>
</tbody></table>
<h2>Agents</h2>
<table><thead><tr><th>Work number</th><th class="name">Agent</th><th>Calls</th><th>AHT</th><th>Adherence</th>
<th>Shifts worked</th><th>Missed</th><th>Late log-ins</th><th>Early log-outs</th><th>Monitoring score</th><th>Satisfaction</th></tr></thead>
<tbody>{{range .Agents}}
<tr><td>{{.WorkNumber}}</td><td class="name">{{.Name}} ({{.Agent}})</td><td>{{.Calls}}</td><td>{{secs .AHT}}</td>
<td{{if below .Adherence}} class="below"{{end}}>{{pct .Adherence}}</td>
<td>{{.ShiftsWorked}} / {{.ShiftsScheduled}}</td><td>{{.ShiftsMissed}}</td><td>{{.LateLogins}}</td><td>{{.EarlyLogouts}}</td>
<td>{{num .MonitoringScore}}</td><td>{{pct .Satisfaction}}</td></tr>{{end}}
</tbody></table>
<p class="note">A dash is a figure with nothing to divide by (no calls, no schedule, no review).
{{if not .MonitoringScores}}Monitoring scores are empty: no quality review gives scores on this server.{{end}}
Definitions: docs/kpis.md.</p>
</body></html>
`))

func figureText(f store.Figure, scale float64, format string) string {
	if !f.Defined() {
		return "–"
	}
	return fmt.Sprintf(format, float64(f)*scale)
}

// WriteHTML writes the printable page.
func (m MonthlyReport) WriteHTML(w io.Writer) error {
	t, err := monthlyPage.Clone()
	if err != nil {
		return fmt.Errorf("monthly html: %w", err)
	}
	target := m.Service.AdherenceTarget
	t.Funcs(template.FuncMap{
		"below": func(f store.Figure) bool { return f.Defined() && float64(f) < target },
	})
	if err := t.Execute(w, m); err != nil {
		return fmt.Errorf("monthly html: %w", err)
	}
	return nil
}
