// Package cluster_test runs a hotline cluster as an operator would: the
// built cmd/hotline binary as three nodes on 127.0.0.11–13 sharing a
// MySQL database and a NATS server of the test's own, the shipped
// Kamailio front (deploy/kamailio) in front of them, SIPp and Go test
// phones as callers and agents. It kills nodes with SIGKILL, stops NATS
// and reloads the configuration, and checks what callers, agents and the
// records see. It drives the nodes only from outside (processes, SIP, HTTP
// and the database), never through the server's packages.
//
// A failed test prints the tail of each node's log; with
// HOTLINE_TEST_LOG_DIR set it also writes every node's whole log there.
package cluster_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// hotlineBin is the binary built once for every test of the package.
var hotlineBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if list := flag.Lookup("test.list"); list != nil && list.Value.String() != "" {
		os.Exit(m.Run()) // listing tests (make fuzz does) runs none: no binary needed
	}
	dir, err := os.MkdirTemp("", "hotline-cluster-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hotlineBin = filepath.Join(dir, "hotline")
	build := exec.Command("go", "build", "-o", hotlineBin, "../../cmd/hotline")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cmd/hotline:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// need returns the path of a tool the test drives. Without it the test
// is skipped with a visible notice, or fails under CI=true, where every
// tool must be installed.
func need(t *testing.T, tool, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin"} {
		if p := filepath.Join(dir, tool); isExecutable(p) {
			return p
		}
	}
	reason := fmt.Sprintf("%s not found (apt-get install %s)", tool, pkg)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: external tools are required)", reason)
	}
	fmt.Fprintf(os.Stderr, "SKIP: %s: %s\n", t.Name(), reason)
	t.Skip(reason)
	return ""
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// mysqlDSNEnv points the test at MariaDB, e.g.
// "root@tcp(127.0.0.1:3306)/test?parseTime=true" (.ci/run sets it).
const mysqlDSNEnv = "HOTLINE_TEST_MYSQL_DSN"

func needMySQL(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(mysqlDSNEnv)
	if dsn != "" {
		return dsn
	}
	reason := mysqlDSNEnv + " is not set (the cluster shares a MariaDB database)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: external tools are required)", reason)
	}
	fmt.Fprintf(os.Stderr, "SKIP: %s: %s\n", t.Name(), reason)
	t.Skip(reason)
	return ""
}
