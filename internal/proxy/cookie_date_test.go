package proxy

import (
	"testing"
)

func TestCookieDates(t *testing.T) {
	for _, tc := range []struct {
		in          string
		srv         string
		last, first int64
	}{
		{"ca", "ca", 0, 0},
		{"ca|", "ca", 0, 0},
		{"ca|BnF8k", "ca", 0x6717c90, 0},
		{"ca|abc", "ca", 0, 0},
		{"ca|!!!!!", "ca", 0, 0},
		{"ca|AAAAA", "ca", 0, 0},
		{"|BnF8k", "", 0x6717c90, 0},
		{"ca|BnF8k|BnF8A", "ca", 0x6717c90, 0x6717c00},
		{"ca|BnF8k|BnF8", "ca", 0x6717c90, 0},
		{"ca|xx|BnF8A", "ca", 0, 0x6717c00},
	} {
		srv, last, first := splitCookieDates([]byte(tc.in))
		if string(srv) != tc.srv || last != tc.last || first != tc.first {
			t.Errorf("splitCookieDates(%q) = %q, %#x, %#x; want %q, %#x, %#x", tc.in, srv, last, first, tc.srv, tc.last, tc.first)
		}
	}
}

func TestCookieDateRoundTrip(t *testing.T) {
	// HAProxy writes (sec+3)>>2: a date reads back as sec rounded up to a
	// multiple of 4, never earlier than the time written.
	for _, sec := range []int64{1, 4, 1_700_000_000, 1_700_000_001, 1_700_000_003, 1<<32 - 4} {
		b := appendCookieDate(nil, sec)
		got := parseCookieDate(b)
		if len(b) != 5 || got < sec || got-sec > 3 || got%4 != 0 {
			t.Errorf("date %d encodes as %q and reads back as %d", sec, b, got)
		}
	}
}

func FuzzSplitCookieDates(f *testing.F) {
	for _, s := range []string{"ca", "ca|BnF8k|BnF8A", "|", "||||", "a|+/+/+|/////"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		srv, last, first := splitCookieDates(v)
		if len(srv) > len(v) || last < 0 || first < 0 || last >= 1<<32 || first >= 1<<32 {
			t.Fatalf("splitCookieDates(%q) = %q, %d, %d", v, srv, last, first)
		}
	})
}
