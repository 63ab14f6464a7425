package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// Retention of the shared state (docs/cluster.md).
const (
	// registrationBackstop removes a registration nobody refreshed or
	// removed (its node died); readers also skip entries past their own
	// expiry.
	registrationBackstop = 2 * time.Hour
	// commandRetention keeps the commands a new leader replays.
	commandRetention = 24 * time.Hour
	// duplicateWindow: a command republished with the same id within it
	// (a retry after a lost acknowledgement) is stored once.
	duplicateWindow = 2 * time.Minute
	// nodeTTLFactor: a node whose heartbeat is this many lease TTLs old
	// is gone.
	nodeTTLFactor = 3
)

// Ensure creates the cluster's buckets and stream, or checks and updates
// them; every node calls it at startup.
func (c *Conn) Ensure(ctx context.Context) error {
	n, ttl, r := c.Names, c.settings.LeaseTTL, c.settings.Replicas
	buckets := []jetstream.KeyValueConfig{
		{Bucket: n.Lease(), History: 1, TTL: ttl, Storage: jetstream.FileStorage, Replicas: r,
			Description: "hotline leader lease"},
		{Bucket: n.Nodes(), History: 1, TTL: nodeTTLFactor * ttl, Storage: jetstream.FileStorage, Replicas: r,
			Description: "hotline live nodes and their configuration hashes"},
		{Bucket: n.Registrations(), History: 1, TTL: registrationBackstop, Storage: jetstream.FileStorage, Replicas: r,
			Description: "hotline agents' registered contacts"},
		{Bucket: n.Agents(), History: 1, Storage: jetstream.FileStorage, Replicas: r,
			Description: "hotline agents' presence"},
		{Bucket: n.ACDConfigs(), History: 1, TTL: configRetention, Storage: jetstream.FileStorage, Replicas: r,
			MaxValueSize: routing.MaxConfig, Description: "hotline ACD configurations of reloads, by hash"},
	}
	for _, b := range buckets {
		if _, err := c.JS.CreateOrUpdateKeyValue(ctx, b); err != nil {
			return fmt.Errorf("cluster: bucket %s: %w", b.Bucket, err)
		}
	}
	_, err := c.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        n.CommandStream(),
		Description: "hotline commands from the nodes to the leader",
		Subjects:    []string{n.CommandSubjects()},
		Storage:     jetstream.FileStorage,
		Replicas:    r,
		MaxAge:      commandRetention,
		Duplicates:  duplicateWindow,
		Discard:     jetstream.DiscardOld,
	})
	if err != nil {
		return fmt.Errorf("cluster: stream %s: %w", n.CommandStream(), err)
	}
	return nil
}

// Remove deletes the cluster's buckets and stream: for tests and for an
// operator retiring a cluster. Missing ones are not an error.
func (c *Conn) Remove(ctx context.Context) error {
	var errs []error
	for _, b := range c.Names.Buckets() {
		if err := c.JS.DeleteKeyValue(ctx, b); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
			errs = append(errs, fmt.Errorf("bucket %s: %w", b, err))
		}
	}
	if err := c.JS.DeleteStream(ctx, c.Names.CommandStream()); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		errs = append(errs, fmt.Errorf("stream %s: %w", c.Names.CommandStream(), err))
	}
	if len(errs) > 0 {
		return fmt.Errorf("cluster: remove: %w", errors.Join(errs...))
	}
	return nil
}
