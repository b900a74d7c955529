package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary text to the parser. Whatever the input, Parse
// must not panic, and a config it accepts must print to a normalised form
// that reads back to the same normalised form.
//
//	go test ./internal/config -run '^$' -fuzz FuzzParse -fuzztime 5m
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*.cfg")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("global\n.if defined(X) || !streq(a,b)\n maxconn 1\n.endif\n"))
	f.Add([]byte("frontend f\n bind \"${PORT-80}\"\n acl a hdr(x) -i \"a\\x41'b\"\n"))
	env := testEnv(map[string]string{"PORT": "8080", "HOST": "127.0.0.1"})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse([]Source{{Name: "fuzz.cfg", Data: data}}, ParseOptions{Env: env})
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("error is not an ErrorList: %T %v", err, err)
			}
			return
		}
		first := c.Format()
		c2, err := Parse([]Source{{Name: "normalised.cfg", Data: []byte(first)}}, ParseOptions{Env: env})
		if err != nil {
			t.Fatalf("normalised form does not parse: %v\ninput:\n%q\nnormalised:\n%s", err, data, first)
		}
		if second := c2.Format(); second != first {
			t.Fatalf("round trip differs\ninput:\n%q\nfirst:\n%s\nsecond:\n%s", data, first, second)
		}
	})
}
