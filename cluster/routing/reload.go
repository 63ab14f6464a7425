package routing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/acd"
)

// A reload changes the ACD's agents and queues at one point of the
// stream: the configuration itself is too big for a command, so the
// command carries its hash and the caller of Apply (package cluster)
// fetches the configuration stored under that hash and hands it over
// through a ConfigLookup. Every router then reloads the same
// configuration after the same commands, whenever it applies them.

// ErrConfigUnavailable is returned for a reload whose configuration the
// caller could not provide: the ACD keeps the configuration it runs.
var ErrConfigUnavailable = errors.New("cluster: the reload's configuration is not available on this node")

// MaxConfig bounds an encoded ACD configuration that can be stored for a
// reload, under NATS's default message size (1 MiB) with room for the
// headers: a larger one is refused before anything is published.
const MaxConfig = 960 << 10

// ErrReloadSuperseded refuses a conditional reload (Command.Prev) whose
// configuration to replace is no longer the one the ACD runs: another
// reload came first.
var ErrReloadSuperseded = errors.New("cluster: another reload came first")

// ConfigLookup returns the ACD configuration stored under hash, already
// fetched and checked by the caller; it must not do I/O.
type ConfigLookup func(hash string) (acd.Config, bool)

// configEnvelope is the stored form of a configuration, versioned like
// the commands.
type configEnvelope struct {
	V      int        `json:"v"`
	Config acd.Config `json:"config"`
}

// EncodeConfig is the stored form of cfg and its hash: the SHA-256 of
// those bytes, in hex. The encoding is canonical (fields in order, map
// keys sorted), so the same configuration always has the same hash.
func EncodeConfig(cfg acd.Config) (hash string, data []byte, err error) {
	data, err = json.Marshal(configEnvelope{V: WireVersion, Config: cfg})
	if err != nil {
		return "", nil, fmt.Errorf("encode the acd configuration: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), data, nil
}

// DecodeConfig reads a stored configuration and checks it against the
// hash it was stored under: a damaged or foreign value is refused whole.
func DecodeConfig(hash string, data []byte) (acd.Config, error) {
	if len(data) > MaxConfig {
		return acd.Config{}, fmt.Errorf("acd configuration of %d bytes, more than %d", len(data), MaxConfig)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hash {
		return acd.Config{}, fmt.Errorf("acd configuration does not match its hash %s", hash)
	}
	var env configEnvelope
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return acd.Config{}, fmt.Errorf("acd configuration does not parse: %w", err)
	}
	if env.V != WireVersion {
		return acd.Config{}, fmt.Errorf("acd configuration version %d, want %d", env.V, WireVersion)
	}
	return env.Config, nil
}

// validHash reports whether s is a hash as EncodeConfig makes them.
func validHash(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size && hex.EncodeToString(b) == s
}

// SetConfigs sets where reload commands find their configuration.
// Without one, every reload fails with ErrConfigUnavailable.
func (r *Router) SetConfigs(f ConfigLookup) { r.configs = f }

// ConfigHash is the hash of the configuration the ACD runs now: the one
// it was built with, or the last reload's.
func (r *Router) ConfigHash() string { return r.hash }

// LastReload is the stream sequence of the last reload applied, 0 if none.
func (r *Router) LastReload() uint64 { return r.reloadSeq }

// reload applies the configuration of a reload command with the ACD's
// own reload (kept agents and queues keep their state; removed ones
// drain). A configuration the ACD refuses changes nothing, on every
// router alike, and so does a conditional reload that another overtook.
func (r *Router) reload(c Command) ([]acd.Action, error) {
	if c.Prev != "" && c.Prev != r.hash {
		return nil, ErrReloadSuperseded
	}
	var cfg acd.Config
	ok := false
	if r.configs != nil {
		cfg, ok = r.configs(c.Hash)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrConfigUnavailable, c.Hash)
	}
	acts, err := r.acd.Reload(cfg)
	if err != nil {
		return nil, err
	}
	r.hash, r.reloadSeq = c.Hash, r.applied // Apply set applied to this command's
	return acts, nil
}
