package config

import "github.com/hotline-oss/hotline/config/clusterconf"

// The cluster section, its defaults and its checks live in package
// clusterconf; these names keep them where the rest of the server reads
// the configuration.
type Cluster = clusterconf.Cluster

// The environment variables that carry the NATS credentials (see
// clusterconf).
const (
	EnvNATSUser     = clusterconf.EnvNATSUser
	EnvNATSPassword = clusterconf.EnvNATSPassword
	EnvNATSToken    = clusterconf.EnvNATSToken
	EnvNATSNKeySeed = clusterconf.EnvNATSNKeySeed
	EnvNATSCreds    = clusterconf.EnvNATSCreds
)

// DefaultCluster is the cluster section a file overrides key by key.
func DefaultCluster() Cluster { return clusterconf.DefaultCluster() }

// ClusterNodeID is the configured node id, or the host name.
func (c *Config) ClusterNodeID() string { return c.Cluster.NodeIDOrHost() }

// validateCluster places the section's reasons under cluster, then checks
// the credentials in the environment.
func (c *Config) validateCluster() []error {
	if !c.Cluster.Enabled {
		return nil
	}
	var errs []error
	for _, r := range c.Cluster.Check() {
		errs = append(errs, c.Errorf("cluster", "cluster.%s", r))
	}
	if err := clusterconf.CheckEnv(); err != nil {
		errs = append(errs, c.Errorf("cluster", "cluster: %v", err))
	}
	return errs
}
