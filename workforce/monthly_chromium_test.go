package workforce

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/store"
)

// sampleMonth is a month of a floor of n agents, some without a schedule
// or a review.
func sampleMonth(n int) MonthlyReport {
	nan := store.Ratio(0, 0)
	rep := MonthlyReport{Month: "2031-03", From: day0, To: day0.AddDate(0, 1, 0), MonitoringScores: true,
		Service: MonthlyService{Calls: 48210, Offered: 9120, Answered: 8904, AnsweredRate: 0.987, ServiceLevel: 0.83,
			AbandonRate: 0.031, Complaints: 212, ComplaintsResolved: 198, SurveyResponses: 3120, Satisfaction: 0.981,
			SurveyMean: 4.7, Adherence: 0.934, AdherenceTarget: 0.92}}
	names := []string{"Li Na", "王芳", "김민지", "Zhang Wei", "Park Ji-hoon", "陈静", "Sam Lee", "Liu Yang"}
	for i := range n {
		a := MonthlyAgent{WorkNumber: fmt.Sprintf("%04d", 2001+i), Agent: fmt.Sprintf("%d", 1001+i), Name: names[i%len(names)],
			Calls: 180 + 7*i, AHT: store.Figure(240 + 3*i), Adherence: store.Figure(0.88 + 0.003*float64(i)),
			ShiftsScheduled: 22, ShiftsWorked: 21 + i%2, ShiftsMissed: 1 - i%2, LateLogins: i % 3, EarlyLogouts: i % 2,
			Attendance: store.Figure(float64(21+i%2) / 22), MonitoringScore: store.Figure(80 + i%15),
			SurveyResponses: 60 + i, Satisfaction: store.Figure(0.95 + 0.001*float64(i))}
		if i%9 == 8 { // no schedule, no review this month
			a.Adherence, a.Attendance, a.MonitoringScore, a.ShiftsScheduled, a.ShiftsWorked, a.ShiftsMissed = nan, nan, nan, 0, 0, 0
		}
		rep.Agents = append(rep.Agents, a)
	}
	return rep
}

// The printable page of a floor of 30 agents prints on one landscape A4
// sheet in headless Chromium, and one of 60 on two.
func TestMonthlyPagePrintsOnOneSheet(t *testing.T) {
	browser := chromiumtest.Find(t)
	for _, c := range []struct{ agents, sheets int }{{30, 1}, {60, 2}} {
		page := filepath.Join(t.TempDir(), "monthly.html")
		f, err := os.Create(page)
		if err != nil {
			t.Fatal(err)
		}
		if err := sampleMonth(c.agents).WriteHTML(f); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		if got := printedSheets(t, browser, page); got != c.sheets {
			t.Errorf("a month of %d agents prints on %d sheets, want %d", c.agents, got, c.sheets)
		}
		// MONTHLY_SCREENSHOT keeps a picture of the page for the docs.
		if dst := os.Getenv("MONTHLY_SCREENSHOT"); dst != "" && c.sheets == 1 {
			runChromium(t, browser, page, "--hide-scrollbars", "--window-size=1400,900", "--screenshot="+dst)
		}
	}
}

// printedSheets prints the page to PDF and counts its pages.
func printedSheets(t *testing.T, browser, page string) int {
	t.Helper()
	pdf := filepath.Join(t.TempDir(), "monthly.pdf")
	runChromium(t, browser, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	doc, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(doc, -1))
}

func runChromium(t *testing.T, browser, page string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := append(slices.Clone(chromiumtest.Flags), "--user-data-dir="+t.TempDir())
	if out, err := exec.CommandContext(ctx, browser, append(append(base, args...), "file://"+page)...).CombinedOutput(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, out)
	}
}
