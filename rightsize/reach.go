package rightsize

import (
	"regexp"
	"strings"

	"github.com/tailor-sec/tailor/policy"
)

// A statement grants an action only on resources of the action's types:
// ec2:DescribeInstances under "Resource": "arn:aws:s3:::b/*" is allowed on
// nothing, since the action supports only "*" and the pattern never
// matches it. Such dead grants are not counted as granted and never kept:
// dropping them changes nothing a request can do, and a NotAction
// statement on a bucket would otherwise keep every unobservable action of
// every service.

// arnFormat is one ARN format of an action's resource types, as a Resource
// pattern ("arn:*:s3:::*/*"), with its service segment.
type arnFormat struct {
	service, glob string
}

var placeholder = regexp.MustCompile(`\$\{[^}]*\}`)

// formatIndex is the ARN formats of every action's resource types: by
// action id, and the ids of the actions with a format of each service.
type formatIndex struct {
	byAction  [][]arnFormat
	byService map[string][]int32
	noTypes   bitset // actions without resource types: only "*" reaches them
}

// formats returns the format index, built once.
func (rs *Rightsizer) formats() *formatIndex {
	rs.formatsOnce.Do(func() {
		fi := &formatIndex{byAction: make([][]arnFormat, len(rs.acts.acts)), byService: map[string][]int32{}, noTypes: rs.acts.bits()}
		for id, a := range rs.acts.acts {
			if len(a.Resources) == 0 {
				fi.noTypes.set(int32(id))
			}
			seen := map[string]bool{}
			for _, rr := range a.Resources {
				for _, f := range rr.ARNFormats {
					g := placeholder.ReplaceAllString(f, "*")
					svc, _ := arnService(g)
					fi.byAction[id] = append(fi.byAction[id], arnFormat{service: svc, glob: g})
					if !seen[svc] {
						seen[svc] = true
						fi.byService[svc] = append(fi.byService[svc], int32(id))
					}
				}
			}
		}
		rs.fmts = fi
	})
	return rs.fmts
}

// reach returns the actions some pattern of a Resource element may match a
// resource of: an action with resource types when a pattern may match one
// of their ARN formats, an action without resource types when a pattern
// matches "*". It returns nil for "every action" (a pattern that is "*",
// or one that holds a policy variable). Results are cached by the list of
// patterns; the bitset is shared, read-only.
func (rs *Rightsizer) reach(resources []string) bitset {
	for _, r := range resources {
		if r == "*" || strings.Contains(r, "${") {
			return nil
		}
	}
	key := strings.Join(resources, "\x00")
	if v, ok := rs.reaches.Load(key); ok {
		return v.(bitset)
	}
	fi := rs.formats()
	b := rs.acts.bits()
	hit := map[string]bool{} // by pattern and format glob: many actions share one
	for _, r := range resources {
		if strings.Trim(r, "*") == "" {
			b.or(fi.noTypes)
		}
		try := func(id int32) {
			if b.has(id) {
				return
			}
			for _, f := range fi.byAction[id] {
				k := r + "\x00" + f.glob
				v, ok := hit[k]
				if !ok {
					v = policy.ResourceIntersects(r, f.glob)
					hit[k] = v
				}
				if v {
					b.set(id)
					return
				}
			}
		}
		if svc, any := arnService(r); !any {
			for _, id := range fi.byService[svc] {
				try(id)
			}
			continue
		}
		for id := range fi.byAction {
			try(int32(id))
		}
	}
	v, _ := rs.reaches.LoadOrStore(key, b)
	return v.(bitset)
}

// arnService returns the service segment of an ARN pattern, lowercase, and
// whether it may be any service (a wildcard there, or not an ARN).
func arnService(p string) (string, bool) {
	f := strings.SplitN(p, ":", 4)
	if len(f) < 4 || f[0] != "arn" || strings.ContainsAny(f[2], "*?") {
		return "", true
	}
	return strings.ToLower(f[2]), false
}
