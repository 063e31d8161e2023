package account

import (
	"strings"
	"time"
)

// LastAccessed is IAM's last accessed report for one user or role: the
// answer of GetServiceLastAccessedDetails to a job that
// GenerateServiceLastAccessedDetails started for the principal's ARN. Its
// JSON is what "aws iam get-service-last-accessed-details" prints, plus Arn
// and JobId, which say whose report it is. A snapshot file holds a list of
// them under the top-level key "ServiceLastAccessedDetails".
//
// The report is a second witness beside CloudTrail. IAM records every
// attempt to use a service, including denied ones and calls that CloudTrail
// does not log, but only the last one, and only for services the
// principal's own permissions policies allow: access granted by a resource
// policy alone is not reported. Recent activity takes up to four hours to
// appear. See [LastAccessed.Service] and [LastAccessed.Action] for what it
// can prove and from when.
//
// The methods accept a nil *LastAccessed, which knows nothing.
type LastAccessed struct {
	// ARN is the user or role the report is about.
	ARN string `json:"Arn"`
	// JobID is the id GenerateServiceLastAccessedDetails returned.
	JobID string `json:"JobId,omitempty"`
	// JobType is "ACTION_LEVEL" (services and their tracked actions) or
	// "SERVICE_LEVEL" (services only).
	JobType string `json:"JobType,omitempty"`
	// JobStatus is "COMPLETED" or "FAILED"; IN_PROGRESS jobs are never
	// stored.
	JobStatus         string `json:"JobStatus"`
	JobCreationDate   Time   `json:"JobCreationDate,omitzero"`
	JobCompletionDate Time   `json:"JobCompletionDate,omitzero"`
	// Services lists every service the principal's permissions policies
	// allow, accessed or not.
	Services []ServiceLastAccessed `json:"ServicesLastAccessed"`
	// Error says why a FAILED job failed.
	Error *JobError `json:"Error,omitempty"`
}

// ServiceLastAccessed is one service of a [LastAccessed] report.
type ServiceLastAccessed struct {
	ServiceName      string `json:"ServiceName"`
	ServiceNamespace string `json:"ServiceNamespace"`
	// LastAuthenticated is the last attempt to use the service; zero when
	// there was none within the tracking period.
	LastAuthenticated          Time   `json:"LastAuthenticated,omitzero"`
	LastAuthenticatedEntity    string `json:"LastAuthenticatedEntity,omitempty"`
	LastAuthenticatedRegion    string `json:"LastAuthenticatedRegion,omitempty"`
	TotalAuthenticatedEntities int    `json:"TotalAuthenticatedEntities"`
	// TrackedActionsLastAccessed lists the actions of the service that IAM
	// tracks, in ACTION_LEVEL reports.
	TrackedActionsLastAccessed []TrackedActionLastAccessed `json:"TrackedActionsLastAccessed,omitempty"`
}

// TrackedActionLastAccessed is one tracked action of a service.
type TrackedActionLastAccessed struct {
	// ActionName is the action without its service prefix, as IAM gives
	// it ("CreateBucket").
	ActionName string `json:"ActionName"`
	// LastAccessedTime is the last attempt; zero when there was none within
	// the action's tracking period.
	LastAccessedTime   Time   `json:"LastAccessedTime,omitzero"`
	LastAccessedEntity string `json:"LastAccessedEntity,omitempty"`
	LastAccessedRegion string `json:"LastAccessedRegion,omitempty"`
}

// JobError is why IAM could not complete a last accessed job.
type JobError struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// Job states and types of GetServiceLastAccessedDetails.
const (
	JobCompleted  = "COMPLETED"
	JobFailed     = "FAILED"
	JobInProgress = "IN_PROGRESS"

	JobActionLevel  = "ACTION_LEVEL"
	JobServiceLevel = "SERVICE_LEVEL"
)

// Tracking periods, as the IAM User Guide gives them ("Refine permissions
// in AWS using last accessed information": "Things to know" and "Where AWS
// tracks last accessed information").
const (
	// ServiceTrackingPeriod is how far back IAM reports service access:
	// "at least 400 days", less where the Region began tracking later
	// (see [TrackingRegionStart]).
	ServiceTrackingPeriod = 400 * 24 * time.Hour
	// ReportDelay is how long IAM may take to show an access: "within
	// four hours".
	ReportDelay = 4 * time.Hour
)

// actionTrackingStart is when IAM began tracking the management actions
// of each service, per the IAM User Guide: Amazon S3 on April 12, 2020;
// Amazon EC2, IAM and Lambda on April 7, 2021; all other services on May
// 23, 2023. Which actions are tracked is listed in the service reference
// (an action's SupportedBy "IAM Action Last Accessed"); iam:PassRole and
// data-plane actions never are.
var actionTrackingStart = map[string]time.Time{
	"s3":     time.Date(2020, 4, 12, 0, 0, 0, 0, time.UTC),
	"ec2":    time.Date(2021, 4, 7, 0, 0, 0, 0, time.UTC),
	"iam":    time.Date(2021, 4, 7, 0, 0, 0, 0, time.UTC),
	"lambda": time.Date(2021, 4, 7, 0, 0, 0, 0, time.UTC),
}

