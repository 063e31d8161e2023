package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// LastAccessedActions returns the IAM actions [FetchLastAccessed] calls.
// Both are of the Read access level: GenerateServiceLastAccessedDetails only
// starts a report job and changes nothing. The AWS managed policies
// SecurityAudit and IAMReadOnlyAccess grant both (the first by name, the
// second through "iam:Get*"), as does ReadOnlyAccess ("iam:Generate*",
// "iam:Get*"); ViewOnlyAccess grants neither.
func LastAccessedActions() []string {
	return []string{"iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails"}
}

// LastAccessedOptions tunes [FetchLastAccessed]. The zero value is ready to
// use.
type LastAccessedOptions struct {
	// Jobs is how many principals' jobs are in flight at once; 0 means 4.
	Jobs int
	// PollInterval is the first wait before checking a job again; each
	// later wait doubles, up to 16 times it. 0 means 1 second.
	PollInterval time.Duration
	// Timeout bounds the wait for one principal's job; 0 means 10 minutes.
	Timeout time.Duration
	// PageSize is the MaxItems of each GetServiceLastAccessedDetails call;
	// 0 means 1000, the most IAM allows.
	PageSize int32
	// ServiceLevel asks for services only (Granularity SERVICE_LEVEL)
	// instead of services and their tracked actions (ACTION_LEVEL).
	ServiceLevel bool
	// OnDone, if set, is called after each principal, from any goroutine
	// but never concurrently, with the number done and the total.
	OnDone func(done, total int)
	// Logger receives a warning for each principal without a report; nil
	// discards them.
	Logger *slog.Logger
}

