package routing

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/strategy"
)

// reloadedConfig is routerConfig's queue "billing" replaced by "sales"
// (ring-all), with agent 2002 added to it.
func reloadedConfig() acd.Config {
	q := acd.DefaultQueue("sales")
	q.Strategy = strategy.RingAll
	return acd.Config{
		Queues: []acd.QueueConfig{q},
		Agents: []acd.AgentConfig{
			{ID: "2001", Queues: []string{"sales"}},
			{ID: "2002", Queues: []string{"sales"}},
		},
	}
}

// lookupOf gives a router the configurations a node fetched.
func lookupOf(t testing.TB, cfgs ...acd.Config) (ConfigLookup, []string) {
	t.Helper()
	m := map[string]acd.Config{}
	var hashes []string
	for _, cfg := range cfgs {
		h, data, err := EncodeConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeConfig(h, data) // as a node reads it from the store
		if err != nil {
			t.Fatal(err)
		}
		m[h] = back
		hashes = append(hashes, h)
	}
	return func(h string) (acd.Config, bool) { c, ok := m[h]; return c, ok }, hashes
}

// reloadStream: a caller waits in billing with nobody logged in; an
// agent not configured yet is refused; the reload removes billing (its
// caller leaves) and brings sales and agent 2002, who then logs in and
// gets the next caller of sales.
func reloadStream(hash string) []Command {
	return []Command{
		at(Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing"}, 0),
		at(Command{Node: "n2", Kind: CmdAgent, Agent: "2002", Action: "login"}, time.Second),
		at(Command{Node: "n1", Kind: CmdReload, Hash: hash}, 2*time.Second),
		at(Command{Node: "n2", Kind: CmdAgent, Agent: "2002", Action: "login"}, 3*time.Second),
		at(Command{Node: "n3", Kind: CmdJoin, Call: "c2", Queue: "sales"}, 4*time.Second),
		at(Command{Node: "n3", Kind: CmdJoin, Call: "c3", Queue: "billing"}, 5*time.Second),
	}
}

// TestReloadCommandAppliesAtItsPointOfTheStream: every command before
// the reload runs on the old configuration, every one after on the new,
// and the ACD's actions of the reload itself go to the nodes concerned.
func TestReloadCommandAppliesAtItsPointOfTheStream(t *testing.T) {
	lookup, hashes := lookupOf(t, reloadedConfig())
	r := newTestRouter(t, "2001")
	r.SetConfigs(lookup)
	before := r.ConfigHash()
	var errs []error
	var decided [][]Decision
	for i, c := range reloadStream(hashes[0]) {
		ds, err := r.Apply(uint64(i+1), c)
		errs, decided = append(errs, err), append(decided, ds)
	}
	if !errors.Is(errs[1], acd.ErrUnknownAgent) {
		t.Errorf("2002 logged in before the reload: %v", errs[1])
	}
	if errs[2] != nil || r.ConfigHash() != hashes[0] || before == hashes[0] {
		t.Fatalf("reload: %v, hash %s (was %s, want %s)", errs[2], r.ConfigHash(), before, hashes[0])
	}
	if ds := decided[2]; len(ds) != 1 || ds[0].Kind != DecLeave || ds[0].Call != "c1" || ds[0].Node != "n1" || ds[0].Reason != action.ReasonQueueRemoved || ds[0].Seq != 3 {
		t.Fatalf("the removed queue's caller: %+v", ds)
	}
	if errs[3] != nil {
		t.Fatalf("2002 after the reload: %v", errs[3])
	}
	if ds := decided[4]; len(ds) == 0 || ds[len(ds)-1].Kind != DecOffer || ds[len(ds)-1].Node != "n3" || ds[len(ds)-1].Agents[0] != "2002" {
		t.Fatalf("a caller of the new queue: %v", kinds(ds))
	}
	if !errors.Is(errs[5], acd.ErrUnknownQueue) {
		t.Errorf("a caller joined the removed queue: %v", errs[5])
	}
	if qs := r.Queues(); len(qs) != 1 || qs[0].Name != "sales" {
		t.Errorf("queues after the reload: %+v", qs)
	}
}

// TestReloadReplayGivesTheSameState: a node replaying the stream (a
// restart, a takeover) reloads at the same point and ends with the same
// decisions, queues and agents as the node that applied it live.
func TestReloadReplayGivesTheSameState(t *testing.T) {
	lookup, hashes := lookupOf(t, reloadedConfig())
	type outcome struct {
		ds     [][]Decision
		errs   []string
		queues []acd.QueueStats
		agents []acd.AgentInfo
	}
	run := func() outcome {
		r := newTestRouter(t, "2001")
		r.SetConfigs(lookup)
		var o outcome
		for i, c := range reloadStream(hashes[0]) {
			ds, err := r.Apply(uint64(i+1), c)
			o.ds = append(o.ds, ds)
			o.errs = append(o.errs, errString(err))
		}
		o.queues, o.agents = r.Queues(), r.Agents()
		return o
	}
	live, replay := run(), run()
	if !reflect.DeepEqual(live, replay) {
		t.Fatalf("the replay differs:\n%+v\n%+v", live, replay)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestReloadWithoutItsConfigurationChangesNothing: a node that could
// not fetch the configuration, or was given one the ACD refuses, keeps
// the one it runs; the command still counts as applied.
func TestReloadWithoutItsConfigurationChangesNothing(t *testing.T) {
	bad := reloadedConfig()
	bad.Agents[0].Queues = []string{"nowhere"}
	lookup, hashes := lookupOf(t, reloadedConfig(), bad)
	r := newTestRouter(t, "2001")
	before := r.ConfigHash()
	if _, err := r.Apply(1, at(Command{Node: "n1", Kind: CmdReload, Hash: hashes[0]}, 0)); !errors.Is(err, ErrConfigUnavailable) {
		t.Fatalf("reload without a lookup: %v", err)
	}
	r.SetConfigs(lookup)
	if _, err := r.Apply(2, at(Command{Node: "n1", Kind: CmdReload, Hash: hashes[1]}, 0)); !errors.Is(err, acd.ErrInvalidConfig) {
		t.Fatalf("reload of an invalid configuration: %v", err)
	}
	if r.ConfigHash() != before || r.Applied() != 2 {
		t.Fatalf("hash %s (want %s), applied %d", r.ConfigHash(), before, r.Applied())
	}
	if qs := r.Queues(); len(qs) != 1 || qs[0].Name != "billing" {
		t.Fatalf("queues changed: %+v", qs)
	}
}

// TestConfigEncoding: the stored form names its hash, decodes back to
// the same configuration, and a value that does not match its hash or
// carries unknown fields is refused.
func TestConfigEncoding(t *testing.T) {
	cfg := reloadedConfig()
	cfg.Queues[0].RequiredSkills = map[string]int{"b": 2, "a": 1}
	cfg.Queues[0].MaxWait = 90 * time.Second
	h1, data, err := EncodeConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if h2, _, _ := EncodeConfig(cfg); h2 != h1 || !validHash(h1) {
		t.Fatalf("hashes %s %s", h1, h2)
	}
	back, err := DecodeConfig(h1, data)
	if err != nil || !reflect.DeepEqual(back, cfg) {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	other, _, _ := EncodeConfig(routerConfig("2001"))
	if _, err := DecodeConfig(other, data); err == nil {
		t.Error("a value under another hash was accepted")
	}
	foreign := []byte(`{"v":1,"config":{"Agents":null,"Queues":null},"x":1}`)
	if _, err := DecodeConfig(hashOf(foreign), foreign); err == nil {
		t.Error("an unknown field was accepted")
	}
	c := Command{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdReload, Hash: h1}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"", "abc", h1[:63] + "G", "A" + h1[1:]} {
		c.Hash = h
		if err := c.Check(); err == nil {
			t.Errorf("reload with hash %q accepted", h)
		}
	}
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestConditionalReloadLosesToAnEarlierOne: a reload naming the
// configuration it replaces is refused, on every router alike, once
// another reload came first; LastReload names the one applied.
func TestConditionalReloadLosesToAnEarlierOne(t *testing.T) {
	first := routerConfig("2001", "2002")
	lookup, hashes := lookupOf(t, first, reloadedConfig())
	r := newTestRouter(t, "2001")
	r.SetConfigs(lookup)
	start := r.ConfigHash()
	apply(t, r, 1, at(Command{Node: "n1", Kind: CmdReload, Hash: hashes[0]}, 0))
	if _, err := r.Apply(2, at(Command{Node: "n2", Kind: CmdReload, Hash: hashes[1], Prev: start}, 0)); !errors.Is(err, ErrReloadSuperseded) {
		t.Fatalf("a conditional reload after another: %v, want ErrReloadSuperseded", err)
	}
	if r.ConfigHash() != hashes[0] || r.LastReload() != 1 {
		t.Fatalf("hash %s, last reload %d: want the first reload's", r.ConfigHash(), r.LastReload())
	}
	apply(t, r, 3, at(Command{Node: "n2", Kind: CmdReload, Hash: hashes[1], Prev: hashes[0]}, 0))
	if r.ConfigHash() != hashes[1] || r.LastReload() != 3 {
		t.Fatalf("hash %s, last reload %d: want the conditional reload's", r.ConfigHash(), r.LastReload())
	}
}
