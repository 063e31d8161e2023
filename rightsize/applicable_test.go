package rightsize_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// The tests of this file measure the suggestions on the policies that
// matter most — AWS's broad managed policies, a vendor's wildcards, an
// administrator — with real usage: the demo's logs and the shared corpus.

const demoDir = "../testdata/demo"

// ingestIndex reads CloudTrail logs under dir into a usage index.
func ingestIndex(t testing.TB, dir string) *usage.Index {
	t.Helper()
	src, err := ingest.LocalSource(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	sessions := usage.NewSessions()
	var mu sync.Mutex
	var builders []*usage.Builder
	_, err = ingest.Run(context.Background(), []ingest.Source{src}, ingest.Options{NewSink: func(int) ingest.Sink {
		b := usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
		mu.Lock()
		builders = append(builders, b)
		mu.Unlock()
		return b
	}})
	if err != nil {
		t.Fatal(err)
	}
	return usage.Finish(usage.Meta{}, builders...)
}

// demo returns the demo's usage index and IAM snapshot.
func demo(t testing.TB) (*usage.Index, *account.Snapshot) {
	t.Helper()
	snap, err := account.LoadFile(filepath.Join(demoDir, "iam.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ingestIndex(t, filepath.Join(demoDir, "AWSLogs")), snap
}

func demoSubject(t *testing.T, rs *rightsize.Rightsizer, snap *account.Snapshot, name string) *rightsize.Subject {
	t.Helper()
	p, err := snap.Principal(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := rs.Subject(snap, p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func kept(sug *rightsize.Suggestion) int { return len(sug.Kept) + len(sug.Unobservable) }

// docSize is the size of documents in compact JSON.
func docSize(t *testing.T, docs []*policy.Policy) int {
	t.Helper()
	n := 0
	for _, p := range docs {
		b, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		n += len(b)
	}
	return n
}

// TestReadOnlyAccessVendor gives the demo's Datadog role AWS's
// ReadOnlyAccess instead of its own policy, with Datadog's usage of the
// demo (a dozen actions over a fully logged window). From the logs alone
// the suggestion keeps the used actions and every action the logs cannot
// show (permission-only, never logged, unknown to the catalog's operation
// data, data events the logs lack): several hundred, each checked against
// the catalog. With IAM's last-accessed report of the same window — the
// services Datadog called accessed, the others not — the actions of the
// services it never touched go too, and the suggestion keeps at most 450.
func TestReadOnlyAccessVendor(t *testing.T) {
	ro := managedPolicy(t, "ReadOnlyAccess")
	ix, snap := demo(t)
	rs, err := rightsize.New(testCatalog(t), ix, rightsize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := demoSubject(t, rs, snap, "DatadogIntegrationRole")
	s.Identity, s.Sources, s.LastAccessed = []*policy.Policy{ro}, nil, nil
	logsOnly, err := rs.Suggest(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if logsOnly.Used < 8 || !logsOnly.Window.Complete() {
		t.Fatalf("used %d actions in %+v: the demo's Datadog usage should be a dozen actions over a complete window", logsOnly.Used, logsOnly.Window)
	}
	checkUnobservable(t, logsOnly)

	// IAM's report: every service ReadOnlyAccess allows, accessed when
	// the logs show a call of it.
	used := map[string]time.Time{}
	for _, a := range logsOnly.Kept {
		ns, _, _ := strings.Cut(a.Action, ":")
		if a.LastUsed.After(used[ns]) {
			used[ns] = a.LastUsed
		}
	}
	la := &account.LastAccessed{ARN: s.ARN, JobStatus: account.JobCompleted, JobType: account.JobActionLevel,
		JobCompletionDate: account.Time{Time: logsOnly.Window.Until.Add(8 * time.Hour)}}
	services := map[string]bool{}
	for _, a := range append(append(slices.Clone(logsOnly.Kept), logsOnly.Unobservable...), logsOnly.Removed...) {
		ns, _, _ := strings.Cut(a.Action, ":")
		if !services[ns] {
			services[ns] = true
			la.Services = append(la.Services, account.ServiceLastAccessed{ServiceNamespace: ns, LastAuthenticated: account.Time{Time: used[ns]}})
		}
	}
	s.LastAccessed = la
	withIAM, err := rs.Suggest(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	for _, sug := range []*rightsize.Suggestion{logsOnly, withIAM} {
		byReason := map[rightsize.Reason]int{}
		for _, a := range sug.Unobservable {
			byReason[a.Reason]++
		}
		t.Logf("ReadOnlyAccess with Datadog's usage (IAM report %v): %d granted, %d used, %d kept (unobservable %v), %d documents",
			sug == withIAM, sug.Granted, sug.Used, kept(sug), byReason, len(sug.Policies))
		if byReason[rightsize.KeptWindowIncomplete] > 0 || byReason[rightsize.KeptUnmappedCalls] > 0 {
			t.Errorf("kept for a reason a complete window with mapped calls does not have: %v", byReason)
		}
	}
	if k := kept(withIAM); k > 450 {
		t.Errorf("with IAM's last-accessed report, kept %d actions, want at most 450", k)
	}
	if kept(withIAM) >= kept(logsOnly) || countReason(withIAM.Removed, rightsize.RemovedNotAccessed) == 0 {
		t.Errorf("IAM's report removed nothing: %d kept without, %d with", kept(logsOnly), kept(withIAM))
	}
}

// TestDescribeStarVendor: a vendor role granted ec2:Describe* that used
// DescribeInstances keeps DescribeInstances and nothing the logs could
// show: the only other actions kept are ones AWS's own service reference
// says no API operation needs (permission-only), which the logs can never
// show used. (Before the catalog took its operations from current SDKs,
// 43 newer Describe actions were kept as permission-only by mistake.)
func TestDescribeStarVendor(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Sid":"Inventory","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`
	sc := scenario{arn: role, policies: []string{doc}, calls: []call{{day: 2, source: "ec2", name: "DescribeInstances", n: 40}}}
	sug, s, err := sc.run(t)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ec2:Describe*: %d granted, %d kept (%v unobservable); %d characters today, %d suggested",
		sug.Granted, kept(sug), actionNames(sug.Unobservable), docSize(t, s.Identity), docSize(t, sug.Policies))
	if got := actionNames(sug.Kept); !slices.Equal(got, []string{"ec2:DescribeInstances"}) {
		t.Errorf("used %v, want ec2:DescribeInstances", got)
	}
	official := officialOperations(t, "ec2")
	for _, a := range sug.Unobservable {
		if a.Reason != rightsize.KeptPermissionOnly {
			t.Errorf("%s kept as %s", a.Action, a.Reason)
		}
		if ops := official[strings.ToLower(a.Action)]; len(ops) > 0 {
			t.Errorf("%s kept as permission-only, but AWS's service reference lists operations that need it: %v", a.Action, ops)
		}
	}
	if kept(sug) > 3 {
		t.Errorf("kept %d of %d actions: %v", kept(sug), sug.Granted, actionNames(sug.Unobservable))
	}
}

// officialOperations reads AWS's service reference for a service from the
// shared corpus: for each action (lowercase "ec2:describeinstances"), the
// operations that authorize it.
func officialOperations(t *testing.T, service string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(shareddata.Dir(t, "iam", "service-reference", service), service+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Operations []struct {
			Name              string
			AuthorizedActions []struct{ Name, Service string }
		}
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, op := range ref.Operations {
		for _, a := range op.AuthorizedActions {
			k := strings.ToLower(a.Service + ":" + a.Name)
			out[k] = append(out[k], op.Name)
		}
	}
	return out
}

// TestAdministratorRole rightsizes the demo's Identity Center
// administrator (AdministratorAccess): the suggestion fits the default
// quota of ten managed policies, or says what fills it and offers the
// service-level form, which does fit.
func TestAdministratorRole(t *testing.T) {
	ix, snap := demo(t)
	rs, err := rightsize.New(testCatalog(t), ix, rightsize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	for _, r := range snap.Roles() {
		if strings.HasPrefix(r.RoleName, "AWSReservedSSO_AdministratorAccess_") {
			name = r.RoleName
		}
	}
	s := demoSubject(t, rs, snap, name)
	sug, err := rs.Suggest(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d granted, %d used, %d kept, %d documents, service-level %v; notes %q", name, sug.Granted, sug.Used, kept(sug),
		len(sug.Policies), sug.ServiceLevel != nil, sug.Notes)
	if len(sug.Policies) <= rightsize.DefaultMaxPolicies {
		return
	}
	sl := sug.ServiceLevel
	if sl == nil || len(sl.Policies) > rightsize.DefaultMaxPolicies || len(sug.Services) == 0 {
		t.Fatalf("%d documents, past the quota, without a service-level form that fits (%+v)", len(sug.Policies), sl)
	}
	note := strings.Join(sug.Notes, "\n")
	if !strings.Contains(note, sug.Services[0].Service+" ") || !strings.Contains(note, "service-level form") || !strings.Contains(note, "last-accessed report") {
		t.Errorf("notes do not name the dominant service %s and the service-level form:\n%s", sug.Services[0].Service, note)
	}
}

// TestInstanceRoleSSM: in the invictus corpus an instance role received
// ssm:SendCommand and the SSM agent ran it with the role's credentials,
// talking to ec2messages and ssmmessages. CloudTrail does not log the
// message calls; it logs the control channel's (CreateControlChannel,
// OpenControlChannel) only as ssm.amazonaws.com data events, which the
// corpus does not hold. With AmazonSSMManagedInstanceCore attached, those
// actions are kept, each for its class, not removed as unused.
func TestInstanceRoleSSM(t *testing.T) {
	core := managedPolicy(t, "AmazonSSMManagedInstanceCore")
	ix := ingestIndex(t, shareddata.Dir(t, "cloudtrail", "invictus-aws_dataset"))
	rs, err := rightsize.New(testCatalog(t), ix, rightsize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role"
	s := &rightsize.Subject{ARN: arn, Name: "stratus-red-team-ec2-steal-credentials-role", Kind: "role", Identity: []*policy.Policy{core}}
	sug, err := rs.Suggest(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if sug.Used == 0 {
		t.Fatalf("the role's calls (ssm:UpdateInstanceInformation, ...) are not in the index")
	}
	t.Logf("AmazonSSMManagedInstanceCore: %d granted, %d used %v, %d unobservable, %d removed", sug.Granted, sug.Used,
		actionNames(sug.Kept), len(sug.Unobservable), len(sug.Removed))
	for _, prefix := range []string{"ec2messages:", "ssmmessages:"} {
		n := 0
		for _, a := range sug.Unobservable {
			if strings.HasPrefix(a.Action, prefix) {
				n++
				ca, _ := testCatalog(t).Action(a.Action)
				want := map[catalog.Observability]rightsize.Reason{catalog.NeverLogged: rightsize.KeptNeverLogged,
					catalog.DataEvent: rightsize.KeptNoDataEvents}[ca.Observability]
				if want == "" || a.Reason != want {
					t.Errorf("%s (%s) kept as %q, want never logged or without data events", a.Action, ca.Observability, a.Reason)
				}
			}
		}
		for _, a := range sug.Removed {
			if strings.HasPrefix(a.Action, prefix) {
				t.Errorf("%s removed (%s): CloudTrail does not log %s calls", a.Action, a.Reason, strings.TrimSuffix(prefix, ":"))
			}
		}
		if n == 0 {
			t.Errorf("no %s action kept", prefix)
		}
	}
}
