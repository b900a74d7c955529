package health

import (
	"strconv"
	"strings"
)

// Change describes a server's state change for its log line.
type Change struct {
	// Backend and Server name the server; Backup marks a backup server
	// (HAProxy then writes "Backup Server").
	Backend, Server string
	Backup          bool
	// Up is the new state: UP (true) or DOWN.
	Up bool
	// Reason is the check outcome that caused the change; nil under
	// `option log-health-checks`, where the check line carries it.
	Reason *Outcome
	// Active and Backups count the usable servers after the change.
	Active, Backups int
	// Sessions is the number of sessions on the server (DOWN only).
	Sessions int64
	// Requeued is the number of queued requests moved away from the
	// server (DOWN) or taken from the backend's queue (UP).
	Requeued int
	// Queued is what remains in the server's queue (DOWN) or in the queues
	// in total (UP).
	Queued int
}

// Message returns the line HAProxy logs for the change, for example
//
//	Server be/s is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.
func (c *Change) Message() string {
	var b strings.Builder
	if c.Backup {
		b.WriteString("Backup ")
	}
	b.WriteString("Server ")
	b.WriteString(c.Backend)
	b.WriteByte('/')
	b.WriteString(c.Server)
	if c.Up {
		b.WriteString(" is UP")
	} else {
		b.WriteString(" is DOWN")
	}
	if c.Reason != nil {
		appendReason(&b, c.Reason)
	}
	b.WriteString(". ")
	b.WriteString(strconv.Itoa(c.Active))
	b.WriteString(" active and ")
	b.WriteString(strconv.Itoa(c.Backups))
	if c.Up {
		b.WriteString(" backup servers online.")
	} else {
		b.WriteString(" backup servers left.")
	}
	if c.Active == 0 && c.Backups > 0 {
		b.WriteString(" Running on backup.")
	}
	if c.Up {
		b.WriteString(" " + strconv.Itoa(c.Requeued) + " sessions requeued, " + strconv.Itoa(c.Queued) + " total in queue.")
	} else {
		b.WriteString(" " + strconv.FormatInt(c.Sessions, 10) + " sessions active, " + strconv.Itoa(c.Requeued) + " requeued, " + strconv.Itoa(c.Queued) + " remaining in queue.")
	}
	return b.String()
}

// appendReason appends ", reason: …[, code: N][, info: "…"][, check
// duration: Nms]".
func appendReason(b *strings.Builder, o *Outcome) {
	b.WriteString(", reason: ")
	b.WriteString(o.Status.Desc())
	if o.Status.HasCode() && o.Code > 0 {
		b.WriteString(", code: ")
		b.WriteString(strconv.Itoa(o.Code))
	}
	if o.Info != "" {
		b.WriteString(`, info: "`)
		b.WriteString(o.Info)
		b.WriteByte('"')
	}
	if o.Duration >= 0 {
		b.WriteString(", check duration: ")
		b.WriteString(strconv.FormatInt(o.Duration, 10))
		b.WriteString("ms")
	}
}

// CheckMessage returns the line `option log-health-checks` logs when a
// check changes the health or the status, for example
//
//	Health check for server be/s failed, reason: Layer7 timeout, check duration: 1000ms, status: 0/2 DOWN.
func CheckMessage(backend, server string, backup bool, o *Outcome, st *State) string {
	var b strings.Builder
	b.WriteString("Health check for ")
	if backup {
		b.WriteString("backup ")
	}
	b.WriteString("server ")
	b.WriteString(backend)
	b.WriteByte('/')
	b.WriteString(server)
	switch o.Result() {
	case ResultPassed:
		b.WriteString(" succeeded")
	case ResultCondPass:
		b.WriteString(" conditionally succeeded")
	default:
		b.WriteString(" failed")
	}
	appendReason(&b, o)
	b.WriteString(", status: ")
	if st.Up() {
		b.WriteString(strconv.Itoa(st.health-st.p.Rise+1) + "/" + strconv.Itoa(st.p.Fall) + " UP.")
	} else {
		b.WriteString(strconv.Itoa(st.health) + "/" + strconv.Itoa(st.p.Rise) + " DOWN.")
	}
	return b.String()
}

// NoServerMessage is the line logged when a backend loses its last
// usable server.
func NoServerMessage(backend string) string {
	return "backend " + backend + " has no server available!"
}
