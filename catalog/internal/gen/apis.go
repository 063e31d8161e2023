package main

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

// sdkSigningPrefix maps an SDK signing name to the IAM service prefix
// where the two differ.
var sdkSigningPrefix = map[string]string{
	"monitoring":      "cloudwatch",
	"tagging":         "tag",
	"cloudcontrolapi": "cloudformation",
	"iotdata":         "iot",
	"iot-jobs-data":   "iotjobsdata",
	"ioteventsdata":   "iotevents",
	"mturk-requester": "mechanicalturk",
	"email":           "ses",
	// The JavaScript client of AWS IoT Secure Tunneling (the Go module
	// names none); its actions are iot:OpenTunnel and the like.
	"iotsecuredtunneling": "iot",
	// AWS Partner Central's APIs sign each with a name of its own; the
	// Service Authorization Reference lists all their operations under
	// partnercentral (checked: the 108 operations of the four clients are
	// all partnercentral actions).
	"partnercentral-account":  "partnercentral",
	"partnercentral-benefits": "partnercentral",
	"partnercentral-channel":  "partnercentral",
	"partnercentral-selling":  "partnercentral",
}

// sdkModulePrefix gives the IAM service prefix of APIs whose SDKs name no
// SigV4 signing name (Go modules from before auth.go, bearer
// authentication), by apiKey.
var sdkModulePrefix = map[string]string{
	"braket":                     "braket",
	"chimesdkmeetings":           "chime",
	"codecatalyst":               "codecatalyst",
	"iotsecuretunneling":         "iot",
	"kendraranking":              "kendra-ranking",
	"migrationhubrefactorspaces": "refactor-spaces",
	"opsworkscm":                 "opsworks-cm",
	"tnb":                        "tnb",
}

// otherService lists unread APIs that attribute would tie to a prefix by
// name but that are another service: IAM Toolbox is not IAM's API.
var otherService = map[string]bool{"iamtoolbox": true}

// unreadPrefixes ties unread APIs whose names tie them to no prefix to the
// prefixes their operations may belong to, from the Go SDK changelog's
// note on their first release.
var unreadPrefixes = map[string][]string{
	"alexaforbusiness": {"a4b"},
	// "AWS End User Messaging now supports Brand profiles and Notify code
	// configurations ... phone number registrations".
	"endusermessaging": {"sms-voice", "social-messaging"},
	// "Added three new APIs StartDomainExport, GetExport, and ListExports
	// via SimpleDBv2 service".
	"simpledbv2": {"sdb"},
}

// api is one AWS service API as the two SDKs have it: its Go module and
// its JavaScript client, generated from the same model and named after
// the same SDK id (apiKey). Either may be nil: the SDK has none, or the
// proxy or the registry does not serve it.
type api struct {
	key    string
	prefix string
	mod    *sdkModule
	js     *jsClient
}

// currentUntil returns the date up to which the API's operations are known
// complete: the later of what each source's date and the SDK changelog
// (h) say of it. A source holds every operation its model had on its
// date, and the model did not change until the next release the changelog
// lists for the API (history.currentUntil); the newer source decides, and
// the union of both only adds what one SDK leaves out (operations the Go
// SDK cannot stream, ones since removed).
func (a *api) currentUntil(h *history) time.Time {
	var d time.Time
	if a.mod != nil {
		d = h.currentUntil(a.mod.Path, a.mod.Version, a.mod.Time)
	}
	if a.js != nil {
		if j := h.currentUntil(sdkServiceDir+a.key, "", a.js.Date); j.After(d) {
			d = j
		}
	}
	return d
}

func (a *api) operations() []string {
	var ops []string
	if a.mod != nil {
		ops = append(ops, a.mod.Operations...)
	}
	if a.js != nil {
		ops = append(ops, a.js.Operations...)
	}
	return ops
}

func (a *api) String() string {
	var parts []string
	if a.mod != nil {
		parts = append(parts, fmt.Sprintf("%s@%s (signing name %q)", path.Base(a.mod.Path), a.mod.Version, a.mod.SigningName))
	}
	if a.js != nil {
		parts = append(parts, fmt.Sprintf("%s@%s (signing name %q)", a.js.Name, a.js.Version, a.js.SigningName))
	}
	return strings.Join(parts, " and ")
}

// signingPrefix returns the IAM prefix an SDK's signing name stands for,
// or, when it has none, the one sdkModulePrefix gives the API.
func signingPrefix(signingName, key string) string {
	p := strings.ToLower(signingName)
	if x, ok := sdkSigningPrefix[p]; ok {
		p = x
	}
	if p == "" {
		p = sdkModulePrefix[key]
	}
	return p
}

// serviceOperations is what the SDKs say of the IAM service prefixes.
type serviceOperations struct {
	// ops are the operation names of the APIs that sign as each prefix,
	// sorted, without repeats.
	ops map[string][]string
	// dates are, per prefix, the earliest date up to which an API of the
	// prefix is known complete (api.currentUntil): an operation added
	// since may be missing from that API alone.
	dates map[string]time.Time
	// missing are, per prefix, the APIs neither SDK's source could be
	// read for that may hold more of its operations.
	missing map[string][]string
	// unmatched are the APIs read whose signing name is not a prefix of
	// the catalog, or that have none.
	unmatched []string
	// split are the APIs whose two SDKs sign as different prefixes; each
	// SDK's operations then go to its own.
	split []string
	// unattributed are the APIs neither source was read for that no
	// prefix could be tied to (see attribute).
	unattributed []string
	apis         int // APIs read
}

