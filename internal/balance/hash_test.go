package balance

import "testing"

// The vectors of wt6, djb2 and avalanche were produced by this package and
// agree with HAProxy's choices in TestHAProxyOracle (every function, with
// and without avalanche, on both lookups); sdbm("/a") and crc32 are
// published values.
func TestHashFunctions(t *testing.T) {
	tests := []struct {
		key                    string
		sdbm, djb2, wt6, crc32 uint32
	}{
		{"", 0, 5381, 0xf99a0360, 0},
		{"a", 0x61, 0x2b606, 0x714bf225, 0xe8b7be43},
		{"/a", 3083250, 0x5970b5, 0x53b839e7, 0x69707b5c},
		{"hello", 0x28d19932, 0x0f923099, 0xd2e6e6b7, 0x3610a686},
		{"123456789", 0x68a07035, 0x35cdbb82, 0x84a16c1d, 0xcbf43926},
		{"haproxy.1wt.eu", 0xd5016dc9, 0x55369522, 0x50a60c3a, 0x12ebd928},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			for _, c := range []struct {
				fn   hashFunc
				want uint32
			}{{hashSDBM, tt.sdbm}, {hashDJB2, tt.djb2}, {hashWT6, tt.wt6}, {hashCRC32, tt.crc32}} {
				if got := c.fn.sum([]byte(tt.key)); got != c.want {
					t.Errorf("%s(%q) = %#x, want %#x", c.fn, tt.key, got, c.want)
				}
			}
		})
	}
}

func TestFullHash(t *testing.T) {
	tests := []struct{ in, want uint32 }{
		{0, 0xab4ed927},
		{1, 0x348681b6},
		{3083250, 0x67e70dc2},
		{0x7f000001, 0x8a1b584b},
	}
	for _, tt := range tests {
		if got := fullHash(tt.in); got != tt.want {
			t.Errorf("fullHash(%#x) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

// TestMapHashReference checks the observation of haproxy-reference.md
// §4.6: with 3 equal servers and `balance uri`, /a /b /c /d go to a b c a.
func TestMapHashReference(t *testing.T) {
	lb := mustNew(t, Spec{Balance: []string{"uri"}}, servers(1, 1, 1))
	var got []string
	for _, u := range []string{"/a", "/b", "/c", "/d"} {
		s, _ := lb.Pick(&Input{Target: []byte(u)})
		got = append(got, s.Name)
		s.Release()
	}
	if g := join(got); g != "a b c a" {
		t.Errorf("got %s, want a b c a", g)
	}
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}

// TestHashNone: `hash-type … none` takes the key as the hash, read as
// HAProxy's read_int64 reads it (then truncated to 32 bits).
func TestHashNone(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want uint32
	}{
		{"12345", 12345},
		{"+7", 7},
		{"-5", 0xfffffffb},
		{"42abc", 42},
		{"abc", 0},
		{"", 0},
		{"4294967297", 1},                    // 2^32 + 1
		{"99999999999999999999", 0xffffffff}, // saturates at 2^63-1
		{"-99999999999999999999", 0},         // saturates at -2^63
		{"9223372036854775807", 0xffffffff},  // 2^63-1
	} {
		if got := hashNone.sum([]byte(tc.key)); got != tc.want {
			t.Errorf("none(%q) = %#x, want %#x", tc.key, got, tc.want)
		}
	}
	if _, err := parseSpec(Spec{Balance: []string{"hdr(x)"}, HashType: []string{"consistent", "none"}}); err != nil {
		t.Errorf("hash-type consistent none: %v", err)
	}
}
