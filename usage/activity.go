package usage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/internal/atomicfile"
)

// Activity is one event as the activity log keeps it: the slim record of
// a call, for timelines and breach reviews. The log holds what the usage
// index aggregates away: sessions, source IPs, user agents, event ids.
type Activity struct {
	Time             time.Time `parquet:"time,timestamp(millisecond)"`
	Account          string    `parquet:"account,dict"`
	Region           string    `parquet:"region,dict"`
	Principal        string    `parquet:"principal,dict"`
	PrincipalType    string    `parquet:"principal_type,dict"`
	PrincipalAccount string    `parquet:"principal_account,dict"`
	CallerAccount    string    `parquet:"caller_account,dict"`
	SessionName      string    `parquet:"session_name,dict"`
	SourceIdentity   string    `parquet:"source_identity,dict"`
	AccessKeyID      string    `parquet:"access_key_id,dict"`
	SourceIP         string    `parquet:"source_ip,dict"`
	UserAgent        string    `parquet:"user_agent,dict"`
	EventSource      string    `parquet:"event_source,dict"`
	EventName        string    `parquet:"event_name,dict"`
	ErrorCode        string    `parquet:"error_code,dict"`
	ReadOnly         bool      `parquet:"read_only"`
	Data             bool      `parquet:"data_event"`
	Resources        []string  `parquet:"resources,list"`
	RequestParams    []string  `parquet:"request_params,list"`
	EventID          string    `parquet:"event_id"`
	// For sts:AssumeRole* calls: the role assumed, the session's access
	// key, and whether an ExternalId was given (never its value).
	AssumedRole       string `parquet:"assumed_role,dict"`
	IssuedAccessKeyID string `parquet:"issued_access_key_id"`
	ExternalID        bool   `parquet:"external_id"`
}

// Denied reports whether the call was refused for lack of permission.
func (a *Activity) Denied() bool {
	ev := tailor.Event{ErrorCode: a.ErrorCode}
	return ev.Denied()
}

// ActivitySchemaVersion versions the activity log's columns.
const ActivitySchemaVersion = 1

const activitySchemaKey = "tailor.activity.schema_version"

// An ActivitySpool collects one worker's events in a temporary file; the
// spools of a run become one activity log with FinishActivity, once the
// run knows every session. It implements ingest.Sink. It is not safe for
// concurrent use.
type ActivitySpool struct {
	f   *os.File
	w   *parquet.GenericWriter[Activity]
	buf []Activity
	err error
}

// NewActivitySpool creates a spool in dir (the system's temporary
// directory if empty).
func NewActivitySpool(dir string) (*ActivitySpool, error) {
	f, err := os.CreateTemp(dir, "tailor-activity-*.parquet")
	if err != nil {
		return nil, fmt.Errorf("usage: activity spool: %w", err)
	}
	return &ActivitySpool{f: f, w: newActivityWriter(f), buf: make([]Activity, 0, 1024)}, nil
}

func newActivityWriter(w io.Writer) *parquet.GenericWriter[Activity] {
	return parquet.NewGenericWriter[Activity](w,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.KeyValueMetadata(activitySchemaKey, fmt.Sprint(ActivitySchemaVersion)),
		// A row group is buffered whole until it is written: keep them
		// small enough that memory stays bounded whatever the log's size.
		parquet.MaxRowsPerRowGroup(32<<10),
	)
}

// Add spools a selected event; it ignores the others.
func (s *ActivitySpool) Add(ev *tailor.Event, selected bool) {
	if !selected || s.err != nil {
		return
	}
	a := Activity{
		Time: ev.Time, Account: ev.Account, Region: ev.Region, Principal: ev.Principal,
		PrincipalType: string(ev.PrincipalType), PrincipalAccount: ev.PrincipalAccount,
		CallerAccount: ev.CallerAccount, SessionName: ev.SessionName, SourceIdentity: ev.SourceIdentity,
		AccessKeyID: ev.AccessKeyID, SourceIP: ev.SourceIP, UserAgent: ev.UserAgent,
		EventSource: ev.EventSource, EventName: ev.EventName, ErrorCode: ev.ErrorCode,
		ReadOnly: ev.ReadOnly, Data: ev.Data, EventID: ev.EventID,
		Resources: ev.Resources, RequestParams: ev.RequestParams,
	}
	if as := ev.Assumption; as != nil {
		a.AssumedRole, a.IssuedAccessKeyID, a.ExternalID = as.RoleARN, as.AccessKeyID, as.ExternalID
	}
	// The event's strings alias the decoder's buffers until its next
	// record: copy what is kept.
	a = a.clone()
	s.buf = append(s.buf, a)
	if len(s.buf) == cap(s.buf) {
		s.flush()
	}
}

