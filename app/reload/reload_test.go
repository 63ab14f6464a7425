package reload

import (
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/web"
)

func demo(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse(config.DemoName, config.Demo())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newController(t *testing.T, running *config.Config, apply Apply) *Controller {
	t.Helper()
	c := &Controller{}
	c.Init(Deps{Running: running, Apply: apply, Now: time.Now, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
	return c
}

// A listen address and an agent's require_secure need a restart; a
// password change applies and is named by its key only.
func TestReloadSaysWhatNeedsARestart(t *testing.T) {
	running, next := demo(t), demo(t)
	next.HTTP.Listen = "127.0.0.1:8081"
	next.Agents[0].RequireSecure = true
	next.Agents[0].Password = "a-new-secret"
	res, err := newController(t, running, func(*config.Config, *Result) error { return nil }).Reload(next)
	if err != nil {
		t.Fatal(err)
	}
	id := next.Agents[0].ID
	for _, want := range []string{"http: changed; restart to apply", "agents." + id + ".require_secure: changed; restart to apply"} {
		if !slices.Contains(res.NeedsRestart, want) {
			t.Errorf("needs restart %q, want %q in it", res.NeedsRestart, want)
		}
	}
	if want := "agents." + id + " changed (password)"; !slices.Contains(res.Changed, want) {
		t.Errorf("changed %q, want %q in it", res.Changed, want)
	}
}

// A refused configuration is the API's list of problems, and the next
// reload is still compared with what was applied before it.
func TestRefusedReloadChangesNothing(t *testing.T) {
	running := demo(t)
	fail := true
	c := newController(t, running, func(*config.Config, *Result) error {
		if fail {
			return errors.Join(errors.New("one"), errors.New("two"))
		}
		return nil
	})
	next := demo(t)
	next.Notice.Enabled = !next.Notice.Enabled
	_, err := c.Reload(next)
	var rj *web.ConfigRejected
	if !errors.As(err, &rj) || !slices.Equal(rj.Problems, []string{"one", "two"}) {
		t.Fatalf("refused reload: %v", err)
	}
	fail = false
	res, err := c.Reload(next)
	if err != nil || !slices.Equal(res.Changed, []string{"notice: changed"}) || res.NeedsRestart == nil {
		t.Errorf("reload after a refused one: %+v %v", res, err)
	}
}

// A reload followed from elsewhere goes through Deps.Follow; once a
// configuration is applied, UnlessReloaded runs nothing.
func TestFollowedReloadUsesFollow(t *testing.T) {
	running := demo(t)
	var got []string
	c := &Controller{}
	c.Init(Deps{Running: running, Now: time.Now, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Apply:  func(*config.Config, *Result) error { got = append(got, "apply"); return nil },
		Follow: func(*config.Config, *Result) error { got = append(got, "follow"); return nil },
	})
	c.SetSource(func() (*config.Config, error) { return demo(t), nil })
	c.UnlessReloaded(func() { got = append(got, "start") })
	if _, _, err := c.Follow(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.FromSource(); err != nil {
		t.Fatal(err)
	}
	c.UnlessReloaded(func() { got = append(got, "start again") })
	if want := []string{"start", "follow", "apply"}; !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
}
