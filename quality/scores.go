package quality

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// MonthScore is a monitoring score: the mean of the reviews it covers.
type MonthScore struct {
	Name           string  `json:"name"` // agent id, team name or "all"
	Reviews        int     `json:"reviews"`
	Mean           float64 `json:"score"` // 0–100
	CriticalFailed int     `json:"critical_failed"`
	Acknowledged   int     `json:"acknowledged"`
	LowestScore    float64 `json:"lowest_score"`
	HighestScore   float64 `json:"highest_score"`
}

// ScoresView is a month's monitoring scores.
type ScoresView struct {
	Month  string       `json:"month"`
	All    MonthScore   `json:"all"`
	Agents []MonthScore `json:"agents"`
	Teams  []MonthScore `json:"teams"`
}

// Summarise folds reviews into scores per agent, per team and overall.
func Summarise(month string, reviews []store.Review, teams map[string][]string) ScoresView {
	byAgent := map[string]*MonthScore{}
	all := &MonthScore{Name: "all"}
	for _, r := range reviews {
		a := byAgent[r.Agent]
		if a == nil {
			a = &MonthScore{Name: r.Agent}
			byAgent[r.Agent] = a
		}
		a.add(r)
		all.add(r)
	}
	v := ScoresView{Month: month, All: all.done(), Agents: []MonthScore{}, Teams: []MonthScore{}}
	for _, a := range byAgent {
		v.Agents = append(v.Agents, a.done())
	}
	slices.SortFunc(v.Agents, func(a, b MonthScore) int { return cmp.Compare(a.Name, b.Name) })
	for team, members := range teams {
		t := &MonthScore{Name: team}
		for _, r := range reviews {
			if slices.Contains(members, r.Agent) {
				t.add(r)
			}
		}
		v.Teams = append(v.Teams, t.done())
	}
	slices.SortFunc(v.Teams, func(a, b MonthScore) int { return cmp.Compare(a.Name, b.Name) })
	return v
}

func (s *MonthScore) add(r store.Review) {
	if s.Reviews == 0 || r.Score < s.LowestScore {
		s.LowestScore = r.Score
	}
	if s.Reviews == 0 || r.Score > s.HighestScore {
		s.HighestScore = r.Score
	}
	s.Reviews++
	s.Mean += r.Score // the sum until done
	if len(r.CriticalFailed) > 0 {
		s.CriticalFailed++
	}
	if !r.Acknowledged.IsZero() {
		s.Acknowledged++
	}
}

func (s *MonthScore) done() MonthScore {
	out := *s
	if out.Reviews > 0 {
		out.Mean = round1(out.Mean / float64(out.Reviews))
	}
	return out
}

// Scores is the month's monitoring scores.
func (s *Service) Scores(ctx context.Context, m web.Month) (any, error) {
	return s.scores(ctx, m)
}

func (s *Service) scores(ctx context.Context, m web.Month) (ScoresView, error) {
	st, err := s.store()
	if err != nil {
		return ScoresView{}, err
	}
	list, err := st.Reviews(ctx, store.ReviewFilter{From: m.From, To: m.To})
	if err != nil {
		return ScoresView{}, mapStoreError(err)
	}
	return Summarise(m.Key, list, s.d.Teams), nil
}

// CurrentMonth is the month now in the report time zone.
func (s *Service) CurrentMonth() web.Month {
	now := s.d.Now().In(s.d.Location)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.d.Location)
	return web.Month{Key: from.Format("2006-01"), From: from, To: from.AddDate(0, 1, 0)}
}

// Refresh recomputes the Prometheus scores of the current month.
func (s *Service) Refresh(ctx context.Context) error {
	if s.d.Scores == nil {
		return nil
	}
	v, err := s.scores(ctx, s.CurrentMonth())
	if err != nil {
		return err
	}
	s.d.Scores.set(v)
	return nil
}

func (s *Service) refreshSoon(Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Refresh(ctx); err != nil {
		s.d.Log.Warn("quality scores not refreshed", "err", err)
	}
}

// MonitoringScores is each agent's mean review score (0–100) of the calls
// that started in [from, to); an agent without a reviewed call is absent.
// The monthly report reads it.
func (s *Service) MonitoringScores(ctx context.Context, from, to time.Time) (map[string]float64, error) {
	v, err := s.scores(ctx, web.Month{Key: from.Format("2006-01"), From: from, To: to})
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(v.Agents))
	for _, a := range v.Agents {
		out[a.Name] = a.Mean
	}
	return out, nil
}
