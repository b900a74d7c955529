// Package tunnel moves bytes both ways between a client and a server once
// an HTTP connection has switched protocols (101 Switching Protocols) or
// for a mode tcp session.
//
// A tunnel holds only what it needs to outlive the configuration that
// created it: the two connections, its timeouts and a completion callback.
// It runs on one of two paths, with the same behaviour:
//
//   - The epoll path (Linux, both connections *net.TCPConn): the two
//     descriptors leave Go's poller (duplicated, then the net.Conns
//     closed) for one of a few edge-triggered epoll sets, one per CPU.
//     Each set has one goroutine, which waits for its epoll descriptor
//     through the runtime's netpoller and moves bytes through its own
//     64 KiB buffer. An idle tunnel holds no goroutine, no buffer and no
//     pipe: a 208-byte struct and an entry in its poller's deadline heap
//     (poller_linux.go, polled_linux.go, deadlines_linux.go).
//   - The goroutine path (anything else: TLS, net.Pipe, other systems):
//     two goroutines, each waiting for readability through the runtime
//     poller and borrowing a 64 KiB buffer from a pool only when bytes are
//     ready (copy.go, idle.go).
//
// HAProxy's `timeout tunnel` is inactivity in both directions: on both
// paths the two directions share one activity clock, moving bytes only
// records the time, and the single check per tunnel re-arms itself for
// the time still left. A FIN is passed on with shutdown(SHUT_WR) and the
// rest of the tunnel is then bound by `timeout client-fin`/`server-fin`.
package tunnel
