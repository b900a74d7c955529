package health

// Status is the outcome of a check, numbered as HAProxy numbers its
// check statuses (the srv_check_status column of `show servers state`).
type Status uint8

// Check statuses. The gaps keep HAProxy's numbering.
const (
	StatusUnknown Status = 0  // UNK: no check run yet
	StatusInit    Status = 1  // INI: initializing
	StatusHANA    Status = 4  // HANA: passive check (observe) gave up on the server
	StatusSockErr Status = 5  // SOCKERR: socket error
	StatusL4OK    Status = 6  // L4OK: connection established
	StatusL4Tout  Status = 7  // L4TOUT: connection timeout
	StatusL4Con   Status = 8  // L4CON: connection refused, unreachable…
	StatusL7Tout  Status = 12 // L7TOUT: no (complete) response in time
	StatusL7Rsp   Status = 13 // L7RSP: invalid response or content mismatch
	StatusL7OK    Status = 15 // L7OK: response as expected
	StatusL7OKC   Status = 16 // L7OKC: conditionally passed
	StatusL7Sts   Status = 17 // L7STS: unexpected status code

	// statusL57Data is HAProxy's marker: statuses from here on carry the
	// response's status code, which the log lines show as "code: N".
	statusL57Data Status = 14
)

// String returns the short name `show stat` prints in check_status.
func (s Status) String() string {
	switch s {
	case StatusInit:
		return "INI"
	case StatusHANA:
		return "HANA"
	case StatusSockErr:
		return "SOCKERR"
	case StatusL4OK:
		return "L4OK"
	case StatusL4Tout:
		return "L4TOUT"
	case StatusL4Con:
		return "L4CON"
	case StatusL7Tout:
		return "L7TOUT"
	case StatusL7Rsp:
		return "L7RSP"
	case StatusL7OK:
		return "L7OK"
	case StatusL7OKC:
		return "L7OKC"
	case StatusL7Sts:
		return "L7STS"
	}
	return "UNK"
}

// Desc returns the description HAProxy prints after "reason:" in its log
// lines and in the check_desc column.
func (s Status) Desc() string {
	switch s {
	case StatusInit:
		return "Initializing"
	case StatusHANA:
		return "Health analyze"
	case StatusSockErr:
		return "Socket error"
	case StatusL4OK:
		return "Layer4 check passed"
	case StatusL4Tout:
		return "Layer4 timeout"
	case StatusL4Con:
		return "Layer4 connection problem"
	case StatusL7Tout:
		return "Layer7 timeout"
	case StatusL7Rsp:
		return "Layer7 invalid response"
	case StatusL7OK:
		return "Layer7 check passed"
	case StatusL7OKC:
		return "Layer7 check conditionally passed"
	case StatusL7Sts:
		return "Layer7 wrong status"
	}
	return "Unknown"
}

// Passed reports whether the status is a successful check.
func (s Status) Passed() bool {
	return s == StatusL4OK || s == StatusL7OK || s == StatusL7OKC
}

// HasCode reports whether the status carries a response status code.
func (s Status) HasCode() bool { return s >= statusL57Data }

// Result is a check's verdict, numbered as HAProxy's (the srv_check_result
// column of `show servers state`).
type Result uint8

// Check results.
const (
	ResultUnknown  Result = 0
	ResultNeutral  Result = 1
	ResultFailed   Result = 2
	ResultPassed   Result = 3
	ResultCondPass Result = 4
)

// Outcome is what one check (or one passive-check verdict) found.
type Outcome struct {
	// Status is the check status.
	Status Status
	// Code is the HTTP status of the response, 0 when there is none.
	Code int
	// Info is the detail HAProxy prints as `info: "..."` and in the
	// last_chk column: an error text, a reason phrase, a mismatch.
	Info string
	// Duration is how long the check took; negative when it does not
	// apply (passive checks), and then not printed.
	Duration int64 // milliseconds
}

// Result returns the verdict of the outcome.
func (o Outcome) Result() Result {
	switch {
	case o.Status == StatusL7OKC:
		return ResultCondPass
	case o.Status.Passed():
		return ResultPassed
	case o.Status == StatusUnknown || o.Status == StatusInit:
		return ResultUnknown
	}
	return ResultFailed
}
