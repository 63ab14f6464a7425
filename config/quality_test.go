package config

import (
	"strconv"
	"strings"
	"testing"
)

const qualityBase = "numbers: {\"95598\": main}\nagents:\n  - {id: \"1001\", password: pw}\nqueues:\n  billing: {}\n"

const qualityForm = `quality:
  sample_per_agent: 3
  teams: {north: ["1001"]}
  forms:
    - id: standard
      name: Standard call
      queues: [billing]
      sections:
        - title: Opening
          questions:
            - {id: greeting, text: Greeted with the work number, weight: 10, critical: true}
            - {id: tone, text: Courteous tone, weight: 20, max: 4}
`

func TestQualityParsesWithDefaults(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte(qualityBase+qualityForm))
	if err != nil {
		t.Fatal(err)
	}
	q := cfg.QualityRules()
	if *q.SamplePerAgent != 3 || *q.LowSurveyScore != DefaultLowSurveyScore || len(q.ComplaintCategories) != 1 || q.ComplaintCategories[0] != "complaint" {
		t.Fatalf("rules %+v", q)
	}
	qs := q.Forms[0].Sections[0].Questions
	if qs[0].Max != 1 || qs[1].Max != 4 || !qs[0].Critical {
		t.Fatalf("questions %+v: a question without max is yes/no", qs)
	}
	if cfg.Quality.Forms[0].Sections[0].Questions[0].Max != 0 {
		t.Fatal("QualityRules changed the parsed configuration")
	}
	empty, err := Parse("f.yaml", []byte(qualityBase))
	if err != nil || *empty.QualityRules().SamplePerAgent != DefaultSamplePerAgent || len(empty.QualityRules().Forms) != 0 {
		t.Fatalf("without a quality section: %v", err)
	}
}

func TestQualityErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, replace, with, want string
		line                      int
	}{
		{"weight", "weight: 20", "weight: 200", `quality.forms[0].sections[0].questions[1].weight 200: want 0 to 100`, 17},
		{"scale", "max: 4", "max: 11", `questions[1].max 11: want 1 (yes/no) to 10`, 17},
		{"question id", "id: tone", "id: Tone", `questions[1].id "Tone": want a lower-case code`, 17},
		{"twice", "id: tone", "id: greeting", `questions[1].id "greeting": used twice in the form`, 17},
		{"no text", "text: Courteous tone, ", "", `questions[1].text: a question needs its text`, 17},
		{"queue", "queues: [billing]", "queues: [bills]", `quality.forms[0].queues[0]: "bills" is not a configured queue`, 12},
		{"team member", `north: ["1001"]`, `north: ["1009"]`, `quality.teams.north[0]: "1009" is not a configured agent`, 8},
		{"sample", "sample_per_agent: 3", "sample_per_agent: -1", `quality.sample_per_agent -1: want 0 to 100`, 7},
		{"no weight", "weight: 10", "weight: 0", "", 0},
		{"unknown key", "critical: true", "critical: true, bonus: 5", `unknown key "bonus"`, 0},
	}
	for _, tc := range cases {
		src := qualityBase + strings.Replace(qualityForm, tc.replace, tc.with, 1)
		if tc.name == "no weight" {
			src = strings.Replace(src, "weight: 20", "weight: 0", 1)
			tc.want = "the weights add up to 0"
		}
		_, err := Parse("f.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want it to contain %q", tc.name, err, tc.want)
			continue
		}
		if tc.line > 0 && !strings.Contains(err.Error(), "f.yaml:"+strconv.Itoa(tc.line)+":") {
			t.Errorf("%s: %v is not at line %d", tc.name, err, tc.line)
		}
		if !strings.Contains(err.Error(), "f.yaml:") {
			t.Errorf("%s: %v has no position", tc.name, err)
		}
	}
}
