package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hawser-lb/hawser/examples"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/echo"
	"github.com/hawser-lb/hawser/internal/proxy"
)

//go:embed index.html
var page []byte

// Config is the demo's configuration, examples/demo.cfg: the founding
// article's config with its three Host rules and its upgrade fallback,
// rewritten for loopback ports, plus one rule that sends plain requests for
// localhost to ws_s1 so that a browser can load the page. ${PORT} and
// ${S1}..${S3} are filled in by Run.
var Config = examples.Demo

// Options for Run.
type Options struct {
	// Port is hawser's listening port on 127.0.0.1 (0 picks a free one).
	Port int
	// Out receives the instructions and hawser's traffic log.
	Out io.Writer
	// Ready, when set, receives hawser's address once it listens.
	Ready func(addr string)
}

// Run starts three echo backends and hawser in front of them, prints how
// to try them, and serves until ctx ends.
func Run(ctx context.Context, opt Options) error {
	var backends []*echo.Server
	defer func() {
		for _, b := range backends {
			b.Close()
		}
	}()
	env := map[string]string{"PORT": fmt.Sprint(opt.Port)}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("servers%d", i)
		b, err := echo.Start(name, "127.0.0.1:0", bytes.ReplaceAll(page, []byte("{{SERVER}}"), []byte(name)))
		if err != nil {
			return err
		}
		backends = append(backends, b)
		env[fmt.Sprintf("S%d", i)] = b.Addr()
	}
	cfg, err := config.Parse([]config.Source{{Name: "demo.cfg", Data: []byte(Config)}}, config.ParseOptions{
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	if err != nil {
		return err
	}
	e, err := proxy.New(cfg, proxy.Options{})
	if err != nil {
		return err
	}
	if err := e.Start(); err != nil {
		return err
	}
	addr := e.Addrs()["http"][0]
	port := addr[strings.LastIndex(addr, ":")+1:]
	fmt.Fprintf(opt.Out, `hawser demo is running: three echo backends behind hawser on %s

  browser:   http://localhost:%[2]s/          (the page opens a WebSocket through hawser)
             http://wss2.localhost:%[2]s/     (Host rules pick the backend)
  curl:      curl -H 'Host: wss3.dy.localhost' http://127.0.0.1:%[2]s/?name   -> 503 (no rule matches, as in HAProxy)
             curl -H 'Host: wss2.localhost' http://127.0.0.1:%[2]s/?name      -> servers2
  websocket: any upgrade request with an unknown Host falls to the first upgrade rule (ws_s1)

Traffic is logged below in HAProxy's httplog format. Press Ctrl-C to stop.

`, addr, port)
	if opt.Ready != nil {
		opt.Ready(addr)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.Shutdown(sctx)
}
