package proxy

import "github.com/hawser-lb/hawser/internal/backend"

// This file is the seam between the data path and health checking: the
// engine calls startHealth/stopHealth around a generation's life, and the
// exchange reports what it observes about servers (passive checks,
// `observe layer4|layer7`).

// Observation is what a request saw of its server.
type Observation uint8

// Observations reported by the data path.
const (
	ObsConnOK      Observation = iota // layer 4: connection established
	ObsConnFailed                     // layer 4: connection refused or reset
	ObsConnTimeout                    // layer 4: timeout connect
	ObsRespOK                         // layer 7: a valid response (status in Status)
	ObsRespInvalid                    // layer 7: unparsable response
	ObsRespTimeout                    // layer 7: timeout server before the response
	ObsRespAborted                    // layer 7: the server closed before responding
)

// startHealth starts the health checks of the running generation.
func (e *Engine) startHealth() {}

// stopHealth stops every health check.
func (e *Engine) stopHealth() {}

// observe reports an observation about srv from live traffic; status is
// the HTTP status for ObsRespOK.
func (e *Engine) observe(srv *backend.Server, o Observation, status int) {}

// reloadHealth reconciles the health checks with a new generation: checks
// of kept servers go on, new servers get checks, removed ones stop.
func (e *Engine) reloadHealth(old, g *Generation) {}
