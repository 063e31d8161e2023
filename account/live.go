package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// IAMClient is the part of the IAM API a live snapshot uses. *iam.Client
// implements it; every call is read-only.
type IAMClient interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, optFns ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
	GenerateCredentialReport(ctx context.Context, in *iam.GenerateCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(ctx context.Context, in *iam.GetCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	GenerateServiceLastAccessedDetails(ctx context.Context, in *iam.GenerateServiceLastAccessedDetailsInput, optFns ...func(*iam.Options)) (*iam.GenerateServiceLastAccessedDetailsOutput, error)
	GetServiceLastAccessedDetails(ctx context.Context, in *iam.GetServiceLastAccessedDetailsInput, optFns ...func(*iam.Options)) (*iam.GetServiceLastAccessedDetailsOutput, error)
}

var _ IAMClient = (*iam.Client)(nil)

// SnapshotActions returns the IAM actions [FetchAuthorizationDetails] calls.
// All are read-only; the AWS managed policy SecurityAudit grants them.
func SnapshotActions() []string {
	return []string{"iam:GetAccountAuthorizationDetails", "iam:GetPolicy", "iam:GetPolicyVersion"}
}

// ReportActions returns the IAM actions [FetchCredentialReport] calls. Both
// are read-only (GenerateCredentialReport only asks IAM to refresh the
// report); the AWS managed policy SecurityAudit grants them.
func ReportActions() []string {
	return []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}
}

// FetchOptions tunes [FetchAuthorizationDetails]. The zero value is ready to
// use.
type FetchOptions struct {
	// PageSize is the MaxItems of each call; 0 means 1000, the most IAM
	// allows. IAM may return fewer.
	PageSize int32
	// OnPage, if set, is called after each page with the number of pages
	// read and the entities gathered so far, for progress displays. It must
	// not keep or modify d.
	OnPage func(pages int, d *AuthorizationDetails)
	// NoPolicyLookup turns off the lookup, with iam:GetPolicy and
	// iam:GetPolicyVersion, of managed policies that are attached or used as
	// boundaries but absent from the pages IAM returned.
	NoPolicyLookup bool
	// Logger receives warnings, such as a policy lookup that was denied;
	// nil discards them.
	Logger *slog.Logger
}

// allEntities returns every filter value GetAccountAuthorizationDetails
// takes. For AWSManagedPolicy, IAM returns only the AWS managed policies in
// use in the account.
func allEntities() []types.EntityType {
	return []types.EntityType{
		types.EntityTypeUser, types.EntityTypeRole, types.EntityTypeGroup,
		types.EntityTypeLocalManagedPolicy, types.EntityTypeAWSManagedPolicy,
	}
}

// FetchAuthorizationDetails calls GetAccountAuthorizationDetails for every
// entity type and follows its pages to the end. Then, unless
// opts.NoPolicyLookup, it looks up each managed policy that a user, group or
// role attaches or uses as a boundary but that the pages lack, and adds it
// with its default version. Policy documents come back normalized (URL-
// decoded, compact).
//
// Throttling and transient errors are retried by the client's retryer. A
// call the credentials may not make gives an [*AccessDeniedError] naming the
// action; a denied policy lookup is only logged, and the policy is then
// reported missing by [New].
func FetchAuthorizationDetails(ctx context.Context, c IAMClient, opts FetchOptions) (*AuthorizationDetails, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	size := opts.PageSize
	if size <= 0 {
		size = 1000
	}
	var d AuthorizationDetails
	in := &iam.GetAccountAuthorizationDetailsInput{Filter: allEntities(), MaxItems: aws.Int32(size)}
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		out, err := c.GetAccountAuthorizationDetails(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("account: get account authorization details (page %d): %w", pages, apiError(err, "iam:GetAccountAuthorizationDetails"))
		}
		appendPage(&d, out)
		if opts.OnPage != nil {
			opts.OnPage(pages, &d)
		}
		if !out.IsTruncated {
			break
		}
		marker := aws.ToString(out.Marker)
		if marker == "" || seen[marker] {
			return nil, fmt.Errorf("account: get account authorization details (page %d): IAM says more pages follow but gave marker %q again or none", pages, marker)
		}
		seen[marker] = true
		in.Marker = aws.String(marker)
	}
	if !opts.NoPolicyLookup {
		if err := lookupMissing(ctx, c, &d, log); err != nil {
			return nil, err
		}
	}
	if err := normalize(&d); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Path = "GetAccountAuthorizationDetails response"
		}
		return nil, err
	}
	return &d, nil
}

