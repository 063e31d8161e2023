package review

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
)

// sharedAddressSpace is RFC 6598's carrier-grade NAT range, which AWS uses
// inside VPCs and Lambda.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// inside reports whether a CloudTrail sourceIPAddress is inside the
// owner's networks: an address in --own-networks, a private, shared,
// loopback or link-local address, or no address at all (an AWS service
// name such as "AWS Internal" or "lambda.amazonaws.com").
func (r *reviewer) inside(source string) bool {
	addr, err := netip.ParseAddr(source)
	if err != nil {
		return true
	}
	addr = addr.Unmap()
	if addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsUnspecified() || sharedAddressSpace.Contains(addr) {
		return true
	}
	for _, p := range r.opts.OwnNetworks {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// reviewUsers reviews IAM users: keys used from outside make a user
// third-party; the credential report tells the age and use of every key.
func (r *reviewer) reviewUsers() {
	snap := r.in.Snapshot
	arns := map[string]bool{}
	for _, u := range snap.Users() {
		arns[u.ARN] = true
	}
	if cr := r.in.Credentials; cr != nil {
		for _, c := range cr.Credentials {
			if !c.Root() && c.ARN != "" {
				arns[c.ARN] = true
			}
		}
	}
	for arn := range r.facts.userUse {
		if r.own[tailor.ARNAccount(arn)] {
			arns[arn] = true
		}
	}
	sorted := make([]string, 0, len(arns))
	for a := range arns {
		sorted = append(sorted, a)
	}
	slices.Sort(sorted)
	for _, arn := range sorted {
		if r.ctx.Err() != nil {
			return
		}
		_, name := r.kindOf(arn)
		u := snap.User(arn)
		var p *Principal
		get := func() *Principal {
			if p == nil {
				p = r.principal(arn, KindUser, name)
			}
			return p
		}
		use := r.facts.userUse[arn]
		if out := r.outsideAddresses(arn, use); len(out) > 0 {
			pp := get()
			pp.ThirdParty = true
			pp.reason(fmt.Sprintf("access key used from %d %s outside the owner's networks", len(out), plural(len(out), "address", "addresses")))
			pp.add(r.outsideFinding(pp, use, out))
			var last time.Time
			for _, a := range use.addrs {
				last = later(last, a.last)
			}
			pp.LastUsed = later(pp.LastUsed, last)
		}
		if r.in.Credentials != nil {
			if c := r.in.Credentials.Lookup(arn); c != nil {
				for _, f := range r.keyFindings(arn, name, c, use) {
					get().add(f)
					get().reason("long-lived access keys")
				}
			}
		}
		if p != nil && p.ThirdParty && u != nil {
			r.privileges(p, account.Principal{Kind: account.KindUser, User: u})
			r.escalations(p, account.Principal{Kind: account.KindUser, User: u})
		}
	}
}

// outsideAddresses returns the addresses outside the owner's networks a
// user's calls came from, sorted.
func (r *reviewer) outsideAddresses(arn string, use *userUse) []string {
	if use == nil {
		return nil
	}
	var out []string
	for a := range use.addrs {
		if !r.inside(a) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

func (r *reviewer) outsideFinding(p *Principal, use *userUse, out []string) *Finding {
	f := newFinding(RuleKeyUsedOutside, p.ARN, "", SeverityLow, ruleTitle(RuleKeyUsedOutside))
	f.Evidence = Evidence{Summary: fmt.Sprintf("The user's access key was used from %s outside the owner's networks.", strings.Join(out, ", "))}
	if len(r.opts.OwnNetworks) == 0 {
		f.Evidence.fact("note", "no --own-networks were given: every public address counts as outside")
	}
	burstAddrs := map[string]bool{}
	for _, b := range r.bursts[p.ARN] {
		for _, d := range b.calls {
			burstAddrs[d.ip] = true
		}
	}
	var steady []string
	for _, a := range out {
		au := use.addrs[a]
		agents := make([]string, 0, len(au.agents))
		for ag := range au.agents {
			agents = append(agents, ag)
		}
		slices.Sort(agents)
		v := fmt.Sprintf("%d calls (%d denied), %s to %s", au.calls, au.denied, au.first.Format(time.RFC3339), au.last.Format(time.RFC3339))
		if len(agents) > 0 {
			v += "; " + strings.Join(agents, " | ")
		}
		if burstAddrs[a] {
			v += "; a burst of denied calls came from it"
		} else {
			steady = append(steady, a)
		}
		f.Evidence.fact(a, v)
	}
	keys := make([]string, 0, len(use.keys))
	for k := range use.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	f.Evidence.fact("access keys", strings.Join(keys, ", "))
	f.Remedy = Remedy{Summary: "Replace the user with a role the party assumes with an ExternalId; until then, limit the key to the addresses it is meant to come from."}
	if len(steady) > 0 {
		var cidrs []string
		for _, a := range steady {
			if addr, err := netip.ParseAddr(a); err == nil {
				cidrs = append(cidrs, netip.PrefixFrom(addr, addr.BitLen()).String())
			}
		}
		boundary := fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowWhatThePoliciesGrant",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    },
    {
      "Sid": "DenyFromOtherAddresses",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "NotIpAddress": {"aws:SourceIp": [%s]},
        "Bool": {"aws:ViaAWSService": "false"}
      }
    }
  ]
}`, quoteList(cidrs))
		f.Remedy.Boundary = []byte(boundary)
		f.Remedy.Steps = []string{"The boundary allows the addresses the key was used from outside any burst of denied calls; check that they are the party's."}
		f.Remedy.Commands = r.boundaryCommands(p, p.Name+"SourceIpBoundary")
	}
	return f
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// keyIDs returns the long-term access key ids (AKIA...) the logs show a
// user using, sorted.
func keyIDs(use *userUse) []string {
	if use == nil {
		return nil
	}
	var ids []string
	for k := range use.keys {
		if strings.HasPrefix(k, "AKIA") {
			ids = append(ids, k)
		}
	}
	slices.Sort(ids)
	return ids
}

// keyFindings judges a user's access keys by the credential report.
func (r *reviewer) keyFindings(arn, user string, c *account.Credential, use *userUse) []*Finding {
	var out []*Finding
	active := 0
	for _, k := range c.AccessKeys {
		if k.Active.True() {
			active++
		}
	}
	ids := keyIDs(use)
	keyAge := time.Duration(r.opts.KeyAgeDays) * 24 * time.Hour
	inactive := time.Duration(r.opts.InactiveDays) * 24 * time.Hour
	for i, k := range c.AccessKeys {
		slot := i + 1
		ref := &KeyRef{User: user, Slot: slot}
		if k.LastRotated.Valid() {
			ref.LastRotated = k.LastRotated.Time.UTC()
		}
		if k.Active.True() && active == 1 && len(ids) == 1 {
			ref.ID = ids[0]
		}
		keyID := ref.ID
		if keyID == "" {
			keyID = "<ACCESS-KEY-ID>"
		}
		facts := func(e *Evidence) {
			e.fact("key", fmt.Sprintf("slot %d", slot))
			if ref.ID != "" {
				e.fact("key id", ref.ID)
			} else if len(ids) > 0 {
				e.fact("key ids in the logs", strings.Join(ids, ", "))
			}
			e.factTime("last rotated", ref.LastRotated)
			if k.LastUsedDate.Valid() {
				e.factTime("last used", k.LastUsedDate.Time)
				if k.LastUsedService != "" {
					e.fact("last used with", k.LastUsedService+" in "+k.LastUsedRegion)
				}
			} else {
				e.fact("last used", "never")
			}
		}
		disc := fmt.Sprintf("key%d", slot)
		switch {
		case k.Active.True():
			if k.LastRotated.Valid() && r.now.Sub(k.LastRotated.Time) > keyAge {
				f := newFinding(RuleKeyOld, arn, disc, SeverityMedium, ruleTitle(RuleKeyOld))
				f.Evidence = Evidence{Summary: fmt.Sprintf("Access key %d of %s was last rotated %s ago (%s), more than %d days.",
					slot, user, days(r.now.Sub(k.LastRotated.Time)), dayString(k.LastRotated.Time), r.opts.KeyAgeDays)}
				facts(&f.Evidence)
				f.Remedy = Remedy{
					Summary:   "Rotate the key: create a new one, move the user's software to it, deactivate the old key, then delete it.",
					AccessKey: ref,
					Commands: []string{
						"aws iam create-access-key --user-name " + user,
						fmt.Sprintf("aws iam update-access-key --user-name %s --access-key-id %s --status Inactive", user, keyID),
						fmt.Sprintf("aws iam delete-access-key --user-name %s --access-key-id %s", user, keyID),
					},
				}
				if ref.ID == "" {
					f.Remedy.Commands = append([]string{"aws iam list-access-keys --user-name " + user}, f.Remedy.Commands...)
				}
				out = append(out, f)
			}
			var idle time.Duration
			summary := ""
			switch {
			case k.LastUsedDate.Valid():
				idle = r.now.Sub(k.LastUsedDate.Time)
				summary = fmt.Sprintf("Access key %d of %s was last used %s ago (%s).", slot, user, days(idle), dayString(k.LastUsedDate.Time))
			case k.LastRotated.Valid():
				idle = r.now.Sub(k.LastRotated.Time)
				summary = fmt.Sprintf("Access key %d of %s has never been used since it was created %s ago.", slot, user, days(idle))
			}
			if idle > inactive {
				f := newFinding(RuleKeyUnused, arn, disc, SeverityMedium, ruleTitle(RuleKeyUnused))
				f.Evidence = Evidence{Summary: summary}
				facts(&f.Evidence)
				f.Remedy = Remedy{
					Summary:   "Deactivate the key; delete it once nothing has complained for a while.",
					AccessKey: ref,
					Commands: []string{
						fmt.Sprintf("aws iam update-access-key --user-name %s --access-key-id %s --status Inactive", user, keyID),
						fmt.Sprintf("aws iam delete-access-key --user-name %s --access-key-id %s", user, keyID),
					},
				}
				if ref.ID == "" {
					f.Remedy.Commands = append([]string{"aws iam list-access-keys --user-name " + user}, f.Remedy.Commands...)
				}
				out = append(out, f)
			}
		case k.LastRotated.Valid():
			f := newFinding(RuleKeyInactive, arn, disc, SeverityLow, ruleTitle(RuleKeyInactive))
			f.Evidence = Evidence{Summary: fmt.Sprintf("Access key %d of %s is inactive but not deleted; it was created or last rotated on %s.", slot, user, dayString(k.LastRotated.Time))}
			facts(&f.Evidence)
			f.Remedy = Remedy{
				Summary:   "Delete the inactive key.",
				AccessKey: ref,
				Commands: []string{
					"aws iam list-access-keys --user-name " + user,
					fmt.Sprintf("aws iam delete-access-key --user-name %s --access-key-id <INACTIVE-ACCESS-KEY-ID>", user),
				},
			}
			out = append(out, f)
		}
	}
	return out
}

// reviewRoot reviews the root user: keys and MFA from the credential
// report, use from the logs.
func (r *reviewer) reviewRoot() {
	acct := r.report.Account
	arn := "arn:aws:iam::" + acct + ":root"
	var c *account.Credential
	if cr := r.in.Credentials; cr != nil {
		for i := range cr.Credentials {
			if cr.Credentials[i].Root() {
				c = &cr.Credentials[i]
				arn = c.ARN
				break
			}
		}
	}
	var p *Principal
	get := func() *Principal {
		if p == nil {
			p = r.principal(arn, KindRoot, "root")
			p.reason("the account's root user")
		}
		return p
	}
	if c != nil {
		for i, k := range c.AccessKeys {
			if !k.Active.True() {
				continue
			}
			f := newFinding(RuleRootAccessKey, arn, fmt.Sprintf("key%d", i+1), SeverityCritical, ruleTitle(RuleRootAccessKey))
			f.Evidence = Evidence{Summary: fmt.Sprintf("The root user has an active access key (slot %d).", i+1)}
			f.Evidence.factTime("last rotated", k.LastRotated.Time)
			if k.LastUsedDate.Valid() {
				f.Evidence.factTime("last used", k.LastUsedDate.Time)
				if k.LastUsedService != "" {
					f.Evidence.fact("last used with", k.LastUsedService+" in "+k.LastUsedRegion)
				}
			} else {
				f.Evidence.fact("last used", "never")
			}
			f.Remedy = Remedy{
				Summary:   "Delete the root user's access key; sign in as root and remove it under Security credentials (the root user's keys cannot be managed with another principal's credentials).",
				AccessKey: &KeyRef{User: "<root_account>", Slot: i + 1, LastRotated: k.LastRotated.Time},
			}
			get().add(f)
		}
		if c.MFAActive.Status == account.StatusPresent && !c.MFAActive.Value {
			f := newFinding(RuleRootNoMFA, arn, "", SeverityHigh, ruleTitle(RuleRootNoMFA))
			f.Evidence = Evidence{Summary: "The root user has no MFA device."}
			f.Evidence.factTime("password last used", c.PasswordLastUsed.Time)
			f.Remedy = Remedy{Summary: "Sign in as root and assign an MFA device (a hardware key or an authenticator app) under Security credentials."}
			get().add(f)
		}
	}
	facts := r.facts
	if facts.rootCalls > 0 {
		f := newFinding(RuleRootUsed, arn, "", SeverityMedium, ruleTitle(RuleRootUsed))
		first, last := facts.root[0].Time, facts.root[len(facts.root)-1].Time
		var logins []string
		addrs := map[string]bool{}
		for _, e := range facts.root {
			if e.Event == "signin:ConsoleLogin" {
				logins = append(logins, e.Time.Format(time.RFC3339))
			}
			if e.SourceIP != "" {
				addrs[e.SourceIP] = true
			}
		}
		summary := fmt.Sprintf("The root user made %d calls in the window, from %s to %s", facts.rootCalls, dayString(first), dayString(last))
		if len(logins) > 0 {
			summary += fmt.Sprintf(", with %d console sign-in%s", len(logins), plural(len(logins), "", "s"))
		}
		f.Evidence = Evidence{Summary: summary + "."}
		if len(logins) > 0 {
			f.Evidence.fact("console sign-ins", strings.Join(logins, ", "))
		}
		if len(addrs) > 0 {
			var as []string
			for a := range addrs {
				as = append(as, a)
			}
			slices.Sort(as)
			f.Evidence.fact("addresses", strings.Join(as, ", "))
		}
		if c != nil && c.MFAActive.Status == account.StatusPresent {
			f.Evidence.fact("MFA device", fmt.Sprint(c.MFAActive.Value))
		}
		evs := facts.root
		if len(evs) > 10 {
			evs = evs[:10]
		}
		f.Evidence.Events = evs
		f.Remedy = Remedy{
			Summary:  "Confirm who signed in as root and why; do daily work with roles (IAM Identity Center) and keep root for the few tasks that need it.",
			Commands: r.activityCommands(arn, nil),
		}
		get().add(f)
	} else if c != nil && !facts.usage && !facts.events && c.PasswordLastUsed.Valid() &&
		r.now.Sub(c.PasswordLastUsed.Time) <= time.Duration(r.opts.InactiveDays)*24*time.Hour {
		f := newFinding(RuleRootUsed, arn, "", SeverityLow, ruleTitle(RuleRootUsed))
		f.Evidence = Evidence{Summary: fmt.Sprintf("The root user's password was last used %s ago (%s).", days(r.now.Sub(c.PasswordLastUsed.Time)), dayString(c.PasswordLastUsed.Time))}
		f.Evidence.factTime("password last used", c.PasswordLastUsed.Time)
		f.Remedy = Remedy{Summary: "Confirm who signed in as root and why; keep root for the few tasks that need it."}
		get().add(f)
	}
}
