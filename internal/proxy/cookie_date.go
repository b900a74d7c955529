package proxy

import (
	"bytes"
	"strings"
)

// Expirable persistence cookies (`cookie … maxidle T maxlife T`) carry
// their dates in the value, as HAProxy writes them:
// "SRV|<last seen>|<first seen>", each date the UNIX time in 4-second
// units as five characters of base64, most significant first. Reading
// and writing the same form lets a client move between HAProxy and
// hawser during a migration without losing its server.

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendCookieDate appends the five characters encoding the UNIX time
// sec, rounded up to the next 4-second unit (HAProxy's (sec+3)>>2).
func appendCookieDate(b []byte, sec int64) []byte {
	v := uint32(sec+3) >> 2
	for i := 0; i < 5; i++ {
		b = append(b, b64Alphabet[(v>>24)&0x3f])
		v <<= 6
	}
	return b
}

// parseCookieDate decodes five date characters into UNIX seconds; 0 when
// they are not a valid date.
func parseCookieDate(s []byte) int64 {
	if len(s) < 5 {
		return 0
	}
	var v int64
	for _, c := range s[:5] {
		d := strings.IndexByte(b64Alphabet, c)
		if d < 0 {
			return 0
		}
		v = v<<6 | int64(d)
	}
	return v << 2
}

// splitCookieDates splits an insert or rewrite mode cookie value into the
// server's value and its last and first dates (0 when absent), as HAProxy
// reads them: the dates follow the first and second '|'.
func splitCookieDates(v []byte) (srv []byte, last, first int64) {
	i := bytes.IndexByte(v, '|')
	if i < 0 {
		return v, 0, 0
	}
	srv, rest := v[:i], v[i+1:]
	if len(rest) >= 5 {
		last = parseCookieDate(rest)
	}
	if j := bytes.IndexByte(rest, '|'); j >= 0 && len(rest)-j > 5 {
		first = parseCookieDate(rest[j+1:])
	}
	return srv, last, first
}