// lookupMissing adds to d the managed policies it refers to but lacks.
func lookupMissing(ctx context.Context, c IAMClient, d *AuthorizationDetails, log *slog.Logger) error {
	have := map[string]bool{}
	for _, p := range d.Policies {
		have[p.ARN] = true
	}
	var want []string
	need := func(arn string) {
		if arn != "" && !have[arn] {
			have[arn] = true
			want = append(want, arn)
		}
	}
	for _, u := range d.UserDetailList {
		for _, a := range u.AttachedManagedPolicies {
			need(a.PolicyARN)
		}
		if u.PermissionsBoundary != nil {
			need(u.PermissionsBoundary.PermissionsBoundaryARN)
		}
	}
	for _, g := range d.GroupDetailList {
		for _, a := range g.AttachedManagedPolicies {
			need(a.PolicyARN)
		}
	}
	for _, r := range d.RoleDetailList {
		for _, a := range r.AttachedManagedPolicies {
			need(a.PolicyARN)
		}
		if r.PermissionsBoundary != nil {
			need(r.PermissionsBoundary.PermissionsBoundaryARN)
		}
	}
	for _, arn := range want {
		p, err := fetchPolicy(ctx, c, arn)
		var ad *AccessDeniedError
		switch {
		case errors.As(err, &ad):
			log.Warn("cannot look up managed policies missing from the authorization details; they will be reported missing",
				"policy", arn, "missing", len(want), "action", ad.Action, "err", ad.Err)
			return nil
		case isCode(err, "NoSuchEntity"):
			log.Warn("attached managed policy does not exist", "policy", arn)
			continue
		case err != nil:
			return err
		}
		d.Policies = append(d.Policies, *p)
	}
	return nil
}

func fetchPolicy(ctx context.Context, c IAMClient, arn string) (*ManagedPolicy, error) {
	out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("account: get policy %s: %w", arn, apiError(err, "iam:GetPolicy"))
	}
	if out.Policy == nil {
		return nil, fmt.Errorf("account: get policy %s: empty response", arn)
	}
	sp := out.Policy
	p := &ManagedPolicy{
		PolicyName:                    aws.ToString(sp.PolicyName),
		PolicyID:                      aws.ToString(sp.PolicyId),
		ARN:                           aws.ToString(sp.Arn),
		Path:                          aws.ToString(sp.Path),
		DefaultVersionID:              aws.ToString(sp.DefaultVersionId),
		AttachmentCount:               int(aws.ToInt32(sp.AttachmentCount)),
		PermissionsBoundaryUsageCount: int(aws.ToInt32(sp.PermissionsBoundaryUsageCount)),
		IsAttachable:                  sp.IsAttachable,
		Description:                   aws.ToString(sp.Description),
		CreateDate:                    timeOf(sp.CreateDate),
		UpdateDate:                    timeOf(sp.UpdateDate),
	}
	if p.ARN == "" {
		p.ARN = arn
	}
	vout, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: sp.DefaultVersionId})
	if err != nil {
		return nil, fmt.Errorf("account: get policy version %s %s: %w", arn, p.DefaultVersionID, apiError(err, "iam:GetPolicyVersion"))
	}
	if v := vout.PolicyVersion; v != nil {
		p.PolicyVersionList = []PolicyVersion{policyVersion(*v)}
	}
	return p, nil
}

