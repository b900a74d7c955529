package h1

import "errors"

// ErrIncomplete is returned by ParseRequest and ParseResponse when the
// buffer does not hold a complete head yet and nothing seen so far is
// invalid: the caller reads more bytes and parses again from the start.
var ErrIncomplete = errors.New("h1: incomplete message head")

// Error is a protocol violation found in a message head or body. Status is
// the status code the proxy answers with; Msg names the violated rule, for
// logs. Parsers return pre-allocated *Error values, so failing costs no
// allocation either.
type Error struct {
	// Status is the HTTP status to answer: 400 for a malformed request,
	// 501 for an unimplemented transfer coding, 505 for an unsupported
	// HTTP version, 502 for an invalid response.
	Status int
	// Msg says which rule was violated.
	Msg string
}

// Error implements the error interface.
func (e *Error) Error() string { return "h1: " + e.Msg }

// MaxHeadLen is the largest head, leading empty lines included, that
// ParseRequest and ParseResponse accept; a longer head fails with
// ErrHeadTooLarge, as soon as MaxHeadLen bytes without the end of the head
// are buffered. It is HAProxy's default tune.bufsize (16384) less
// tune.maxrewrite (1024), the room HAProxy leaves for header rewriting.
// (HAProxy 2.6 itself refused heads above about 15,280 bytes, its internal
// representation taking the rest.) The caller's read buffer must hold at
// least MaxHeadLen bytes.
const MaxHeadLen = 16384 - 1024

// MaxHeaders is the largest number of header field lines in a head (and of
// trailer field lines after a chunked body). HAProxy's tune.http.maxhdr is
// 101 and, observed on 2.6.12, 100 header lines pass while 101 get a 400
// (502 for a response).
const MaxHeaders = 100

// Limits bounds a head: HAProxy's tune.bufsize less tune.maxrewrite
// (HeadLen, bytes) and tune.http.maxhdr less one (Fields, header lines;
// trailer lines for a chunked body). Both must be positive.
type Limits struct {
	HeadLen, Fields int
}

// DefaultLimits are HAProxy's defaults: MaxHeadLen and MaxHeaders.
var DefaultLimits = Limits{HeadLen: MaxHeadLen, Fields: MaxHeaders}

// ErrHeadTooLarge is returned (for a request; a response gets the
// equivalent 502 *Error) when the head exceeds MaxHeadLen. HAProxy 2.6
// answers 400, not 431 (observed on 2.6.12 with a 16,400-byte header
// field), so Status is 400.
var ErrHeadTooLarge = reqErrs[ruleHeadTooLarge]

// rule identifies a violated rule; it indexes ruleMsgs, reqErrs and
// respErrs.
type rule uint8

const (
	ruleNone rule = iota
	ruleHeadTooLarge
	ruleBareLF
	ruleBareCR
	ruleLeadingWhitespace
	ruleMethod
	ruleTargetChar
	ruleTargetFragment
	ruleTargetEmpty
	ruleTargetForm
	ruleTargetAuthority
	ruleTargetPercent
	ruleMissingVersion
	ruleVersion
	ruleVersionUnsupported
	ruleStatus
	ruleStatusRange
	ruleReason
	ruleObsFold
	ruleFieldNameEmpty
	ruleFieldNameChar
	ruleFieldNameSpace
	ruleFieldNoColon
	ruleFieldValueNUL
	ruleFieldValueChar
	ruleTooManyFields
	ruleCLInvalid
	ruleCLConflict
	ruleCLWithTE
	ruleTEEmpty
	ruleTEChunkedNotLast
	ruleTEChunkedTwice
	ruleTEUnsupported
	ruleTEHTTP10
	ruleTrailerFraming
	ruleHostDuplicate
	ruleHostInvalid
	ruleHostMismatch
	ruleWebSocketKey
	ruleWebSocketKeyDuplicate
	ruleChunkSize
	ruleChunkSizeOverflow
	ruleChunkLineTooLong
	ruleChunkExtChar
	ruleChunkDataCRLF
	ruleTrailerTooLarge
	numRules
)

