package logging

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func localTime(t *testing.T) time.Time {
	t.Helper()
	return time.Date(2026, 11, 26, 22, 13, 43, 727e6, time.Local)
}

func TestAppendHTTPLog(t *testing.T) {
	start := localTime(t)
	base := Entry{
		ClientAddr: netip.MustParseAddrPort("127.0.0.1:53126"),
		Start:      start,
		Frontend:   "public", Backend: "ws1", Server: "a",
		TR: 0, Tw: 0, Tc: 0, Tr: 2, Ta: 820,
		Status: 101, Bytes: 380,
		Termination: [4]byte{'-', '-', '-', '-'},
		ActConn:     1, FeConn: 1,
		Request: []byte("GET /chat HTTP/1.1"),
	}
	tests := []struct {
		name string
		mod  func(e *Entry)
		want string
	}{
		// Lines observed on haproxy 2.6 (haproxy-reference.md §7.4, §2.3).
		{"websocket", func(e *Entry) {}, `127.0.0.1:53126 [26/Nov/2026:22:13:43.727] public ws1/a 0/0/0/2/820 101 380 - - ---- 1/1/0/0/0 0/0 "GET /chat HTTP/1.1"`},
		{"no server", func(e *Entry) {
			e.Backend, e.Server = "public", "<NOSRV>"
			e.TR, e.Tw, e.Tc, e.Tr, e.Ta = -1, -1, -1, -1, 0
			e.Status, e.Bytes = 503, 217
			e.Termination = [4]byte{'S', 'C', '-', '-'}
			e.Request = []byte("GET /nomatch HTTP/1.1")
		}, `127.0.0.1:53126 [26/Nov/2026:22:13:43.727] public public/<NOSRV> -1/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /nomatch HTTP/1.1"`},
		{"bad request", func(e *Entry) {
			e.Server = "<NOSRV>"
			e.Status, e.Bytes, e.BadReq = 400, 0, true
			e.Termination = [4]byte{'P', 'R', '-', '-'}
		}, `127.0.0.1:53126 [26/Nov/2026:22:13:43.727] public ws1/<NOSRV> 0/0/0/2/820 400 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>"`},
		{"redispatched", func(e *Entry) { e.Retries, e.Redispatched = 1, true }, `127.0.0.1:53126 [26/Nov/2026:22:13:43.727] public ws1/a 0/0/0/2/820 101 380 - - ---- 1/1/0/0/+1 0/0 "GET /chat HTTP/1.1"`},
		{"logasap", func(e *Entry) { e.LogASAP = true }, `127.0.0.1:53126 [26/Nov/2026:22:13:43.727] public ws1/a 0/0/0/2/+820 101 +380 - - ---- 1/1/0/0/0 0/0 "GET /chat HTTP/1.1"`},
		{"escaped request", func(e *Entry) { e.Request = []byte("GET /a\"b#\x01 HTTP/1.1") }, `127.0.0.1:53126 [26/Nov/2026:22:13:43.727] public ws1/a 0/0/0/2/820 101 380 - - ---- 1/1/0/0/0 0/0 "GET /a#22b#23#01 HTTP/1.1"`},
		{"ipv6 mapped", func(e *Entry) { e.ClientAddr = netip.MustParseAddrPort("[::ffff:10.0.0.1]:80") }, `10.0.0.1:80 [26/Nov/2026:22:13:43.727] public ws1/a 0/0/0/2/820 101 380 - - ---- 1/1/0/0/0 0/0 "GET /chat HTTP/1.1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.mod(&e)
			if got := string(AppendHTTPLog(nil, &e)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAppendTCPLogAndConnect(t *testing.T) {
	e := Entry{
		ClientAddr:   netip.MustParseAddrPort("127.0.0.1:40000"),
		FrontendAddr: netip.MustParseAddrPort("127.0.0.1:8080"),
		Accept:       localTime(t),
		Frontend:     "ft", Backend: "bk", Server: "s1", Mode: "tcp",
		Tw: 0, Tc: 1, Tt: 1234, Bytes: 99,
		Termination: [4]byte{'c', 'D', '-', '-'},
		ActConn:     3, FeConn: 2, BeConn: 1, SrvConn: 1,
	}
	if got, want := string(AppendTCPLog(nil, &e)), "127.0.0.1:40000 [26/Nov/2026:22:13:43.727] ft bk/s1 0/1/1234 99 cD 3/2/1/1/0 0/0"; got != want {
		t.Errorf("tcplog\ngot  %s\nwant %s", got, want)
	}
	if got, want := string(AppendConnect(nil, &e)), "Connect from 127.0.0.1:40000 to 127.0.0.1:8080 (ft/tcp)"; got != want {
		t.Errorf("connect\ngot  %s\nwant %s", got, want)
	}
}

func TestHeaders(t *testing.T) {
	now := time.Date(2026, 11, 6, 23, 56, 50, 776053000, time.UTC)
	loc := now.Local()
	day := loc.Format("Jan _2 15:04:05")
	iso := now.Format("2006-01-02T15:04:05.000000Z07:00")
	tests := []struct {
		h    Header
		want string
	}{
		{Header{Facility: 18, Tag: "haproxy", PID: 12098}, "<150>" + day + " haproxy[12098]: "},
		{Header{Format: "rfc3164", Facility: 18, Tag: "t", PID: 1, Hostname: "h"}, "<150>" + day + " h t[1]: "},
		{Header{Format: "rfc5424", Facility: 18, Tag: "haproxy", PID: 12098}, "<150>1 " + iso + " - haproxy 12098 - - "},
		{Header{Format: "short", Facility: 18}, "<6>"},
		{Header{Format: "priority", Facility: 18}, "<150>"},
		{Header{Format: "timed", Facility: 18}, "<6>" + iso + " "},
		{Header{Format: "iso", Facility: 18}, iso + " "},
		{Header{Format: "raw", Facility: 18}, ""},
	}
	for _, tt := range tests {
		if got := string(tt.h.AppendHeader(nil, Info, now)); got != tt.want {
			t.Errorf("format %q: got %q, want %q", tt.h.Format, got, tt.want)
		}
	}
}

func TestLoggerUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	l, err := NewLogger([]Target{
		{Network: "udp", Address: pc.LocalAddr().String(), Header: Header{Facility: 18, Tag: "hawser", PID: 7}, MaxLen: 40, Level: Info},
	})
	if err != nil {
		t.Fatal(err)
	}
	l.Log(Debug, []byte("filtered out by level"))
	l.Log(Info, []byte(strings.Repeat("x", 100)))
	l.Close()
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2048)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	got := string(buf[:n])
	if len(got) != 40 || !strings.HasPrefix(got, "<150>") || !strings.HasSuffix(got, "hawser[7]: xxxxxxx\n") {
		t.Errorf("datagram = %q (len %d), want a 40-byte truncated line", got, len(got))
	}
}

func TestLoggerDropsInsteadOfBlocking(t *testing.T) {
	// A unix datagram target whose socket does not exist: every write
	// fails, nothing blocks, and drops are counted.
	l, err := NewLogger([]Target{{Network: "unixgram", Address: t.TempDir() + "/nosuch", Level: Debug}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3*queueLen; i++ {
		l.Log(Info, []byte("line"))
	}
	l.Close()
	if got := l.Dropped(); got != 3*queueLen {
		t.Errorf("dropped %d, want %d", got, 3*queueLen)
	}
}

func BenchmarkAppendHTTPLog(b *testing.B) {
	e := Entry{
		ClientAddr: netip.MustParseAddrPort("127.0.0.1:53126"),
		Start:      time.Now(),
		Frontend:   "public", Backend: "ws1", Server: "a",
		Status: 200, Bytes: 380, Termination: [4]byte{'-', '-', '-', '-'},
		Request: []byte("GET /chat HTTP/1.1"),
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendHTTPLog(buf[:0], &e)
	}
}
