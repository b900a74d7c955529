package balance

import (
	"strings"
	"testing"
)

// The error texts are those haproxy 2.6.12 prints for the same lines
// (`haproxy -c`), without the final period.
func TestSpecErrors(t *testing.T) {
	tests := []struct {
		name     string
		balance  string
		hashType string
		want     string
	}{
		{"unknown", "foo", "", "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options"},
		{"uri bad option", "uri bar", "", "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'bar')"},
		{"uri len 0", "uri len 0", "", "balance uri : 'len' expects a positive integer (got '0')"},
		{"uri depth missing", "uri depth", "", "balance uri : 'depth' expects a positive integer (got '')"},
		{"uri depth negative", "uri depth -1", "", "balance uri : 'depth' expects a positive integer (got '-1')"},
		{"url_param no name", "url_param", "", "balance url_param requires an URL parameter name"},
		{"url_param bad modifier", "url_param p foo", "", "balance url_param only accepts 'check_post' modifier (got 'foo')"},
		{"hdr empty", "hdr()", "", "balance hdr requires an http header field name"},
		{"hdr unclosed", "hdr(Host", "", "balance hdr requires an http header field name"},
		{"hdr bad modifier", "hdr(Host) foo", "", "balance hdr(Host) only accepts 'use_domain_only' modifier (got 'foo')"},
		{"rdp-cookie empty", "rdp-cookie()", "", "balance rdp-cookie : missing cookie name"},
		{"rdp-cookie suffix", "rdp-cookiex", "", "balance rdp-cookie : missing cookie name"},
		{"random 0 draws", "random(0)", "", "balance random : number of draws must be at least 1"},
		{"random junk", "random(2x)", "", "balance random : unexpected character 'x' after argument"},
		{"random unclosed", "random(2", "", "balance random : missing closing parenthesis"},
		{"hash no expr", "hash", "", "balance hash requires a sample expression"},
		{"hash two words", "hash src foo", "", "balance hash takes no other argument (got 'foo')"},
		{"hash-type empty", "hdr(x)", " ", "'hash-type' only supports 'consistent' and 'map-based'"},
		{"hash-type unknown", "hdr(x)", "foo", "'hash-type' only supports 'consistent' and 'map-based'"},
		{"hash-type avalanche", "hdr(x)", "avalanche", "experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead"},
		{"hash function unknown", "hdr(x)", "consistent foo", "'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions"},
		{"bad modifier", "hdr(x)", "consistent sdbm foo", "'hash-type' only supports 'avalanche' as a modifier for hash functions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := Spec{Balance: strings.Fields(tt.balance)}
			if tt.hashType != "" {
				spec.HashType = strings.Split(strings.TrimSpace(tt.hashType), " ")
			}
			_, err := New(spec, servers(1))
			if err == nil {
				t.Fatalf("New(%q, %q) = nil error, want %q", tt.balance, tt.hashType, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\ngot  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSpecAccepted(t *testing.T) {
	tests := []struct {
		name     string
		balance  string
		hashType string
		want     config
	}{
		{"default", "", "", config{kind: kindRoundRobin, draws: 2}},
		{"extra words ignored", "roundrobin extra", "", config{kind: kindRoundRobin, draws: 2}},
		{"random default draws", "random", "", config{kind: kindRandom, draws: 2}},
		{"random prefix", "randomly", "", config{kind: kindRandom, draws: 2}},
		{"random()", "random()", "", config{kind: kindRandom, draws: 2}},
		{"random hex draws", "random(0x10)", "", config{kind: kindRandom, draws: 16}},
		{"uri options", "uri whole len 5 depth 2 path-only", "", config{kind: kindURI, draws: 2, uriWhole: true, uriLen: 5, uriDepth: 2, uriPathOnly: true}},
		{"uri len atoi", "uri len 3x", "", config{kind: kindURI, draws: 2, uriLen: 3}},
		{"url_param check_post", "url_param sid check_post", "", config{kind: kindURLParam, draws: 2, arg: "sid", checkPost: true}},
		{"hdr junk after paren", "hdr(Host)junk use_domain_only", "", config{kind: kindHdr, draws: 2, arg: "Host", useDomainOnly: true}},
		{"rdp-cookie default", "rdp-cookie", "", config{kind: kindRDPCookie, draws: 2, arg: "mstshash"}},
		{"rdp-cookie named", "rdp-cookie(sid)x", "", config{kind: kindRDPCookie, draws: 2, arg: "sid"}},
		{"hash", "hash req.cookie(sid)", "", config{kind: kindHash, draws: 2, arg: "req.cookie(sid)"}},
		{"consistent default", "source", "consistent", config{kind: kindSource, draws: 2, consistent: true, avalanche: true}},
		{"consistent sdbm", "source", "consistent sdbm", config{kind: kindSource, draws: 2, consistent: true}},
		{"map-based", "source", "map-based", config{kind: kindSource, draws: 2}},
		{"map-based crc32 avalanche", "source", "map-based crc32 avalanche", config{kind: kindSource, draws: 2, fn: hashCRC32, avalanche: true}},
		{"consistent wt6", "source", "consistent wt6", config{kind: kindSource, draws: 2, consistent: true, fn: hashWT6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSpec(Spec{Balance: strings.Fields(tt.balance), HashType: strings.Fields(tt.hashType)})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNewRejectsServers(t *testing.T) {
	tests := []struct {
		name    string
		servers []*Server
		want    string
	}{
		{"nil", []*Server{nil}, "balance: server #1 is nil"},
		{"id 0", []*Server{{Name: "a", Weight: 1}}, "balance: server 'a': id must be a positive 32-bit integer (got 0)"},
		{"duplicate id", []*Server{{Name: "a", ID: 1, Weight: 1}, {Name: "b", ID: 1, Weight: 1}}, "balance: server 'b' has the same ID (1) as server 'a'"},
		{"weight", []*Server{{Name: "a", ID: 1, Weight: 257}}, "balance: server 'a': weight only supports values between 0 and 256 (got 257)"},
		{"maxconn", []*Server{{Name: "a", ID: 1, Weight: 1, Maxconn: -1}}, "balance: server 'a': maxconn and maxqueue must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Spec{}, tt.servers)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestStrtol(t *testing.T) {
	tests := []struct {
		in   string
		base int
		n    int64
		rest string
	}{
		{"12)", 0, 12, ")"},
		{" +7x", 10, 7, "x"},
		{"-3", 10, -3, ""},
		{"0x1f)", 0, 31, ")"},
		{"010", 0, 8, ""},
		{"0x", 0, 0, "x"},
		{"x", 10, 0, "x"},
		{"", 10, 0, ""},
		{"99999999999999999999", 10, 1<<63 - 1, ""},
		{"-99999999999999999999", 10, -1 << 63, ""},
	}
	for _, tt := range tests {
		n, rest := strtol(tt.in, tt.base)
		if n != tt.n || rest != tt.rest {
			t.Errorf("strtol(%q, %d) = %d, %q; want %d, %q", tt.in, tt.base, n, rest, tt.n, tt.rest)
		}
	}
}