var ruleMsgs = [numRules]string{
	ruleNone:                  "no error",
	ruleHeadTooLarge:          "message head too large",
	ruleBareLF:                "line ends with bare LF",
	ruleBareCR:                "bare CR not followed by LF",
	ruleLeadingWhitespace:     "whitespace before the first header field",
	ruleMethod:                "invalid method",
	ruleTargetChar:            "invalid character in request-target",
	ruleTargetFragment:        "fragment in request-target",
	ruleTargetEmpty:           "empty request-target or extra SP in request line",
	ruleTargetForm:            "request-target form not allowed for this method",
	ruleTargetAuthority:       "invalid authority in request-target",
	ruleTargetPercent:         "invalid percent-encoding in path",
	ruleMissingVersion:        "request line without HTTP version",
	ruleVersion:               "malformed HTTP version",
	ruleVersionUnsupported:    "unsupported HTTP major version",
	ruleStatus:                "malformed status line",
	ruleStatusRange:           "status code outside 100-599",
	ruleReason:                "invalid character in reason phrase",
	ruleObsFold:               "obsolete line folding",
	ruleFieldNameEmpty:        "empty field name",
	ruleFieldNameChar:         "invalid character in field name",
	ruleFieldNameSpace:        "whitespace between field name and colon",
	ruleFieldNoColon:          "field line without colon",
	ruleFieldValueNUL:         "NUL in field value",
	ruleFieldValueChar:        "invalid control character in field value",
	ruleTooManyFields:         "too many header fields",
	ruleCLInvalid:             "invalid Content-Length",
	ruleCLConflict:            "conflicting Content-Length values",
	ruleCLWithTE:              "both Content-Length and Transfer-Encoding",
	ruleTEEmpty:               "empty Transfer-Encoding element",
	ruleTEChunkedNotLast:      "chunked is not the final transfer coding",
	ruleTEChunkedTwice:        "chunked transfer coding applied twice",
	ruleTEUnsupported:         "unsupported transfer coding",
	ruleTEHTTP10:              "Transfer-Encoding in an HTTP/1.0 message",
	ruleTrailerFraming:        "Trailer names a framing field",
	ruleHostDuplicate:         "more than one Host field",
	ruleHostInvalid:           "invalid Host value",
	ruleHostMismatch:          "Host differs from request-target authority",
	ruleWebSocketKey:          "WebSocket upgrade without a 24-character Sec-WebSocket-Key",
	ruleWebSocketKeyDuplicate: "more than one Sec-WebSocket-Key field",
	ruleChunkSize:             "invalid chunk size line",
	ruleChunkSizeOverflow:     "chunk size too large",
	ruleChunkLineTooLong:      "chunk size line too long",
	ruleChunkExtChar:          "invalid character in chunk extension",
	ruleChunkDataCRLF:         "chunk data not followed by CRLF",
	ruleTrailerTooLarge:       "trailer section too large",
}

// reqErrs and respErrs hold one pre-allocated *Error per rule, with the
// status a proxy answers for a bad request and for a bad response.
var reqErrs, respErrs = makeErrs()

func makeErrs() (req, resp [numRules]*Error) {
	for r := range numRules {
		status := 400
		switch r {
		case ruleVersionUnsupported:
			// RFC 9110 §15.6.6.
			status = 505
		case ruleTEUnsupported:
			// RFC 9112 §6.1: a server that receives a transfer coding it
			// does not understand SHOULD respond with 501.
			status = 501
		}
		req[r] = &Error{Status: status, Msg: ruleMsgs[r]}
		// RFC 9110 §15.6.3: a gateway that receives an invalid response
		// answers 502.
		resp[r] = &Error{Status: 502, Msg: ruleMsgs[r]}
	}
	return req, resp
}