// otherActionTrackingStart is when IAM began tracking the actions of the
// services not in actionTrackingStart.
var otherActionTrackingStart = time.Date(2023, 5, 23, 0, 0, 0, 0, time.UTC)

// ActionTrackingStart returns the day IAM began tracking the management
// actions of the service with the given namespace ("s3", "ec2"), per the IAM
// User Guide. A Region that began tracking later (see
// [TrackingRegionStart]) starts later.
func ActionTrackingStart(namespace string) time.Time {
	if t, ok := actionTrackingStart[strings.ToLower(namespace)]; ok {
		return t
	}
	return otherActionTrackingStart
}

// trackingRegions is the IAM User Guide's table of the Regions where AWS
// collects last accessed information and the day it began in each.
var trackingRegions = map[string]time.Time{
	"us-east-2":      time.Date(2017, 10, 27, 0, 0, 0, 0, time.UTC),
	"us-east-1":      time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"us-west-1":      time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"us-west-2":      time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"af-south-1":     time.Date(2020, 4, 22, 0, 0, 0, 0, time.UTC),
	"ap-east-1":      time.Date(2019, 4, 24, 0, 0, 0, 0, time.UTC),
	"ap-south-2":     time.Date(2022, 11, 22, 0, 0, 0, 0, time.UTC),
	"ap-southeast-3": time.Date(2021, 12, 13, 0, 0, 0, 0, time.UTC),
	"ap-southeast-4": time.Date(2023, 1, 23, 0, 0, 0, 0, time.UTC),
	"ap-south-1":     time.Date(2016, 6, 27, 0, 0, 0, 0, time.UTC),
	"ap-northeast-3": time.Date(2018, 2, 11, 0, 0, 0, 0, time.UTC),
	"ap-northeast-2": time.Date(2016, 1, 6, 0, 0, 0, 0, time.UTC),
	"ap-southeast-1": time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"ap-southeast-2": time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"ap-northeast-1": time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"ca-central-1":   time.Date(2017, 10, 28, 0, 0, 0, 0, time.UTC),
	"eu-central-1":   time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"eu-west-1":      time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC),
	"eu-west-2":      time.Date(2017, 10, 28, 0, 0, 0, 0, time.UTC),
	"eu-south-1":     time.Date(2020, 4, 28, 0, 0, 0, 0, time.UTC),
	"eu-west-3":      time.Date(2017, 12, 18, 0, 0, 0, 0, time.UTC),
	"eu-south-2":     time.Date(2022, 11, 15, 0, 0, 0, 0, time.UTC),
	"eu-north-1":     time.Date(2018, 12, 12, 0, 0, 0, 0, time.UTC),
	"eu-central-2":   time.Date(2022, 11, 8, 0, 0, 0, 0, time.UTC),
	"il-central-1":   time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC),
	"me-south-1":     time.Date(2019, 7, 29, 0, 0, 0, 0, time.UTC),
	"me-central-1":   time.Date(2022, 8, 30, 0, 0, 0, 0, time.UTC),
	"sa-east-1":      time.Date(2015, 12, 11, 0, 0, 0, 0, time.UTC),
	"us-gov-east-1":  time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC),
	"us-gov-west-1":  time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC),
}

// TrackingRegionStart returns the day AWS began collecting last accessed
// information in region, per the IAM User Guide's table, and false for a
// Region the table does not list: AWS says such a Region "does not yet
// provide last accessed information", so IAM's silence says nothing about
// calls made there.
func TrackingRegionStart(region string) (time.Time, bool) {
	t, ok := trackingRegions[region]
	return t, ok
}

// Access is what a [LastAccessed] report says about one service or action.
type Access struct {
	// Tracked is true when the report lists the service or action, so that
	// IAM reports its use by this principal; when false, the report says
	// nothing, and the other fields are zero.
	Tracked bool
	// Last is the last attempt IAM saw, denied ones included; zero when
	// there was none from From on.
	Last           time.Time
	Entity, Region string // who and where, when Last is set
	// From is the start of the tracking period: the job's completion less
	// [ServiceTrackingPeriod] for a service, and the later of that and
	// [ActionTrackingStart] for an action.
	From time.Time
	// Until is the job's completion less [ReportDelay]: attempts after it
	// may be missing.
	Until time.Time
}

// AccessVerdict is the answer of [Access.Since].
type AccessVerdict int

const (
	// AccessUnknown: IAM cannot say (not tracked, or not for the whole
	// time asked about).
	AccessUnknown AccessVerdict = iota
	// AccessSeen: IAM saw an attempt at or after the time asked about.
	AccessSeen
	// AccessNotSeen: IAM tracked the service or action from the time asked
	// about to Until and saw no attempt.
	AccessNotSeen
)

func (v AccessVerdict) String() string {
	switch v {
	case AccessSeen:
		return "seen"
	case AccessNotSeen:
		return "not seen"
	}
	return "unknown"
}

