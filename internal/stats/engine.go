package stats

import "github.com/hawser-lb/hawser/internal/proxy"

// engine is what the stats views read from the running proxy.
type engine interface {
	Generation() *proxy.Generation
}
