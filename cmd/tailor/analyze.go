package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/rightsize"
)

// analyzeOptions holds the flags of `tailor analyze`.
type analyzeOptions struct {
	io *ioStreams

	Sources          []string
	Output           string
	IAM              string
	Live             bool
	NoLastAccessed   bool
	CredentialReport string
	Resources        string
	Vendors          string
	OwnAccounts      []string
	OwnNetworks      []string
	Since            string
	Until            string
	InactiveDays     int
	KeyAgeDays       int
	FailOn           string
	CatalogDir       string
	Workers          int
	Progress         string
	Strict           bool
	Now              func() time.Time

	// AWS: S3 sources and --live.
	Profile     string
	AWSRegion   string
	EndpointURL string

	vendorsCache string // tests: the cache file to look in
}

// The files analyze writes into its directory.
const (
	analyzeUsage     = "usage.parquet"
	analyzeEvents    = "events.parquet"
	analyzeIAM       = "iam.json" // with --live
	analyzeReport    = "report.html"
	analyzeReview    = "review.json"
	analyzeSARIF     = "review.sarif"
	analyzeRightsize = "rightsize"
)

func newAnalyzeCmd(io *ioStreams, runF func(*analyzeOptions) error) *cobra.Command {
	opts := &analyzeOptions{io: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "analyze SOURCE... (--iam AUTHZ.json | --live) -o DIR",
		Short: "Ingest, review and rightsize in one pass, into one HTML report",
		Long: `analyze is the whole job in one command: it reads the CloudTrail logs into a
usage index and an activity log, reviews the third parties that can get into
the account, suggests a least-privilege policy for each of them, and writes
one report to open in a browser.

Into DIR it writes:
  report.html         the report: one self-contained file, nothing fetched
  review.json         the review (as 'tailor review --format json')
  review.sarif        the review for CI systems (SARIF 2.1.0)
  rightsize/<name>.policy.json, .diff, .report.json
                      per third-party role or user, as 'tailor rightsize -o'
  usage.parquet       the usage index ('tailor ingest -o')
  events.parquet      the activity log ('tailor ingest --events')
  iam.json            the IAM snapshot, with --live

Run it again with the same DIR and it reads only the logs it has not read
(as 'tailor ingest --append'), then reviews and reports again.

The IAM snapshot is a file of 'aws iam get-account-authorization-details'
(--iam), or fetched read-only with the standard AWS credentials (--live; see
'tailor iam snapshot --help' for the permissions), with IAM's last accessed
reports of every user and role unless --no-last-accessed: where the logs
cannot show an action, the rightsizer keeps it if IAM saw it used and
removes it if IAM tracked it over the whole window unused. SOURCEs are as
for 'tailor ingest': directories, files, - for stdin, s3://bucket/prefix.

Every file given is checked to be what its flag wants before the logs are
read (exit status 2 otherwise), and the snapshot to be of an account the
logs hold (or one --own-accounts names).

A principal that gets no suggestion (policies missing from the snapshot) is
named on stderr and in the report; the rest is still written. The exit
status is 5 when --fail-on is given and a finding at or above it exists,
else 1 when a suggestion failed its proof, else 4 when the input was
partial: some log could not be read whole (in this run or an earlier one),
or the logs hold no CloudTrail record in the window (then no policy is
suggested). Each of them is printed whatever the status.`,
		Example: `  tailor analyze testdata/demo/AWSLogs --iam testdata/demo/iam.json \
      --credential-report testdata/demo/credential-report.csv -o demo-report
  tailor analyze s3://org-trail/AWSLogs/o-a1b2c3d4e5 --live --profile audit --since 90d -o acme-prod
  tailor analyze ./AWSLogs --iam iam.json --own-accounts 444455556666 --fail-on high -o out`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return flagErrorf("analyze needs at least one SOURCE of CloudTrail logs")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			if opts.Output == "" {
				return flagErrorf("analyze needs -o DIR")
			}
			if (opts.IAM == "") == !opts.Live {
				return flagErrorf("analyze needs exactly one of --iam AUTHZ.json and --live")
			}
			if opts.FailOn != "" {
				if _, err := review.ParseSeverity(opts.FailOn); err != nil {
					return flagErrorf("--fail-on: %v", err)
				}
			}
			if opts.InactiveDays < 0 || opts.KeyAgeDays < 0 {
				return flagErrorf("--inactive-days and --key-age-days must not be negative")
			}
			if opts.Workers < 1 {
				return flagErrorf("--workers must be at least 1")
			}
			if runF != nil {
				return runF(opts)
			}
			return runAnalyze(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "write everything into the directory `DIR` (created if needed; reused by later runs)")
	f.StringVar(&opts.IAM, "iam", "", "the IAM snapshot: `FILE` of aws iam get-account-authorization-details (or tailor iam snapshot)")
	f.BoolVar(&opts.Live, "live", false, "fetch the IAM snapshot from the account, read-only, into DIR/iam.json")
	f.BoolVar(&opts.NoLastAccessed, "no-last-accessed", false, "with --live, skip IAM's last accessed reports (slow on big accounts)")
	f.StringVar(&opts.CredentialReport, "credential-report", "", "the IAM credential report `FILE` (CSV or aws iam get-credential-report JSON)")
	f.StringVar(&opts.Resources, "resources", "", "the account's resource policies and shares: a resources.json `FILE` (see the README)")
	f.StringVar(&opts.Vendors, "vendors", "", "the known-accounts list `FILE` (default: the cache 'tailor vendors update' fills)")
	f.StringSliceVar(&opts.OwnAccounts, "own-accounts", nil, "your other `ACCOUNT`s: trust to them is not third-party")
	f.StringSliceVar(&opts.OwnNetworks, "own-networks", nil, "your address ranges (`CIDR`s): keys used from elsewhere are used from outside")
	f.StringVar(&opts.Since, "since", "", "only logs at or after `TIME` (RFC 3339, 2006-01-02, or an age like 90d)")
	f.StringVar(&opts.Until, "until", "", "only logs before `TIME`")
	f.IntVar(&opts.InactiveDays, "inactive-days", 90, "a third-party role or access key unused this many `DAYS` is a finding")
	f.IntVar(&opts.KeyAgeDays, "key-age-days", 90, "access keys older than this many `DAYS` should be rotated")
	f.StringVar(&opts.FailOn, "fail-on", "", "exit with status 5 when a finding at or above `SEVERITY` exists")
	f.StringVar(&opts.CatalogDir, "catalog", "", "read the IAM catalog from the service reference files in `DIR`")
	f.IntVar(&opts.Workers, "workers", runtime.GOMAXPROCS(0), "decode `N` log files at once")
	f.StringVar(&opts.Progress, "progress", "auto", "progress bar on stderr: auto (on a terminal), always, never")
	f.BoolVar(&opts.Strict, "strict", false, "stop at the first log file that cannot be read whole")
	f.StringVar(&opts.Profile, "profile", "", "the AWS shared config `PROFILE` for S3 sources and --live")
	f.StringVar(&opts.AWSRegion, "aws-region", "", "the `REGION` of the bucket (S3) and of the IAM endpoint (--live)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "an S3-compatible server's `URL` for s3:// sources")
	return cmd
}

func runAnalyze(ctx context.Context, opts *analyzeOptions) error {
	io := opts.io
	start := time.Now()
	since, until, err := parseWindow(opts.Since, opts.Until, opts.Now())
	if err != nil {
		return err
	}
	// Every file given is what it should be before the long part.
	if err := checkSources(opts.Sources); err != nil {
		return err
	}
	err = checkInputs(
		arg("--iam", opts.IAM, tailor.KindSnapshot),
		arg("--credential-report", opts.CredentialReport, tailor.KindCredentialReport),
		arg("--resources", opts.Resources, tailor.KindResources),
		arg("--vendors", opts.Vendors, tailor.KindVendors),
		arg("--catalog", opts.CatalogDir, tailor.KindCatalog),
	)
	if err != nil {
		return err
	}
	dir := opts.Output
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	path := func(name string) string { return filepath.Join(dir, name) }

	// The IAM snapshot first: a run that cannot read it stops before the
	// long part.
	iamPath := opts.IAM
	if opts.Live {
		client, err := newIAMClient(ctx, opts.Profile, opts.AWSRegion, "")
		if err != nil {
			return err
		}
		snap, err := fetchIAMSnapshot(ctx, io, client)
		if err != nil {
			return err
		}
		if !opts.NoLastAccessed {
			// IAM's own record of what each principal used: the
			// rightsizer's second witness where the logs are silent.
			if snap, _, err = fetchLastAccessed(ctx, io, client, snap, &iamSnapshotOptions{LastAccessedJobs: 4}); err != nil {
				return err
			}
		}
		iamPath = path(analyzeIAM)
		if err := account.SaveAuthorizationDetails(iamPath, snap.Details()); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "IAM snapshot of account %s → %s\n", orUnknown(snap.AccountID()), iamPath)
	} else if _, err := account.LoadFile(iamPath); err != nil {
		return err
	}

	// Ingest, appending to the index of an earlier run.
	ing := &ingestOptions{io: io, Sources: opts.Sources, Output: path(analyzeUsage), Events: path(analyzeEvents),
		Since: opts.Since, Until: opts.Until, Workers: opts.Workers, Progress: opts.Progress, Strict: opts.Strict, Now: opts.Now,
		Profile: opts.Profile, AWSRegion: opts.AWSRegion, EndpointURL: opts.EndpointURL}
	if _, err := os.Stat(ing.Output); err == nil {
		ing.Append = ing.Output
		fmt.Fprintf(io.ErrOut, "appending to %s: reading only the logs it has not read\n", ing.Output)
	}
	// Partial input (a file not read whole, no records) is judged from
	// the index below, which remembers it across runs.
	if err := runIngest(ctx, ing); err != nil {
		var ce *codeError
		if !errors.As(err, &ce) || ce.code != exitPartial {
			return err
		}
	}

	// Review, with the rightsizer attached to the remedies.
	rvOpts := &reviewOptions{io: io, IAM: iamPath, Usage: ing.Output, Events: ing.Events, CredentialReport: opts.CredentialReport, Resources: opts.Resources,
		OwnAccounts: opts.OwnAccounts, OwnNetworks: opts.OwnNetworks, Vendors: opts.Vendors, InactiveDays: opts.InactiveDays,
		KeyAgeDays: opts.KeyAgeDays, CatalogDir: opts.CatalogDir, vendorsCache: opts.vendorsCache}
	in, ro, err := reviewInputs(rvOpts)
	if err != nil {
		return err
	}
	rs, err := rightsize.New(ro.Catalog, in.Usage, rightsize.Options{Since: since, Until: until})
	if err != nil {
		return err
	}
	var partial []string
	if p := partialText(in.Usage.Unreadable()); p != "" {
		partial = append(partial, p)
	}
	// A window without a record shows no use of anything: a suggestion
	// from it would take every permission away.
	empty := rs.Window().DaysWithLogs == 0
	sug := &suggester{rs: rs, snap: in.Snapshot, done: map[string]*rightsize.Result{}}
	if empty {
		partial = append(partial, "the logs hold no CloudTrail records in the window: no policies suggested")
	} else {
		ro.Rightsizer = sug
	}
	rep, err := review.Review(ctx, in, ro)
	if err != nil {
		return err
	}

	// Rightsize every third-party role and user; the review asked for
	// some already.
	run := &report.RightsizeRun{Tool: "tailor " + version, Catalog: ro.Catalog.Source(), Window: rs.Window()}
	var thirdParty []string
	var sel review.Selection
	for _, p := range rep.Principals {
		if !p.ThirdParty {
			continue
		}
		switch p.Kind {
		case review.KindRole, review.KindUser:
			thirdParty = append(thirdParty, p.ARN)
			sel.Principals = append(sel.Principals, p.ARN)
		case review.KindAccount:
			for _, pt := range p.Parties {
				if pt.Account != "" {
					sel.CallerAccounts = append(sel.CallerAccounts, pt.Account)
				}
			}
		}
	}
	var verifyFailed int
	var results []*rightsize.Result
	if !empty {
		results = sug.all(ctx, thirdParty)
	}
	for _, res := range results {
		if res.Err != nil {
			if errors.Is(res.Err, rightsize.ErrVerify) {
				verifyFailed++
			}
			run.Failures = append(run.Failures, report.RightsizeFailure{Principal: res.Subject.ARN, Error: res.Err.Error()})
			continue
		}
		run.Suggestions = append(run.Suggestions, res.Suggestion)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// What the third parties did: their sessions and first appearances.
	var tl *review.Timeline
	if len(sel.Principals)+len(sel.CallerAccounts) > 0 && in.Events != nil {
		sel.Label = "the third parties"
		if tl, err = review.BuildTimeline(ctx, in.Events, sel, review.TimelineOptions{Since: since, Until: until}); err != nil {
			return err
		}
	}

	// The files.
	var doc bytes.Buffer
	if err := report.WriteReviewJSON(&doc, rep, "tailor "+version); err != nil {
		return err
	}
	if err := writeFileAtomic(path(analyzeReview), doc.Bytes()); err != nil {
		return err
	}
	doc.Reset()
	if err := report.WriteSARIF(&doc, rep, reviewSARIFOptions(iamPath, opts.Resources, in.Resources)); err != nil {
		return err
	}
	if err := writeFileAtomic(path(analyzeSARIF), doc.Bytes()); err != nil {
		return err
	}
	bases, err := writeRightsizeFiles(ctx, nil, path(analyzeRightsize), run)
	if err != nil {
		return err
	}
	doc.Reset()
	err = report.WriteHTML(&doc, &report.HTMLInput{
		Tool:      "tailor " + version,
		Generated: opts.Now().UTC().Truncate(time.Second),
		Catalog:   fmt.Sprintf("%s (%s)", ro.Catalog.Source(), ro.Catalog.Date().Format(time.DateOnly)),
		Review:    rep,
		Rightsize: run,
		Timeline:  tl,
		Usage:     in.Usage,
		Snapshot:  in.Snapshot,
	}, report.HTMLOptions{Files: func(s *rightsize.Suggestion) string {
		if b, ok := bases[s.Principal]; ok {
			return b + ".{" + strings.Join(rightsizeExtensions(s), ",") + "}"
		}
		return ""
	}})
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path(analyzeReport), doc.Bytes()); err != nil {
		return err
	}

	// The summary.
	for _, f := range run.Failures {
		fmt.Fprintf(io.ErrOut, "tailor: no suggestion for %s: %s\n", f.Principal, f.Error)
	}
	c := rep.Counts
	fmt.Fprintf(io.ErrOut, "reviewed %d principals, %d third parties: %d critical, %d high, %d medium, %d low, %d info\n",
		len(rep.Principals), len(thirdParty)+len(sel.CallerAccounts), c.Critical, c.High, c.Medium, c.Low, c.Info)
	if empty {
		fmt.Fprintf(io.ErrOut, "suggested no policies: the logs hold no CloudTrail records in the window; review → %s, %s\n",
			path(analyzeReview), path(analyzeSARIF))
	} else {
		fmt.Fprintf(io.ErrOut, "suggested %d policies → %s; review → %s, %s\n", len(run.Suggestions), path(analyzeRightsize),
			path(analyzeReview), path(analyzeSARIF))
	}
	fmt.Fprintf(io.ErrOut, "report → %s (%s) in %s\n", path(analyzeReport), sizeText(doc.Len()), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(io.ErrOut, "open it in a browser: %s\n", fileURL(path(analyzeReport)))

	return outcome(failOn(opts.FailOn, rep), verifyFailed > 0, strings.Join(partial, "; "))
}

// suggester attaches the rightsizer to the review (review.Rightsizer) and
// keeps each principal's result, so that nothing is rightsized twice.
type suggester struct {
	rs   *rightsize.Rightsizer
	snap *account.Snapshot
	mu   sync.Mutex
	done map[string]*rightsize.Result // by principal ARN
}

// Suggest returns the suggested policy of the principal, as the
// <name>.policy.json file holds it.
func (s *suggester) Suggest(ctx context.Context, arn string) (json.RawMessage, error) {
	res := s.all(ctx, []string{arn})[0]
	if res.Err != nil {
		return nil, res.Err
	}
	return report.RightsizePolicyJSON(res.Suggestion)
}

// all returns the results for the principals, rightsizing those not done
// yet, several at once.
func (s *suggester) all(ctx context.Context, arns []string) []*rightsize.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	var todo []*rightsize.Subject
	var keys []string // the ARN each subject was asked by
	for _, arn := range arns {
		if _, ok := s.done[arn]; ok {
			continue
		}
		p, err := s.snap.Principal(arn)
		if err == nil {
			var subj *rightsize.Subject
			if subj, err = s.rs.Subject(s.snap, p); err == nil {
				todo = append(todo, subj)
				keys = append(keys, arn)
				s.done[arn] = nil // pending
				continue
			}
		}
		s.done[arn] = &rightsize.Result{Subject: &rightsize.Subject{ARN: arn}, Err: err}
	}
	for i, res := range s.rs.SuggestAll(ctx, todo) {
		r := res
		s.done[keys[i]] = &r
	}
	out := make([]*rightsize.Result, 0, len(arns))
	for _, arn := range arns {
		out = append(out, s.done[arn])
	}
	return out
}

// fileURL returns the file: URL of a local path.
func fileURL(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// sizeText says how large a file is: "412 KB", "3.1 MB".
func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
