// Command frozenbackend is a minimal HTTP backend that runs in its own
// process, so that a test can freeze it with SIGSTOP (a hung server whose
// kernel still accepts connections) and thaw it with SIGCONT.
//
// It listens on 127.0.0.1:0, prints "listening ADDR" on stdout, and
// answers every request with 200 "ok".
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
