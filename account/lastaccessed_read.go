package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tailor-sec/tailor"
)

// LastAccessedFile is a last accessed report read from a file the AWS CLI
// wrote, before it is known whose it is.
type LastAccessedFile struct {
	Path   string
	Report LastAccessed // Report.ARN is set when the file has an "Arn" key
	// Name is the principal the file's path names: its path below the
	// directory given to [LoadLastAccessed] without ".json", such as
	// "role/deploy" or "alice"; for a single file, its base name.
	Name string
}

// LoadLastAccessed reads the output of
//
//	aws iam get-service-last-accessed-details --job-id ID > FILE
//
// from path, a file or a directory of such files (every *.json below it).
// Each file holds one principal's report: one JSON object, or its pages
// (with --max-items/--starting-token) concatenated or in a JSON array. See
// [Snapshot.ResolveLastAccessed] for how a file's principal is found.
func LoadLastAccessed(path string) ([]LastAccessedFile, error) {
	if err := checkKind(path, tailor.KindLastAccessed); err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("account: last accessed details: %w", err)
	}
	if !st.IsDir() {
		f, err := readLastAccessedFile(path, strings.TrimSuffix(filepath.Base(path), ".json"))
		if err != nil {
			return nil, err
		}
		return []LastAccessedFile{*f}, nil
	}
	var out []LastAccessedFile
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		rel, err := filepath.Rel(path, p)
		if err != nil {
			return err
		}
		f, err := readLastAccessedFile(p, filepath.ToSlash(strings.TrimSuffix(rel, ".json")))
		if err != nil {
			return err
		}
		out = append(out, *f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("account: last accessed details in %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("account: last accessed details: %w: no *.json file in directory %s", ErrFormat, path)
	}
	return out, nil
}

func readLastAccessedFile(path, name string) (*LastAccessedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("account: last accessed details: %w", err)
	}
	defer f.Close()
	l, err := ReadLastAccessed(f, path)
	if err != nil {
		return nil, err
	}
	return &LastAccessedFile{Path: path, Report: *l, Name: name}, nil
}

// lastAccessedPage is one page of get-service-last-accessed-details output.
type lastAccessedPage struct {
	LastAccessed
	IsTruncated bool   `json:"IsTruncated"`
	Marker      string `json:"Marker"`
	NextToken   string `json:"NextToken"`
}

// ReadLastAccessed reads one principal's get-service-last-accessed-details
// output from r, as [LoadLastAccessed] does for a file; name is used in
// errors. Errors are [*ParseError] values wrapping [ErrSyntax] or
// [ErrFormat]: a job still IN_PROGRESS, pages of different jobs or
// principals, a last page that says more follow, or another kind of file.
func ReadLastAccessed(r io.Reader, name string) (*LastAccessed, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("account: read %s: %w", name, err)
	}
	fail := func(off int64, err error) error {
		pe := &ParseError{Path: name, Err: err}
		if off >= 0 {
			pe.Line, pe.Column = position(data, off)
		}
		return pe
	}
	values, err := splitValues(data)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fail(se.Offset-1, fmt.Errorf("%w: %v", ErrSyntax, err))
		}
		return nil, fail(-1, err)
	}
	if len(values) == 0 {
		return nil, fail(-1, fmt.Errorf("%w: empty input", ErrFormat))
	}
	var l *LastAccessed
	for i, v := range values {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(v.raw, &top); err != nil {
			return nil, fail(v.off, fmt.Errorf("%w: want the JSON object of \"aws iam get-service-last-accessed-details\" output, found %s", ErrFormat, describeJSON(v.raw)))
		}
		if _, ok := top["JobStatus"]; !ok {
			what := "none of JobStatus, ServicesLastAccessed found"
			if classify(v.raw) == nil {
				what = "this is get-account-authorization-details output"
			}
			return nil, fail(v.off, fmt.Errorf("%w: %s; want the output of \"aws iam get-service-last-accessed-details --job-id ID\"", ErrFormat, what))
		}
		var p lastAccessedPage
		if err := json.Unmarshal(v.raw, &p); err != nil {
			var te *json.UnmarshalTypeError
			var tme *timeError
			switch {
			case errors.As(err, &te):
				return nil, fail(v.off+te.Offset-1, fmt.Errorf("%w: %s: found a JSON %s where %s belongs", ErrFormat, te.Field, te.Value, describeType(te.Type)))
			case errors.As(err, &tme):
				off := v.off
				if j := bytes.Index(v.raw, []byte(`"`+tme.text+`"`)); j >= 0 {
					off += int64(j)
				}
				return nil, fail(off, fmt.Errorf("%w: %v", ErrFormat, tme))
			}
			return nil, fail(v.off, fmt.Errorf("%w: %v", ErrFormat, err))
		}
		switch p.JobStatus {
		case JobCompleted, JobFailed:
		case JobInProgress:
			return nil, fail(v.off, fmt.Errorf("%w: the job is still IN_PROGRESS: run get-service-last-accessed-details again until JobStatus is COMPLETED", ErrFormat))
		default:
			return nil, fail(v.off, fmt.Errorf("%w: JobStatus %q, want COMPLETED or FAILED", ErrFormat, p.JobStatus))
		}
		if l == nil {
			page := p.LastAccessed
			l = &page
		} else {
			if p.ARN != "" && l.ARN != "" && p.ARN != l.ARN || p.JobID != "" && l.JobID != "" && p.JobID != l.JobID {
				return nil, fail(v.off, fmt.Errorf("%w: page %d is of another job or principal (%s %s, first page %s %s)", ErrFormat, i+1, p.ARN, p.JobID, l.ARN, l.JobID))
			}
			if l.ARN == "" {
				l.ARN = p.ARN
			}
			if l.JobID == "" {
				l.JobID = p.JobID
			}
			l.Services = append(l.Services, p.Services...)
		}
		if i == len(values)-1 && (p.IsTruncated || p.NextToken != "") {
			return nil, fail(v.off, fmt.Errorf("%w: the last page says more follow (IsTruncated, Marker %q, NextToken %q): the report is incomplete; fetch the remaining pages", ErrFormat, p.Marker, p.NextToken))
		}
	}
	if l.Services == nil {
		l.Services = []ServiceLastAccessed{}
	}
	return l, nil
}

