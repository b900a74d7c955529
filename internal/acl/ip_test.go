package acl

import (
	"net/netip"
	"testing"
)

func TestParseIPPattern(t *testing.T) {
	tests := []struct {
		in    string
		noDNS bool
		want  string // "net/mask" for IPv4, prefix for IPv6, "" for an error
	}{
		{"127.0.0.1", false, "127.0.0.1/255.255.255.255"},
		{"127.1", false, "127.0.0.1/255.255.255.255"},
		{"10.1.2", false, "10.1.0.2/255.255.255.255"},
		{"1", false, "0.0.0.1/255.255.255.255"},
		{"0177.0.0.1", false, "127.0.0.1/255.255.255.255"},
		{"10.0.0.0/8", false, "10.0.0.0/255.0.0.0"},
		{"10.1.2.3/8", false, "10.0.0.0/255.0.0.0"},
		{"10.0.0.0/255.255.0.0", false, "10.0.0.0/255.255.0.0"},
		{"0.0.0.0/0", false, "0.0.0.0/0.0.0.0"},
		{"::1", false, "::1/128"},
		{"2001:db8::1/32", false, "2001:db8::/32"},
		{"::ffff:10.0.0.0/104", false, "::ffff:10.0.0.0/104"},
		{"127.1", true, ""},
		{"0177.0.0.1", true, ""},
		{"127.0.0.1", true, "127.0.0.1/255.255.255.255"},
		{"300.1.1.1", false, ""},
		{"10.0.0.0/33", false, ""},
		{"10.0.0.0/-1", false, ""},
		{"::1/129", false, ""},
		{"fe80::1%eth0", false, ""},
		{"0x7f000001", false, ""},
		{"127.0.0.1.", false, ""},
		{"08.0.0.1", false, ""},
		{"localhost", false, ""},
		{"1.2.3.4.5", false, ""},
		{"", false, ""},
		{"1.256", false, "1.0.1.0/255.255.255.255"},
		{"1.2.65536", false, ""},
	}
	for _, tc := range tests {
		p, err := parseIPPattern(tc.in, tc.noDNS)
		got := ""
		if err == nil {
			if p.v6 {
				got = p.pfx6.String()
			} else {
				got = u32addr(p.net4).String() + "/" + u32addr(p.msk4).String()
			}
		}
		if got != tc.want {
			t.Errorf("parseIPPattern(%q, noDNS=%v) = %q (err %v), want %q", tc.in, tc.noDNS, got, err, tc.want)
		}
	}
}

func u32addr(u uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

func TestParseSampleIP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.1.2.3", "10.1.2.3"},
		{"10.1.2.3:80", "10.1.2.3"},
		{"10.1.2.3abc", "10.1.2.3"},
		{"127.1", ""},
		{"256.1.1.1", ""},
		{"1.2.3.4444", ""},
		{"::", "::"},
		{"::1", "::1"},
		{"::ffff:10.1.2.3", "::ffff:10.1.2.3"},
		{"2002:0a01:0203::", "2002:a01:203::"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
		{"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
		{"1:2:3:4:5:6:7:8::", ""},
		{"::1:2:3:4:5:6:7:8", ""},
		{"1::2::3", ""},
		{"1:2:3:4:5:6:7:8:9", ""},
		{"12345::", ""},
		{":1", ""},
		{"1:", ""},
		{"[::1]", ""},
		{"fe80::1%eth0", ""},
		{"::1.2.3.4.5", ""},
		{"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
		{"1:2:3:4:5:6:7:1.2.3.4", ""},
		{"::01.2.3.4", ""},
		{"::0.2.3.4", "::2:304"},
		{"", ""},
		{"junk", ""},
	}
	for _, tc := range tests {
		a, ok := parseSampleIP([]byte(tc.in))
		got := ""
		if ok {
			got = a.String()
		}
		if got != tc.want {
			t.Errorf("parseSampleIP(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzParseV6 checks the hand-written IPv6 parser against netip.
func FuzzParseV6(f *testing.F) {
	for _, s := range []string{"::", "::1", "1::", "2001:db8::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "1::2::3", "::1.2.3.4", "fe80::1%1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseV6([]byte(s))
		want, err := netip.ParseAddr(s)
		wantOK := err == nil && want.Is6() && want.Zone() == ""
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("parseV6(%q) = %v, %v; netip: %v, %v", s, got, ok, want, err)
		}
	})
}

func TestAppendAddr(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":       "127.0.0.1",
		"::1":             "::1",
		"::":              "::",
		"::a01:203":       "::10.1.2.3",
		"::2":             "::0.0.0.2",
		"::ffff:10.1.2.3": "::ffff:10.1.2.3",
		"2001:db8::1":     "2001:db8::1",
	} {
		if got := string(appendAddr(nil, netip.MustParseAddr(in))); got != want {
			t.Errorf("appendAddr(%s) = %q, want %q", in, got, want)
		}
	}
}
