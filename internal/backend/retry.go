package backend

import "strconv"

// RetryOn is the set of events a backend retries (`retry-on`).
type RetryOn struct {
	// ConnFailure: the connection to the server failed (the default).
	ConnFailure bool
	// EmptyResponse: the server closed without sending anything.
	EmptyResponse bool
	// JunkResponse: the server sent an invalid or incomplete head.
	JunkResponse bool
	// ResponseTimeout: no response head within timeout server.
	ResponseTimeout bool
	// Status holds the response statuses to retry (401 403 404 408 425
	// 500 501 502 503 504).
	Status map[int]bool
}

// Any reports whether anything beyond connection failures is retried,
// which makes the request have to be replayable (HAProxy buffers it).
func (r *RetryOn) Any() bool {
	return r.EmptyResponse || r.JunkResponse || r.ResponseTimeout || len(r.Status) > 0
}

// ParseRetryOn compiles `retry-on` keywords; nil means HAProxy's default,
// conn-failure.
func ParseRetryOn(words []string) RetryOn {
	if words == nil {
		return RetryOn{ConnFailure: true}
	}
	var r RetryOn
	for _, w := range words {
		switch w {
		case "conn-failure":
			r.ConnFailure = true
		case "empty-response":
			r.EmptyResponse = true
		case "junk-response":
			r.JunkResponse = true
		case "response-timeout":
			r.ResponseTimeout = true
		case "all-retryable-errors":
			// HAProxy: conn-failure, empty-response, junk-response,
			// response-timeout and 0rtt-rejected (no status codes).
			r.ConnFailure, r.EmptyResponse, r.JunkResponse, r.ResponseTimeout = true, true, true, true
		case "0rtt-rejected", "none":
			// hawser sends no early data; "none" retries nothing.
		default:
			if n, err := strconv.Atoi(w); err == nil {
				if r.Status == nil {
					r.Status = map[int]bool{}
				}
				r.Status[n] = true
			}
		}
	}
	return r
}
