package proxy

import (
	"sync"
	"time"
)

// CapturedError is an invalid request kept for `show errors`, as HAProxy
// keeps the last one per proxy.
type CapturedError struct {
	When     time.Time
	Frontend string
	Src      string
	Reason   string
	Data     []byte
}

// errorLog keeps the most recent invalid requests.
type errorLog struct {
	mu   sync.Mutex
	last []CapturedError
}

const maxCapturedErrors = 16

func (e *Engine) recordError(s *session, frontend string, err error, data []byte) {
	ce := CapturedError{When: time.Now(), Frontend: frontend, Src: s.src.String(), Reason: err.Error()}
	if len(data) > 16384 {
		data = data[:16384]
	}
	ce.Data = append([]byte(nil), data...)
	e.errs.mu.Lock()
	if len(e.errs.last) >= maxCapturedErrors {
		copy(e.errs.last, e.errs.last[1:])
		e.errs.last = e.errs.last[:maxCapturedErrors-1]
	}
	e.errs.last = append(e.errs.last, ce)
	e.errs.mu.Unlock()
}

// Errors returns the captured invalid requests, oldest first.
func (e *Engine) Errors() []CapturedError {
	e.errs.mu.Lock()
	defer e.errs.mu.Unlock()
	return append([]CapturedError(nil), e.errs.last...)
}
