package config

import (
	"errors"
	"fmt"
	"strings"
)

// Pos is where a statement was read: a file name and a 1-based line.
type Pos struct {
	File string
	Line int
}

// String formats the position as FILE:LINE, the prefix of every config
// error.
func (p Pos) String() string {
	if p.File == "" && p.Line == 0 {
		return "<builtin>"
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Error is a problem found in a config file, at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errorf builds an *Error at pos. Other packages use it so that errors found
// while compiling a config (ACLs, balance algorithms) carry the same
// FILE:LINE prefix as parse errors.
func Errorf(pos Pos, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// At wraps err, found while handling the statement at pos, into an *Error.
// An err that already is an *Error or an ErrorList is returned unchanged.
func At(pos Pos, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	var el ErrorList
	if errors.As(err, &ce) || errors.As(err, &el) {
		return err
	}
	return &Error{Pos: pos, Msg: err.Error()}
}

// ErrorList collects every error of a file, so that one run of `hawser -c`
// reports all of them, as haproxy -c does.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns nil for an empty list, the list otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Warning is a suspicious statement that hawser accepts, as HAProxy does
// (for example a backend-only setting in a frontend, which is ignored).
type Warning struct {
	Pos Pos
	Msg string
}

func (w Warning) String() string { return w.Pos.String() + ": " + w.Msg }
