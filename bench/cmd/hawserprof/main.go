// Command hawserprof runs hawser's engine (the same internal/proxy code as
// cmd/hawser, without the stats socket, daemon and privilege handling)
// with pprof profiling, to see where a benchmark's CPU and allocations go:
//
//	hawserprof -f bench.cfg -cpuprofile cpu.pprof -memprofile mem.pprof
//
// It serves until SIGTERM or SIGINT, then writes the profiles. With
// -stats ADDR it also serves net/http/pprof on ADDR (loopback only).
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // the -stats endpoint
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
)

func main() {
	cfgFile := flag.String("f", "", "configuration file")
	cpuOut := flag.String("cpuprofile", "", "write a CPU profile here")
	memOut := flag.String("memprofile", "", "write an allocation profile here")
	stats := flag.String("stats", "", "serve net/http/pprof on this loopback address")
	rate := flag.Int("memrate", 0, "runtime.MemProfileRate (0: default)")
	flag.Parse()
	if *rate > 0 {
		runtime.MemProfileRate = *rate
	}
	if err := run(*cfgFile, *cpuOut, *memOut, *stats); err != nil {
		fmt.Fprintln(os.Stderr, "hawserprof:", err)
		os.Exit(1)
	}
}

func run(cfgFile, cpuOut, memOut, stats string) error {
	cfg, err := config.ParseFiles([]string{cfgFile})
	if err != nil {
		return err
	}
	e, err := proxy.New(cfg, proxy.Options{})
	if err != nil {
		return err
	}
	if cpuOut != "" {
		f, err := os.Create(cpuOut)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if err := e.Start(); err != nil {
		return err
	}
	if stats != "" {
		ln, err := net.Listen("tcp", stats)
		if err != nil {
			return err
		}
		srv := &http.Server{ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
	}
	fmt.Println("ready")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	<-ctx.Done()
	stop()
	if memOut != "" {
		f, err := os.Create(memOut)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.Shutdown(sctx)
}
