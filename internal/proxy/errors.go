package proxy

import (
	"strconv"
)

// The pages HAProxy answers with when it produces a response itself
// (src/http.c), byte for byte as haproxy 2.6 sends them: 400 and 408 come
// straight from the H1 multiplexer with capitalised names and
// "Connection: close", the others through it with lower-cased names.
var errorPages = map[int][]byte{}

var errorTexts = []struct {
	status int
	reason string
	text   string
	close  bool
}{
	{400, "Bad request", "Your browser sent an invalid request.", true},
	{403, "Forbidden", "Request forbidden by administrative rules.", false},
	{405, "Method Not Allowed", "A request was made of a resource using a request method not supported by that resource", false},
	{408, "Request Time-out", "Your browser didn't send a complete request in time.", true},
	{410, "Gone", "The resource is no longer available and will not be available again.", false},
	{413, "Payload Too Large", "The request entity exceeds the maximum allowed.", false},
	{425, "Too Early", "Your browser sent early data.", false},
	{429, "Too Many Requests", "You have sent too many requests in a given amount of time.", false},
	{500, "Internal Server Error", "An internal server error occurred.", false},
	{501, "Not Implemented", "The server does not support the functionality required to fulfill the request.", false},
	{502, "Bad Gateway", "The server returned an invalid or incomplete response.", false},
	{503, "Service Unavailable", "No server is available to handle this request.", false},
	{504, "Gateway Time-out", "The server didn't respond in time.", false},
}

func init() {
	for _, e := range errorTexts {
		s := strconv.Itoa(e.status)
		body := "<html><body><h1>" + s + " " + e.reason + "</h1>\n" + e.text + "\n</body></html>\n"
		var head string
		if e.close {
			head = "HTTP/1.1 " + s + " " + e.reason + "\r\nContent-length: " + strconv.Itoa(len(body)) +
				"\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n"
		} else {
			head = "HTTP/1.1 " + s + " " + e.reason + "\r\ncontent-length: " + strconv.Itoa(len(body)) +
				"\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n"
		}
		errorPages[e.status] = []byte(head + body)
	}
}

// errorPage returns the page for status and whether it closes the
// connection. close forces "connection: close" into a page that has none
// (the client connection is not kept after it).
func errorPage(status int, close bool) []byte {
	p, ok := errorPages[status]
	if !ok {
		p = errorPages[500]
	}
	if close && (status != 400 && status != 408) {
		return closePages[status]
	}
	return p
}

// closePages are the error pages with "connection: close" added, as
// HAProxy sends them when it closes the client connection afterwards
// (observed for HTTP/1.0 clients).
var closePages = map[int][]byte{}

func init() {
	for status, p := range errorPages {
		if status == 400 || status == 408 {
			continue
		}
		i := indexHeadEnd(p)
		q := append([]byte{}, p[:i-2]...)
		q = append(q, "connection: close\r\n\r\n"...)
		closePages[status] = append(q, p[i:]...)
	}
}

// indexHeadEnd returns the offset just past the CRLFCRLF ending a head.
func indexHeadEnd(p []byte) int {
	for i := 3; i < len(p); i++ {
		if p[i-3] == '\r' && p[i-2] == '\n' && p[i-1] == '\r' && p[i] == '\n' {
			return i + 1
		}
	}
	return len(p)
}