// combine groups the Go modules and JavaScript clients read by API, and
// the APIs by the IAM prefix they sign as (prefixes are the catalog's); h
// dates them.
// goMissing and jsMissing name the modules and clients pinned as not
// served.
func combine(h *history, mods []*sdkModule, goMissing []string, clients []*jsClient, jsMissing []missingClient, prefixes map[string]bool) *serviceOperations {
	byKey := make(map[string]*api)
	get := func(key string) *api {
		a, ok := byKey[key]
		if !ok {
			a = &api{key: key}
			byKey[key] = a
		}
		return a
	}
	for _, m := range mods {
		get(apiKey(path.Base(m.Path))).mod = m
	}
	var extra []*api
	for _, c := range clients {
		key := apiKey(firstOf(c.ServiceID, c.Name))
		a := get(key)
		if a.js != nil {
			// Two clients of one SDK id: keep both as APIs of their own.
			extra = append(extra, &api{key: key, js: c})
			continue
		}
		a.js = c
	}
	// unread are the APIs pinned as not served, with the signing name
	// the JavaScript v2 SDK gave the older ones.
	unread := make(map[string]string)
	for _, m := range goMissing {
		unread[apiKey(path.Base(m))] = ""
	}
	for _, m := range jsMissing {
		if k := apiKey(m.Name); unread[k] == "" {
			unread[k] = m.SigningName
		}
	}
	out := &serviceOperations{ops: make(map[string][]string), dates: make(map[string]time.Time), missing: make(map[string][]string)}
	var apis []*api
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		a := byKey[key]
		var gp, jp string
		if a.mod != nil {
			gp = signingPrefix(a.mod.SigningName, key)
		}
		if a.js != nil {
			jp = signingPrefix(a.js.SigningName, key)
		}
		switch {
		case a.mod != nil && a.js != nil && gp != jp && gp != "" && jp != "":
			out.split = append(out.split, a.String())
			apis = append(apis, &api{key: key, prefix: gp, mod: a.mod}, &api{key: key, prefix: jp, js: a.js})
		default:
			a.prefix = firstOf(jp, gp)
			apis = append(apis, a)
		}
	}
	for _, a := range extra {
		a.prefix = signingPrefix(a.js.SigningName, a.key)
		apis = append(apis, a)
	}
	prefixOf := make(map[string]string)
	for _, a := range apis {
		out.apis++
		if a.prefix == "" || !prefixes[a.prefix] {
			out.unmatched = append(out.unmatched, a.String())
			continue
		}
		out.ops[a.prefix] = append(out.ops[a.prefix], a.operations()...)
		if d, ok := out.dates[a.prefix]; !ok || a.currentUntil(h).Before(d) {
			out.dates[a.prefix] = a.currentUntil(h)
		}
		prefixOf[a.key] = a.prefix
	}
	for p, o := range out.ops {
		slices.Sort(o)
		out.ops[p] = slices.Compact(o)
	}
	for _, key := range slices.Sorted(maps.Keys(unread)) {
		if _, ok := byKey[key]; ok || otherService[key] {
			continue
		}
		ps, ok := attribute(key, unread[key], prefixes, prefixOf)
		if !ok {
			out.unattributed = append(out.unattributed, key)
		}
		for _, p := range ps {
			out.missing[p] = append(out.missing[p], key)
		}
	}
	return out
}

// attribute returns the prefixes whose operations an API neither source
// was read for (key, with its signing name when the JavaScript v2 SDK gave
// one) may hold, given the prefixes of the APIs read (readPrefix, by
// apiKey). In order, the first rule that applies:
//
//  1. the signing name's prefix (none when it is not the catalog's), or
//     those unreadPrefixes gives;
//  2. the prefix of the API's own name (securityagent, security-ir for
//     securityir);
//  3. the prefix of the longest name of an API read, or of a prefix, that
//     starts the API's name (cloudwatch for cloudwatchomni, lambda for
//     lambdamicrovms, partnercentral for partnercentralrevenuemeasurement,
//     agent-registry for agentregistrycontrol);
//  4. the prefixes of the APIs read whose names share the longest start
//     with the API's, of at least six letters (aws-marketplace and
//     marketplacecommerceanalytics for marketplacediscovery).
//
// ok is false when none applies: the API could hold operations of any
// prefix, and the report lists it.
func attribute(key, signingName string, prefixes map[string]bool, readPrefix map[string]string) (ps []string, ok bool) {
	if signingName != "" {
		if p := signingPrefix(signingName, key); prefixes[p] {
			return []string{p}, true
		}
		return nil, true
	}
	if ps, ok := unreadPrefixes[key]; ok {
		return slices.DeleteFunc(slices.Clone(ps), func(p string) bool { return !prefixes[p] }), true
	}
	for p := range prefixes {
		if apiKey(p) == key {
			return []string{p}, true
		}
	}
	// Names that can start the API's name, each with its prefix: the APIs
	// read, and the catalog's prefixes.
	starts := make(map[string]string, len(readPrefix)+len(prefixes))
	for k, p := range readPrefix {
		starts[k] = p
	}
	for p := range prefixes {
		if k := apiKey(p); starts[k] == "" {
			starts[k] = p
		}
	}
	best := ""
	for _, k := range slices.Sorted(maps.Keys(starts)) {
		if strings.HasPrefix(key, k) && len(k) > len(best) {
			best = k
		}
	}
	if best != "" {
		return []string{starts[best]}, true
	}
	const minShared = 6
	longest := 0
	for k := range readPrefix {
		if n := sharedStart(key, k); n >= minShared && n > longest {
			longest = n
		}
	}
	if longest == 0 {
		return nil, false
	}
	for k, p := range readPrefix {
		if sharedStart(key, k) == longest && !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return ps, true
}

func sharedStart(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
