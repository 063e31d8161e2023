package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/usage"
)

// followWindow is how long after a burst successful calls from its
// addresses are reported with it.
const followWindow = time.Hour

// burst is a run of denied calls of one principal.
type burst struct {
	principal  string
	calls      []denial
	start, end time.Time
	// newAddrs are the burst's addresses the principal had not used before
	// it.
	newAddrs []string
	// follow are successful calls from the burst's addresses in the hour
	// after it, grouped by event; followed counts them.
	follow   []EventRef
	followed int64
}

func (b *burst) addrs() []string {
	var out []string
	for _, d := range b.calls {
		if d.ip != "" && !slices.Contains(out, d.ip) {
			out = append(out, d.ip)
		}
	}
	slices.Sort(out)
	return out
}

// findBursts finds the bursts of denied calls in the activity log and the
// successful calls that followed them.
func (r *reviewer) findBursts() error {
	r.bursts = map[string][]*burst{}
	if !r.facts.events {
		return nil
	}
	for principal, ds := range r.facts.denied {
		var cur []denial
		flush := func() {
			if len(cur) >= r.opts.BurstThreshold {
				b := &burst{principal: principal, calls: cur, start: cur[0].t, end: cur[len(cur)-1].t}
				for _, a := range b.addrs() {
					if first, ok := r.facts.addrFirst[principal][a]; ok && !first.Before(b.start.Add(-r.opts.BurstGap)) {
						b.newAddrs = append(b.newAddrs, a)
					}
				}
				r.bursts[principal] = append(r.bursts[principal], b)
			}
			cur = nil
		}
		for _, d := range ds {
			if len(cur) > 0 && d.t.Sub(cur[len(cur)-1].t) > r.opts.BurstGap {
				flush()
			}
			cur = append(cur, d)
		}
		flush()
	}
	if len(r.bursts) == 0 {
		return nil
	}
	type key struct {
		burst *burst
		event string
	}
	groups := map[key]*EventRef{}
	err := r.in.Events(func(a *usage.Activity) error {
		if a.ErrorCode != "" {
			return nil
		}
		for _, b := range r.bursts[a.Principal] {
			t := a.Time.UTC()
			if t.Before(b.start) || t.After(b.end.Add(followWindow)) || !slices.Contains(b.addrs(), a.SourceIP) {
				continue
			}
			b.followed++
			ev := eventName(a.EventSource, a.EventName)
			g := groups[key{b, ev}]
			if g == nil {
				g = &EventRef{Time: t, Event: ev, Principal: a.Principal, SourceIP: a.SourceIP, UserAgent: a.UserAgent, AccessKey: a.AccessKeyID}
				groups[key{b, ev}] = g
			}
			g.Count++
			if t.Before(g.Time) {
				g.Time = t
			}
			if len(g.Resources) < 5 {
				for _, res := range a.Resources {
					if !slices.Contains(g.Resources, res) && len(g.Resources) < 5 {
						g.Resources = append(g.Resources, res)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("review: read activity log: %w", err)
	}
	for k, g := range groups {
		k.burst.follow = append(k.burst.follow, *g)
	}
	for _, bs := range r.bursts {
		for _, b := range bs {
			sortRefs(b.follow)
		}
	}
	return nil
}

// reviewBursts reports the bursts of denied calls: from the activity log
// when there is one, else per day from the usage index.
func (r *reviewer) reviewBursts() {
	principals := make([]string, 0, len(r.bursts))
	for p := range r.bursts {
		principals = append(principals, p)
	}
	slices.Sort(principals)
	for _, arn := range principals {
		bs := r.bursts[arn]
		slices.SortFunc(bs, func(a, b *burst) int { return a.start.Compare(b.start) })
		kind, name := r.kindOf(arn)
		p := r.principal(arn, kind, name)
		p.reason("burst of denied calls")
		sev := SeverityHigh
		var total int
		for _, b := range bs {
			total += len(b.calls)
			if len(b.newAddrs) > 0 && b.followed > 0 {
				sev = SeverityCritical
			}
		}
		b := bs[0]
		f := newFinding(RuleDeniedBurst, arn, "", sev, ruleTitle(RuleDeniedBurst))
		summary := fmt.Sprintf("%d calls were refused within %s on %s", len(b.calls), b.end.Sub(b.start).Round(time.Second), dayString(b.start))
		if addrs := b.addrs(); len(addrs) > 0 {
			summary += " from " + strings.Join(addrs, ", ")
		}
		if len(b.newAddrs) > 0 {
			summary += fmt.Sprintf(", %s the principal had not used before", plural(len(b.newAddrs), "an address", "addresses"))
		}
		if b.followed > 0 {
			var evs []string
			for _, e := range b.follow {
				evs = append(evs, fmt.Sprintf("%s ×%d", e.Event, e.Count))
			}
			summary += fmt.Sprintf("; %d successful calls from the same address followed within an hour (%s)", b.followed, strings.Join(evs, ", "))
		}
		if len(bs) > 1 {
			summary += fmt.Sprintf("; %d bursts in all, %d refused calls", len(bs), total)
		}
		f.Evidence = Evidence{Summary: summary + "."}
		for i, b := range bs {
			if i == 5 {
				f.Evidence.fact("more bursts", fmt.Sprint(len(bs)-5))
				break
			}
			f.Evidence.fact(fmt.Sprintf("burst %d", i+1), r.burstFact(b))
		}
		for _, d := range b.calls[:min(len(b.calls), 10)] {
			f.Evidence.Events = append(f.Evidence.Events, EventRef{Time: d.t, Event: d.event, Principal: d.principal, Account: d.account,
				SessionName: d.session, AccessKey: d.key, SourceIP: d.ip, UserAgent: d.ua, ErrorCode: d.code, EventID: d.evid})
		}
		f.Evidence.Events = append(f.Evidence.Events, b.follow...)
		sortRefs(f.Evidence.Events)
		f.Remedy = r.burstRemedy(p, b)
		p.add(f)
	}
	if r.facts.events {
		return
	}
	// Without an activity log: denied calls per day from the index.
	daily := make([]string, 0, len(r.facts.deniedDaily))
	for p := range r.facts.deniedDaily {
		daily = append(daily, p)
	}
	slices.Sort(daily)
	for _, arn := range daily {
		var hot []time.Time
		var n int64
		for day, c := range r.facts.deniedDaily[arn] {
			if c >= int64(r.opts.BurstThreshold) {
				hot = append(hot, day)
				n += c
			}
		}
		if len(hot) == 0 {
			continue
		}
		slices.SortFunc(hot, time.Time.Compare)
		kind, name := r.kindOf(arn)
		p := r.principal(arn, kind, name)
		p.reason("many denied calls in a day")
		f := newFinding(RuleDeniedBurst, arn, "", SeverityMedium, ruleTitle(RuleDeniedBurst))
		f.Evidence = Evidence{Summary: fmt.Sprintf("%d calls were refused on %d %s with %d or more refusals; an activity log would tell how close together they came.",
			n, len(hot), plural(len(hot), "day", "days"), r.opts.BurstThreshold)}
		for _, d := range hot {
			f.Evidence.fact(dayString(d), fmt.Sprintf("%d denied", r.facts.deniedDaily[arn][d]))
		}
		f.Remedy = Remedy{Summary: "Find out what the principal tried and from where: ingest the logs with --events and run tailor activity."}
		p.add(f)
	}
}

func (r *reviewer) burstFact(b *burst) string {
	events := map[string]int{}
	var names []string
	agents, keys := map[string]bool{}, map[string]bool{}
	for _, d := range b.calls {
		if events[d.event] == 0 {
			names = append(names, d.event)
		}
		events[d.event]++
		agents[d.ua] = true
		if d.key != "" {
			keys[d.key] = true
		}
	}
	slices.Sort(names)
	s := fmt.Sprintf("%s to %s, %d refused calls of %d actions (%s)", b.start.Format(time.RFC3339), b.end.Format(time.RFC3339),
		len(b.calls), len(names), strings.Join(names, ", "))
	if addrs := b.addrs(); len(addrs) > 0 {
		s += "; from " + strings.Join(addrs, ", ")
	}
	if len(keys) > 0 {
		s += "; keys " + strings.Join(sortedKeys(keys), ", ")
	}
	if len(agents) > 0 {
		s += "; agents " + strings.Join(sortedKeys(agents), " | ")
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (r *reviewer) burstRemedy(p *Principal, b *burst) Remedy {
	rem := Remedy{Commands: r.activityCommands(p.ARN, nil)}
	rem.Commands[0] += " --since " + b.start.Add(-24*time.Hour).Format(time.RFC3339)
	switch p.Kind {
	case KindUser:
		var key string
		for _, d := range b.calls {
			if strings.HasPrefix(d.key, "AKIA") {
				key = d.key
				break
			}
		}
		rem.Summary = "Treat the key as stolen unless its owner made these calls: deactivate it, give the owner a new one, and review what the successful calls read."
		if key != "" {
			rem.AccessKey = &KeyRef{User: p.Name, ID: key}
			rem.Commands = append([]string{
				fmt.Sprintf("aws iam update-access-key --user-name %s --access-key-id %s --status Inactive", p.Name, key),
				"aws iam create-access-key --user-name " + p.Name,
			}, rem.Commands...)
		}
	case KindRole:
		rem.Summary = "Unless the party that assumes the role made these calls, revoke the role's active sessions (an inline policy that denies tokens issued before now) and ask the party how its credentials were used."
		rem.Commands = append([]string{fmt.Sprintf(
			`aws iam put-role-policy --role-name %s --policy-name AWSRevokeOlderSessions --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"<NOW-IN-RFC3339>"}}}]}'`,
			p.Name)}, rem.Commands...)
	default:
		rem.Summary = "Find out who made these calls and from where."
	}
	return rem
}
