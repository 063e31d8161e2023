package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/usage"
)

// recognizers are the packages' recognizers of the files tailor reads,
// each kept by the package that owns its formats.
func recognizers() []tailor.Recognizer {
	return []tailor.Recognizer{usage.Recognize, catalog.Recognize, account.Recognize, review.RecognizeVendors, ingest.Recognize}
}

// input is a file argument of a command: the flag that names it ("" for a
// positional argument), the path, and the kinds it may be.
type input struct {
	flag string
	path string
	want []tailor.Kind
}

// checkInputs checks, before a command reads anything, that each file
// argument given (path not "") is of a kind it wants: a file of another
// kind is a *tailor.KindError (exit status 2) that says what it is. A file
// that cannot be opened is left to its reader, which says why.
func checkInputs(inputs ...input) error {
	for _, in := range inputs {
		if in.path == "" {
			continue
		}
		var ke *tailor.KindError
		if err := tailor.Check(in.path, in.want, recognizers()...); errors.As(err, &ke) {
			ke.Flag = in.flag
			return ke
		}
	}
	return nil
}

// checkSources checks the local files given as SOURCEs of CloudTrail logs:
// a file tailor knows to be of another kind (an index, a snapshot, a
// catalog) is a *tailor.KindError. Directories, stdin, S3 and files that
// are nothing tailor knows are left to ingest, which reads what is
// CloudTrail in them and reports the rest.
func checkSources(sources []string) error {
sources:
	for _, src := range sources {
		if src == "-" || strings.HasPrefix(src, "s3://") {
			continue
		}
		st, err := os.Stat(src)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("source %s: %w", src, err)
			}
			continue
		}
		for _, r := range recognizers() {
			k, err := r(src)
			if err != nil || k == tailor.KindUnknown {
				continue
			}
			switch k {
			case tailor.KindCloudTrail, tailor.KindCloudTrailDir, tailor.KindCloudTrailDigest:
				continue sources
			}
			want := tailor.KindCloudTrail
			if st.IsDir() {
				want = tailor.KindCloudTrailDir
			}
			return &tailor.KindError{Path: src, Flag: "SOURCE", Want: want, Got: k}
		}
	}
	return nil
}

// arg is the input a flag names.
func arg(flag, path string, want ...tailor.Kind) input {
	return input{flag: flag, path: path, want: want}
}

// checkAccounts checks that the IAM snapshot is of an account the logs
// of the usage index hold records of, or of one that belongs with them:
// an account in own (--own-accounts) that the logs hold. A snapshot of
// another account would judge the logs' principals by policies they do
// not have. When the snapshot's account cannot be told, it says so on
// stderr and goes on.
func checkAccounts(io *ioStreams, snap *account.Snapshot, iamPath string, ix *usage.Index, usagePath string, own []string) error {
	logs := map[string]bool{}
	for _, r := range ix.Select(usage.Query{Kinds: []usage.Kind{usage.KindCoverage}}) {
		if r.Account != "" {
			logs[r.Account] = true
		}
	}
	if len(logs) == 0 {
		return nil
	}
	acct := snap.AccountID()
	if acct == "" {
		fmt.Fprintf(io.ErrOut, "tailor: warning: %s names no account: not checked against the accounts of the logs in %s\n", iamPath, usagePath)
		return nil
	}
	if logs[acct] {
		return nil
	}
	for _, a := range own {
		if logs[a] {
			return nil
		}
	}
	accts := slices.Sorted(maps.Keys(logs))
	const max = 5
	list := strings.Join(accts[:min(len(accts), max)], ", ")
	if len(accts) > max {
		list += fmt.Sprintf(" and %d more", len(accts)-max)
	}
	return &codeError{code: exitUsage, msg: fmt.Sprintf("%s is a snapshot of account %s, but the logs in %s are of %s %s: "+
		"give the snapshot of the logs' account, or --own-accounts %s if the two belong together",
		iamPath, acct, usagePath, reviewPlural(len(accts), "account", "accounts"), list, accts[0])}
}

// checkOutputs checks that each file a command is about to write over is
// of the kind it writes: replacing an IAM snapshot with a usage index, or
// an index with an activity log, loses a file the user meant to keep. A
// file that does not exist yet, an empty one and one that is not a
// regular file (/dev/null) may be written.
func checkOutputs(outputs ...input) error {
	seen := map[string]string{}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		if abs, err := filepath.Abs(out.path); err == nil {
			if other, ok := seen[abs]; ok {
				return flagErrorf("%s and %s name the same file %s", other, out.flag, out.path)
			}
			seen[abs] = out.flag
		}
		st, err := os.Stat(out.path)
		if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
			continue
		}
		err = tailor.Check(out.path, out.want, recognizers()...)
		var ke *tailor.KindError
		if errors.As(err, &ke) {
			return &codeError{code: exitUsage, msg: fmt.Sprintf("%s is %s, not %s: %s would write over it; remove it or name another file",
				out.path, ke.Got, ke.Want, out.flag)}
		}
	}
	return nil
}
