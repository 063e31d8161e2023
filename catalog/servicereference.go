package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors of LoadServiceReference.
var (
	// ErrNoServices: the directory holds no service reference files.
	ErrNoServices = errors.New("catalog: no service reference files")
	// ErrMissingService: the index lists a service that has no file.
	ErrMissingService = errors.New("catalog: indexed service has no file")
	// ErrInvalid: a file is well-formed JSON but not a service reference
	// (no Name, a Name that differs from the file name, a service twice).
	ErrInvalid = errors.New("catalog: invalid service reference")
)

// IndexFile is the name of the index of a service reference directory, as
// AWS serves it at the root of https://servicereference.us-east-1.amazonaws.com/.
const IndexFile = "service_ref.json"

// StampFile is the file `catalog update` writes beside the service files,
// recording when and from where they were fetched.
const StampFile = "tailor-catalog.json"

// ParseError reports a service reference file that is not valid JSON or
// does not have the expected shape, with the position of the fault.
type ParseError struct {
	Path   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based byte column; 0 when unknown
	Err    error
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.Path, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// stamp is the content of StampFile.
type stamp struct {
	Fetched time.Time `json:"fetched"`
	URL     string    `json:"url"`
}

// srService is one file of AWS's service reference format.
type srService struct {
	Name    string `json:"Name"`
	Version string `json:"Version"`
	Actions []struct {
		Name                string   `json:"Name"`
		ActionConditionKeys []string `json:"ActionConditionKeys"`
		Annotations         struct {
			Properties struct {
				IsList                 bool `json:"IsList"`
				IsPermissionManagement bool `json:"IsPermissionManagement"`
				IsTaggingOnly          bool `json:"IsTaggingOnly"`
				IsWrite                bool `json:"IsWrite"`
			} `json:"Properties"`
		} `json:"Annotations"`
		Resources []struct {
			Name string `json:"Name"`
		} `json:"Resources"`
	} `json:"Actions"`
	ConditionKeys []struct {
		Name  string   `json:"Name"`
		Types []string `json:"Types"`
	} `json:"ConditionKeys"`
	Operations []struct {
		Name              string `json:"Name"`
		AuthorizedActions []struct {
			Name    string `json:"Name"`
			Service string `json:"Service"`
		} `json:"AuthorizedActions"`
	} `json:"Operations"`
	Resources []struct {
		Name          string   `json:"Name"`
		ARNFormats    []string `json:"ARNFormats"`
		ConditionKeys []string `json:"ConditionKeys"`
	} `json:"Resources"`
}

// indexEntry is one entry of IndexFile.
type indexEntry struct {
	Service string `json:"service"`
	URL     string `json:"url"`
}

// LoadServiceReference reads a directory in the format of AWS's service
// reference information: one file per service, either <service>/<service>.json
// (the layout of the AWS URLs) or flat <service>.json, and optionally the
// index service_ref.json. Every service the index lists must have a file;
// files the index does not list are read too. Operations[].AuthorizedActions
// is kept for Map.
//
// The format does not say whether a resource type is required (Required is
// false) and has no dependent actions. Access levels come from the
// Annotations: IsPermissionManagement, IsTaggingOnly, IsWrite, IsList, and
// Read when none is set.
//
// Malformed files yield a *ParseError with the line and column.
func LoadServiceReference(dir string) (*Catalog, error) {
	files, err := serviceFiles(dir)
	if err != nil {
		return nil, err
	}
	if err := checkIndex(dir, files); err != nil {
		return nil, err
	}

	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	parsed := make([]*srService, len(names))
	errs := make([]error, len(names))
	var newest time.Time
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			path := files[name]
			b, err := os.ReadFile(path)
			if err != nil {
				errs[i] = fmt.Errorf("catalog: read service reference: %w", err)
				return
			}
			if st, err := os.Stat(path); err == nil {
				mu.Lock()
				if st.ModTime().After(newest) {
					newest = st.ModTime()
				}
				mu.Unlock()
			}
			parsed[i], errs[i] = parseService(path, name, b)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	date := newest.UTC()
	if b, err := os.ReadFile(filepath.Join(dir, StampFile)); err == nil {
		var st stamp
		if err := json.Unmarshal(b, &st); err != nil {
			return nil, parseError(filepath.Join(dir, StampFile), b, err)
		}
		date = st.Fetched.UTC()
	}
	return fromServiceReference(dir, date, parsed), nil
}

// serviceFiles finds the service files of dir, by service name.
func serviceFiles(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("catalog: read service reference: %w", err)
	}
	files := make(map[string]string)
	add := func(name, path string) error {
		if old, ok := files[name]; ok {
			return fmt.Errorf("%w: service %s in both %s and %s", ErrInvalid, name, old, path)
		}
		files[name] = path
		return nil
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
			p := filepath.Join(dir, name, name+".json")
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				if err := add(name, p); err != nil {
					return nil, err
				}
			}
		case strings.HasSuffix(name, ".json") && name != IndexFile && name != StampFile:
			if err := add(strings.TrimSuffix(name, ".json"), filepath.Join(dir, name)); err != nil {
				return nil, err
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoServices, dir)
	}
	return files, nil
}