// appendPage adds one page of the API's answer to d, with documents as
// JSON strings for normalize to decode.
func appendPage(d *AuthorizationDetails, out *iam.GetAccountAuthorizationDetailsOutput) {
	for _, u := range out.UserDetailList {
		d.UserDetailList = append(d.UserDetailList, User{
			Path:                    aws.ToString(u.Path),
			UserName:                aws.ToString(u.UserName),
			UserID:                  aws.ToString(u.UserId),
			ARN:                     aws.ToString(u.Arn),
			CreateDate:              timeOf(u.CreateDate),
			UserPolicyList:          inlinePolicies(u.UserPolicyList),
			GroupList:               u.GroupList,
			AttachedManagedPolicies: attachedPolicies(u.AttachedManagedPolicies),
			PermissionsBoundary:     boundaryOf(u.PermissionsBoundary),
			Tags:                    tagsOf(u.Tags),
		})
	}
	for _, g := range out.GroupDetailList {
		d.GroupDetailList = append(d.GroupDetailList, Group{
			Path:                    aws.ToString(g.Path),
			GroupName:               aws.ToString(g.GroupName),
			GroupID:                 aws.ToString(g.GroupId),
			ARN:                     aws.ToString(g.Arn),
			CreateDate:              timeOf(g.CreateDate),
			GroupPolicyList:         inlinePolicies(g.GroupPolicyList),
			AttachedManagedPolicies: attachedPolicies(g.AttachedManagedPolicies),
		})
	}
	for _, r := range out.RoleDetailList {
		role := Role{
			Path:                     aws.ToString(r.Path),
			RoleName:                 aws.ToString(r.RoleName),
			RoleID:                   aws.ToString(r.RoleId),
			ARN:                      aws.ToString(r.Arn),
			CreateDate:               timeOf(r.CreateDate),
			AssumeRolePolicyDocument: quoted(r.AssumeRolePolicyDocument),
			RolePolicyList:           inlinePolicies(r.RolePolicyList),
			AttachedManagedPolicies:  attachedPolicies(r.AttachedManagedPolicies),
			PermissionsBoundary:      boundaryOf(r.PermissionsBoundary),
			Tags:                     tagsOf(r.Tags),
			RoleLastUsed:             lastUsedOf(r.RoleLastUsed),
		}
		for _, ip := range r.InstanceProfileList {
			p := InstanceProfile{
				Path:                aws.ToString(ip.Path),
				InstanceProfileName: aws.ToString(ip.InstanceProfileName),
				InstanceProfileID:   aws.ToString(ip.InstanceProfileId),
				ARN:                 aws.ToString(ip.Arn),
				CreateDate:          timeOf(ip.CreateDate),
				Tags:                tagsOf(ip.Tags),
			}
			for _, ir := range ip.Roles {
				p.Roles = append(p.Roles, InstanceProfileRole{
					Path:                     aws.ToString(ir.Path),
					RoleName:                 aws.ToString(ir.RoleName),
					RoleID:                   aws.ToString(ir.RoleId),
					ARN:                      aws.ToString(ir.Arn),
					CreateDate:               timeOf(ir.CreateDate),
					AssumeRolePolicyDocument: quoted(ir.AssumeRolePolicyDocument),
					Description:              aws.ToString(ir.Description),
					MaxSessionDuration:       int(aws.ToInt32(ir.MaxSessionDuration)),
					PermissionsBoundary:      boundaryOf(ir.PermissionsBoundary),
					Tags:                     tagsOf(ir.Tags),
					RoleLastUsed:             lastUsedOf(ir.RoleLastUsed),
				})
			}
			role.InstanceProfileList = append(role.InstanceProfileList, p)
		}
		d.RoleDetailList = append(d.RoleDetailList, role)
	}
	for _, p := range out.Policies {
		mp := ManagedPolicy{
			PolicyName:                    aws.ToString(p.PolicyName),
			PolicyID:                      aws.ToString(p.PolicyId),
			ARN:                           aws.ToString(p.Arn),
			Path:                          aws.ToString(p.Path),
			DefaultVersionID:              aws.ToString(p.DefaultVersionId),
			AttachmentCount:               int(aws.ToInt32(p.AttachmentCount)),
			PermissionsBoundaryUsageCount: int(aws.ToInt32(p.PermissionsBoundaryUsageCount)),
			IsAttachable:                  p.IsAttachable,
			Description:                   aws.ToString(p.Description),
			CreateDate:                    timeOf(p.CreateDate),
			UpdateDate:                    timeOf(p.UpdateDate),
		}
		for _, v := range p.PolicyVersionList {
			mp.PolicyVersionList = append(mp.PolicyVersionList, policyVersion(v))
		}
		d.Policies = append(d.Policies, mp)
	}
}

func policyVersion(v types.PolicyVersion) PolicyVersion {
	return PolicyVersion{
		Document:         quoted(v.Document),
		VersionID:        aws.ToString(v.VersionId),
		IsDefaultVersion: v.IsDefaultVersion,
		CreateDate:       timeOf(v.CreateDate),
	}
}

