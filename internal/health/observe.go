package health

// Event is what live traffic showed about a server, as HAProxy's passive
// health analysis (`observe`) classifies it.
type Event uint8

// Events reported by the data path.
const (
	EventNone            Event = iota
	EventL4OK                  // connection established
	EventL4Err                 // connection refused, reset or timed out
	EventHTTPOK                // a response with a valid status
	EventHTTPStatus            // a 5xx response other than 501 and 505
	EventHTTPHeaders           // a response whose head could not be parsed
	EventHTTPInvalid           // an invalid response
	EventHTTPReadError         // a read error before the response
	EventHTTPReadTimeout       // timeout server before the response
	EventHTTPBrokenPipe        // the server closed before responding
	numEvents
)

// String returns HAProxy's name of the event, used in "Detected N
// consecutive errors, last one was: …".
func (e Event) String() string {
	switch e {
	case EventL4OK:
		return "L4 successful connection"
	case EventL4Err:
		return "L4 unsuccessful connection"
	case EventHTTPOK:
		return "Correct http response"
	case EventHTTPStatus:
		return "Wrong http response"
	case EventHTTPHeaders:
		return "Invalid http response (headers)"
	case EventHTTPInvalid:
		return "Invalid http response"
	case EventHTTPReadError:
		return "Read error (http)"
	case EventHTTPReadTimeout:
		return "Read timeout (http)"
	case EventHTTPBrokenPipe:
		return "Close from server (http)"
	}
	return "Unknown"
}

// StatusEvent classifies a response status for `observe layer7`: HAProxy
// counts as errors the statuses outside 100-499 except 501 and 505.
func StatusEvent(status int) Event {
	if status >= 100 && status < 500 || status == 501 || status == 505 {
		return EventHTTPOK
	}
	return EventHTTPStatus
}

// Observe modes.
const (
	observeNone   uint32 = 0
	observeLayer4 uint32 = 1
	observeLayer7 uint32 = 2
)

// Verdicts of an event in a mode.
const (
	ignore uint8 = iota
	isError
	isOK
)

// verdicts says, per event and mode (none, layer4, layer7), whether the
// event is ignored, an error, or a success that resets the error count.
// Connection failures count in both modes (observed on 2.6).
var verdicts = [numEvents][3]uint8{
	EventL4OK:            {ignore, isOK, ignore},
	EventL4Err:           {ignore, isError, isError},
	EventHTTPOK:          {ignore, ignore, isOK},
	EventHTTPStatus:      {ignore, ignore, isError},
	EventHTTPHeaders:     {ignore, ignore, isError},
	EventHTTPInvalid:     {ignore, ignore, isError},
	EventHTTPReadError:   {ignore, ignore, isError},
	EventHTTPReadTimeout: {ignore, ignore, isError},
	EventHTTPBrokenPipe:  {ignore, ignore, isError},
}

// observeMode maps the `observe` keyword.
func observeMode(s string) uint32 {
	switch s {
	case "layer4":
		return observeLayer4
	case "layer7":
		return observeLayer7
	}
	return observeNone
}

// Observe counts an event from live traffic. It is called on every
// request: a few atomic operations, no allocation, no lock. When
// error-limit consecutive errors are reached it hands the verdict to the
// checker's goroutine, which applies on-error.
func (c *Checker) Observe(ev Event) {
	if ev >= numEvents {
		return
	}
	mode := c.obsMode.Load()
	switch verdicts[ev][mode] {
	case ignore:
		return
	case isOK:
		if c.obsErrs.Load() != 0 {
			c.obsErrs.Store(0)
		}
		return
	}
	n := c.obsErrs.Add(1)
	if n < c.obsLimit.Load() || !c.obsErrs.CompareAndSwap(n, 0) {
		return
	}
	c.obsLast.Store(uint64(ev) | uint64(n)<<8)
	c.poke()
}
