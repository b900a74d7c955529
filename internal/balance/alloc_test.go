package balance

import (
	"net/netip"
	"strconv"
	"testing"
)

// algorithms lists one configuration per algorithm and lookup, with the
// input a request would carry (key i).
var algorithms = []struct {
	name  string
	spec  Spec
	input func(i int) *Input
}{
	{"roundrobin", Spec{Balance: []string{"roundrobin"}}, noInput},
	{"static-rr", Spec{Balance: []string{"static-rr"}}, noInput},
	{"leastconn", Spec{Balance: []string{"leastconn"}}, noInput},
	{"first", Spec{Balance: []string{"first"}}, noInput},
	{"random", Spec{Balance: []string{"random"}}, noInput},
	{"source", Spec{Balance: []string{"source"}}, srcInput},
	{"source-consistent", Spec{Balance: []string{"source"}, HashType: []string{"consistent"}}, srcInput},
	{"uri", Spec{Balance: []string{"uri", "depth", "3"}}, func(i int) *Input { return &Input{Target: keys[i%len(keys)].uri} }},
	{"uri-consistent", Spec{Balance: []string{"uri", "path-only"}, HashType: []string{"consistent"}}, func(i int) *Input { return &Input{Target: keys[i%len(keys)].uri} }},
	{"url_param", Spec{Balance: []string{"url_param", "sid"}}, func(i int) *Input { return &Input{Target: keys[i%len(keys)].uri} }},
	{"hdr", Spec{Balance: []string{"hdr(Host)", "use_domain_only"}}, func(i int) *Input { return &Input{Header: keys[i%len(keys)].host} }},
	{"hdr-consistent", Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent", "crc32"}}, func(i int) *Input { return &Input{Header: keys[i%len(keys)].host} }},
	{"rdp-cookie", Spec{Balance: []string{"rdp-cookie"}, HashType: []string{"consistent"}}, func(i int) *Input { return &Input{Payload: keys[i%len(keys)].rdp} }},
	{"hash", Spec{Balance: []string{"hash", "req.cookie(sid)"}, HashType: []string{"map-based", "wt6", "avalanche"}}, func(i int) *Input { return &Input{Key: keys[i%len(keys)].host, HasKey: true} }},
}

func noInput(int) *Input { return &Input{} }

func srcInput(i int) *Input { return &Input{Src: keys[i%len(keys)].src} }

// keys are prepared request keys, so that building inputs allocates
// nothing during measurements.
var keys = func() []struct {
	uri, host, rdp []byte
	src            netip.Addr
} {
	out := make([]struct {
		uri, host, rdp []byte
		src            netip.Addr
	}, 1024)
	for i := range out {
		s := strconv.Itoa(i * 7919)
		out[i].uri = []byte("/app/" + s + "/x?sid=" + s + "&a=1")
		out[i].host = []byte("www.h" + s + ".example.com")
		out[i].rdp = []byte("\x03\x00\x00\x30\x2b\xe0\x00\x00\x00\x00\x00Cookie: mstshash=user" + s + "\r\n")
		out[i].src = netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1})
	}
	return out
}()

// TestPickAllocs: choosing a server allocates nothing, whatever the
// algorithm, including when servers are full or a key is missing.
func TestPickAllocs(t *testing.T) {
	for _, algo := range algorithms {
		t.Run(algo.name, func(t *testing.T) {
			ss := servers(3, 1, 2, 5, 1, 1, 4)
			ss[2].Maxconn = 1
			ss[2].Acquire() // one full server
			lb := mustNew(t, algo.spec, ss)
			inputs := make([]*Input, 64)
			for i := range inputs {
				inputs[i] = algo.input(i)
			}
			inputs[5] = &Input{} // a request without key
			i := 0
			allocs := testing.AllocsPerRun(1000, func() {
				in := *inputs[i%len(inputs)] // the caller's Input lives on its stack
				i++
				if s, full := lb.Pick(&in); s != nil && !full {
					s.Release()
				}
			})
			if allocs != 0 {
				t.Errorf("Pick allocates %v times per call, want 0", allocs)
			}
		})
	}
}
