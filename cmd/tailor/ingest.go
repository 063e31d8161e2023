package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/usage"
)

type ingestOptions struct {
	io *ioStreams

	Sources    []string
	Output     string
	Since      string
	Until      string
	Accounts   []string
	Regions    []string
	Principals []string
	Workers    int
	Events     string
	Progress   string
	Strict     bool
	Now        func() time.Time

	NoDedupe        bool // for measuring what counting each event once costs
	Shard           string
	Checkpoint      string
	CheckpointEvery time.Duration
	Append          string

	// S3 sources
	Profile       string
	AWSRegion     string
	EndpointURL   string
	RequesterPays bool
	MaxGETs       int
}

func newIngestCmd(io *ioStreams, runF func(*ingestOptions) error) *cobra.Command {
	opts := &ingestOptions{io: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "ingest SOURCE... -o INDEX.parquet",
		Short: "Read CloudTrail logs into a usage index",
		Long: `Read CloudTrail logs and write the usage index: one row per day, account,
principal, caller account, event, resource and region, with the number of
calls, denied calls and other errors, and when they were first and last seen.

A SOURCE is a directory (walked recursively), a file, - for stdin, or
s3://bucket/prefix. Under a CloudTrail layout (AWSLogs/[o-org/]account/
CloudTrail/region/yyyy/mm/dd/) only the days, accounts and regions the
filters select are listed and read. Files
may be CloudTrail delivery files ({"Records":[...]}, .json or .json.gz), JSON
arrays or JSON lines of records, aws cloudtrail lookup-events output, or zip
archives of these. Digest files are skipped.

Each event is counted once: copies of it (an organization trail and an
account trail delivering the same events, a file beside its gzipped twin) are
dropped, and files identical to another are read once; the summary says how
many. --append, checkpoints and the merge of shards keep doing so.

A file that cannot be read whole is reported with where it broke; what came
before the break is kept and the run goes on (exit status 4), unless --strict.`,
		Example: `  tailor ingest testdata/demo -o usage.parquet
  tailor ingest ./AWSLogs --since 90d --account 111122223333 -o usage.parquet
  zcat trail.json.gz | tailor ingest - --principal '*vendor*' -o vendor.parquet
  tailor ingest s3://org-trail/AWSLogs/o-a1b2c3d4e5 --since 30d --profile audit -o usage.parquet`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return flagErrorf("ingest needs at least one SOURCE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			if opts.Output == "" {
				opts.Output = opts.Append
			}
			if opts.Output == "" {
				return flagErrorf("ingest needs -o INDEX.parquet")
			}
			if runF != nil {
				return runF(opts)
			}
			return runIngest(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "write the usage index to `FILE` (Parquet)")
	f.StringVar(&opts.Since, "since", "", "only records at or after `TIME` (RFC 3339, 2006-01-02, or an age like 90d)")
	f.StringVar(&opts.Until, "until", "", "only records before `TIME`")
	f.StringSliceVar(&opts.Accounts, "account", nil, "only records of these recipient `ACCOUNT`s")
	f.StringSliceVar(&opts.Regions, "region", nil, "only records of these `REGION`s")
	f.StringSliceVar(&opts.Principals, "principal", nil, "only calls of principals whose ARN matches `GLOB` (* matches any run, ? one character)")
	f.IntVar(&opts.Workers, "workers", runtime.GOMAXPROCS(0), "decode `N` files at once")
	f.StringVar(&opts.Events, "events", "", "also write the activity log (one row per event) to `FILE` (Parquet)")
	f.StringVar(&opts.Progress, "progress", "auto", "progress bar on stderr: auto (on a terminal), always, never")
	f.BoolVar(&opts.Strict, "strict", false, "stop at the first file that cannot be read whole")
	f.StringVar(&opts.Shard, "shard", "", "read only part `K/N` of the objects (0-based K; auto/N takes K from $JOB_COMPLETION_INDEX or $AWS_BATCH_JOB_ARRAY_INDEX); merge the parts with tailor usage merge")
	f.StringVar(&opts.Checkpoint, "checkpoint", "", "record progress in `FILE`; run the same command again after an interruption to go on where it stopped")
	f.DurationVar(&opts.CheckpointEvery, "checkpoint-every", time.Minute, "how often to write the checkpoint")
	f.StringVar(&opts.Append, "append", "", "add to the usage index `INDEX` the objects it has not read yet (-o defaults to INDEX)")
	f.BoolVar(&opts.NoDedupe, "no-dedupe", false, "count copies of events as often as they are read (to measure what dropping them costs)")
	f.MarkHidden("no-dedupe")
	f.StringVar(&opts.Profile, "profile", "", "S3: the AWS shared config `PROFILE` (default: the standard credential chain)")
	f.StringVar(&opts.AWSRegion, "aws-region", "", "S3: the bucket's `REGION` (default: from the AWS config, else us-east-1)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "S3: an S3-compatible server's `URL`, with path-style addressing")
	f.BoolVar(&opts.RequesterPays, "requester-pays", false, "S3: agree to pay for requests to a requester-pays bucket")
	f.IntVar(&opts.MaxGETs, "max-gets", 0, "S3: objects fetched at once (default 16)")
	return cmd
}

func runIngest(ctx context.Context, opts *ingestOptions) error {
	since, until, err := parseWindow(opts.Since, opts.Until, opts.Now())
	if err != nil {
		return err
	}
	showProgress, err := progressEnabled(opts.Progress, opts.io)
	if err != nil {
		return err
	}
	if opts.Workers < 1 {
		return flagErrorf("--workers must be at least 1")
	}
	shard, err := parseShard(opts.Shard, os.Getenv)
	if err != nil {
		return err
	}
	if opts.Events != "" && opts.Checkpoint != "" {
		return flagErrorf("--events cannot be resumed from a checkpoint: use one or the other")
	}
	if err := checkIngestFiles(opts); err != nil {
		return err
	}
	sources, err := openSources(ctx, opts)
	if err != nil {
		return err
	}
	filter := ingest.Filter{
		Since:      since,
		Until:      until,
		Accounts:   splitList(opts.Accounts),
		Regions:    splitList(opts.Regions),
		Principals: splitList(opts.Principals),
	}
	meta := usage.Meta{
		Tool:       "tailor " + version,
		Created:    opts.Now().UTC(),
		Since:      since,
		Until:      until,
		Accounts:   filter.Accounts,
		Regions:    filter.Regions,
		Principals: filter.Principals,
		Partial:    shard.N > 1,
	}

	// What earlier runs read: the index appended to, a checkpoint. Objects
	// are known by their canonical names (indexes of older versions named
	// local files as given, relative to where the run was).
	var prior []*usage.Index
	var seen []ingest.Seen
	var etags map[string]string // of S3 objects the index appended to read
	read := make(map[string]bool)
	cut := make(map[string]*ingest.Window)
	if opts.Append != "" {
		ix, err := usage.ReadFile(opts.Append)
		if err != nil {
			return fmt.Errorf("--append: %w", err)
		}
		if err := appendFilter(&filter, ix.Meta); err != nil {
			return err
		}
		meta.Accounts, meta.Regions, meta.Principals = filter.Accounts, filter.Regions, filter.Principals
		prior = append(prior, ix)
		// Objects read whole are skipped; the others, which the index's
		// window cut, are read again for the records outside it.
		for _, name := range ix.Sources(true) {
			read[canonicalSource(name)] = true
		}
		window := ingest.Window{Since: ix.Meta.Since, Until: ix.Meta.Until}
		for _, name := range ix.Sources(false) {
			if name = canonicalSource(name); !read[name] {
				cut[name] = &window
			}
		}
		seen = append(seen, toSeen(ix.Seen())...)
		etags = ix.SourceETags()
	}
	var checkpoint *usage.Index
	if opts.Checkpoint != "" {
		ix, err := usage.ReadFile(opts.Checkpoint)
		switch {
		case err == nil:
			checkpoint = ix
			fmt.Fprintf(opts.io.ErrOut, "resuming from checkpoint %s: %d objects already read\n", opts.Checkpoint, len(ix.Sources(false)))
		case !errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("--checkpoint: %w", err)
		}
	}
	if checkpoint != nil {
		for _, name := range checkpoint.Sources(false) {
			read[name] = true
		}
		seen = append(seen, toSeen(checkpoint.Seen())...)
	}

	sessions := usage.NewSessions()
	var (
		mu           sync.Mutex
		builders     []*usage.Builder // all, in order of creation
		checkpointed = map[*usage.Builder]bool{}
	)
	newBuilder := func() *usage.Builder {
		b := usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
		mu.Lock()
		builders = append(builders, b)
		mu.Unlock()
		return b
	}
	var spools []*usage.ActivitySpool
	if opts.Events != "" {
		spools = make([]*usage.ActivitySpool, opts.Workers)
		for i := range spools {
			if spools[i], err = usage.NewActivitySpool(""); err != nil {
				for _, s := range spools[:i] {
					s.Remove()
				}
				return err
			}
		}
	}
	run := ingest.Options{
		Filter:  filter,
		Workers: opts.Workers,
		// Record the request parameters that decide conditional actions,
		// so the catalog can tell them apart when the index is read.
		Decoder:  ingest.DecoderOptions{RequestParams: catalog.ConditionalParams()},
		Strict:   opts.Strict,
		Shard:    shard,
		Seen:     seen,
		NoDedupe: opts.NoDedupe,
		NewSink: func(i int) ingest.Sink {
			b := indexSink{newBuilder()}
			if spools != nil {
				return ingest.Tee(b, spools[i])
			}
			return b
		},
	}
	if len(read) > 0 || len(cut) > 0 {
		var changedMu sync.Mutex
		run.Known = func(name string, obj ingest.Object) (bool, *ingest.Window) {
			if e := etags[name]; e != "" && obj.ETag != "" && e != obj.ETag {
				// The same key, other content: an object is its key and ETag.
				changedMu.Lock()
				fmt.Fprintf(opts.io.ErrOut, "changed: %s has ETag %s, the index read %s: read again\n", name, obj.ETag, e)
				delete(etags, name)
				changedMu.Unlock()
				return false, nil
			}
			return read[name], cut[name]
		}
	}
	if opts.Checkpoint != "" {
		run.CheckpointEvery = opts.CheckpointEvery
		run.Checkpoint = func(sinks []ingest.Sink, seen []ingest.Seen) error {
			var bs []*usage.Builder
			for _, s := range sinks {
				bs = append(bs, s.(indexSink).Builder)
			}
			seg := usage.Finish(usage.Meta{Partial: true}, bs...)
			seg.AddCounted(fromSeen(seen)...)
			parts := []*usage.Index{seg}
			if checkpoint != nil {
				parts = append(parts, checkpoint)
			}
			cp, err := usage.Merge(true, parts...)
			if err != nil {
				return err
			}
			if err := cp.WriteFile(opts.Checkpoint); err != nil {
				return err
			}
			checkpoint = cp
			mu.Lock()
			for _, b := range bs {
				checkpointed[b] = true
			}
			mu.Unlock()
			return nil
		}
	}

	stats := new(ingest.Stats)
	run.Stats = stats
	start := time.Now()
	bar := startProgress(opts.io, stats, showProgress)
	remote := slices.ContainsFunc(sources, func(s ingest.Source) bool { _, ok := s.(ingest.Prefetcher); return ok })
	if remote || showProgress {
		// Long runs say what they are about to read before they read it.
		run.Listed = func(objects int, bytes int64) {
			bar.println(fmt.Sprintf("selected %d objects, %s", objects, mb(bytes)))
		}
	}
	res, err := ingest.Run(ctx, sources, run)
	bar.stop()
	if err != nil {
		for _, s := range spools {
			s.Remove()
		}
		if res != nil {
			printProblems(opts.io, res.Problems)
		}
		if opts.Checkpoint != "" && checkpoint != nil {
			fmt.Fprintf(opts.io.ErrOut, "the checkpoint %s holds what was read: run the same command again to go on\n", opts.Checkpoint)
		}
		return err
	}
	if spools != nil {
		if err := usage.FinishActivity(opts.Events, opts.Append != "", sessions, spools...); err != nil {
			return fmt.Errorf("activity log: %w", err)
		}
	}
	var last []*usage.Builder
	for _, b := range builders {
		if !checkpointed[b] {
			last = append(last, b)
		}
	}
	var ix *usage.Index
	if len(prior) == 0 && checkpoint == nil {
		ix = usage.Finish(meta, last...)
	} else {
		// Oldest first: an object read again keeps its newest source row.
		parts := prior
		if checkpoint != nil {
			parts = append(parts, checkpoint)
		}
		parts = append(parts, usage.Finish(usage.Meta{Partial: true, Since: filter.Since, Until: filter.Until,
			Accounts: filter.Accounts, Regions: filter.Regions, Principals: filter.Principals}, last...))
		if ix, err = usage.Merge(meta.Partial, parts...); err != nil {
			return err
		}
		ix.Meta.Tool, ix.Meta.Created = meta.Tool, meta.Created
	}
	if !meta.Partial {
		// What the next run can meet again: the last MaxDeliveryLag.
		ix.PruneEdges(ingest.MaxDeliveryLag)
	}
	if err := ix.WriteFile(opts.Output); err != nil {
		return err
	}
	if opts.Checkpoint != "" {
		if err := os.Remove(opts.Checkpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove checkpoint: %w", err)
		}
	}
	for _, n := range res.NotLogs {
		fmt.Fprintf(opts.io.ErrOut, "skipped: %v\n", n)
	}
	for i, o := range res.Identical {
		if i == maxNotices {
			fmt.Fprintf(opts.io.ErrOut, "… and %d more identical objects\n", len(res.Identical)-maxNotices)
			break
		}
		fmt.Fprintf(opts.io.ErrOut, "identical: %s holds what %s does: read once\n", o.Name, o.Of)
	}
	if res.Stats.Forgotten > 0 {
		fmt.Fprintf(opts.io.ErrOut, "warning: %s event keys were forgotten early to stay within memory: copies of those events delivered far apart may count twice\n", count(res.Stats.Forgotten))
	}
	fmt.Fprintf(opts.io.ErrOut, "%s; %d index rows → %s\n", summary(res.Stats, time.Since(start)), ix.Len(), opts.Output)
	if len(res.Problems) > 0 {
		printProblems(opts.io, res.Problems)
	}
	// An index of no record is no evidence of anything. A shard may be
	// given no object at all: its merge with the others says.
	if shard.N <= 1 && len(ix.Select(usage.Query{Kinds: []usage.Kind{usage.KindCoverage}})) == 0 {
		filtered := !filter.Since.IsZero() || !filter.Until.IsZero() || len(filter.Accounts)+len(filter.Regions) > 0
		return &codeError{code: exitPartial, msg: noRecords(res.Stats, len(res.Problems), filtered, opts.Output)}
	}
	if len(res.Problems) > 0 {
		return &codeError{code: exitPartial, msg: fmt.Sprintf("%d of %d files could not be read whole; the index holds everything else", len(res.Problems), res.Stats.Done)}
	}
	return nil
}

// noRecords says why the index at path holds no record: the sources held
// none (or files that could not be read whole), or none the window and
// filters select.
func noRecords(s ingest.Snapshot, failed int, filtered bool, path string) string {
	switch {
	case s.Events == 1:
		return fmt.Sprintf("the one CloudTrail record read is not in the window or of the accounts and regions asked for: %s holds no calls", path)
	case s.Events > 0:
		return fmt.Sprintf("none of the %d CloudTrail records read is in the window or of the accounts and regions asked for: %s holds no calls", s.Events, path)
	case s.Done == 0 && filtered:
		return fmt.Sprintf("no log file of the sources is of the window or of the accounts and regions asked for: %s holds no calls", path)
	case s.Done == 0:
		return fmt.Sprintf("no CloudTrail records: the sources hold no log files (.json, .json.gz, .jsonl, .zip): %s holds no calls", path)
	}
	msg := fmt.Sprintf("no CloudTrail records in the sources (%d files read, %d skipped as not CloudTrail logs", s.Done-s.Failed-s.Skipped, s.Skipped)
	if failed > 0 {
		msg += fmt.Sprintf(", %d unreadable", failed)
	}
	return msg + "): " + path + " holds no calls"
}

// appendFilter makes the filter of a run that appends to an index with
// meta: the same accounts, regions and principals (a run that names others
// would mix two indexes into one).
func appendFilter(f *ingest.Filter, meta usage.Meta) error {
	for _, c := range []struct {
		flag      string
		run, prev *[]string
	}{{"--account", &f.Accounts, &meta.Accounts}, {"--region", &f.Regions, &meta.Regions}, {"--principal", &f.Principals, &meta.Principals}} {
		switch {
		case len(*c.run) == 0:
			*c.run = *c.prev
		case !slices.Equal(*c.run, *c.prev):
			return flagErrorf("--append: the index was built with %s %s; give the same or none", c.flag, strings.Join(*c.prev, ","))
		}
	}
	return nil
}

// openSources opens the sources named on the command line.
func openSources(ctx context.Context, opts *ingestOptions) ([]ingest.Source, error) {
	var sources []ingest.Source
	for _, arg := range opts.Sources {
		var src ingest.Source
		var err error
		if strings.HasPrefix(arg, "s3://") {
			src, err = s3.New(ctx, arg, s3.Options{
				Profile:           opts.Profile,
				Region:            opts.AWSRegion,
				EndpointURL:       opts.EndpointURL,
				RequesterPays:     opts.RequesterPays,
				MaxConcurrentGETs: opts.MaxGETs,
				AppID:             appID(),
			})
		} else {
			src, err = ingest.LocalSource(arg, opts.io.In)
		}
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", arg, err)
		}
		sources = append(sources, src)
	}
	return sources, nil
}

// indexSink feeds a usage builder, and records the objects it read.
type indexSink struct{ *usage.Builder }

func (s indexSink) ObjectDone(name string, obj ingest.Object, read ingest.ObjectRead) {
	src := usage.Source{Name: name, ETag: obj.ETag, Records: read.Records, Outside: read.Outside, Failed: read.Failed, IdenticalTo: read.IdenticalTo}
	if k, ok := ingest.ParseLogKey(obj.Key); ok {
		src.Day, src.Time, src.Account, src.Region = k.Day, k.Time, k.Account, k.Region
	}
	s.AddSource(src)
}

// shardEnv are the variables schedulers set to a job's index in an array
// of jobs: a Kubernetes indexed Job, an AWS Batch array job.
var shardEnv = []string{"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}

// parseShard reads --shard K/N, where K may be "auto": the index from the
// scheduler's environment.
func parseShard(s string, getenv func(string) string) (ingest.Shard, error) {
	if s == "" {
		return ingest.Shard{}, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return ingest.Shard{}, flagErrorf("--shard %q: want K/N, like 0/8 or auto/8", s)
	}
	if ks == "auto" {
		for _, v := range shardEnv {
			if ks = getenv(v); ks != "" {
				break
			}
		}
		if ks == "" {
			return ingest.Shard{}, flagErrorf("--shard auto/%d: none of %s is set", n, strings.Join(shardEnv, ", "))
		}
	}
	k, err := strconv.Atoi(ks)
	if err != nil || k < 0 || k >= n {
		return ingest.Shard{}, flagErrorf("--shard %q: K must be 0 to %d", s, n-1)
	}
	return ingest.Shard{K: k, N: n}, nil
}

// maxNotices is how many objects of one kind of notice a run lists.
const maxNotices = 50

// printProblems lists the files that could not be read whole.
func printProblems(io *ioStreams, problems []*ingest.FileError) {
	for i, p := range problems {
		if i == maxNotices {
			fmt.Fprintf(io.ErrOut, "… and %d more\n", len(problems)-maxNotices)
			break
		}
		fmt.Fprintf(io.ErrOut, "unreadable: %v\n", p)
	}
}

// checkIngestFiles checks the files an ingest reads and writes, before it
// reads any log: the sources, the index appended to, the checkpoint, and
// what the outputs would write over.
func checkIngestFiles(opts *ingestOptions) error {
	if err := checkSources(opts.Sources); err != nil {
		return err
	}
	checkpoint := opts.Checkpoint
	if _, err := os.Stat(checkpoint); errors.Is(err, os.ErrNotExist) {
		checkpoint = "" // a new one
	}
	err := checkInputs(arg("--append", opts.Append, tailor.KindUsageIndex), arg("--checkpoint", checkpoint, tailor.KindCheckpoint))
	if err != nil {
		return err
	}
	output := opts.Output
	if output == opts.Append {
		output = "" // checked as --append
	}
	return checkOutputs(arg("--append", opts.Append, tailor.KindUsageIndex), arg("-o", output, tailor.KindUsageIndex), arg("--events", opts.Events, tailor.KindActivityLog),
		arg("--checkpoint", opts.Checkpoint, tailor.KindCheckpoint))
}

// canonicalSource returns the canonical name of an object an index names:
// S3 objects as they are, local files made canonical, relative ones from
// the working directory (see ingest.Canonical).
func canonicalSource(name string) string {
	if strings.HasPrefix(name, "s3://") || name == "-" {
		return name
	}
	// A zip member is archive.zip:member.
	if i := strings.Index(name, ".zip:"); i >= 0 {
		return canonicalSource(name[:i+4]) + name[i+4:]
	}
	if c, err := ingest.Canonical(name); err == nil {
		return c
	}
	return name
}

func toSeen(cs []usage.Counted) []ingest.Seen {
	out := make([]ingest.Seen, len(cs))
	for i, c := range cs {
		out[i] = ingest.Seen{Key: c.Key, Account: c.Account, Region: c.Region, Time: c.Time}
	}
	return out
}

func fromSeen(ss []ingest.Seen) []usage.Counted {
	out := make([]usage.Counted, len(ss))
	for i, s := range ss {
		out[i] = usage.Counted{Key: s.Key, Account: s.Account, Region: s.Region, Time: s.Time}
	}
	return out
}
