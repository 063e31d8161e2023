package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inputFiles are files of every kind tailor reads, and of others.
type inputFiles struct {
	dir                          string
	logs, logFile                string // the demo's logs, one of its files
	index, events                string // what ingest wrote of them
	iam, cred, resources         string
	template, templateJSON, tf   string
	catalog, emptyDir, emptyFile string
	notLogs                      string // a directory of JSON that is not CloudTrail
	other                        string // the demo's snapshot, of another account
}

func newInputFiles(t *testing.T) *inputFiles {
	t.Helper()
	f := &inputFiles{dir: t.TempDir(), logs: "../../testdata/demo/AWSLogs", iam: rvDemoIAM,
		cred: "../../testdata/demo/credential-report.csv", resources: "../../testdata/demo/resources.json",
		template: "../../account/testdata/kind/template.yaml", templateJSON: "../../account/testdata/kind/template.json",
		tf: "../../account/testdata/kind/main.tf", catalog: "../../catalog/testdata/servicereference/flat"}
	f.index, f.events = rvDemo(t)
	filepath.WalkDir(f.logs, func(p string, d fs.DirEntry, err error) error {
		if f.logFile == "" && strings.HasSuffix(p, ".json.gz") && !strings.Contains(p, "Digest") {
			f.logFile = p
		}
		return nil
	})
	f.emptyDir = filepath.Join(f.dir, "empty")
	f.emptyFile = filepath.Join(f.dir, "empty.json")
	f.notLogs = filepath.Join(f.dir, "not-logs")
	f.other = filepath.Join(f.dir, "other-account.json")
	os.MkdirAll(f.emptyDir, 0o755)
	os.MkdirAll(f.notLogs, 0o755)
	os.WriteFile(f.emptyFile, nil, 0o644)
	os.WriteFile(filepath.Join(f.notLogs, "manifest.json"), []byte(`{"files": ["a", "b"]}`), 0o644)
	iam, err := os.ReadFile(f.iam)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f.other, bytes.ReplaceAll(iam, []byte("364851209736"), []byte("999988887777")), 0o644)
	return f
}