// checkIndex checks that every service the index lists has a file.
func checkIndex(dir string, files map[string]string) error {
	path := filepath.Join(dir, IndexFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("catalog: read index: %w", err)
	}
	var index []indexEntry
	if err := json.Unmarshal(b, &index); err != nil {
		return parseError(path, b, err)
	}
	var missing []string
	for _, e := range index {
		if _, ok := files[e.Service]; !ok {
			missing = append(missing, e.Service)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s lists %s", ErrMissingService, path, strings.Join(missing, ", "))
	}
	return nil
}

func parseService(path, name string, b []byte) (*srService, error) {
	var s srService
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, parseError(path, b, err)
	}
	if s.Name == "" {
		return nil, &ParseError{Path: path, Err: fmt.Errorf("%w: no Name", ErrInvalid)}
	}
	if !strings.EqualFold(s.Name, name) {
		return nil, &ParseError{Path: path, Err: fmt.Errorf("%w: Name %q in the file of service %q", ErrInvalid, s.Name, name)}
	}
	return &s, nil
}

// parseError turns a JSON error into a *ParseError with a position.
func parseError(path string, b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	pe := &ParseError{Path: path, Err: err}
	if off >= 0 {
		pe.Line, pe.Column = position(b, off)
	}
	return pe
}

// position returns the 1-based line and column of byte offset off in b.
func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	head := b[:off]
	line = 1 + bytes.Count(head, []byte{'\n'})
	col = int(off) - (bytes.LastIndexByte(head, '\n') + 1)
	if col == 0 {
		col = 1
	}
	return line, col
}

func fromServiceReference(dir string, date time.Time, services []*srService) *Catalog {
	b := newBuilder(dir, date)
	for _, ss := range services {
		s := b.service(ss.Name)
		res := make(map[string]*ResourceType, len(ss.Resources))
		for _, r := range ss.Resources {
			rt := &ResourceType{Name: r.Name, ARNFormats: r.ARNFormats, ConditionKeys: r.ConditionKeys}
			s.Resources = append(s.Resources, rt)
			res[strings.ToLower(r.Name)] = rt
		}
		for _, k := range ss.ConditionKeys {
			s.ConditionKeys = append(s.ConditionKeys, ConditionKey{Name: k.Name, Type: strings.Join(k.Types, ",")})
		}
		for _, sa := range ss.Actions {
			p := sa.Annotations.Properties
			var level AccessLevel
			if p.IsPermissionManagement {
				level |= PermissionsManagement
			}
			if p.IsTaggingOnly {
				level |= Tagging
			}
			if p.IsWrite {
				level |= Write
			}
			if p.IsList {
				level |= List
			}
			if level == 0 {
				level = Read
			}
			a := &Action{Name: sa.Name, Level: level, ConditionKeys: sa.ActionConditionKeys}
			for _, r := range sa.Resources {
				ref := ResourceRef{Name: r.Name}
				if rt, ok := res[strings.ToLower(r.Name)]; ok {
					ref.ARNFormats, ref.ConditionKeys = rt.ARNFormats, rt.ConditionKeys
				}
				a.Resources = append(a.Resources, ref)
			}
			b.addAction(s, a)
		}
		for _, o := range ss.Operations {
			if o.AuthorizedActions == nil {
				continue
			}
			op := &Operation{Service: s.Prefix, Name: o.Name}
			for _, aa := range o.AuthorizedActions {
				op.AuthorizedActions = append(op.AuthorizedActions, strings.ToLower(aa.Service)+":"+aa.Name)
			}
			b.addOperation(s.Prefix, op)
		}
		s.OperationsKnown = len(ss.Operations) > 0
		s.OperationsDate = date
		for _, o := range ss.Operations {
			s.Operations = append(s.Operations, o.Name)
		}
		slices.Sort(s.Operations)
	}
	c := b.finish()

	// Observable: some operation of any service always needs the action
	// (see classify), or an exception maps an event to it.
	observable := exceptionTargets()
	for prefix, ops := range c.ops {
		for _, op := range ops {
			needed, _ := c.classify(prefix, op.Name, op.AuthorizedActions, exceptions[prefix+":"+strings.ToLower(op.Name)])
			for _, a := range needed {
				observable[strings.ToLower(a)] = true
			}
		}
	}
	c.observe(observable, "the Operations data of "+dir, func(*Service) (time.Time, bool) { return time.Time{}, false })
	return c
}
