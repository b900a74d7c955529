package stats

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Number formats of the statistics page: people read "1.2 MiB" and
// "3m12s" faster than 1258291 and 192; the exact figure stays in the
// cell's tooltip and in ;csv.

// fmtCount groups digits by thousands: 1234567 → "1,234,567". Text that is
// not a number is returned as is.
func fmtCount(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return s
	}
	neg := n < 0
	if neg {
		n = -n
	}
	d := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtBytes prints a byte count with binary units: "0 B", "980 B",
// "1.2 KiB", "15 MiB".
func fmtBytes(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1024 {
		if err == nil {
			return s + " B"
		}
		return s
	}
	v := float64(n)
	unit := -1
	for v >= 1024 && unit < 5 {
		v /= 1024
		unit++
	}
	u := [...]string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}[unit]
	if v < 10 {
		return fmt.Sprintf("%.1f %s", v, u)
	}
	return fmt.Sprintf("%.0f %s", v, u)
}

// fmtAge prints a number of seconds as the two largest units: "42s",
// "3m12s", "2h05m", "4d03h". Negative (never) prints as "never".
func fmtAge(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return s
	case n < 0:
		return "never"
	}
	return fmtDuration(time.Duration(n) * time.Second)
}

// fmtDuration prints d as its two largest units.
func fmtDuration(d time.Duration) string {
	sec := int64(d / time.Second)
	switch {
	case sec < 60:
		return fmt.Sprintf("%ds", sec)
	case sec < 3600:
		return fmt.Sprintf("%dm%02ds", sec/60, sec%60)
	case sec < 86400:
		return fmt.Sprintf("%dh%02dm", sec/3600, sec/60%60)
	}
	return fmt.Sprintf("%dd%02dh", sec/86400, sec/3600%24)
}

// fmtMillis prints a duration in milliseconds as "12 ms" or "1.3 s".
func fmtMillis(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return s
	}
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " ms"
	}
	return fmt.Sprintf("%.1f s", float64(n)/1000)
}
