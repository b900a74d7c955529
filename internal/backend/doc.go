// Package backend holds the runtime side of backends and their servers:
// addresses, states, load-balancing membership, counters, the sessions
// running on each server and the idle server connections kept for reuse.
//
// Servers outlive configuration generations: a reload builds new Backend
// values but hands them the Server values of the previous generation that
// keep their backend/server name, so states, weights set at run time and
// counters carry over, and a tunnel holds its *Server, never a whole
// generation.
package backend
