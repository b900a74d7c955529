package config

// check validates what needs the whole configuration: references between
// sections, unique names and IDs. It also assigns automatic IDs.
func (p *parser) check() {
	used := map[int]*Proxy{}
	for _, px := range p.cfg.Proxies {
		if px.ID == 0 {
			continue
		}
		if o := used[px.ID]; o != nil {
			p.errorf(px.Pos, "%s '%s' has the same ID (%d) as %s '%s' declared at %s", px.Cap.Section(), px.Name, px.ID, o.Cap.Section(), o.Name, o.Pos)
		}
		used[px.ID] = px
	}
	// HAProxy creates its CLI proxy ("GLOBAL") first when the global
	// section declares a stats socket, and it takes ID 1: observed on 2.6,
	// the first frontend is iid 2 with a stats socket and 1 without.
	next := 1
	if len(p.cfg.Global.StatsSockets) > 0 {
		used[1] = &Proxy{Name: "GLOBAL"}
	}
	for _, px := range p.cfg.Proxies {
		if px.ID != 0 {
			continue
		}
		for used[next] != nil {
			next++
		}
		px.ID = next
		used[next] = px
	}
	for _, px := range p.cfg.Proxies {
		p.checkProxy(px)
	}
}

func (p *parser) checkProxy(px *Proxy) {
	if px.Cap&CapFrontend != 0 {
		for _, ub := range px.UseBackends {
			p.checkBackendRef(px, ub.Pos, "use_backend", ub.Backend)
		}
		if px.DefaultBackend != "" {
			p.checkBackendRef(px, px.DefaultBackendPos, "default_backend", px.DefaultBackend)
		}
		if len(px.Binds) == 0 && !px.Disabled {
			p.warnf(px.Pos, "%s '%s' has no 'bind' directive: it receives no traffic", px.Cap.Section(), px.Name)
		}
		if px.Timeouts.Client == 0 {
			p.warnf(px.Pos, "missing timeout 'client' for %s '%s': client inactivity is never detected", px.Cap.Section(), px.Name)
		}
	}
	if px.Cap&CapBackend != 0 {
		if len(px.HTTPChecks) > 0 && px.HTTPChk == nil {
			p.warnf(px.Pos, "'%s %s' uses http-check rules without 'option httpchk', so the rules are ignored", px.Cap.Section(), px.Name)
		}
		if px.Timeouts.Connect == 0 || px.Timeouts.Server == 0 {
			p.warnf(px.Pos, "missing timeouts 'connect' or 'server' for %s '%s': a dead server may hold requests forever", px.Cap.Section(), px.Name)
		}
		p.checkServers(px)
	}
	if px.Cap == CapBackend && len(px.ACLs) > 0 {
		// Backend ACLs are only useful to backend rules, which hawser does
		// not have yet; HAProxy accepts them silently.
		p.warnf(px.ACLs[0].Pos, "backend '%s' declares ACLs but has no rule that uses them", px.Name)
	}
}

func (p *parser) checkBackendRef(px *Proxy, pos Pos, kw, name string) {
	be := p.cfg.Backend(name)
	if be == nil {
		p.errorf(pos, "unable to find required %s: '%s'", kw, name)
		return
	}
	if px.Mode == ModeHTTP && be.Mode != ModeHTTP {
		p.errorf(pos, "%s '%s' (mode http) cannot use backend '%s' (mode tcp)", px.Cap.Section(), px.Name, be.Name)
	}
	if be.Disabled {
		p.warnf(pos, "%s '%s': backend '%s' is disabled; requests routed there get 503", px.Cap.Section(), px.Name, be.Name)
	}
}

// checkServers enforces unique server names and IDs and assigns automatic
// IDs in declaration order (HAProxy's puid, which consistent hashing uses).
func (p *parser) checkServers(px *Proxy) {
	names := map[string]*Server{}
	ids := map[int]*Server{}
	for _, s := range px.Servers {
		if o := names[s.Name]; o != nil {
			p.errorf(s.Pos, "backend '%s' has the same server name '%s' declared at %s", px.Name, s.Name, o.Pos)
		}
		names[s.Name] = s
		if s.Params.ID != 0 {
			if o := ids[s.Params.ID]; o != nil {
				p.errorf(s.Pos, "server '%s/%s' has the same ID (%d) as server '%s' declared at %s", px.Name, s.Name, s.Params.ID, o.Name, o.Pos)
			}
			ids[s.Params.ID] = s
		}
	}
	next := 1
	for _, s := range px.Servers {
		if s.Params.ID != 0 {
			continue
		}
		for ids[next] != nil {
			next++
		}
		s.Params.ID = next
		ids[next] = s
	}
}
