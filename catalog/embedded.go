package catalog

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tailor-sec/tailor/catalog/internal/snapshot"
)

//go:generate go run ./internal/gen -o data

//go:embed data/iam-data.json.gz
var embeddedSnapshot []byte

// embedded parses the snapshot once; the Catalog it returns is read-only.
var embedded = sync.OnceValues(func() (*Catalog, error) {
	f, err := snapshot.Read(bytes.NewReader(embeddedSnapshot))
	if err != nil {
		return nil, fmt.Errorf("catalog: embedded snapshot: %w", err)
	}
	return fromSnapshot(f)
})

// Embedded returns the catalog embedded in the binary. It is parsed on the
// first call (tens of milliseconds) and shared afterwards: the same *Catalog,
// read-only and safe for concurrent use, is returned every time.
func Embedded() (*Catalog, error) { return embedded() }

// fromSnapshot builds a catalog from a decoded snapshot.
func fromSnapshot(f *snapshot.File) (*Catalog, error) {
	b := newBuilder("embedded "+f.Source, f.Date)
	for _, ss := range f.Services {
		s := b.service(ss.Prefix)
		s.Name = ss.Name
		s.Operations = ss.Operations
		s.OperationsKnown = len(ss.Operations) > 0
		s.OperationsDate = ss.OperationsDate
		s.MissingOperations = ss.MissingModules
		res := make(map[string]*ResourceType, len(ss.Resources))
		for _, r := range ss.Resources {
			rt := &ResourceType{Name: r.Name, ARNFormats: r.ARNs, ConditionKeys: r.ConditionKeys}
			s.Resources = append(s.Resources, rt)
			res[strings.ToLower(r.Name)] = rt
		}
		for _, k := range ss.ConditionKeys {
			s.ConditionKeys = append(s.ConditionKeys, ConditionKey(k))
		}
		for _, sa := range ss.Actions {
			level, err := ParseAccessLevel(sa.Level)
			if err != nil {
				return nil, fmt.Errorf("catalog: embedded snapshot: %s:%s: %w", ss.Prefix, sa.Name, err)
			}
			a := &Action{
				Name:             sa.Name,
				Level:            level,
				ConditionKeys:    sa.ConditionKeys,
				DependentActions: sa.Dependent,
			}
			for _, r := range sa.Resources {
				ref := ResourceRef{Name: r.Name, Required: r.Required, ConditionKeys: r.ConditionKeys, DependentActions: r.Dependent}
				if rt, ok := res[strings.ToLower(r.Name)]; ok {
					ref.ARNFormats = rt.ARNFormats
				}
				a.Resources = append(a.Resources, ref)
			}
			b.addAction(s, a)
		}
	}
	c := b.finish()
	// An action is observable when an operation of its name exists or an
	// exception maps an event to it.
	observable := exceptionTargets()
	for _, s := range c.services {
		for _, op := range s.Operations {
			if a, ok := c.actions[s.Prefix+":"+strings.ToLower(op)]; ok {
				observable[strings.ToLower(a.FullName())] = true
			}
		}
	}
	c.observe(observable, f.OperationsSource, func(s *Service) (time.Time, bool) {
		return s.OperationsDate, s.OperationsDate.Before(c.date.Truncate(24 * time.Hour))
	})
	return c, nil
}
