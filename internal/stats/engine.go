package stats

import (
	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/health"
	"github.com/hawser-lb/hawser/internal/proxy"
)

// engine is what the stats views read from the running proxy.
type engine interface {
	Generation() *proxy.Generation
	HealthCheck(srv *backend.Server) *health.Checker
	Info() proxy.Info
}