// FetchLastAccessed gets IAM's last accessed report of each principal (user
// or role ARN): it starts a job with GenerateServiceLastAccessedDetails, at
// action level unless opts.ServiceLevel, checks it with
// GetServiceLastAccessedDetails until it leaves IN_PROGRESS, waiting longer
// each time, and reads the finished report page by page. Up to opts.Jobs
// principals are in flight at once; throttling and transient errors are
// retried by the client's retryer.
//
// It returns the reports, COMPLETED and FAILED, sorted by ARN. A principal
// without a report (the call was denied, the principal is gone, the job did
// not finish within opts.Timeout, or another error) is not fatal: it gets a
// [Warning] of kind [WarnLastAccessed] instead, and is logged. The only
// error is the context's, when it ends.
func FetchLastAccessed(ctx context.Context, c IAMClient, principals []string, opts LastAccessedOptions) ([]LastAccessed, []Warning, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = 4
	}
	type result struct {
		report *LastAccessed
		warn   *Warning
	}
	results := make([]result, len(principals))
	next := make(chan int)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for range min(jobs, len(principals)) {
		wg.Go(func() {
			for i := range next {
				arn := principals[i]
				l, err := fetchLastAccessed(ctx, c, arn, opts)
				if err != nil && ctx.Err() == nil {
					w := Warning{Kind: WarnLastAccessed, Subject: arn, Message: fmt.Sprintf("no last accessed report of %s: %v", arn, err)}
					log.Warn("no last accessed report", "principal", arn, "err", err)
					results[i].warn = &w
				}
				results[i].report = l
				mu.Lock()
				done++
				if opts.OnDone != nil {
					opts.OnDone(done, len(principals))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range principals {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("account: last accessed details: %w", err)
	}
	var reports []LastAccessed
	var warnings []Warning
	for _, r := range results {
		if r.report != nil {
			reports = append(reports, *r.report)
		}
		if r.warn != nil {
			warnings = append(warnings, *r.warn)
		}
	}
	sort.Slice(reports, func(i, j int) bool { return reports[i].ARN < reports[j].ARN })
	return reports, warnings, nil
}

// fetchLastAccessed runs one principal's job to its end. A FAILED job is a
// report, not an error.
func fetchLastAccessed(ctx context.Context, c IAMClient, arn string, opts LastAccessedOptions) (*LastAccessed, error) {
	interval := opts.PollInterval
	if interval <= 0 {
		interval = time.Second
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	size := opts.PageSize
	if size <= 0 {
		size = 1000
	}
	granularity := types.AccessAdvisorUsageGranularityTypeActionLevel
	if opts.ServiceLevel {
		granularity = types.AccessAdvisorUsageGranularityTypeServiceLevel
	}
	gen, err := c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn), Granularity: granularity})
	if err != nil {
		return nil, fmt.Errorf("generate service last accessed details: %w", apiError(err, "iam:GenerateServiceLastAccessedDetails"))
	}
	jobID := aws.ToString(gen.JobId)
	if jobID == "" {
		return nil, errors.New("generate service last accessed details: IAM returned no JobId")
	}
	deadline := time.Now().Add(timeout)
	in := &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(jobID), MaxItems: aws.Int32(size)}
	var out *iam.GetServiceLastAccessedDetailsOutput
	for polls := 0; ; polls++ {
		out, err = c.GetServiceLastAccessedDetails(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("get service last accessed details (job %s): %w", jobID, apiError(err, "iam:GetServiceLastAccessedDetails"))
		}
		if out.JobStatus != types.JobStatusTypeInProgress {
			break
		}
		wait := min(interval<<min(polls, 4), 16*interval)
		if time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("job %s still IN_PROGRESS after %v", jobID, timeout)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
	l := &LastAccessed{
		ARN:               arn,
		JobID:             jobID,
		JobType:           string(out.JobType),
		JobStatus:         string(out.JobStatus),
		JobCreationDate:   timeOf(out.JobCreationDate),
		JobCompletionDate: timeOf(out.JobCompletionDate),
	}
	switch out.JobStatus {
	case types.JobStatusTypeFailed:
		l.Services = []ServiceLastAccessed{}
		l.Error = &JobError{}
		if out.Error != nil {
			l.Error.Code, l.Error.Message = aws.ToString(out.Error.Code), aws.ToString(out.Error.Message)
		}
		return l, nil
	case types.JobStatusTypeCompleted:
	default:
		return nil, fmt.Errorf("job %s has status %q", jobID, out.JobStatus)
	}
	if l.JobType == "" {
		l.JobType = string(granularity)
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		l.Services = appendServices(l.Services, out.ServicesLastAccessed)
		if !out.IsTruncated {
			break
		}
		marker := aws.ToString(out.Marker)
		if marker == "" || seen[marker] {
			return nil, fmt.Errorf("get service last accessed details (job %s, page %d): IAM says more pages follow but gave marker %q again or none", jobID, page, marker)
		}
		seen[marker] = true
		in.Marker = aws.String(marker)
		out, err = c.GetServiceLastAccessedDetails(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("get service last accessed details (job %s, page %d): %w", jobID, page+1, apiError(err, "iam:GetServiceLastAccessedDetails"))
		}
		if out.JobStatus != types.JobStatusTypeCompleted {
			return nil, fmt.Errorf("get service last accessed details (job %s, page %d): job status changed to %q", jobID, page+1, out.JobStatus)
		}
	}
	if l.Services == nil {
		l.Services = []ServiceLastAccessed{}
	}
	return l, nil
}

func appendServices(dst []ServiceLastAccessed, in []types.ServiceLastAccessed) []ServiceLastAccessed {
	for _, s := range in {
		sl := ServiceLastAccessed{
			ServiceName:                aws.ToString(s.ServiceName),
			ServiceNamespace:           aws.ToString(s.ServiceNamespace),
			LastAuthenticated:          timeOf(s.LastAuthenticated),
			LastAuthenticatedEntity:    aws.ToString(s.LastAuthenticatedEntity),
			LastAuthenticatedRegion:    aws.ToString(s.LastAuthenticatedRegion),
			TotalAuthenticatedEntities: int(aws.ToInt32(s.TotalAuthenticatedEntities)),
		}
		for _, a := range s.TrackedActionsLastAccessed {
			sl.TrackedActionsLastAccessed = append(sl.TrackedActionsLastAccessed, TrackedActionLastAccessed{
				ActionName:         aws.ToString(a.ActionName),
				LastAccessedTime:   timeOf(a.LastAccessedTime),
				LastAccessedEntity: aws.ToString(a.LastAccessedEntity),
				LastAccessedRegion: aws.ToString(a.LastAccessedRegion),
			})
		}
		dst = append(dst, sl)
	}
	return dst
}
