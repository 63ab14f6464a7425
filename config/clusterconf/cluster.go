package clusterconf

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// The environment variables that carry the NATS credentials. The
// configuration file never holds them, so it can be shared and kept in
// version control; at most one method may be set.
const (
	EnvNATSUser     = "HOTLINE_NATS_USER"      // with HOTLINE_NATS_PASSWORD
	EnvNATSPassword = "HOTLINE_NATS_PASSWORD"  // with HOTLINE_NATS_USER
	EnvNATSToken    = "HOTLINE_NATS_TOKEN"     // a bare token
	EnvNATSNKeySeed = "HOTLINE_NATS_NKEY_SEED" // path of an nkey seed file
	EnvNATSCreds    = "HOTLINE_NATS_CREDS"     // path of a JWT .creds file
)

// Cluster makes this process one node of several that share queues,
// agents and registrations through NATS JetStream (docs/cluster.md). Off
// by default: a single node needs no other service.
type Cluster struct {
	Enabled bool `yaml:"enabled"`
	// NodeID names this node in the cluster; default: the host name.
	// Every node's must differ.
	NodeID string `yaml:"node_id"`
	// URLs of the NATS servers (nats:// or tls://).
	URLs []string `yaml:"urls"`
	// Prefix names this cluster's buckets, stream and subjects, so
	// several clusters (or tests) can share one NATS.
	Prefix string `yaml:"prefix"`
	// LeaseTTL is how long the leader's lease lives without renewal: the
	// longest a dead leader holds the queues up.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// ConnectTimeout bounds the first connection at startup.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// Replicas of the cluster's buckets and stream inside NATS: 1 on one
	// NATS server, 3 on a NATS cluster.
	Replicas int `yaml:"replicas"`
	// HotStandby makes every node follow the command stream while it does
	// not lead, so a takeover replays nothing, at one more NATS message
	// per command and node. Off: a new leader replays what it missed.
	HotStandby bool `yaml:"hot_standby"`
	// TLS to NATS: the CA that signed the servers' certificates (default:
	// the system's), and this node's certificate and key for servers that
	// verify clients. Paths, not secrets: the key file stays on the node.
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// DefaultCluster is the cluster section a file overrides key by key.
func DefaultCluster() Cluster {
	return Cluster{
		URLs:           []string{"nats://127.0.0.1:4222"},
		Prefix:         "hotline",
		LeaseTTL:       3 * time.Second,
		ConnectTimeout: 5 * time.Second,
		Replicas:       1,
	}
}

// NodeIDOrHost is the configured node id, or the host name made into a
// valid one.
func (c Cluster) NodeIDOrHost() string {
	if c.NodeID != "" {
		return c.NodeID
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		return "node"
	}
	id := sanitizeNodeID(host)
	if len(id) > 32 {
		id = id[:32]
	}
	return id
}

// sanitizeNodeID keeps a host name usable as a NATS subject token and key.
func sanitizeNodeID(s string) string {
	return strings.Map(func(r rune) rune {
		if validIDRune(r) {
			return r
		}
		return '-'
	}, s)
}

func validIDRune(r rune) bool {
	return r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

// nameRE is what a bucket name and a subject token both accept.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// ValidName reports whether s may be a node id or a prefix: a bucket name
// and a subject token both accept it.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// Check returns what is wrong with an enabled section, each reason
// starting with its key below cluster; it looks at the files named and
// leaves the credentials in the environment to CheckEnv.
func (cl Cluster) Check() []string {
	if !cl.Enabled {
		return nil
	}
	var reasons []string
	add := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	if cl.NodeID != "" && !nameRE.MatchString(cl.NodeID) {
		add("node_id %q: want 1 to 32 letters, digits, '-' or '_'", cl.NodeID)
	}
	if !nameRE.MatchString(cl.Prefix) {
		add("prefix %q: want 1 to 32 letters, digits, '-' or '_'", cl.Prefix)
	}
	if len(cl.URLs) == 0 {
		add("urls: at least one NATS server is needed")
	}
	for _, u := range cl.URLs {
		p, err := url.Parse(u)
		if err != nil || p.Host == "" || (p.Scheme != "nats" && p.Scheme != "tls") {
			add("urls: %q: want nats://HOST:PORT or tls://HOST:PORT", u)
			continue
		}
		if p.User != nil {
			add("urls: %q carries credentials: set them in the environment (%s, %s, %s, %s or %s)",
				redactURL(p), EnvNATSUser, EnvNATSPassword, EnvNATSToken, EnvNATSNKeySeed, EnvNATSCreds)
		}
	}
	if cl.LeaseTTL < time.Second || cl.LeaseTTL > time.Minute {
		add("lease_ttl must be between 1s and 1m")
	}
	if cl.ConnectTimeout < 100*time.Millisecond || cl.ConnectTimeout > 5*time.Minute {
		add("connect_timeout must be between 100ms and 5m")
	}
	if cl.Replicas < 1 || cl.Replicas > 5 {
		add("replicas must be between 1 and 5")
	}
	if (cl.CertFile == "") != (cl.KeyFile == "") {
		add("cert_file and cluster.key_file go together")
	}
	for key, path := range map[string]string{"ca_file": cl.CAFile, "cert_file": cl.CertFile, "key_file": cl.KeyFile} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			add("%s: %v", key, err)
		}
	}
	return reasons
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// CheckEnv accepts no credentials in the environment or exactly one
// method, complete.
func CheckEnv() error {
	set := func(k string) bool { return os.Getenv(k) != "" }
	methods := 0
	if set(EnvNATSUser) || set(EnvNATSPassword) {
		methods++
		if !set(EnvNATSUser) || !set(EnvNATSPassword) {
			return fmt.Errorf("%s and %s go together: one of them is empty", EnvNATSUser, EnvNATSPassword)
		}
	}
	for _, k := range []string{EnvNATSToken, EnvNATSNKeySeed, EnvNATSCreds} {
		if set(k) {
			methods++
		}
	}
	if methods > 1 {
		return fmt.Errorf("more than one NATS credential is set in the environment (%s/%s, %s, %s, %s): keep one",
			EnvNATSUser, EnvNATSPassword, EnvNATSToken, EnvNATSNKeySeed, EnvNATSCreds)
	}
	return nil
}
