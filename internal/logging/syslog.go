package logging

import (
	"strconv"
	"time"
)

// Severities, as syslog numbers them.
const (
	Emerg   = 0
	Alert   = 1
	Crit    = 2
	Err     = 3
	Warning = 4
	Notice  = 5
	Info    = 6
	Debug   = 7
)

// Header describes the syslog framing of a target.
type Header struct {
	// Format is rfc3164 (default), rfc5424, short, priority, timed, iso or
	// raw. Their bytes were observed on haproxy 2.6:
	//	rfc3164   <150>Nov 26 23:56:50 haproxy[12098]: msg
	//	rfc5424   <150>1 2026-11-26T23:56:50.776053+00:00 - haproxy 12098 - - msg
	//	short     <6>msg
	//	priority  <150>msg
	//	timed     <6>2026-11-26T23:56:50.776069+00:00 msg
	//	iso       2026-11-26T23:56:50.776073+00:00 msg
	//	raw       msg
	Format string
	// Facility is the syslog facility number.
	Facility int
	// Tag is the program name (log-tag, default "hawser").
	Tag string
	// Hostname is printed by rfc3164 when set (log-send-hostname) and by
	// rfc5424 ("-" when empty).
	Hostname string
	// PID is the process ID shown in the header.
	PID int
}

// AppendHeader appends the header of a message with severity sev sent at
// now.
func (h *Header) AppendHeader(b []byte, sev int, now time.Time) []byte {
	pri := func(b []byte) []byte {
		b = append(b, '<')
		b = strconv.AppendInt(b, int64(h.Facility*8+sev), 10)
		return append(b, '>')
	}
	switch h.Format {
	case "raw":
		return b
	case "short":
		b = append(b, '<')
		b = strconv.AppendInt(b, int64(sev), 10)
		return append(b, '>')
	case "priority":
		return pri(b)
	case "iso":
		b = now.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
		return append(b, ' ')
	case "timed":
		b = append(b, '<')
		b = strconv.AppendInt(b, int64(sev), 10)
		b = append(b, '>')
		b = now.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
		return append(b, ' ')
	case "rfc5424":
		b = pri(b)
		b = append(b, "1 "...)
		b = now.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
		b = append(b, ' ')
		if h.Hostname == "" {
			b = append(b, '-')
		} else {
			b = append(b, h.Hostname...)
		}
		b = append(b, ' ')
		b = append(b, h.Tag...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(h.PID), 10)
		return append(b, " - - "...)
	}
	// rfc3164: "%s %2d %02d:%02d:%02d " in local time, no host name unless
	// log-send-hostname, then "tag[pid]: ".
	b = pri(b)
	now = now.Local()
	b = append(b, months[now.Month()-1]...)
	b = append(b, ' ')
	if d := now.Day(); d < 10 {
		b = append(b, ' ', byte('0'+d))
	} else {
		b = append2(b, d)
	}
	b = append(b, ' ')
	b = append2(b, now.Hour())
	b = append(b, ':')
	b = append2(b, now.Minute())
	b = append(b, ':')
	b = append2(b, now.Second())
	b = append(b, ' ')
	if h.Hostname != "" {
		b = append(b, h.Hostname...)
		b = append(b, ' ')
	}
	b = append(b, h.Tag...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(h.PID), 10)
	return append(b, "]: "...)
}
