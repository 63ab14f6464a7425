package config

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/config/clusterconf"
)

func TestClusterOffByDefault(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	if c.Cluster.Enabled || c.Cluster.Prefix != "hotline" || c.Cluster.LeaseTTL.Seconds() != 3 {
		t.Fatalf("cluster defaults %+v", c.Cluster)
	}
}

func TestClusterSectionParses(t *testing.T) {
	data := string(Demo()) + "\ncluster:\n  enabled: true\n  node_id: node-a\n  urls: [nats://10.0.0.1:4222, tls://nats.example.com:4222]\n  prefix: line1\n  lease_ttl: 5s\n"
	c, err := Parse("x.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Cluster.Enabled || c.ClusterNodeID() != "node-a" || len(c.Cluster.URLs) != 2 || c.Cluster.Prefix != "line1" {
		t.Fatalf("cluster %+v", c.Cluster)
	}
}

func TestClusterValidation(t *testing.T) {
	data := string(Demo()) + "\ncluster:\n  enabled: true\n  node_id: 'a b'\n  urls: ['nats://u:secret@10.0.0.1:4222', 'http://x']\n  prefix: 'a.b'\n  lease_ttl: 10ms\n"
	_, err := Parse("x.yaml", []byte(data))
	if err == nil {
		t.Fatal("bad cluster section accepted")
	}
	msg := err.Error()
	for _, want := range []string{"cluster.node_id", "cluster.prefix", "carries credentials", `"http://x"`, "cluster.lease_ttl", "x.yaml:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("the password leaked into the error:\n%s", msg)
	}
}

func TestClusterCredentialsFromEnvironment(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	c.Cluster.Enabled = true
	t.Setenv(EnvNATSUser, "hotline")
	if all := joinErrs(c.validateCluster()); !strings.Contains(all, EnvNATSPassword) {
		t.Errorf("a user without password accepted: %q", all)
	}
	t.Setenv(EnvNATSPassword, "pw")
	if all := joinErrs(c.validateCluster()); all != "" {
		t.Errorf("user and password refused: %s", all)
	}
	t.Setenv(EnvNATSToken, "tok")
	if all := joinErrs(c.validateCluster()); !strings.Contains(all, "more than one") {
		t.Errorf("two methods accepted: %q", all)
	}
}

func TestClusterNodeIDFromHostName(t *testing.T) {
	c := Default()
	id := c.ClusterNodeID()
	if id == "" || !clusterconf.ValidName(id) {
		t.Fatalf("node id %q from the host name is not a valid token", id)
	}
}

func TestClusterTLSFiles(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	c.Cluster.Enabled = true
	c.Cluster.CertFile = "cluster_test.go"
	if all := joinErrs(c.validateCluster()); !strings.Contains(all, "go together") {
		t.Errorf("a certificate without key accepted: %q", all)
	}
	c.Cluster.KeyFile = "cluster_test.go"
	c.Cluster.CAFile = "no-such-ca.pem"
	if all := joinErrs(c.validateCluster()); !strings.Contains(all, "cluster.ca_file") || strings.Contains(all, "go together") {
		t.Errorf("errors: %q", all)
	}
}
