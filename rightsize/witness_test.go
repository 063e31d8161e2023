package rightsize_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/rightsize"
)

// lastAccessed is a report of IAM's, completed the morning after the
// scenario's fourteen days unless completed says otherwise.
func lastAccessed(completed time.Time, services ...account.ServiceLastAccessed) *account.LastAccessed {
	if completed.IsZero() {
		completed = day0.AddDate(0, 0, 15).Add(8 * time.Hour)
	}
	return &account.LastAccessed{ARN: role, JobStatus: account.JobCompleted, JobType: account.JobActionLevel,
		JobCompletionDate: account.Time{Time: completed}, Services: services}
}

func at(d int) account.Time { return account.Time{Time: day0.AddDate(0, 0, d).Add(10 * time.Hour)} }

// TestLastAccessedWitness: IAM's last-accessed report decides what the
// logs cannot show, and only when it covers the whole window.
func TestLastAccessedWitness(t *testing.T) {
	// AmazonSSMManagedInstanceCore's shape: ssm calls the logs show,
	// ec2messages calls they never do, and an observable action.
	const doc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Agent","Effect":"Allow","Action":["ssm:UpdateInstanceInformation","ec2messages:*","ssmmessages:OpenDataChannel"],"Resource":"*"},
		{"Sid":"Look","Effect":"Allow","Action":["ec2:DescribeVolumes","ec2:DescribeInstances"],"Resource":"*"}]}`
	calls := []call{{day: 2, source: "ssm", name: "UpdateInstanceInformation", n: 3}}
	run := func(t *testing.T, la *account.LastAccessed) *rightsize.Suggestion {
		t.Helper()
		sc := scenario{arn: role, policies: []string{doc}, calls: calls}
		rs, err := rightsize.New(testCatalog(t), sc.index(t), rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 14)})
		if err != nil {
			t.Fatal(err)
		}
		s := sc.subject(t)
		s.LastAccessed = la
		sug, err := rs.Suggest(t.Context(), s)
		if err != nil {
			t.Fatal(err)
		}
		return sug
	}
	reason := func(sug *rightsize.Suggestion, action string) rightsize.Reason {
		for _, l := range [][]rightsize.Action{sug.Kept, sug.Unobservable, sug.Removed} {
			if a, ok := findAction(l, action); ok {
				return a.Reason
			}
		}
		return ""
	}
	ec2messages := func(last account.Time) account.ServiceLastAccessed {
		return account.ServiceLastAccessed{ServiceNamespace: "ec2messages", LastAuthenticated: last}
	}

	t.Run("without a report the logs' silence keeps them", func(t *testing.T) {
		sug := run(t, nil)
		if r := reason(sug, "ec2messages:GetMessages"); r != rightsize.KeptNeverLogged {
			t.Errorf("ec2messages:GetMessages: %q", r)
		}
	})
	t.Run("service tracked over the window, never used: removed", func(t *testing.T) {
		sug := run(t, lastAccessed(time.Time{}, ec2messages(account.Time{})))
		a, ok := findAction(sug.Removed, "ec2messages:GetMessages")
		if !ok || a.Reason != rightsize.RemovedNotAccessed || !strings.Contains(a.Detail, "service ec2messages not used") {
			t.Errorf("ec2messages:GetMessages removed %v: %+v", ok, a)
		}
		// ssmmessages is not in the report: IAM says nothing of it.
		if r := reason(sug, "ssmmessages:OpenDataChannel"); r != rightsize.KeptNeverLogged {
			t.Errorf("ssmmessages:OpenDataChannel: %q, want kept as never logged", r)
		}
	})
	t.Run("service used before the window only: removed", func(t *testing.T) {
		sug := run(t, lastAccessed(time.Time{}, ec2messages(at(-30))))
		if r := reason(sug, "ec2messages:GetMessages"); r != rightsize.RemovedNotAccessed {
			t.Errorf("ec2messages:GetMessages: %q", r)
		}
	})
	t.Run("service used in the window: kept", func(t *testing.T) {
		sug := run(t, lastAccessed(time.Time{}, ec2messages(at(6))))
		a, ok := findAction(sug.Unobservable, "ec2messages:GetMessages")
		if !ok || a.Reason != rightsize.KeptLastAccessed || !a.LastUsed.Equal(at(6).Time) {
			t.Errorf("ec2messages:GetMessages kept %v: %+v", ok, a)
		}
	})
	t.Run("a report that ends before the window does says nothing of its end", func(t *testing.T) {
		sug := run(t, lastAccessed(day0.AddDate(0, 0, 10), ec2messages(account.Time{})))
		if r := reason(sug, "ec2messages:GetMessages"); r != rightsize.KeptNeverLogged {
			t.Errorf("ec2messages:GetMessages: %q, want kept as never logged", r)
		}
	})
	t.Run("a failed job says nothing", func(t *testing.T) {
		la := lastAccessed(time.Time{}, ec2messages(account.Time{}))
		la.JobStatus = account.JobFailed
		if r := reason(run(t, la), "ec2messages:GetMessages"); r != rightsize.KeptNeverLogged {
			t.Errorf("ec2messages:GetMessages: %q", r)
		}
	})
	t.Run("an action IAM saw used that the logs miss is kept", func(t *testing.T) {
		ec2 := account.ServiceLastAccessed{ServiceNamespace: "ec2", LastAuthenticated: at(4),
			TrackedActionsLastAccessed: []account.TrackedActionLastAccessed{{ActionName: "DescribeVolumes", LastAccessedTime: at(4)}}}
		sug := run(t, lastAccessed(time.Time{}, ec2))
		if r := reason(sug, "ec2:DescribeVolumes"); r != rightsize.KeptLastAccessed {
			t.Errorf("ec2:DescribeVolumes: %q, want kept: IAM saw it used", r)
		}
		if r := reason(sug, "ec2:DescribeInstances"); r != rightsize.RemovedUnused {
			t.Errorf("ec2:DescribeInstances: %q, want removed: neither witness saw it", r)
		}
	})
}

// TestLastAccessedDetach: a principal whose every action the logs cannot
// show went unused per IAM keeps nothing.
func TestLastAccessedDetach(t *testing.T) {
	sc := scenario{arn: role, policies: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2messages:*","Resource":"*"}]}`}}
	rs, err := rightsize.New(testCatalog(t), sc.index(t), rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 14)})
	if err != nil {
		t.Fatal(err)
	}
	s := sc.subject(t)
	s.LastAccessed = lastAccessed(time.Time{}, account.ServiceLastAccessed{ServiceNamespace: "ec2messages"})
	sug, err := rs.Suggest(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(sug.Policies) != 0 || len(sug.Detach) != 1 || len(sug.Unobservable) != 0 {
		t.Errorf("policies %s, detach %v, kept %v", describePolicies(sug.Policies), sug.Detach, actionNames(sug.Unobservable))
	}
	if !slices.ContainsFunc(sug.Removed, func(a rightsize.Action) bool { return a.Reason == rightsize.RemovedNotAccessed }) {
		t.Errorf("removed %+v, want not-accessed-per-iam reasons", sug.Removed)
	}

	// Logs from a Region IAM does not collect last-accessed data in: its
	// silence proves nothing there, and the actions stay.
	sc.calls = []call{{day: 3, source: "ec2", name: "DescribeRegions", region: "xx-nowhere-1", principal: "arn:aws:iam::" + own + ":user/other"}}
	if rs, err = rightsize.New(testCatalog(t), sc.index(t), rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 14)}); err != nil {
		t.Fatal(err)
	}
	if sug, err = rs.Suggest(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if len(sug.Detach) > 0 || countReason(sug.Unobservable, rightsize.KeptNeverLogged) == 0 {
		t.Errorf("with a Region IAM does not track: detach %v, kept %v", sug.Detach, actionNames(sug.Unobservable))
	}
}
