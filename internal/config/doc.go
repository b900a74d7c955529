// Package config reads HAProxy's configuration language into typed values.
//
// The pipeline has three steps, each in its own file:
//
//   - lexer.go splits a file into lines of words with HAProxy's quoting
//     rules (weak and strong quotes, backslash escapes, environment
//     variables inside double quotes) and positions;
//   - cond.go evaluates the .if/.elif/.else/.endif blocks;
//   - parse.go and the kw_*.go files turn the lines of each section into
//     the typed structs of types.go, applying defaults inheritance, and
//     check.go validates cross references.
//
// Every field of the typed structs names the HAProxy keyword that sets it
// and its default. Anything hawser does not implement is an error that says
// so: a config that parses is a config hawser runs as written.
//
// The package is pure: it reads files and environment variables, nothing
// else. It imports no runtime package; the proxy compiles the result into
// its own objects (ACL matchers, balancers, listeners).
package config
