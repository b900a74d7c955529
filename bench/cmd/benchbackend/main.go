// Command benchbackend runs the benchmark suite's backend pool: one HTTP
// and WebSocket echo server per -listen address, until SIGTERM, SIGINT or
// the end of its standard input (so that it never outlives the suite).
//
//	benchbackend -listen 127.0.0.1:21001,127.0.0.1:21002
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hawser-lb/hawser/bench/backend"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:21001,127.0.0.1:21002", "comma-separated addresses")
	flag.Parse()
	p, err := backend.Listen(strings.Split(*listen, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchbackend:", err)
		os.Exit(1)
	}
	fmt.Println("ready", strings.Join(p.Addrs(), ","))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(eof)
	}()
	select {
	case <-stop:
	case <-eof:
	}
	p.Close()
}
