package config

import "fmt"

// pending lists features whose keywords hawser parses but whose runtime
// is not wired yet. Their keywords are refused with "not supported yet"
// rather than accepted and ignored; each entry goes away when the runtime
// implements it.
var pending = map[string]bool{}

// gate refuses kw while its feature is pending.
func gate(feature, kw string) error {
	if pending[feature] {
		return fmt.Errorf("'%s' is a HAProxy keyword that hawser does not support yet", kw)
	}
	return nil
}
