package config

import (
	"reflect"
	"testing"
)

func testEnv(m map[string]string) LookupEnv {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestSplitWords(t *testing.T) {
	env := testEnv(map[string]string{"FOO": "bar", "EMPTY": "", "LIST": "a b  c"})
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"blanks split", "bind  *:80\t name x", []string{"bind", "*:80", "name", "x"}},
		{"comment", "maxconn 10 # a comment", []string{"maxconn", "10"}},
		{"comment glued", "maxconn 10#c", []string{"maxconn", "10"}},
		{"only comment", "   # nothing", nil},
		{"empty", "", nil},
		// The next cases were observed on haproxy 2.6.12 with
		// `http-request return lf-string`.
		{"weak quotes expand", `x "A=[${FOO}] B=[$FOO] C=[${NOPE-def}] D=[${EMPTY-def}]"`, []string{"x", "A=[bar] B=[bar] C=[def] D=[]"}},
		{"weak quotes escapes", `x "E=[\"q\"] F=['s'] G=[\x41] H=[\$FOO] I=[\\] J=[\#] K=[#]"`, []string{"x", `E=["q"] F=['s'] G=[A] H=[$FOO] I=[\] J=[#] K=[#]`}},
		{"strong quotes literal", `x 'A=[${FOO}] B=[\x41] C=[\]'`, []string{"x", `A=[${FOO}] B=[\x41] C=[\]`}},
		{"unquoted escapes", `x A=[$FOO]\ B=[\x41]\ C=[\"]\ D=[a"b c"d]\ E=[a'$FOO'"$FOO"]`, []string{"x", `A=[$FOO] B=[A] C=["] D=[ab cd] E=[a$FOObar]`}},
		{"braces then text", `x "X=[${FOO}Y]"`, []string{"x", "X=[barY]"}},
		{"empty quoted word", `setenv X ""`, []string{"setenv", "X", ""}},
		{"split list", `x "${LIST[*]}" y`, []string{"x", "a", "b", "c", "y"}},
		{"dollar alone", `x "$ 5" "a$"`, []string{"x", "$ 5", "a$"}},
		{"escaped hash", `x a\#b`, []string{"x", "a#b"}},
		{"escapes nrt", `x "a\nb\tc\r"`, []string{"x", "a\nb\tc\r"}},
		{"unknown escape kept", `x a\qb`, []string{"x", `a\qb`}},
		{"concatenated pieces", `x "%{+Q}o %t"' %s'\ %{-Q}r`, []string{"x", "%{+Q}o %t %s %{-Q}r"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitWords([]byte(tt.in), env)
			if err != nil {
				t.Fatalf("splitWords(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitWords(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitWordsErrors(t *testing.T) {
	for _, in := range []string{
		`x "unterminated`,
		`x 'unterminated`,
		`x "${UNCLOSED"`,
		`x "${bad name}"`,
		`x 'a\'b'`, // no escape inside strong quotes: the quote closes it
	} {
		if got, err := splitWords([]byte(in), nil); err == nil {
			t.Errorf("splitWords(%q) = %q, want an error", in, got)
		}
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, w := range []string{"", "plain", "a b", "it's", `a"b`, "a#b", `back\slash`, "$FOO", "${X}", "tab\there", "new\nline", "c'r\r", "'"} {
		got, err := splitWords([]byte("k "+Quote(w)), nil)
		if err != nil {
			t.Fatalf("Quote(%q) = %s: %v", w, Quote(w), err)
		}
		if len(got) != 2 || got[1] != w {
			t.Errorf("Quote(%q) = %s reads back as %q", w, Quote(w), got)
		}
	}
}

func TestLexerPositions(t *testing.T) {
	src := "global\r\n\n  # c\n  maxconn 5\nlast"
	lx := newLexer("f.cfg", []byte(src), nil)
	var got []Line
	for {
		ln, ok, err := lx.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, ln)
	}
	want := []Line{
		{Pos{"f.cfg", 1}, []string{"global"}},
		{Pos{"f.cfg", 4}, []string{"maxconn", "5"}},
		{Pos{"f.cfg", 5}, []string{"last"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lines = %v, want %v", got, want)
	}
}