// Since says whether IAM saw the service or action used at or after t. An
// attempt in the report at or after t is [AccessSeen] whatever the tracking
// period. Otherwise the answer is [AccessNotSeen] only when IAM tracked it
// over all of [t, Until]; else [AccessUnknown]. NotSeen holds for the
// Regions where AWS collects last accessed information (see
// [TrackingRegionStart]) and for the principal's own permissions policies.
func (a Access) Since(t time.Time) AccessVerdict {
	switch {
	case !a.Tracked:
		return AccessUnknown
	case !a.Last.IsZero() && !a.Last.Before(t):
		return AccessSeen
	case a.From.IsZero() || a.From.After(t) || a.Until.Before(t):
		return AccessUnknown
	}
	return AccessNotSeen
}

// Complete reports whether IAM completed the job, so that the report can
// be used.
func (l *LastAccessed) Complete() bool { return l != nil && l.JobStatus == JobCompleted }

// ActionLevel reports whether the report includes tracked actions.
func (l *LastAccessed) ActionLevel() bool { return l.Complete() && l.JobType == JobActionLevel }

// until is the end of the period the report covers.
func (l *LastAccessed) until() time.Time {
	if l.JobCompletionDate.IsZero() {
		return time.Time{}
	}
	return l.JobCompletionDate.Add(-ReportDelay)
}

// ServiceTrackingStart returns the start of the report's service tracking
// period: its completion less [ServiceTrackingPeriod]; zero when the report
// is not complete or has no completion date.
func (l *LastAccessed) ServiceTrackingStart() time.Time {
	if !l.Complete() || l.JobCompletionDate.IsZero() {
		return time.Time{}
	}
	return l.JobCompletionDate.Add(-ServiceTrackingPeriod)
}

// ActionTrackingStart returns the start of the tracking period of the
// service's actions in this report: the later of [ActionTrackingStart] and
// the service tracking start; zero when the report is not action level.
func (l *LastAccessed) ActionTrackingStart(namespace string) time.Time {
	if !l.ActionLevel() {
		return time.Time{}
	}
	start := l.ServiceTrackingStart()
	if a := ActionTrackingStart(namespace); a.After(start) {
		start = a
	}
	return start
}

// service returns the report's entry for namespace, or nil.
func (l *LastAccessed) service(namespace string) *ServiceLastAccessed {
	if !l.Complete() {
		return nil
	}
	for i := range l.Services {
		if strings.EqualFold(l.Services[i].ServiceNamespace, namespace) {
			return &l.Services[i]
		}
	}
	return nil
}

// Service returns what the report says about the service with the given
// namespace ("s3"). IAM lists every service the principal's permissions
// policies allow, so a listed service with no LastAuthenticated was not
// used from the tracking start on.
func (l *LastAccessed) Service(namespace string) Access {
	s := l.service(namespace)
	if s == nil {
		return Access{}
	}
	return Access{
		Tracked: true,
		Last:    s.LastAuthenticated.Time,
		Entity:  s.LastAuthenticatedEntity,
		Region:  s.LastAuthenticatedRegion,
		From:    l.ServiceTrackingStart(),
		Until:   l.until(),
	}
}

// Action returns what the report says about an action, given as
// "service:Action" ("s3:CreateBucket"; case does not matter). Only actions
// the report lists are tracked: IAM lists the tracked actions of a service
// in ACTION_LEVEL reports, and not iam:PassRole or data-plane actions. An
// action the report does not list gives an untracked Access; a caller that
// knows from the service reference that IAM tracks the action may read its
// absence from a listed service as no use since
// [LastAccessed.ActionTrackingStart].
func (l *LastAccessed) Action(action string) Access {
	ns, name, ok := strings.Cut(action, ":")
	if !ok || !l.ActionLevel() {
		return Access{}
	}
	s := l.service(ns)
	if s == nil {
		return Access{}
	}
	for _, a := range s.TrackedActionsLastAccessed {
		n := a.ActionName
		if _, bare, ok := strings.Cut(n, ":"); ok {
			n = bare
		}
		if strings.EqualFold(n, name) {
			return Access{
				Tracked: true,
				Last:    a.LastAccessedTime.Time,
				Entity:  a.LastAccessedEntity,
				Region:  a.LastAccessedRegion,
				From:    l.ActionTrackingStart(ns),
				Until:   l.until(),
			}
		}
	}
	return Access{}
}

// ServiceAccessed returns when the principal last attempted to use the
// service, zero for no attempt in the tracking period, and whether the
// report tracks the service at all; see [LastAccessed.Service].
func (l *LastAccessed) ServiceAccessed(namespace string) (last time.Time, tracked bool) {
	a := l.Service(namespace)
	return a.Last, a.Tracked
}

// ActionAccessed returns when the principal last attempted the action
// ("s3:CreateBucket"), zero for no attempt in the tracking period, and
// whether the report tracks the action; see [LastAccessed.Action].
func (l *LastAccessed) ActionAccessed(action string) (last time.Time, tracked bool) {
	a := l.Action(action)
	return a.Last, a.Tracked
}
