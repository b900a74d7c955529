// Package tunnel moves bytes both ways between a client and a server once
// an HTTP connection has switched protocols (101 Switching Protocols) or
// for a mode tcp session.
//
// A tunnel holds only what it needs to outlive the configuration that
// created it: the two connections, its timeouts and a completion callback.
// An idle tunnel holds no buffer and no pipe: each direction waits for
// readability through the runtime poller and borrows a 64 KiB buffer from
// a pool only when bytes are ready (see copy.go). HAProxy's `timeout
// tunnel` is inactivity in both directions, so the two directions share
// one activity clock and one timer (see idle.go).
package tunnel