// TestWrongInputs gives each file flag files of the other kinds: each is
// refused before anything is read or written, with exit status 2 and a
// message that says what the file is. A file that could be of the kind
// (JSON for a snapshot, text for a credential report) but is not
// recognised is its reader's to judge: exit 1, at the place it breaks.
func TestWrongInputs(t *testing.T) {
	f := newInputFiles(t)
	out := filepath.Join(f.dir, "out")
	iamCopy := filepath.Join(f.dir, "iam-copy.json")
	iamText, _ := os.ReadFile(f.iam)
	os.WriteFile(iamCopy, iamText, 0o644)
	indexText, _ := os.ReadFile(f.index)
	text := filepath.Join(f.dir, "text.txt")
	os.WriteFile(text, []byte("hello world\n"), 0o644)

	const (
		snapshot = "the JSON of 'aws iam get-account-authorization-details' or 'tailor iam snapshot'"
		index    = "the file 'tailor ingest -o' writes"
		activity = "the file 'tailor ingest --events' writes"
		logs     = "CloudTrail delivery files, JSON records or lookup-events output"
		vendors  = "a YAML list like known_aws_accounts.yaml: see 'tailor vendors update'"
	)
	tests := []struct {
		name string
		args []string
		code int
		msg  string // the whole of stderr, less "tailor: " and the newline
	}{
		// The cases.
		{"usage index as --events", []string{"review", "--iam", f.iam, "--events", f.index}, exitUsage,
			f.index + " is a usage index, not an activity log; --events wants " + activity},
		{"CloudFormation template as --iam", []string{"review", "--iam", f.template}, exitUsage,
			f.template + " is a CloudFormation template, not an IAM snapshot; --iam wants " + snapshot},
		{"CloudFormation template as analyze --iam", []string{"analyze", f.logs, "--iam", f.template, "-o", out}, exitUsage,
			f.template + " is a CloudFormation template, not an IAM snapshot; --iam wants " + snapshot},
		{"JSON template as rightsize --iam", []string{"rightsize", "--usage", f.index, "--iam", f.templateJSON, "--all"}, exitUsage,
			f.templateJSON + " is a CloudFormation template, not an IAM snapshot; --iam wants " + snapshot},

		// Every other flag, given a file of another kind.
		{"usage index as activity --events", []string{"activity", "--events", f.index, "--sweep"}, exitUsage,
			f.index + " is a usage index, not an activity log; --events wants " + activity},
		{"activity log as --usage", []string{"review", "--iam", f.iam, "--usage", f.events}, exitUsage,
			f.events + " is an activity log, not a usage index; --usage wants " + index},
		{"activity log as rightsize --usage", []string{"rightsize", "--usage", f.events, "--iam", f.iam, "--all"}, exitUsage,
			f.events + " is an activity log, not a usage index; --usage wants " + index},
		{"log file as --iam", []string{"review", "--iam", f.logFile}, exitUsage,
			f.logFile + " is a CloudTrail log file, not an IAM snapshot; --iam wants " + snapshot},
		{"usage index as --iam", []string{"review", "--iam", f.index}, exitUsage,
			f.index + " is a usage index, not an IAM snapshot; --iam wants " + snapshot},
		{"directory as --iam", []string{"review", "--iam", f.emptyDir}, exitUsage,
			f.emptyDir + " is a directory, not an IAM snapshot; --iam wants " + snapshot},
		{"empty file as --iam", []string{"review", "--iam", f.emptyFile}, exitUsage,
			f.emptyFile + " is an empty file, not an IAM snapshot; --iam wants " + snapshot},
		{"snapshot as --credential-report", []string{"review", "--iam", f.iam, "--credential-report", f.iam}, exitUsage,
			f.iam + " is an IAM snapshot, not an IAM credential report; --credential-report wants the CSV of the IAM credential report, or 'aws iam get-credential-report' output"},
		{"credential report as --resources", []string{"review", "--iam", f.iam, "--resources", f.cred}, exitUsage,
			f.cred + " is an IAM credential report, not a list of resource policies; --resources wants a JSON list of {arn, type, policy} objects: see the README's resources.json"},
		{"resources as --vendors", []string{"review", "--iam", f.iam, "--vendors", f.resources}, exitUsage,
			f.resources + " is a list of resource policies, not a known-accounts list; --vendors wants " + vendors},
		{"Terraform as --vendors", []string{"activity", "--events", f.events, "--sweep", "--vendors", f.tf}, exitUsage,
			f.tf + " is a Terraform file, not a known-accounts list; --vendors wants " + vendors},
		{"snapshot as vendors lookup --vendors", []string{"vendors", "lookup", "--vendors", f.iam, "464622532012"}, exitUsage,
			f.iam + " is an IAM snapshot, not a known-accounts list; --vendors wants " + vendors},
		{"logs as --catalog", []string{"review", "--iam", f.iam, "--catalog", f.logs}, exitUsage,
			f.logs + " is a directory of CloudTrail logs, not a catalog directory; --catalog wants a directory of service reference files, as 'tailor catalog update' keeps"},
		{"snapshot as catalog --catalog", []string{"catalog", "info", "--catalog", f.iam}, exitUsage,
			"catalog: " + f.iam + " is JSON, not a catalog directory (a directory of service reference files, as 'tailor catalog update' keeps)"},
		{"usage index as SOURCE", []string{"ingest", f.index, "-o", out}, exitUsage,
			f.index + " is a usage index, not a CloudTrail log file; SOURCE wants " + logs},
		{"catalog as SOURCE", []string{"ingest", f.catalog, "-o", out}, exitUsage,
			f.catalog + " is a catalog directory, not a directory of CloudTrail logs; SOURCE wants a directory of CloudTrail logs"},
		{"snapshot as analyze SOURCE", []string{"analyze", f.iam, "--iam", f.iam, "-o", out}, exitUsage,
			f.iam + " is an IAM snapshot, not a CloudTrail log file; SOURCE wants " + logs},
		{"activity log as --append", []string{"ingest", f.logFile, "--append", f.events}, exitUsage,
			f.events + " is an activity log, not a usage index; --append wants " + index},
		{"usage index as --checkpoint", []string{"ingest", f.logFile, "--checkpoint", f.index, "-o", out}, exitUsage,
			f.index + " is a usage index, not an ingest checkpoint; --checkpoint wants the file 'tailor ingest --checkpoint' writes, or a new file"},
		{"snapshot as ingest -o", []string{"ingest", f.logFile, "-o", iamCopy}, exitUsage,
			iamCopy + " is an IAM snapshot, not a usage index: -o would write over it; remove it or name another file"},
		{"usage index as ingest --events", []string{"ingest", f.logFile, "-o", out, "--events", f.index}, exitUsage,
			f.index + " is a usage index, not an activity log: --events would write over it; remove it or name another file"},
		{"one file as -o and --events", []string{"ingest", f.logFile, "-o", out, "--events", out}, exitUsage,
			"-o and --events name the same file " + out + "\nRun 'tailor --help' for usage."},
		{"activity log as usage show", []string{"usage", "show", f.events}, exitUsage,
			f.events + " is an activity log, not a usage index; INDEX wants " + index},
		{"activity log as usage merge", []string{"usage", "merge", "-o", out, f.index, f.events}, exitUsage,
			f.events + " is an activity log, not a usage index; INDEX wants " + index},
		{"snapshot as simulate --policy", []string{"simulate", "--policy", f.iam, "--action", "s3:GetObject"}, exitUsage,
			f.iam + " is an IAM snapshot, not a policy document; --policy wants a JSON IAM policy document"},
		{"snapshot as a last accessed report", []string{"iam", "add-last-accessed", "--iam", f.iam, "-o", out, f.iam}, exitUsage,
			f.iam + " is an IAM snapshot, not a last accessed report; PATH wants 'aws iam get-service-last-accessed-details' output, or a directory of them"},

		// Files of the right kind that break, and text no recognizer
		// knows where text is what the flag wants: their reader says what
		// is wrong and where (exit 1).
		{"broken snapshot", []string{"review", "--iam", "../../account/testdata/syntax-error.json"}, exitError,
			"../../account/testdata/syntax-error.json:8:13: account: syntax error: invalid character '\"' after object key:value pair"},
		{"text as --credential-report", []string{"review", "--iam", f.iam, "--credential-report", text}, exitError,
			text + ":1:1: account: unexpected input format: header lacks the user and arn columns: not an IAM credential report"},
		{"text as --vendors", []string{"review", "--iam", f.iam, "--vendors", text}, exitError,
			text + ":1:1: review: bad known-accounts list: want a list of entries"},

		// A snapshot of another account than the logs'.
		{"snapshot of another account", []string{"review", "--iam", f.other, "--usage", f.index}, exitUsage,
			f.other + " is a snapshot of account 999988887777, but the logs in " + f.index + " are of account 364851209736: " +
				"give the snapshot of the logs' account, or --own-accounts 364851209736 if the two belong together"},
		{"rightsize with a snapshot of another account", []string{"rightsize", "--iam", f.other, "--usage", f.index, "--all"}, exitUsage,
			f.other + " is a snapshot of account 999988887777, but the logs in " + f.index + " are of account 364851209736: " +
				"give the snapshot of the logs' account, or --own-accounts 364851209736 if the two belong together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := rvRun(t, tt.args...)
			if want := "tailor: " + tt.msg + "\n"; code != tt.code || stderr != want {
				t.Errorf("exit %d, stderr\n%s\nwant exit %d, stderr\n%s", code, stderr, tt.code, want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
				os.RemoveAll(out)
			}
		})
	}
	// Nothing given by mistake was written over.
	if b, _ := os.ReadFile(iamCopy); !bytes.Equal(b, iamText) {
		t.Error("the snapshot given as -o changed")
	}
	if b, _ := os.ReadFile(f.index); !bytes.Equal(b, indexText) {
		t.Error("the index given as --checkpoint or --events changed")
	}
}

