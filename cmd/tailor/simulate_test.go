package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// simulateFixtures holds the policy files of the simulate tests, kept with
// the policy package's test data.
var simulateFixtures = filepath.Join("..", "..", "policy", "testdata", "simulate")

func fixture(name string) string { return filepath.Join(simulateFixtures, name) }

func runSimulateArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	// An empty cache: the embedded catalog checks the actions.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	io, _, out, errOut := testIO()
	code = run(context.Background(), io, append([]string{"simulate"}, args...))
	return code, out.String(), errOut.String()
}

func TestSimulateText(t *testing.T) {
	id, bound := fixture("identity.json"), fixture("boundary.json")
	root, ouAllow, ouDeny := fixture("scp-root.json"), fixture("scp-ou-allow.json"), fixture("scp-ou-deny.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"allowed", []string{"--policy", id, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::bucket/key"},
			"allowed\n  by: identity policy \"" + id + "\" statement 0 (Sid \"Read\")\n"},
		{"implicit, identity", []string{"--policy", id, "--action", "s3:PutObject", "--resource", "arn:aws:s3:::bucket/key"},
			"denied (implicit)\n  no identity policy statement allows it\n"},
		{"implicit, boundary", []string{"--policy", id, "--boundary", bound, "--action", "iam:CreateUser", "--resource", "arn:aws:iam::111122223333:user/bob"},
			"denied (implicit)\n  the permissions boundary does not allow it\n"},
		{"explicit, boundary", []string{"--policy", id, "--boundary", bound, "--action", "ec2:TerminateInstances", "--context", "aws:RequestedRegion=us-east-1"},
			"denied (explicit)\n  by: boundary policy \"" + bound + "\" statement 1 (Sid \"NoTerminate\")\n"},
		{"implicit, scp level", []string{"--policy", id, "--scp", root, "--scp", ouAllow + "," + ouDeny, "--action", "sts:AssumeRole"},
			"denied (implicit)\n  no service control policy of level 1 allows it\n"},
		{"explicit, scp", []string{"--policy", id, "--scp", root, "--scp", ouAllow + "," + ouDeny, "--action", "ec2:StopInstances", "--context", "aws:RequestedRegion=us-east-1"},
			"denied (explicit)\n  by: scp level 1 policy \"" + ouDeny + "\" statement 0 (Sid \"NoStop\")\n"},
		{"unknown", []string{"--policy", id, "--action", "ec2:StartInstances"},
			"unknown\n  missing context keys: aws:RequestedRegion\n  undecided: identity policy \"" + id + "\" statement 1 (Sid \"ComputeInHomeRegion\")\n"},
		{"context decides", []string{"--policy", id, "--action", "ec2:StartInstances", "--context", "aws:RequestedRegion=us-east-1"},
			"allowed\n  by: identity policy \"" + id + "\" statement 1 (Sid \"ComputeInHomeRegion\")\n"},
		{"context complete", []string{"--policy", id, "--action", "ec2:StartInstances", "--context-complete"},
			"denied (implicit)\n  no identity policy statement allows it\n"},
		// Issue 12: a Resource entry whose variable has no value matches
		// nothing, and only that entry; the Deny's other entry applies.
		{"unresolved variable voids one entry", []string{"--policy", fixture("deny-team-data.json"), "--action", "s3:GetObject",
			"--resource", "arn:aws:s3:::data/alice/report.txt", "--context-complete"},
			"denied (explicit)\n  by: identity policy \"" + fixture("deny-team-data.json") + "\" statement 1 (Sid \"NoOtherTeams\")\n"},
		{"resolved variable", []string{"--policy", fixture("deny-team-data.json"), "--action", "s3:GetObject",
			"--resource", "arn:aws:s3:::data/ops/x", "--context", "aws:PrincipalTag/team=dev"},
			"allowed\n  by: identity policy \"" + fixture("deny-team-data.json") + "\" statement 0 (Sid \"All\")\n"},
		{"GetCallerIdentity needs no permission", []string{"--policy", fixture("deny-team-data.json"), "--action", "sts:GetCallerIdentity"},
			"allowed\n  no permission is needed: no policy can deny sts:GetCallerIdentity\n"},
		{"encoded policy file", []string{"--policy", fixture("encoded.txt"), "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::bucket"},
			"allowed\n  by: identity policy \"" + fixture("encoded.txt") + "\" statement 0 (Sid \"Encoded\")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSimulateArgs(t, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if out != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}

func TestSimulateWarnsUnknownAction(t *testing.T) {
	code, _, errOut := runSimulateArgs(t, "--policy", fixture("identity.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::bucket/key")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, `unknown action "s3:GetObjekt"`) {
		t.Errorf("stderr lacks the unknown action warning:\n%s", errOut)
	}
	if strings.Contains(errOut, "s3:GetObject\"") {
		t.Errorf("a known action was warned about:\n%s", errOut)
	}
}

func TestSimulateJSON(t *testing.T) {
	id, root, ouAllow, ouDeny := fixture("identity.json"), fixture("scp-root.json"), fixture("scp-ou-allow.json"), fixture("scp-ou-deny.json")
	type stmt struct {
		Layer  string `json:"layer"`
		Level  *int   `json:"level"`
		Policy string `json:"policy"`
		Index  int    `json:"index"`
		Sid    string `json:"sid"`
	}
	var res struct {
		Action       string   `json:"action"`
		Resource     string   `json:"resource"`
		Decision     string   `json:"decision"`
		Statement    *stmt    `json:"statement"`
		Refused      string   `json:"refused"`
		RefusedLevel *int     `json:"refusedLevel"`
		Missing      []string `json:"missingContextKeys"`
		Undecided    []stmt   `json:"undecided"`
		// NoPermissionNeeded marks sts:GetCallerIdentity.
		NoPermissionNeeded bool `json:"noPermissionNeeded"`
	}
	decode := func(t *testing.T, args ...string) {
		t.Helper()
		code, out, errOut := runSimulateArgs(t, append(args, "--format", "json")...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		res.Statement, res.RefusedLevel, res.Missing, res.Undecided, res.Refused, res.NoPermissionNeeded = nil, nil, nil, nil, "", false
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
	}
	t.Run("explicit deny in an scp", func(t *testing.T) {
		decode(t, "--policy", id, "--scp", root, "--scp", ouAllow+","+ouDeny, "--action", "ec2:StopInstances", "--context", "aws:RequestedRegion=us-east-1")
		if res.Decision != "explicitDeny" || res.Action != "ec2:StopInstances" || res.Resource != "*" || res.Statement == nil ||
			res.Statement.Layer != "scp" || res.Statement.Level == nil || *res.Statement.Level != 1 || res.Statement.Policy != ouDeny || res.Statement.Sid != "NoStop" {
			t.Errorf("got %+v statement %+v", res, res.Statement)
		}
	})
	t.Run("implicit deny names the layer", func(t *testing.T) {
		decode(t, "--policy", id, "--scp", root, "--scp", ouAllow, "--action", "sts:AssumeRole")
		if res.Decision != "implicitDeny" || res.Refused != "scp" || res.RefusedLevel == nil || *res.RefusedLevel != 1 || res.Statement != nil {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("unknown lists keys and statements", func(t *testing.T) {
		decode(t, "--policy", id, "--action", "ec2:RunInstances")
		if res.Decision != "unknown" || len(res.Missing) != 1 || res.Missing[0] != "aws:RequestedRegion" ||
			len(res.Undecided) != 1 || res.Undecided[0].Sid != "ComputeInHomeRegion" || res.Undecided[0].Index != 1 {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("no permission needed", func(t *testing.T) {
		decode(t, "--policy", fixture("deny-team-data.json"), "--action", "sts:GetCallerIdentity")
		if res.Decision != "allowed" || !res.NoPermissionNeeded || res.Statement != nil {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("allowed", func(t *testing.T) {
		decode(t, "--policy", id, "--action", "S3:GETOBJECT", "--resource", "arn:aws:s3:::bucket/a/b")
		if res.Decision != "allowed" || res.Statement == nil || res.Statement.Layer != "identity" || res.Statement.Index != 0 || res.Missing != nil {
			t.Errorf("got %+v", res)
		}
	})
}

func TestSimulateErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no policy", []string{"--action", "s3:GetObject"}, exitUsage, "at least one --policy"},
		{"no action", []string{"--policy", fixture("identity.json")}, exitUsage, "--action is required"},
		{"bad format", []string{"--policy", fixture("identity.json"), "--action", "s3:GetObject", "--format", "yaml"}, exitUsage, "--format must be text or json"},
		{"bad context", []string{"--policy", fixture("identity.json"), "--action", "s3:GetObject", "--context", "novalue"}, exitUsage, "want KEY=VALUE"},
		{"bad time", []string{"--policy", fixture("identity.json"), "--action", "s3:GetObject", "--time", "noon"}, exitUsage, "want RFC 3339"},
		{"syntax error names file, line, column", []string{"--policy", fixture("bad-syntax.json"), "--action", "s3:GetObject"}, exitError,
			fixture("bad-syntax.json") + ": policy: line 3, column 36: invalid JSON"},
		{"semantic error names file and statement", []string{"--policy", fixture("identity.json"), "--boundary", fixture("bad-effect.json"), "--action", "s3:GetObject"}, exitError,
			fixture("bad-effect.json") + `: policy: line 1, column 67: statement 0 (Sid "Oops"): Effect:`},
		{"principal in an identity policy", []string{"--policy", fixture("identity-principal.json"), "--action", "s3:GetObject"}, exitError,
			fixture("identity-principal.json") + `: policy: line 5, column 6: statement 0 (Sid "Read"): Principal: unknown element`},
		{"missing file", []string{"--policy", fixture("nope.json"), "--action", "s3:GetObject"}, exitError, "read policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSimulateArgs(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if out != "" {
				t.Errorf("stdout not empty: %s", out)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
		})
	}
}

func TestSimulateFlags(t *testing.T) {
	io, _, _, _ := testIO()
	var got *simulateOptions
	cmd := newSimulateCmdWith(io, func(o *simulateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--policy", "a.json", "--policy", "b.json", "--scp", "r.json", "--scp", "o1.json,o2.json",
		"--action", "s3:GetObject", "--context", "k=1", "--context", "k=2", "--context-complete", "--principal", "arn:aws:iam::1:role/x"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got.Policies) != 2 || len(got.SCPs) != 2 || got.SCPs[1] != "o1.json,o2.json" ||
		len(got.Context) != 2 || !got.ContextComplete || got.Resource != "*" || got.Format != "text" || got.Principal != "arn:aws:iam::1:role/x" {
		t.Errorf("options %+v", got)
	}
}

func TestSimulateHelp(t *testing.T) {
	code, out, _ := runSimulateArgs(t, "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Examples:", "tailor simulate --policy role-policy.json --action s3:GetObject", "--context-complete", "simulate-custom-policy"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
}