// quoted returns the document text as a JSON string, for normalize to
// URL-decode and check; nil when absent.
func quoted(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	b, _ := json.Marshal(*s) // a string always marshals
	return b
}

func timeOf(t *time.Time) Time {
	if t == nil {
		return Time{}
	}
	return Time{t.UTC()}
}

func inlinePolicies(in []types.PolicyDetail) []InlinePolicy {
	var out []InlinePolicy
	for _, p := range in {
		out = append(out, InlinePolicy{PolicyName: aws.ToString(p.PolicyName), PolicyDocument: quoted(p.PolicyDocument)})
	}
	return out
}

func attachedPolicies(in []types.AttachedPolicy) []AttachedPolicy {
	var out []AttachedPolicy
	for _, a := range in {
		out = append(out, AttachedPolicy{PolicyName: aws.ToString(a.PolicyName), PolicyARN: aws.ToString(a.PolicyArn)})
	}
	return out
}

func boundaryOf(b *types.AttachedPermissionsBoundary) *PermissionsBoundary {
	if b == nil {
		return nil
	}
	return &PermissionsBoundary{PermissionsBoundaryType: string(b.PermissionsBoundaryType), PermissionsBoundaryARN: aws.ToString(b.PermissionsBoundaryArn)}
}

func tagsOf(in []types.Tag) []Tag {
	var out []Tag
	for _, t := range in {
		out = append(out, Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func lastUsedOf(l *types.RoleLastUsed) *RoleLastUsed {
	if l == nil {
		return nil
	}
	return &RoleLastUsed{LastUsedDate: timeOf(l.LastUsedDate), Region: aws.ToString(l.Region)}
}

// ReportOptions tunes [FetchCredentialReport]. The zero value is ready to
// use.
type ReportOptions struct {
	// PollInterval is the wait between checks of the report's state; 0
	// means 2 seconds.
	PollInterval time.Duration
	// Timeout bounds the wait for IAM to finish the report; 0 means 5
	// minutes.
	Timeout time.Duration
}

// FetchCredentialReport asks IAM to generate the credential report
// (GenerateCredentialReport, repeated until its state is COMPLETE) and
// downloads it (GetCredentialReport). It returns the report's CSV and when
// IAM generated it. When the report is not ready within opts.Timeout the
// error wraps [ErrReportTimeout]; a refused call gives an
// [*AccessDeniedError].
func FetchCredentialReport(ctx context.Context, c IAMClient, opts ReportOptions) (csv []byte, generated time.Time, err error) {
	interval := opts.PollInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	deadline := time.Now().Add(timeout)
	for attempt := 1; ; attempt++ {
		gen, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		switch {
		case isCode(err, "ReportGenerationLimitExceeded"):
		case err != nil:
			return nil, time.Time{}, fmt.Errorf("account: generate credential report: %w", apiError(err, "iam:GenerateCredentialReport"))
		case gen.State == types.ReportStateTypeComplete:
			out, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
			switch {
			case isCode(err, "ReportInProgress", "ReportNotPresent", "ReportExpired"):
			case err != nil:
				return nil, time.Time{}, fmt.Errorf("account: get credential report: %w", apiError(err, "iam:GetCredentialReport"))
			default:
				if out.ReportFormat != "" && out.ReportFormat != types.ReportFormatTypeTextCsv {
					return nil, time.Time{}, fmt.Errorf("account: get credential report: %w: format %q, want text/csv", ErrFormat, out.ReportFormat)
				}
				var t time.Time
				if out.GeneratedTime != nil {
					t = out.GeneratedTime.UTC()
				}
				return out.Content, t, nil
			}
		}
		if time.Now().Add(interval).After(deadline) {
			return nil, time.Time{}, fmt.Errorf("account: credential report after %d checks in %v: %w", attempt, timeout, ErrReportTimeout)
		}
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, time.Time{}, fmt.Errorf("account: wait for credential report: %w", ctx.Err())
		case <-timer.C:
		}
	}
}

// apiError turns an access-denied API error into an *AccessDeniedError
// naming action, and returns other errors as they are.
func apiError(err error, action string) error {
	if isCode(err, "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess") {
		return &AccessDeniedError{Action: action, Err: err}
	}
	return err
}

// isCode reports whether err is an AWS API error with one of the codes.
func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if err == nil || !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}
