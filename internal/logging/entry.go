package logging

import (
	"net/netip"
	"strconv"
	"time"
)

// Entry is everything a traffic log line can show about one request or
// connection. Timers are in milliseconds, -1 when the phase never
// completed, as in HAProxy.
type Entry struct {
	// ClientAddr is the client's address (%ci, %cp).
	ClientAddr netip.AddrPort
	// FrontendAddr is the address the client connected to (%fi, %fp).
	FrontendAddr netip.AddrPort
	// Accept is when the connection was accepted (%t in tcplog).
	Accept time.Time
	// Start is when the request's first byte arrived (%tr in httplog).
	Start time.Time
	// Frontend, Backend and Server are names (%ft, %b, %s). Server is
	// "<NOSRV>" when no server was reached.
	Frontend, Backend, Server string
	// Mode is "http" or "tcp" (for the default connect line).
	Mode string
	// TR is the time to receive the full request head, Tw the time in
	// queues, Tc the time to connect, Tr the server's response time, Ta
	// the total active time (for a WebSocket, the tunnel's whole life).
	TR, Tw, Tc, Tr, Ta int64
	// Tt is the total session time (tcplog).
	Tt int64
	// Status is the HTTP status sent to the client, -1 if none.
	Status int
	// Bytes is the bytes sent to the client, headers included (%B);
	// BytesUp is the bytes received from the client (%U).
	Bytes, BytesUp int64
	// Termination is the termination state (%tsc): cause, phase and the
	// two cookie characters.
	Termination [4]byte
	// ActConn, FeConn, BeConn, SrvConn are the concurrent connections of
	// the process, frontend, backend and server when logging (%ac, %fc,
	// %bc, %sc).
	ActConn, FeConn, BeConn, SrvConn int64
	// Retries is the retries made (%rc), Redispatched whether one of
	// them went to another server (printed as "+N").
	Retries      int
	Redispatched bool
	// SrvQueue and BeQueue are the queue positions (%sq, %bq).
	SrvQueue, BeQueue int
	// Request is the request line without CRLF; BadReq prints "<BADREQ>".
	Request []byte
	BadReq  bool
	// LogASAP marks a line logged before the end (option logasap): the
	// total time and bytes are prefixed with '+'.
	LogASAP bool
	// BackendAddr is hawser's address on the server connection (%bi,
	// %bp); ServerAddr the server's (%si, %sp).
	BackendAddr, ServerAddr netip.AddrPort
	// ReqCaptures and RespCaptures are the `capture request/response
	// header` values, in declaration order (%hr, %hs).
	ReqCaptures, RespCaptures [][]byte
	// Samples are the values of a log-format's %[...] expressions,
	// fetched when the request arrived (nil: no sample).
	Samples [][]byte
	// UniqueID is the request's unique ID (%ID).
	UniqueID []byte
	// RequestCounter is the request's number (%rt).
	RequestCounter int64
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendDate appends t as dd/Mon/yyyy:HH:MM:SS.mmm (local time), HAProxy's
// %tr and %t format.
func appendDate(b []byte, t time.Time) []byte {
	t = t.Local()
	b = append2(b, t.Day())
	b = append(b, '/')
	b = append(b, months[t.Month()-1]...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(t.Year()), 10)
	b = append(b, ':')
	b = append2(b, t.Hour())
	b = append(b, ':')
	b = append2(b, t.Minute())
	b = append(b, ':')
	b = append2(b, t.Second())
	b = append(b, '.')
	ms := t.Nanosecond() / 1e6
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return b
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

func appendAddr(b []byte, a netip.AddrPort) []byte {
	if !a.IsValid() {
		return append(b, "-:-"...)
	}
	b = a.Addr().Unmap().AppendTo(b)
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(a.Port()), 10)
}

func appendName(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}

func appendTimers(b []byte, e *Entry, ts ...int64) []byte {
	for i, v := range ts {
		if i > 0 {
			b = append(b, '/')
		}
		if i == len(ts)-1 && e.LogASAP {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return b
}

func appendCounters(b []byte, e *Entry) []byte {
	b = strconv.AppendInt(b, e.ActConn, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, e.FeConn, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, e.BeConn, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, e.SrvConn, 10)
	b = append(b, '/')
	if e.Redispatched {
		b = append(b, '+')
	}
	b = strconv.AppendInt(b, int64(e.Retries), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(e.SrvQueue), 10)
	b = append(b, '/')
	return strconv.AppendInt(b, int64(e.BeQueue), 10)
}

// AppendHTTPLog appends the line of `option httplog`:
//
//	%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
//
// Without captures, %hr and %hs and their separators print nothing, as in
// HAProxy.
func AppendHTTPLog(b []byte, e *Entry) []byte {
	b = appendSource(b, e, e.Start)
	b = appendTimers(b, e, e.TR, e.Tw, e.Tc, e.Tr, e.Ta)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, ' ')
	if e.LogASAP {
		b = append(b, '+')
	}
	b = strconv.AppendInt(b, e.Bytes, 10)
	b = append(b, " - - "...)
	b = append(b, e.Termination[:]...)
	b = append(b, ' ')
	b = appendCounters(b, e)
	b = append(b, ' ')
	// %hr and %hs print nothing, separator included, without captures.
	if len(e.ReqCaptures) > 0 {
		b = appendCaptures(b, e.ReqCaptures, true)
		b = append(b, ' ')
	}
	if len(e.RespCaptures) > 0 {
		b = appendCaptures(b, e.RespCaptures, true)
		b = append(b, ' ')
	}
	return appendRequest(b, e)
}

// appendSource appends what both built-in lines start with:
// "%ci:%cp [date] %ft %b/%s ".
func appendSource(b []byte, e *Entry, date time.Time) []byte {
	b = appendAddr(b, e.ClientAddr)
	b = append(b, " ["...)
	b = appendDate(b, date)
	b = append(b, "] "...)
	b = appendName(b, e.Frontend)
	b = append(b, ' ')
	b = appendName(b, e.Backend)
	b = append(b, '/')
	b = appendName(b, e.Server)
	return append(b, ' ')
}

// AppendTCPLog appends the line of `option tcplog`:
//
//	%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
func AppendTCPLog(b []byte, e *Entry) []byte {
	b = appendSource(b, e, e.Accept)
	b = appendTimers(b, e, e.Tw, e.Tc, e.Tt)
	b = append(b, ' ')
	if e.LogASAP {
		b = append(b, '+')
	}
	b = strconv.AppendInt(b, e.Bytes, 10)
	b = append(b, ' ')
	b = append(b, e.Termination[:2]...)
	b = append(b, ' ')
	return appendCounters(b, e)
}

// AppendConnect appends HAProxy's line for a proxy with neither httplog
// nor tcplog: "Connect from <ip>:<port> to <ip>:<port> (<frontend>/<mode>)".
func AppendConnect(b []byte, e *Entry) []byte {
	b = append(b, "Connect from "...)
	b = appendAddr(b, e.ClientAddr)
	b = append(b, " to "...)
	b = appendAddr(b, e.FrontendAddr)
	b = append(b, " ("...)
	b = appendName(b, e.Frontend)
	b = append(b, '/')
	b = append(b, e.Mode...)
	return append(b, ')')
}

// appendRequest appends the quoted request line (%{+Q}r).
func appendRequest(b []byte, e *Entry) []byte {
	b = append(b, '"')
	if e.BadReq {
		b = append(b, "<BADREQ>"...)
	} else {
		for _, c := range e.Request {
			// HAProxy escapes '"' and non-printable bytes in logs as #XX.
			if c < 0x20 || c >= 0x7f || c == '"' || c == '#' {
				b = append(b, '#', hexdigits[c>>4], hexdigits[c&15])
				continue
			}
			b = append(b, c)
		}
	}
	return append(b, '"')
}

const hexdigits = "0123456789ABCDEF"
