// Package proxy runs hawser's data path: listeners, client sessions, the
// HTTP/1.1 exchange with HAProxy's semantics (routing, per-phase timeouts,
// retries, header handling), the WebSocket upgrade and the hand-off to the
// tunnel, and mode tcp sessions.
//
// The routing state is an immutable Generation, built from a parsed
// configuration and swapped atomically on reload. A session loads the
// current generation for each request, so a request finishes on the
// configuration it started with, and a tunnel keeps only its connections,
// its server and a log callback.
//
// The HTTP path is our own rather than net/http + httputil.ReverseProxy:
// a strict head parser (package h1) over pooled buffers, server
// connections kept per server for reuse, heads written in one system call.
// See docs in the repository for the measurements behind this choice.
package proxy
