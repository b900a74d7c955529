package h1

// AppendRequestLine appends "method SP target SP HTTP/1.minor CRLF" to dst
// and returns the extended slice. The caller passes values that passed
// ParseRequest (or its own constants); nothing is validated here.
func AppendRequestLine(dst, method, target []byte, minor int) []byte {
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, target...)
	dst = append(dst, " HTTP/1."...)
	dst = append(dst, byte('0'+minor%10))
	return append(dst, '\r', '\n')
}

// AppendStatusLine appends "HTTP/1.minor SP status SP reason CRLF" to dst
// and returns the extended slice. status must have three digits.
func AppendStatusLine(dst []byte, minor, status int, reason []byte) []byte {
	dst = append(dst, "HTTP/1."...)
	dst = append(dst, byte('0'+minor%10), ' ',
		byte('0'+status/100%10), byte('0'+status/10%10), byte('0'+status%10), ' ')
	dst = append(dst, reason...)
	return append(dst, '\r', '\n')
}

// AppendHeader appends the field line "name: value CRLF" to dst and
// returns the extended slice. Name and value are not validated: they come
// from a parsed head or from the configuration, which validates its own.
func AppendHeader(dst, name, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// AppendHeaderString is AppendHeader for names and values held as strings
// (configured headers), without converting them.
func AppendHeaderString(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}
