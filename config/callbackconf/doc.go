// Package callbackconf is the callback part of the configuration: a
// queue's virtual-hold offer (queues.<name>.callback) and the gateway that
// dials customers back (callback_gateway: URI or trunks, caller ID, the
// dialling policy and caps), their defaults and the checks of each.
//
// It owns what those keys mean and when they are wrong. Package config
// reads the file, places each error at its file and line, and checks what
// spans sections (a queue's exit digit, the gateway's trunks).
//
// It must not read files, dial, or import config.
package callbackconf
