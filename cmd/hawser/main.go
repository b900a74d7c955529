// Command hawser is a load balancer and reverse proxy for HTTP and
// WebSocket traffic that reads HAProxy's configuration language.
//
// Usage follows haproxy's command line where haproxy has a flag:
//
//	hawser -f FILE [-f FILE...] [-c] [-d | -db | -D] [-p PIDFILE] [-q]
//	hawser -v
//	hawser demo [-port N]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/hawser-lb/hawser/internal/demo"
)

// Version is hawser's version; the build may override it with
// -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// flags are the command-line options, named after haproxy's.
type flags struct {
	files     []string
	check     bool   // -c
	debug     bool   // -d
	fg        bool   // -db
	daemon    bool   // -D
	quiet     bool   // -q
	pidfile   string // -p
	version   bool   // -v, -vv
	daemonKid bool   // internal: this process is the detached child
	softStop  []int  // -sf: PIDs to soft-stop once listening
	hardStop  []int  // -st: PIDs to stop once listening
	xfer      string // -x: a predecessor's stats socket to take listeners from
	master    bool   // -W: master-worker mode
	notify    bool   // -Ws: master-worker with systemd notifications
}

const usage = `Usage: hawser -f <cfgfile|cfgdir> [-f ...] [options]
       hawser demo [-port N]
Options:
  -f <file|dir>  read a configuration file (or the *.cfg files of a directory); may be repeated
  -c             check the configuration and exit (0: valid, 1: errors)
  -d             debug: stay in the foreground and print each request and response head on stderr
  -db            stay in the foreground even if 'daemon' is set
  -D             run in the background (like 'daemon')
  -p <file>      write the process ID to <file> (like 'pidfile')
  -q             quiet: do not print warnings
  -W             master-worker mode: a master process supervises the worker and reloads
                 by starting a new worker on SIGHUP/SIGUSR2
  -Ws            master-worker mode with systemd notifications (Type=notify)
  -sf <pid>...   once listening, soft-stop these processes (SIGUSR1): they finish their work and exit
  -st <pid>...   once listening, stop these processes (SIGTERM)
  -x <socket>    take the listening sockets of a running hawser from its stats socket
                 ('stats socket … level admin expose-fd listeners'), so no connection is refused
  -v, -vv        print the version
  --             the remaining arguments are configuration files
`

func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("option %s expects an argument", a)
			}
			i++
			return args[i], nil
		}
		var err error
		switch a {
		case "-f":
			var v string
			if v, err = next(); err == nil {
				f.files = append(f.files, v)
			}
		case "-c":
			f.check = true
		case "-d":
			f.debug = true
		case "-db":
			f.fg = true
		case "-D":
			f.daemon = true
		case "-q":
			f.quiet = true
		case "-p":
			f.pidfile, err = next()
		case "-v", "-vv", "--version":
			f.version = true
		case "--":
			f.files = append(f.files, args[i+1:]...)
			i = len(args)
		case "-h", "--help", "-help":
			return nil, errUsage
		case "-sf", "-st":
			// The PIDs follow until the next option.
			var pids []int
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				pid, err := strconv.Atoi(args[i])
				if err != nil || pid <= 0 {
					return nil, fmt.Errorf("option %s expects process IDs, got '%s'", a, args[i])
				}
				pids = append(pids, pid)
			}
			if a == "-sf" {
				f.softStop = append(f.softStop, pids...)
			} else {
				f.hardStop = append(f.hardStop, pids...)
			}
		case "-x":
			f.xfer, err = next()
		case "-W":
			f.master = true
		case "-Ws":
			f.master, f.notify = true, true
		case "-S":
			return nil, fmt.Errorf("option -S (master CLI) is not supported by hawser yet")
		case "-" + daemonChildFlag:
			f.daemonKid = true
		default:
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("unknown option '%s'", a)
			}
			// haproxy also takes trailing configuration files.
			f.files = append(f.files, a)
		}
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

var errUsage = errors.New("usage")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "demo" {
		return runDemo(args[1:], stdout, stderr)
	}
	f, err := parseFlags(args)
	if err == errUsage {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "hawser: %v\n%s", err, usage)
		return 1
	}
	if f.version {
		fmt.Fprintf(stdout, "hawser version %s (HAProxy %s configuration language)\n", Version, haproxyVersion)
		return 0
	}
	if len(f.files) == 0 {
		fmt.Fprintf(stderr, "hawser: no configuration file given (-f)\n%s", usage)
		return 1
	}
	return serve(f, stdout, stderr)
}

func runDemo(args []string, stdout, stderr io.Writer) int {
	port := 8080
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-port", "--port":
			if i+1 < len(args) {
				n, err := strconv.Atoi(args[i+1])
				if err != nil || n < 0 || n > 65535 {
					fmt.Fprintf(stderr, "hawser demo: invalid port %q\n", args[i+1])
					return 1
				}
				port = n
				i++
				continue
			}
			fmt.Fprintln(stderr, "hawser demo: -port expects a number")
			return 1
		default:
			fmt.Fprintf(stderr, "hawser demo: unknown option %q (usage: hawser demo [-port N])\n", args[i])
			return 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo.Run(ctx, demo.Options{Port: port, Out: stdout}); err != nil {
		fmt.Fprintf(stderr, "hawser demo: %v\n", err)
		return 1
	}
	return 0
}
