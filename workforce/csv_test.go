package workforce

import (
	"strings"
	"testing"
	"time"
)

func known(id string) bool { return id == "1001" || id == "1002" }

func TestCSVImportReadsShiftsBreaksAndNightShifts(t *testing.T) {
	r := testRules()
	in := "agent,date,start,end,activity,breaks,note\n" +
		"1001,2031-03-03,08:00,16:00,phones,12:00-12:30 lunch; 14:30-14:45,early\n" +
		"# a comment line\n" +
		"1002,2031-03-03,22:00,06:00+1,,02:00-02:30,night\n" +
		"1001,2031-03-04,09:00,10:00,training,,\n" +
		"1002,2031-03-05,20:00,24:00,,,\n"
	lines, problems := r.ParseCSV(strings.NewReader(in), known)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(lines) != 4 {
		t.Fatalf("lines = %+v", lines)
	}
	if end := lines[3].Shift.End; !end.Equal(day0.AddDate(0, 0, 3)) {
		t.Errorf("24:00 = %v, want the next midnight", end)
	}
	a := lines[0].Shift
	if !a.Start.Equal(at("08:00")) || !a.End.Equal(at("16:00")) || a.Activity != Phones || len(a.Breaks) != 2 ||
		a.Breaks[0].Activity != "lunch" || a.Breaks[1].Activity != "break" || !a.Breaks[1].End.Equal(at("14:45")) || a.Note != "early" {
		t.Errorf("day shift = %+v", a)
	}
	night := lines[1].Shift
	if lines[1].Line != 4 || !night.End.Equal(at("06:00").Add(24*time.Hour)) || !night.Breaks[0].Start.Equal(at("02:00").Add(24*time.Hour)) {
		t.Errorf("night shift (line %d) = %+v", lines[1].Line, night)
	}
	if lines[2].Shift.Activity != "training" {
		t.Errorf("training = %+v", lines[2].Shift)
	}
}

func TestCSVWithErrorsReportsEveryProblemByLine(t *testing.T) {
	r := testRules()
	in := "agent,date,start,end,activity,breaks\n" +
		"1001,2031-03-03,08:00,16:00,phones,\n" + // 2: good
		"9999,2031-03-03,08:00,16:00,phones,\n" + // 3: unknown agent
		"1001,2031-03-03,15:00,18:00,phones,\n" + // 4: overlaps line 2
		"1002,2031-03-03,10:00,09:00,phones,\n" + // 5: end before start
		"1002,2031-03-03,8h,09:00,phones,\n" + // 6: bad time
		"1002,2031-03-32,08:00,09:00,phones,\n" + // 7: bad date
		"1002,2031-03-04,08:00,12:00,juggling,\n" + // 8: unknown activity
		"1002,2031-03-05,08:00,12:00,phones,13:00-13:30\n" // 9: break outside
	_, problems := r.ParseCSV(strings.NewReader(in), known)
	want := map[int]string{
		3: `agent "9999" is not a configured agent`,
		4: "overlaps line 2",
		5: "is not after start",
		6: `start "8h": want HH:MM`,
		7: `date "2031-03-32": want YYYY-MM-DD`,
		8: `activity "juggling" is unknown`,
		9: "is outside the shift",
	}
	if len(problems) != len(want) {
		t.Fatalf("problems = %v, want one for each of lines %v", problems, want)
	}
	for _, p := range problems {
		if !strings.Contains(p.Problem, want[p.Line]) || want[p.Line] == "" {
			t.Errorf("line %d: %q, want %q", p.Line, p.Problem, want[p.Line])
		}
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	r := testRules()
	for in, want := range map[string]string{
		"":                                 "a header line is needed",
		"agent,date,start\n":               `column "end" is missing`,
		"agent,date,start,end,colour\n":    `column "colour" is unknown`,
		"agent,date,start,end,agent\n":     `column "agent" appears twice`,
		"agent,date,start,end\n1001,\"x\n": "the rest of the file was not read",
	} {
		_, problems := r.ParseCSV(strings.NewReader(in), known)
		if len(problems) == 0 || !strings.Contains(problems[0].String(), want) {
			t.Errorf("%q: problems %v, want %q", in, problems, want)
		}
	}
}
