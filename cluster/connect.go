package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hotline-oss/hotline/config"
)

// ErrUnreachable is returned by Connect when no NATS server answers.
var ErrUnreachable = errors.New("cluster: NATS is unreachable")

// Conn is one node's connection to the cluster's NATS.
type Conn struct {
	NC    *nats.Conn
	JS    jetstream.JetStream
	Names Names
	Node  string

	settings Settings
	metrics  *Metrics
	log      *slog.Logger
	down     atomic.Bool // disconnected: the node must not route on stale state

	hookMu sync.Mutex
	hooks  []linkHook

	configs configCache // reloads' ACD configurations (acdconfig.go)
}

type linkHook struct{ down, up func() }

// Settings are what Connect needs, taken from config.Cluster and the
// node id; tests build them directly.
type Settings struct {
	Node           string
	URLs           []string
	Prefix         string
	ConnectTimeout time.Duration
	LeaseTTL       time.Duration
	// Replicas of every bucket and of the stream: 1 on a single NATS
	// server, 3 on a NATS cluster of three or more.
	Replicas int
	Log      *slog.Logger
	Metrics  *Metrics // nil: count nothing
	// TLS files (see config.Cluster); empty: system roots, no client
	// certificate.
	CAFile, CertFile, KeyFile string
}

// SettingsFrom reads the cluster section of a configuration.
func SettingsFrom(c *config.Config, log *slog.Logger) Settings {
	return Settings{
		Node:           c.ClusterNodeID(),
		URLs:           c.Cluster.URLs,
		Prefix:         c.Cluster.Prefix,
		ConnectTimeout: c.Cluster.ConnectTimeout,
		LeaseTTL:       c.Cluster.LeaseTTL,
		Replicas:       c.Cluster.Replicas,
		Log:            log,
		CAFile:         c.Cluster.CAFile,
		CertFile:       c.Cluster.CertFile,
		KeyFile:        c.Cluster.KeyFile,
	}
}

