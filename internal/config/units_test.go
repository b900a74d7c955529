package config

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"0", 0, false},
		{"25", 25 * time.Millisecond, false},
		{"25s", 25 * time.Second, false},
		{"15m", 15 * time.Minute, false},
		{"1h", time.Hour, false},
		{"2d", 48 * time.Hour, false},
		{"500us", 500 * time.Microsecond, false},
		{"100ms", 100 * time.Millisecond, false},
		{"2147483647", 2147483647 * time.Millisecond, false},
		{"24d", 24 * 24 * time.Hour, false},
		{"25d", 0, true}, // timer overflow, as in HAProxy
		{"2147483648", 0, true},
		{"1.5s", 0, true}, // no decimals
		{"10x", 0, true},
		{"", 0, true},
		{"-1", 0, true},
		{"s", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, time.Millisecond)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"16384", 16384, false},
		{"16k", 16 << 10, false},
		{"16K", 16 << 10, false},
		{"2m", 2 << 20, false},
		{"1g", 1 << 30, false},
		{"", 0, true},
		{"k", 0, true},
		{"1.5k", 0, true},
		{"-1", 0, true},
		{"99999999999g", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatTime(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond, 1500 * time.Millisecond, time.Second, 90 * time.Second, time.Hour, 48 * time.Hour, 3 * time.Microsecond} {
		got, err := ParseTime(formatTime(d), time.Millisecond)
		if err != nil || got != d {
			t.Errorf("formatTime(%v) = %q reads back as %v, %v", d, formatTime(d), got, err)
		}
	}
}
