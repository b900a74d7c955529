//go:build race

package acl

// raceEnabled: the race detector makes sync.Pool drop objects at random,
// so regexp's pooled matchers are reallocated and allocation counts are
// meaningless.
const raceEnabled = true