// Connect dials NATS with the credentials found in the environment and
// checks that JetStream answers. An unreachable server is a startup error
// naming the addresses tried (never the credentials).
func Connect(ctx context.Context, s Settings) (*Conn, error) {
	if !validToken(s.Node) {
		return nil, fmt.Errorf("cluster: node id %q: want letters, digits, '-' or '_'", s.Node)
	}
	if !validToken(s.Prefix) || len(s.Prefix) > 32 {
		return nil, fmt.Errorf("cluster: prefix %q: want 1 to 32 letters, digits, '-' or '_'", s.Prefix)
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.ConnectTimeout <= 0 {
		s.ConnectTimeout = 5 * time.Second
	}
	if s.LeaseTTL <= 0 {
		s.LeaseTTL = 3 * time.Second
	}
	if s.Replicas <= 0 {
		s.Replicas = 1
	}
	c := &Conn{Names: Names{Prefix: s.Prefix}, Node: s.Node, settings: s, metrics: s.Metrics, log: s.Log.With("node", s.Node)}
	opts, err := credentialOptions()
	if err != nil {
		return nil, err
	}
	if s.CAFile != "" {
		opts = append(opts, nats.RootCAs(s.CAFile))
	}
	if s.CertFile != "" {
		opts = append(opts, nats.ClientCert(s.CertFile, s.KeyFile))
	}
	opts = append(opts,
		nats.Name("hotline "+s.Node),
		nats.Timeout(s.ConnectTimeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		// Nothing is buffered while disconnected: a publish then fails at
		// once instead of leaving, late, after the reconnection.
		nats.ReconnectBufSize(-1),
		// A stalled link is noticed within about three lease TTLs; the
		// lease itself never waits for this (see doc.go).
		nats.PingInterval(s.LeaseTTL),
		nats.MaxPingsOutstanding(2),
		nats.DisconnectErrHandler(c.disconnected),
		nats.ReconnectHandler(c.reconnected),
		nats.ClosedHandler(func(*nats.Conn) { c.setDown(true) }),
	)
	nc, err := nats.Connect(strings.Join(s.URLs, ","), opts...)
	if err != nil {
		return nil, fmt.Errorf("%w at %s within %s: %v (check cluster.urls, the NATS service and the credentials in the environment)",
			ErrUnreachable, strings.Join(s.URLs, ", "), s.ConnectTimeout, err)
	}
	c.NC = nc
	if c.JS, err = jetstream.New(nc); err != nil {
		nc.Close()
		return nil, fmt.Errorf("cluster: jetstream: %w", err)
	}
	actx, cancel := context.WithTimeout(ctx, s.ConnectTimeout)
	defer cancel()
	if _, err := c.JS.AccountInfo(actx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("cluster: NATS at %s answers but JetStream does not (start the server with JetStream enabled and give this account JetStream): %w",
			nc.ConnectedUrlRedacted(), err)
	}
	c.metrics.connected(true)
	c.log.Info("cluster: connected to NATS", "url", nc.ConnectedUrlRedacted(), "prefix", s.Prefix)
	return c, nil
}

// credentialOptions reads at most one credential method from the
// environment (config.EnvNATS*); none is fine for an open server.
func credentialOptions() ([]nats.Option, error) {
	user, pass := os.Getenv(config.EnvNATSUser), os.Getenv(config.EnvNATSPassword)
	token := os.Getenv(config.EnvNATSToken)
	seed, creds := os.Getenv(config.EnvNATSNKeySeed), os.Getenv(config.EnvNATSCreds)
	var opts []nats.Option
	if user != "" || pass != "" {
		if user == "" || pass == "" {
			return nil, fmt.Errorf("cluster: %s and %s go together", config.EnvNATSUser, config.EnvNATSPassword)
		}
		opts = append(opts, nats.UserInfo(user, pass))
	}
	if token != "" {
		opts = append(opts, nats.Token(token))
	}
	if seed != "" {
		o, err := nats.NkeyOptionFromSeed(seed)
		if err != nil {
			// The error names the file, not its contents.
			return nil, fmt.Errorf("cluster: %s: %w", config.EnvNATSNKeySeed, err)
		}
		opts = append(opts, o)
	}
	if creds != "" {
		if _, err := os.Stat(creds); err != nil {
			return nil, fmt.Errorf("cluster: %s: %w", config.EnvNATSCreds, err)
		}
		opts = append(opts, nats.UserCredentials(creds))
	}
	if len(opts) > 1 {
		return nil, errors.New("cluster: more than one NATS credential is set in the environment: keep one")
	}
	return opts, nil
}

func (c *Conn) disconnected(nc *nats.Conn, err error) {
	c.setDown(true)
	if nc.IsClosed() {
		c.log.Info("cluster: NATS connection closed")
		return
	}
	c.log.Warn("cluster: lost NATS: refusing new calls until it is back", "err", err)
}

func (c *Conn) reconnected(nc *nats.Conn) {
	c.setDown(false)
	c.log.Info("cluster: NATS is back", "url", nc.ConnectedUrlRedacted())
}

func (c *Conn) setDown(down bool) {
	if c.down.Swap(down) == down {
		return
	}
	c.metrics.connected(!down)
	c.hookMu.Lock()
	hooks := slices.Clone(c.hooks)
	c.hookMu.Unlock()
	for _, h := range hooks {
		if down && h.down != nil {
			h.down()
		} else if !down && h.up != nil {
			h.up()
		}
	}
}

// Up reports whether NATS is connected. A node that is not up must
// refuse new calls rather than route on stale state.
func (c *Conn) Up() bool { return !c.down.Load() && c.NC != nil && c.NC.IsConnected() }

// WatchLink adds functions run (on the NATS client's goroutine, so they
// must be brief) when the connection drops and when it comes back; either
// may be nil.
func (c *Conn) WatchLink(down, up func()) {
	c.hookMu.Lock()
	defer c.hookMu.Unlock()
	c.hooks = append(c.hooks, linkHook{down: down, up: up})
}

// Close drains nothing: it drops the connection at once, after telling
// the watchers (the elector steps down first).
func (c *Conn) Close() {
	c.setDown(true)
	if c.NC != nil {
		c.NC.Close()
	}
}
