package webkit

import "context"

// Actor is who made an HTTP request, as the audit log records it. A
// middleware puts an empty Actor in the request context; whichever
// authentication ran for the route (API token, agent panel session) fills it
// in with NoteActor, so the audit log learns the identity without every
// handler passing it along.
type Actor struct {
	Name  string // token name, or "agent:<id>" for an agent panel session
	Role  Role
	Agent string
}

type actorKey struct{}

// WithActor returns ctx carrying a fresh Actor to be filled in.
func WithActor(ctx context.Context) (context.Context, *Actor) {
	a := &Actor{}
	return context.WithValue(ctx, actorKey{}, a), a
}

// NoteActor records who is acting in this request, if the request carries
// an Actor slot (it does when the audit middleware is on).
func NoteActor(ctx context.Context, name string, role Role, agent string) {
	if a, ok := ctx.Value(actorKey{}).(*Actor); ok {
		a.Name, a.Role, a.Agent = name, role, agent
	}
}
