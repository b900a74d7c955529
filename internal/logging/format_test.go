package logging

import (
	"net/netip"
	"testing"
)

// HTTPLogFormat is HAProxy's `option httplog` as a log-format string.
const HTTPLogFormat = `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r`

// TCPLogFormat is HAProxy's `option tcplog` as a log-format string.
const TCPLogFormat = `%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq`

func TestFormatReproducesBuiltinFormats(t *testing.T) {
	hf, err := ParseFormat(HTTPLogFormat, nil)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := ParseFormat(TCPLogFormat, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{
		ClientAddr: netip.MustParseAddrPort("127.0.0.1:53126"),
		Start:      localTime(t), Accept: localTime(t),
		Frontend: "public", Backend: "ws1", Server: "a",
		TR: 0, Tw: 0, Tc: 0, Tr: 2, Ta: 820, Tt: 900,
		Status: 101, Bytes: 380,
		Termination: [4]byte{'-', '-', '-', '-'},
		ActConn:     1, FeConn: 1, Retries: 1, Redispatched: true,
		Request: []byte("GET /chat HTTP/1.1"),
	}
	for _, caps := range [][][]byte{nil, {[]byte("host.example"), []byte("ua")}} {
		e.ReqCaptures = caps
		if got, want := string(hf.Append(nil, &e)), string(AppendHTTPLog(nil, &e)); got != want {
			t.Errorf("httplog via log-format:\ngot  %s\nwant %s", got, want)
		}
	}
	if got, want := string(tf.Append(nil, &e)), string(AppendTCPLog(nil, &e)); got != want {
		t.Errorf("tcplog via log-format:\ngot  %s\nwant %s", got, want)
	}
}

func TestFormatTagsAndSamples(t *testing.T) {
	f, err := ParseFormat(`%%x %{+Q}ID %[req.hdr(host)] %{+Q}[path] %HM %HP %HQ %HV %{+X}ST x%[missing]y`, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Samples) != 3 || f.Samples[0] != "req.hdr(host)" {
		t.Fatalf("samples = %q", f.Samples)
	}
	e := Entry{Status: 255, UniqueID: []byte("abc"), Request: []byte("GET /p?q=1 HTTP/1.1"),
		Samples: [][]byte{[]byte("h.example"), []byte("/p"), nil}}
	want := `%x "abc" h.example "/p" GET /p ?q=1 HTTP/1.1 ff x-y`
	if got := string(f.Append(nil, &e)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFormatErrors(t *testing.T) {
	for _, s := range []string{"%nosuchvar", "%{+Q", "%[unclosed", "%{+Z}r"} {
		if _, err := ParseFormat(s, nil); err == nil {
			t.Errorf("ParseFormat(%q) succeeded", s)
		}
	}
}

func FuzzParseFormat(f *testing.F) {
	f.Add(HTTPLogFormat)
	f.Add(TCPLogFormat)
	f.Add(`%{+Q,+E}[req.hdr(x)] %% %ID`)
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := ParseFormat(s, func(string) error { return nil })
		if err != nil {
			return
		}
		e := Entry{Request: []byte("GET / HTTP/1.1"), Samples: make([][]byte, len(fm.Samples))}
		fm.Append(nil, &e)
	})
}
