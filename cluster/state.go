package cluster

import (
	"context"
	"fmt"

	"github.com/hotline-oss/hotline/cluster/kvstate"
)

// Shared state (package kvstate) under this cluster's names.
type (
	Registration  = kvstate.Registration
	Registrations = kvstate.Registrations
	Presence      = kvstate.Presence
	Agents        = kvstate.Agents
)

// Registrations opens the registrations bucket; Ensure must have run.
func (c *Conn) Registrations(ctx context.Context) (*Registrations, error) {
	kv, err := c.JS.KeyValue(ctx, c.Names.Registrations())
	if err != nil {
		return nil, fmt.Errorf("cluster: registrations: %w", err)
	}
	return kvstate.NewRegistrations(kv, c.Node, func(key string, err error) {
		c.dropped(SubjectRegistrations, key, err)
	}), nil
}

// Agents opens the agents bucket; Ensure must have run.
func (c *Conn) Agents(ctx context.Context) (*Agents, error) {
	kv, err := c.JS.KeyValue(ctx, c.Names.Agents())
	if err != nil {
		return nil, fmt.Errorf("cluster: agents: %w", err)
	}
	return kvstate.NewAgents(kv, func(key string, err error) {
		c.dropped(SubjectAgents, key, err)
	}), nil
}
