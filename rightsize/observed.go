package rightsize

import (
	"strings"
	"time"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/usage"
)

// observed is what the usage index says one principal did.
type observed struct {
	used     map[int32]*actionUse
	possible map[int32]*possibleUse
	denied   map[string]*deniedUse // by action name, or by event when unmapped
	// outside holds the last successful use of actions seen only outside
	// the window.
	outside  map[int32]time.Time
	unmapped map[string]*unmappedUse // by event ("prefix:EventName" as logged)
	// unmappedPrefixes are the IAM service prefixes of unmapped successful
	// calls.
	unmappedPrefixes map[string]bool
	// dataSources are the event sources of the principal's own data
	// events in the window.
	dataSources map[string]bool
}

// actionUse is the successful use of one action in the window.
type actionUse struct {
	calls       int64
	first, last time.Time
	events      map[string]bool
	// res holds the resources of the action's type the calls touched,
	// with the regions of the calls.
	res map[string]map[string]bool
	// bare holds the regions of calls that touched no resource of the
	// action's type (or whose resources were not all logged).
	bare map[string]bool
}

type possibleUse struct {
	calls  int64
	last   time.Time
	events map[string]bool
	reason string
}

type deniedUse struct {
	calls  int64
	last   time.Time
	events map[string]bool
}

type unmappedUse struct {
	calls int64
	last  time.Time
}

// groupKey identifies the rows of one (day, account, caller, event,
// region, parameters) group: they differ only by resource.
type groupKey struct {
	day                                          int64
	account, caller, source, name, region, param string
}

type group struct {
	total int64 // successful calls
	rows  []*usage.Row
	m     *mapped
}

// mapped is a catalog mapping with what the rightsizer needs of it
// resolved once: the ids of its actions and the event's name.
type mapped struct {
	by       catalog.MappedBy
	prefix   string
	event    string  // "prefix:EventName", as the report names it
	needed   []int32 // ids of the actions the call needed
	possible []int32 // ids of the actions it possibly needed
	reasons  []string
	// names are the needed actions' names; the event when unmapped.
	names []string
}

// rowRef is a call row with its mapping.
type rowRef struct {
	r *usage.Row
	m *mapped
}

// mapped resolves a catalog mapping.
func (x *actionIndex) mapped(m catalog.Mapping) *mapped {
	p := m.Prefix
	if p == "" {
		p = strings.TrimSuffix(m.EventSource, ".amazonaws.com")
	}
	out := &mapped{by: m.By, prefix: m.Prefix, event: p + ":" + m.EventName}
	for _, n := range m.Needed {
		if id, ok := x.lookup(n.Action); ok {
			out.needed = append(out.needed, id)
			out.names = append(out.names, n.Action)
		}
	}
	for _, n := range m.Possible {
		if id, ok := x.lookup(n.Action); ok {
			out.possible = append(out.possible, id)
			out.reasons = append(out.reasons, n.Reason)
		}
	}
	if len(out.names) == 0 {
		out.names = []string{out.event}
	}
	return out
}

// observe aggregates the call rows of one principal.
func (rs *Rightsizer) observe(rows []rowRef) *observed {
	o := &observed{
		used:             map[int32]*actionUse{},
		possible:         map[int32]*possibleUse{},
		denied:           map[string]*deniedUse{},
		outside:          map[int32]time.Time{},
		unmapped:         map[string]*unmappedUse{},
		unmappedPrefixes: map[string]bool{},
		dataSources:      map[string]bool{},
	}
	// First the resource rows, by group: most groups have none.
	groups := map[groupKey]*group{}
	for _, ref := range rows {
		r := ref.r
		if r.Resource == "" || r.Succeeded() <= 0 || !rs.cov.inWindow(r.Day) {
			continue
		}
		k := keyOf(r)
		g := groups[k]
		if g == nil {
			g = &group{m: ref.m}
			groups[k] = g
		}
		g.rows = append(g.rows, r)
	}
	for _, ref := range rows {
		r, m := ref.r, ref.m
		if r.Resource != "" {
			continue
		}
		in := rs.cov.inWindow(r.Day)
		succ := r.Succeeded()
		if !in {
			if succ > 0 {
				for _, id := range m.needed {
					if r.LastSeen.After(o.outside[id]) {
						o.outside[id] = r.LastSeen
					}
				}
			}
			continue
		}
		ev := m.event
		if r.Denied > 0 {
			for _, n := range m.names {
				d := o.denied[n]
				if d == nil {
					d = &deniedUse{events: map[string]bool{}}
					o.denied[n] = d
				}
				d.calls += r.Denied
				d.events[ev] = true
				if r.LastSeen.After(d.last) {
					d.last = r.LastSeen
				}
			}
		}
		if succ <= 0 {
			continue
		}
		if r.Data {
			o.dataSources[r.EventSource] = true
		}
		var g *group
		if len(groups) > 0 {
			g = groups[keyOf(r)]
		}
		if g != nil {
			g.total += succ
		}
		switch m.by {
		case catalog.NoPermission:
			continue
		case catalog.Unmapped:
			u := o.unmapped[ev]
			if u == nil {
				u = &unmappedUse{}
				o.unmapped[ev] = u
			}
			u.calls += succ
			if r.LastSeen.After(u.last) {
				u.last = r.LastSeen
			}
			if m.prefix != "" {
				o.unmappedPrefixes[m.prefix] = true
			}
			continue
		}
		for _, id := range m.needed {
			u := o.used[id]
			if u == nil {
				u = &actionUse{events: map[string]bool{}, res: map[string]map[string]bool{}, bare: map[string]bool{}}
				o.used[id] = u
			}
			if g == nil {
				// No call of the group touched a logged resource.
				u.bare[r.Region] = true
			}
			u.calls += succ
			u.events[ev] = true
			if u.first.IsZero() || r.FirstSeen.Before(u.first) {
				u.first = r.FirstSeen
			}
			if r.LastSeen.After(u.last) {
				u.last = r.LastSeen
			}
		}
		for i, id := range m.possible {
			p := o.possible[id]
			if p == nil {
				p = &possibleUse{events: map[string]bool{}, reason: m.reasons[i]}
				o.possible[id] = p
			}
			p.calls += succ
			p.events[ev] = true
			if r.LastSeen.After(p.last) {
				p.last = r.LastSeen
			}
		}
	}
	// Resources: per group and action, the resources of the action's type
	// the calls touched. When they account for fewer calls than succeeded,
	// some calls touched none that was logged: the action was also used
	// "bare", on resources unknown.
	cache := map[string]string{}
	for k, g := range groups {
		if g.total == 0 || g.m.by == catalog.Unmapped || g.m.by == catalog.NoPermission {
			continue
		}
		for _, id := range g.m.needed {
			u := o.used[id]
			var counted int64
			for _, r := range g.rows {
				if !rs.acts.relevant(id, r.Resource, cache) {
					continue
				}
				counted += r.Succeeded()
				regions := u.res[r.Resource]
				if regions == nil {
					regions = map[string]bool{}
					u.res[r.Resource] = regions
				}
				regions[k.region] = true
			}
			if counted < g.total {
				u.bare[k.region] = true
			}
		}
	}
	return o
}

func keyOf(r *usage.Row) groupKey {
	return groupKey{r.Day.Unix() / 86400, r.Account, r.CallerAccount, r.EventSource, r.EventName, r.Region, r.RequestParams}
}

// mapKey identifies a distinct call for the catalog mapping.
type mapKey struct{ source, name, params string }
