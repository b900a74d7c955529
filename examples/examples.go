// Package examples holds sample configurations. They are embedded so that
// the demo and the tests use the very files shown to users.
package examples

import _ "embed"

// Demo is demo.cfg, the configuration `hawser demo` runs.
//
//go:embed demo.cfg
var Demo string

// SeedLoopback is seed-loopback.cfg: the founding article's config
// unchanged but for its addresses, which come from the environment
// (${PORT}, ${S1}, ${S2}, ${S3}) so that it runs on loopback ports.
//
//go:embed seed-loopback.cfg
var SeedLoopback string
