package reload

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/web"
)

// Result says what a reload changed and what it could not.
type Result struct {
	Changed      []string `json:"changed"`
	NeedsRestart []string `json:"needs_restart"`
}

// Apply hands a checked configuration to the parts, adding to res what
// still needs a restart. An error refuses the whole configuration: the
// parts must not have changed when it is returned.
type Apply func(cfg *config.Config, res *Result) error

// Deps are what a Controller needs from the server.
type Deps struct {
	Running *config.Config // the configuration the server started with
	Apply   Apply
	// Follow applies a reload that began elsewhere (another node of a
	// cluster, whose agents and queues this node's ACD takes from the
	// cluster itself); nil: Apply.
	Follow   Apply
	Now      func() time.Time
	Log      *slog.Logger
	Registry prometheus.Registerer // the reload counters
}

// Controller serialises reloads and remembers what was applied last. Its
// zero value takes a source (SetSource); Init readies it to reload.
type Controller struct {
	mu      sync.Mutex
	d       Deps
	source  func() (*config.Config, error)
	applied *config.Config
	total   *prometheus.CounterVec
	last    prometheus.Gauge
}

// Init readies the controller and exports the reload counters; the
// timestamp starts at the startup load.
func (c *Controller) Init(d Deps) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d = d
	c.total = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_config_reloads_total",
		Help: "Configuration reloads (SIGHUP or API), by result.",
	}, []string{"result"})
	c.last = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "hotline_config_last_reload_timestamp",
		Help: "Unix time of the last successful configuration load (startup or reload).",
	})
	c.total.WithLabelValues("ok")
	c.total.WithLabelValues("error")
	c.last.Set(float64(d.Now().UnixMilli()) / 1000)
	d.Registry.MustRegister(c.total, c.last)
}

// SetSource sets where FromSource reads the configuration: by default the
// file the running one came from (or the embedded demo).
func (c *Controller) SetSource(source func() (*config.Config, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.source = source
}

func (c *Controller) defaultSource() (*config.Config, error) {
	if c.d.Running.File == config.DemoName {
		return config.Parse(config.DemoName, config.Demo())
	}
	return config.LoadFile(c.d.Running.File)
}

// FromSource reads the configuration again and applies it; it returns the
// configuration it applied. An invalid configuration changes nothing: the
// error is a *web.ConfigRejected listing every problem.
func (c *Controller) FromSource() (Result, *config.Config, error) {
	return c.fromSource(c.d.Apply)
}

// Follow is FromSource for a reload that began elsewhere: the parts take
// the configuration through Deps.Follow.
func (c *Controller) Follow() (Result, *config.Config, error) {
	apply := c.d.Follow
	if apply == nil {
		apply = c.d.Apply
	}
	return c.fromSource(apply)
}

func (c *Controller) fromSource(apply Apply) (Result, *config.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	source := c.source
	if source == nil {
		source = c.defaultSource
	}
	cfg, err := source()
	if err != nil {
		err = Rejected(err)
		c.observe(Result{}, err)
		return Result{}, nil, err
	}
	res, err := c.applyLocked(cfg, apply)
	c.observe(res, err)
	return res, cfg, err
}

// Reload applies an already parsed configuration, as FromSource does.
func (c *Controller) Reload(cfg *config.Config) (Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res, err := c.applyLocked(cfg, c.d.Apply)
	c.observe(res, err)
	return res, err
}

// applyLocked says what changed since the configuration applied last and
// what needs a restart against the one the server started with, then has
// the parts apply cfg. Running calls are not touched.
func (c *Controller) applyLocked(cfg *config.Config, apply Apply) (Result, error) {
	prev := c.applied
	if prev == nil {
		prev = c.d.Running
	}
	res := Result{Changed: Describe(prev, cfg), NeedsRestart: RestartOnly(c.d.Running, cfg)}
	if err := apply(cfg, &res); err != nil {
		return Result{}, Rejected(err)
	}
	c.applied = cfg
	if res.Changed == nil {
		res.Changed = []string{}
	}
	if res.NeedsRestart == nil {
		res.NeedsRestart = []string{}
	}
	return res, nil
}

// UnlessReloaded runs f in turn with reloads, unless a configuration was
// applied since the start: what f would bring in from the start is then
// older than what runs.
func (c *Controller) UnlessReloaded(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.applied == nil {
		f()
	}
}

// Rejected turns validation errors into the API's list of problems.
func Rejected(err error) error {
	var problems []string
	for _, e := range flatten(err) {
		problems = append(problems, e.Error())
	}
	return &web.ConfigRejected{Problems: problems}
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func (c *Controller) observe(res Result, err error) {
	if err != nil {
		if c.total != nil {
			c.total.WithLabelValues("error").Inc()
		}
		var rj *web.ConfigRejected
		if errors.As(err, &rj) {
			c.d.Log.Error("configuration reload rejected; the running configuration stays",
				"problems", strings.Join(rj.Problems, "; "))
		} else {
			c.d.Log.Error("configuration reload failed", "err", err)
		}
		return
	}
	if c.total != nil {
		c.total.WithLabelValues("ok").Inc()
		c.last.Set(float64(c.d.Now().UnixMilli()) / 1000)
	}
	c.d.Log.Info("configuration reloaded", "changed", res.Changed, "needs_restart", res.NeedsRestart)
}