func (a Activity) clone() Activity {
	c := a
	for _, p := range []*string{&c.Account, &c.Region, &c.Principal, &c.PrincipalType, &c.PrincipalAccount,
		&c.CallerAccount, &c.SessionName, &c.SourceIdentity, &c.AccessKeyID, &c.SourceIP, &c.UserAgent,
		&c.EventSource, &c.EventName, &c.ErrorCode, &c.EventID, &c.AssumedRole, &c.IssuedAccessKeyID} {
		*p = strings.Clone(*p)
	}
	c.Resources = cloneList(a.Resources)
	c.RequestParams = cloneList(a.RequestParams)
	return c
}

func cloneList(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	c := make([]string, len(s))
	for i, v := range s {
		c[i] = strings.Clone(v)
	}
	return c
}

func (s *ActivitySpool) flush() {
	if len(s.buf) == 0 || s.err != nil {
		return
	}
	if _, err := s.w.Write(s.buf); err != nil {
		s.err = fmt.Errorf("usage: activity spool: %w", err)
	}
	s.buf = s.buf[:0]
}

// close finishes the spool's file; it stays on disk for FinishActivity.
func (s *ActivitySpool) close() error {
	s.flush()
	if s.err != nil {
		return s.err
	}
	if err := s.w.Close(); err != nil {
		return fmt.Errorf("usage: activity spool: %w", err)
	}
	return nil
}

// Remove deletes the spool's file.
func (s *ActivitySpool) Remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// FinishActivity writes the events of the spools to path as one activity
// log, atomically, attributing role sessions to the account that assumed
// them with the run's sessions (see Finish). With keep set, the log at
// path (if any) keeps its events and the spools' come after them: a run
// that appends to an index appends to its log too. It removes the spools.
func FinishActivity(path string, keep bool, sessions *Sessions, spools ...*ActivitySpool) error {
	defer func() {
		for _, s := range spools {
			s.Remove()
		}
	}()
	for _, s := range spools {
		if err := s.close(); err != nil {
			return err
		}
	}
	var old *os.File
	if keep {
		f, err := os.Open(path)
		switch {
		case err == nil:
			defer f.Close()
			old = f
		case !errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("usage: %w", err)
		}
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		pw := newActivityWriter(w)
		buf := make([]Activity, 1024)
		if old != nil {
			if err := copyActivity(pw, old, buf, nil); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		attribute := func(a *Activity) {
			if a.PrincipalType == string(tailor.IdentityAssumedRole) && a.CallerAccount == "" && a.AccessKeyID != "" && sessions != nil {
				a.CallerAccount, _ = sessions.caller(a.AccessKeyID)
			}
		}
		for _, s := range spools {
			if _, err := s.f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if err := copyActivity(pw, s.f, buf, attribute); err != nil {
				return fmt.Errorf("activity spool: %w", err)
			}
		}
		return pw.Close()
	})
}

// copyActivity copies the events of the activity log in f to pw,
// passing each through fix if set.
func copyActivity(pw *parquet.GenericWriter[Activity], f *os.File, buf []Activity, fix func(*Activity)) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("%w: %v", ErrActivityFormat, err)
	}
	r := parquet.NewGenericReader[Activity](pf)
	defer r.Close()
	for {
		n, err := r.Read(buf)
		if fix != nil {
			for i := range buf[:n] {
				fix(&buf[i])
			}
		}
		if _, werr := pw.Write(buf[:n]); werr != nil {
			return werr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrActivityFormat, err)
		}
	}
}

// ErrActivityFormat marks a file that is not an activity log.
var ErrActivityFormat = errors.New("usage: not an activity log")

// ScanActivity calls fn for each event of the activity log at path, in
// the order they were written, until fn returns an error. The Activity
// passed to fn is reused: copy it to keep it. A file of another kind, a
// usage index for one (see Recognize), is a *tailor.KindError that says
// what it is.
func ScanActivity(path string, fn func(*Activity) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	if err := kindError(f, st.Size(), path, tailor.KindActivityLog, ErrActivityFormat, tailor.KindActivityLog); err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrActivityFormat, path, err)
	}
	if v, ok := pf.Lookup(activitySchemaKey); ok && v != fmt.Sprint(ActivitySchemaVersion) {
		return fmt.Errorf("%w: %s: schema version %s, this tailor reads %d", ErrActivityFormat, filepath.Base(path), v, ActivitySchemaVersion)
	}
	r := parquet.NewGenericReader[Activity](pf)
	defer r.Close()
	buf := make([]Activity, 256)
	for {
		n, err := r.Read(buf)
		for i := range buf[:n] {
			if ferr := fn(&buf[i]); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrActivityFormat, path, err)
		}
	}
}
