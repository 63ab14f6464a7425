// Package agentrestore brings agents' states back after a restart: it
// reads each agent's state from before it (logged in, paused with its
// reason) from the records and holds it until that agent's phone
// registers again, then logs the agent in as it was.
//
// It owns the pending states and how long they wait. It must not take
// the ACD's lock (it sends queueing's typed commands), restore an agent
// whose phone is not registered, or import app.
package agentrestore
