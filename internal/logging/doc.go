// Package logging formats traffic logs in HAProxy's formats and sends them
// to syslog, unix datagram sockets or the standard streams.
//
// Formatting appends into caller-provided buffers and allocates nothing.
// Sending never blocks the data path: each target has a bounded queue
// drained by its own goroutine, and a line that does not fit is dropped and
// counted (HAProxy's DroppedLogs).
package logging