// TestOwnAccounts: a snapshot of another account than the logs' is
// reviewed when --own-accounts says the logs' account is the owner's too.
func TestOwnAccounts(t *testing.T) {
	f := newInputFiles(t)
	code, _, stderr := rvRun(t, "review", "--iam", f.other, "--usage", f.index, "--own-accounts", "364851209736", "--format", "json")
	if code != exitOK {
		t.Errorf("exit %d: %s", code, stderr)
	}
	out := filepath.Join(f.dir, "out")
	code, _, stderr = rvRun(t, "analyze", f.logs, "--iam", f.other, "--progress", "never", "-o", out)
	want := "tailor: " + f.other + " is a snapshot of account 999988887777, but the logs in " + filepath.Join(out, "usage.parquet") +
		" are of account 364851209736: give the snapshot of the logs' account, or --own-accounts 364851209736 if the two belong together\n"
	if code != exitUsage || !strings.HasSuffix(stderr, want) {
		t.Errorf("analyze: exit %d, stderr\n%s\nwant exit 2 and it to end\n%s", code, stderr, want)
	}
}

// TestNoRecords: input with no CloudTrail record at all is said so, with
// exit status 4; analyze suggests nothing from it and judges nothing from
// the empty logs.
func TestNoRecords(t *testing.T) {
	f := newInputFiles(t)
	out := filepath.Join(f.dir, "out.parquet")
	lines := filepath.Join(f.dir, "lines.jsonl")
	os.WriteFile(lines, []byte(rec("a", "2026-10-01T00:00:00Z")+"\n"+rec("b", "2026-10-02T00:00:00Z")+"\n"+rec("c", "2026-10-03T00:00:00Z")+"\n"), 0o644)
	tests := []struct {
		name string
		args []string
		last string // the last line of stderr
	}{
		{"empty directory", []string{"ingest", f.emptyDir, "-o", out},
			"tailor: no CloudTrail records: the sources hold no log files (.json, .json.gz, .jsonl, .zip): " + out + " holds no calls"},
		{"JSON that is not CloudTrail", []string{"ingest", f.notLogs, "-o", out},
			"tailor: no CloudTrail records in the sources (0 files read, 1 skipped as not CloudTrail logs): " + out + " holds no calls"},
		{"a record outside the window", []string{"ingest", f.logFile, "-o", out, "--since", "2030-01-01"},
			"tailor: the one CloudTrail record read is not in the window or of the accounts and regions asked for: " + out + " holds no calls"},
		{"records outside the window", []string{"ingest", lines, "-o", out, "--since", "2030-01-01"},
			"tailor: none of the 3 CloudTrail records read is in the window or of the accounts and regions asked for: " + out + " holds no calls"},
		{"logs outside the window", []string{"ingest", f.logs, "-o", out, "--until", "2001-01-01"},
			"tailor: no log file of the sources is of the window or of the accounts and regions asked for: " + out + " holds no calls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := rvRun(t, tt.args...)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != exitPartial || lines[len(lines)-1] != tt.last {
				t.Errorf("exit %d, stderr\n%s\nwant exit 4 and last line\n%s", code, stderr, tt.last)
			}
		})
	}

	// The issue's case: analyze of an empty directory said "suggested 3
	// policies" and exit 0.
	dir := filepath.Join(f.dir, "analyze")
	code, _, stderr := rvRun(t, "analyze", f.emptyDir, "--iam", f.iam, "--progress", "never", "-o", dir)
	for _, want := range []string{"suggested no policies: the logs hold no CloudTrail records in the window",
		"tailor: input partial: the logs hold no CloudTrail records in the window: no policies suggested\n"} {
		if code != exitPartial || !strings.Contains(stderr, want) {
			t.Errorf("analyze: exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	if files, _ := os.ReadDir(filepath.Join(dir, "rightsize")); len(files) > 0 {
		t.Errorf("analyze wrote %d rightsize files from no logs", len(files))
	}
	var rep struct {
		Principals []struct {
			Findings []struct{ Rule string }
		}
		Notes []string
	}
	b, _ := os.ReadFile(filepath.Join(dir, "review.json"))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Principals {
		for _, fd := range p.Findings {
			if fd.Rule == "PERMISSIONS-UNUSED" {
				t.Error("PERMISSIONS-UNUSED judged from no logs")
			}
		}
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "The usage index holds no CloudTrail records: nothing was judged from it.") {
		t.Errorf("notes: %q", rep.Notes)
	}
}
