package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// A reload of the ACD's agents and queues is a command of the stream
// (routing.CmdReload) that names its configuration by hash; the
// configuration itself lives in a bucket, stored before the command is
// sent. Every router fetches it when it reaches the command, live or
// replaying, so the bucket keeps a configuration longer than the stream
// keeps the command (configRetention): a write refreshes the age, and
// the command always comes after the write.

// configRetention keeps a configuration past the last command that can
// name it.
const configRetention = commandRetention + time.Hour

// configCacheSize bounds the configurations a node keeps in memory: a
// replay meets each reload once, and reloads are rare.
const configCacheSize = 8

// ACDConfigs is the bucket of the ACD configurations reloads published,
// keyed by routing.EncodeConfig's hash.
func (n Names) ACDConfigs() string { return n.Prefix + "_acd_configs" }

// PublishACDConfig stores cfg for a reload command and returns its hash:
// send the command once this returns.
func (c *Conn) PublishACDConfig(ctx context.Context, cfg acd.Config) (string, error) {
	hash, data, err := routing.EncodeConfig(cfg)
	if err != nil {
		return "", fmt.Errorf("cluster: %w", err)
	}
	if len(data) > routing.MaxConfig {
		return "", fmt.Errorf("cluster: the agents and queues take %d bytes once encoded, more than a reload carries (%d)", len(data), routing.MaxConfig)
	}
	if !c.Up() {
		return "", ErrDown
	}
	kv, err := c.JS.KeyValue(ctx, c.Names.ACDConfigs())
	if err != nil {
		return "", fmt.Errorf("cluster: acd configurations: %w", err)
	}
	if _, err := kv.Put(ctx, hash, data); err != nil {
		return "", fmt.Errorf("cluster: store the acd configuration: %w", err)
	}
	c.configs.add(hash, data)
	return hash, nil
}

// errConfigGone: the bucket has no configuration under the hash (it was
// removed, or stored by no node); asking again will not help.
var errConfigGone = errors.New("no configuration stored under this hash")

// errConfigUnreadable: what is stored does not match its hash or does
// not parse (another version of hotline wrote it).
var errConfigUnreadable = errors.New("acd configuration unreadable")

// fetchACDConfig makes the configuration stored under hash available to
// the routers of this node (ConfigLookup), from memory or from the
// bucket, checked against its hash.
func (c *Conn) fetchACDConfig(ctx context.Context, hash string) error {
	if _, ok := c.configs.lookup(hash); ok {
		return nil
	}
	kv, err := c.JS.KeyValue(ctx, c.Names.ACDConfigs())
	if err != nil {
		return fmt.Errorf("cluster: acd configurations: %w", err)
	}
	e, err := kv.Get(ctx, hash)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("cluster: acd configuration %s: %w", hash, errConfigGone)
	}
	if err != nil {
		return fmt.Errorf("cluster: acd configuration %s: %w", hash, err)
	}
	if _, err := routing.DecodeConfig(hash, e.Value()); err != nil {
		return fmt.Errorf("cluster: %w: %w", errConfigUnreadable, err)
	}
	c.configs.add(hash, e.Value())
	return nil
}

// ConfigLookup is where this node's routers find the configurations of
// reload commands once fetched (routing.Router.SetConfigs).
func (c *Conn) ConfigLookup() routing.ConfigLookup { return c.configs.lookup }

// configCache holds the last configurations fetched or published, in
// their stored form: each lookup decodes a copy of its own, so no two
// ACDs share a map or a slice.
type configCache struct {
	mu    sync.Mutex
	byKey map[string][]byte
	order []string // oldest first
}

func (cc *configCache) add(hash string, data []byte) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.byKey == nil {
		cc.byKey = map[string][]byte{}
	}
	if _, ok := cc.byKey[hash]; ok {
		return
	}
	if len(cc.order) == configCacheSize {
		delete(cc.byKey, cc.order[0])
		cc.order = cc.order[1:]
	}
	cc.byKey[hash] = data
	cc.order = append(cc.order, hash)
}

func (cc *configCache) lookup(hash string) (acd.Config, bool) {
	cc.mu.Lock()
	data, ok := cc.byKey[hash]
	cc.mu.Unlock()
	if !ok {
		return acd.Config{}, false
	}
	cfg, err := routing.DecodeConfig(hash, data)
	return cfg, err == nil
}
