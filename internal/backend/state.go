package backend

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hawser-lb/hawser/internal/config"
)

// Server state files (`server-state-file`, `load-server-state-from-file`):
// the output of `show servers state`, saved before a restart, gives the
// new process the states and weights the operator set at run time, as in
// HAProxy. (A reload in process keeps them without a file.)

// stateFile returns the state file of backend px, or "".
func stateFile(px *config.Proxy, g *config.Global) string {
	var name string
	switch px.LoadServerState {
	case "global":
		name = g.ServerStateFile
	case "local":
		name = px.ServerStateFileName
		if name == "" || name == "use-backend-name" {
			name = px.Name
		}
	default:
		return ""
	}
	if name == "" {
		return ""
	}
	if !filepath.IsAbs(name) && g.ServerStateBase != "" {
		name = filepath.Join(g.ServerStateBase, name)
	}
	return name
}

// LoadState applies the saved states of b's servers from its state file,
// if it has one. A missing file is not an error (first start), as in
// HAProxy; a malformed line is skipped.
func (b *Backend) LoadState(g *config.Global) error {
	path := stateFile(b.Config, g)
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backend '%s': server state file: %w", b.Name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 9 || strings.HasPrefix(fields[0], "#") || fields[1] != b.Name {
			continue
		}
		srv := b.Server(fields[3])
		if srv == nil {
			continue
		}
		op, err1 := strconv.Atoi(fields[5])
		admin, err2 := strconv.Atoi(fields[6])
		uweight, err3 := strconv.Atoi(fields[7])
		iweight, err4 := strconv.Atoi(fields[8])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			continue
		}
		// Forced maintenance and drain come back; configuration states
		// come from the configuration.
		srv.SetAdmin(AdminForcedMaint, uint32(admin)&AdminForcedMaint != 0)
		srv.SetAdmin(AdminForcedDrain, uint32(admin)&AdminForcedDrain != 0)
		if uint32(op) == OpStopped && srv.Config().Params.Check {
			srv.SetOp(OpStopped)
		}
		// A runtime weight applies while the configured weight is the one
		// it was set against.
		if iweight == srv.Config().Params.Weight && uweight != iweight {
			b.LB.SetWeight(srv.LB, strconv.Itoa(uweight))
		}
	}
	return sc.Err()
}
