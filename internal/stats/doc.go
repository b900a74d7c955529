// Package stats serves HAProxy's runtime API on the stats sockets
// (`stats socket`): the same commands, the same output formats (show stat's
// CSV columns are exactly HAProxy 2.6's, so existing scripts and tools parse
// them) and the same access levels.
package stats
