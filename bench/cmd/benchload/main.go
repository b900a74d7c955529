// Command benchload is the benchmark suite's load client. The suite runs
// it as a child process and talks to it over stdin/stdout, so that it can
// read the proxy's CPU time exactly around the measured phase:
//
//	benchload -mode ws|handshake|bulk|http -addr HOST:PORT [flags]
//	  prints "ready" once its connections are open, waits for "go" on
//	  stdin, runs, prints the result as one JSON line, closes, exits.
//
//	benchload -mode idle -addr HOST:PORT
//	  reads commands: "grow N" (hold N WebSockets, answers "held N" or
//	  "error ..."), "quit" (close them all and exit; also on end of input).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/bench/load"
)

func main() {
	mode := flag.String("mode", "ws", "ws, handshake, bulk, http or idle")
	addr := flag.String("addr", "127.0.0.1:21010", "the proxy or backend to load")
	conns := flag.Int("conns", 100, "connections (ws, http) or concurrent loops (handshake)")
	size := flag.Int("size", 64, "message size in bytes")
	dur := flag.Duration("duration", 5*time.Second, "length of the measured phase")
	maxOps := flag.Int64("max-ops", 0, "stop after this many operations (0: duration only)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	in := bufio.NewScanner(os.Stdin)
	var err error
	if *mode == "idle" {
		err = runIdle(ctx, *addr, in)
	} else {
		err = runMode(ctx, *mode, load.Options{Addr: *addr, Conns: *conns, Size: *size, Duration: *dur, MaxOps: *maxOps}, in)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchload:", err)
		os.Exit(1)
	}
}

func runMode(ctx context.Context, name string, o load.Options, in *bufio.Scanner) error {
	m, err := load.New(name, o)
	if err != nil {
		return err
	}
	defer m.Close()
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := m.Setup(setup); err != nil {
		return err
	}
	fmt.Println("ready")
	if !in.Scan() || in.Text() != "go" {
		return fmt.Errorf("expected \"go\" on stdin")
	}
	r, err := m.Run(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

// maxIdle bounds the WebSockets one client holds (the file limit is
// 20,000 per process here).
const maxIdle = 19000

func runIdle(ctx context.Context, addr string, in *bufio.Scanner) error {
	h := load.NewIdle(addr)
	defer h.Close()
	for in.Scan() {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(in.Text()), " ")
		switch cmd {
		case "quit":
			return nil
		case "grow":
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 || n > maxIdle {
				fmt.Printf("error bad count %q\n", arg)
				continue
			}
			grow, cancel := context.WithTimeout(ctx, 2*time.Minute)
			err = h.Grow(grow, n)
			cancel()
			if err != nil {
				fmt.Printf("error %v\n", err)
				continue
			}
			fmt.Printf("held %d\n", h.Len())
		default:
			fmt.Printf("error unknown command %q\n", cmd)
		}
	}
	return in.Err()
}