// ResolveLastAccessed finds whose report each file holds and returns the
// reports with their ARNs set, sorted by ARN. A file's principal is, in
// order: its "Arn" key (tailor writes it; add it with jq); the principal its
// path names, as [Snapshot.Principal] reads it ("role/deploy.json",
// "alice.json"); else the one LastAuthenticatedEntity of all its services
// and actions, which for a user's or role's report is that user or role.
// Whichever it is, it must be a user or role of s, and no
// LastAuthenticatedEntity may name another one; otherwise, or when two
// files hold the same principal, the error names the file.
func (s *Snapshot) ResolveLastAccessed(files []LastAccessedFile) ([]LastAccessed, error) {
	var out []LastAccessed
	from := map[string]string{}
	for _, f := range files {
		l := f.Report
		entities := reportEntities(&l)
		arn := l.ARN
		switch {
		case arn != "":
			p, err := s.Principal(arn)
			if err != nil {
				return nil, fmt.Errorf("account: last accessed report %s: Arn %s: %w", f.Path, arn, err)
			}
			arn = p.ARN()
		default:
			if p, err := s.Principal(f.Name); err == nil {
				arn = p.ARN()
				break
			}
			if len(entities) == 1 {
				if p, err := s.Principal(entities[0]); err == nil {
					arn = p.ARN()
					break
				}
			}
			return nil, fmt.Errorf("account: last accessed report %s: %w: cannot tell whose report it is: no \"Arn\" key, %q names no user or role of the snapshot, and its LastAuthenticatedEntity values are %q; name the file after the principal (role/NAME.json, user/NAME.json) or add \"Arn\"", f.Path, ErrFormat, f.Name, entities)
		}
		for _, e := range entities {
			if e != arn {
				return nil, fmt.Errorf("account: last accessed report %s: %w: it is taken as %s's, but names %s as LastAuthenticatedEntity: the file is another principal's report", f.Path, ErrFormat, arn, e)
			}
		}
		if prev, ok := from[arn]; ok {
			return nil, fmt.Errorf("account: last accessed report %s: %w: %s has a report in %s already", f.Path, ErrFormat, arn, prev)
		}
		from[arn] = f.Path
		l.ARN = arn
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out, nil
}

// reportEntities returns the distinct LastAuthenticatedEntity and
// LastAccessedEntity values of a report, sorted.
func reportEntities(l *LastAccessed) []string {
	set := map[string]bool{}
	for _, s := range l.Services {
		if s.LastAuthenticatedEntity != "" {
			set[s.LastAuthenticatedEntity] = true
		}
		for _, a := range s.TrackedActionsLastAccessed {
			if a.LastAccessedEntity != "" {
				set[a.LastAccessedEntity] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// WithLastAccessed returns a new snapshot of the same account with reports
// added; a report replaces any the snapshot held for the same principal.
func (s *Snapshot) WithLastAccessed(reports []LastAccessed) *Snapshot {
	d := s.details
	by := map[string]LastAccessed{}
	for _, l := range d.ServiceLastAccessedDetails {
		by[l.ARN] = l
	}
	for _, l := range reports {
		by[l.ARN] = l
	}
	d.ServiceLastAccessedDetails = nil
	for _, l := range by {
		d.ServiceLastAccessedDetails = append(d.ServiceLastAccessedDetails, l)
	}
	sort.Slice(d.ServiceLastAccessedDetails, func(i, j int) bool {
		return d.ServiceLastAccessedDetails[i].ARN < d.ServiceLastAccessedDetails[j].ARN
	})
	return newSnapshot(&d)
}
