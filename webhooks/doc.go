// Package webhooks posts call events to the configured URLs, signed
// (package signedhttp), each URL with its own bounded queue and sender
// that retries with backoff, so a slow or dead endpoint delays only
// itself.
//
// It is a subscriber of the event bus: it must not block the publisher
// (a full queue drops the event and counts it), log a URL's secret, or
// change anything but its own queues.
package webhooks
