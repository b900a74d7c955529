package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxTime is HAProxy's largest timer: 2147483647 ms, about 24.8 days.
const maxTime = 2147483647 * time.Millisecond

// ParseTime reads a HAProxy time value: an unsigned integer followed by an
// optional unit (us, ms, s, m, h, d). Without a unit the value is in
// defUnit (milliseconds for nearly every keyword). Decimals are refused,
// as in HAProxy: "1.5s" is an error, not 1500 ms.
func ParseTime(s string, defUnit time.Duration) (time.Duration, error) {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == 0 {
		if s == "" {
			return 0, fmt.Errorf("missing time value")
		}
		return 0, fmt.Errorf("unexpected character '%c' in time value '%s'", s[0], s)
	}
	n, err := strconv.ParseUint(s[:i], 10, 63)
	if err != nil {
		return 0, fmt.Errorf("timer overflow in '%s' (maximum value is 2147483647 ms or ~24.8 days)", s)
	}
	unit := defUnit
	switch rest := s[i:]; rest {
	case "":
	case "us":
		unit = time.Microsecond
	case "ms":
		unit = time.Millisecond
	case "s":
		unit = time.Second
	case "m":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		return 0, fmt.Errorf("unexpected character '%c' in time value '%s'", rest[0], s)
	}
	if n > uint64(maxTime/unit) {
		return 0, fmt.Errorf("timer overflow in '%s' (maximum value is 2147483647 ms or ~24.8 days)", s)
	}
	return time.Duration(n) * unit, nil
}

// ParseSize reads a HAProxy size: an unsigned integer with an optional
// k, m or g suffix (case-insensitive, powers of 1024).
func ParseSize(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("missing size value")
	}
	mult := int64(1)
	num := s
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult, num = 1<<10, s[:len(s)-1]
	case "m":
		mult, num = 1<<20, s[:len(s)-1]
	case "g":
		mult, num = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseUint(num, 10, 63)
	if err != nil {
		return 0, fmt.Errorf("invalid size value '%s'", s)
	}
	if n > uint64(math.MaxInt64/mult) {
		return 0, fmt.Errorf("size value '%s' is too large", s)
	}
	return int64(n) * mult, nil
}

// parseInt reads a decimal integer within [min, max].
func parseInt(s, what string, min, max int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("'%s' expects an integer, got '%s'", what, s)
	}
	if n < min || n > max {
		return 0, fmt.Errorf("'%s' must be between %d and %d, got %d", what, min, max, n)
	}
	return n, nil
}

// formatTime prints d the way a config would say it, in the largest unit
// that divides it.
func formatTime(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
}
