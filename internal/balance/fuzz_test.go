package balance

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzSpec: no configuration makes New panic.
func FuzzSpec(f *testing.F) {
	for _, s := range []string{"roundrobin", "random(0x7)", "uri len 3 depth 2 whole path-only", "hdr(a) use_domain_only", "rdp-cookie(", "url_param p check_post", "hash src", "random(-1)"} {
		f.Add(s, "consistent wt6 avalanche")
	}
	f.Fuzz(func(t *testing.T, balance, hashType string) {
		lb, err := New(Spec{Balance: strings.Fields(balance), HashType: strings.Fields(hashType)}, servers(1, 2))
		if err == nil {
			lb.Pick(&Input{})
		}
	})
}

// FuzzPick: no request makes Pick panic or leak a slot, whatever the
// algorithm and the state of the servers.
func FuzzPick(f *testing.F) {
	f.Add(uint8(0), []byte("/a/b?sid=1"), []byte("www.x.com"), []byte("\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00Cookie: mstshash=a\r\n"), uint8(3))
	f.Add(uint8(7), []byte("http://h"), []byte(`"a,b", c`), []byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, algo uint8, target, header, payload []byte, state uint8) {
		a := algorithms[int(algo)%len(algorithms)]
		ss := servers(1, 0, 3, 2)
		ss[3].Backup = true
		ss[0].Maxconn = int(state % 3)
		lb, err := New(a.spec, ss)
		if err != nil {
			t.Fatal(err)
		}
		lb.SetUsable(ss[2], state&4 == 0)
		lb.SetUsable(ss[0], state&8 == 0)
		in := &Input{Target: target, Header: header, Payload: payload, Key: header, HasKey: state&16 != 0,
			Post: true, Body: target, Src: netip.AddrFrom16([16]byte(append(payload, make([]byte, 16)...)[:16]))}
		if state&32 != 0 {
			in.Avoid = ss[2]
		}
		for range 3 {
			if s, full := lb.Pick(in); s != nil && !full {
				s.Release()
			}
		}
		for _, s := range ss {
			if s.Served() != 0 {
				t.Fatalf("server %s: %d slots left", s.Name, s.Served())
			}
		}
	})
}
