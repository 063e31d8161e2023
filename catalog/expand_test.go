package catalog_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

func TestExpand(t *testing.T) {
	c, err := catalog.LoadServiceReference(filepath.Join("testdata", "servicereference", "nested"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"s3:GetObject", []string{"s3:GetObject"}},
		{"S3:GETOBJECT", []string{"s3:GetObject"}},
		{"s3:GetObject*", []string{"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectRetention", "s3:GetObjectVersion", "s3:GetObjectVersionAcl"}},
		{"s3:get*acl", []string{"s3:GetObjectAcl", "s3:GetObjectVersionAcl"}},
		{"s3:*Object*Acl", []string{"s3:GetObjectAcl", "s3:GetObjectVersionAcl", "s3:PutObjectAcl"}},
		{"s3:?etObject", []string{"s3:GetObject"}},
		{"s3:?utObject?", nil},
		{"s3:List*", []string{"s3:ListAllMyBuckets", "s3:ListBucket"}},
		{"s3*:GetObject", []string{"s3-object-lambda:GetObject", "s3:GetObject"}},
		{"*:GetObject", []string{"s3-object-lambda:GetObject", "s3:GetObject"}},
		{"sts:*", []string{"sts:AssumeRole", "sts:GetCallerIdentity", "sts:SetSourceIdentity", "sts:TagSession"}},
		{"iam:*Role", []string{"iam:CreateRole", "iam:GetRole", "iam:PassRole", "iam:TagRole"}},
		{"s3:NoSuch", nil},
		{"nosuch:*", nil},
		{"s3", nil},
		{"GetObject", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			if got := c.Expand(tt.pattern); !slices.Equal(got, tt.want) {
				t.Errorf("Expand(%q) = %v, want %v", tt.pattern, got, tt.want)
			}
		})
	}
	t.Run("*", func(t *testing.T) {
		all := c.Expand("*")
		if len(all) != c.Len() || !slices.IsSorted(all) {
			t.Errorf("Expand(*) has %d actions, sorted %v; want %d sorted", len(all), slices.IsSorted(all), c.Len())
		}
		all[0] = "changed"
		if c.Expand("*")[0] == "changed" {
			t.Error("Expand(*) returned the catalog's own slice")
		}
	})
}

func TestMatches(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"s3:Get*", "s3:GetObject", true},
		{"s3:get*", "S3:GETOBJECT", true},
		{"*", "anything:AtAll", true},
		{"s3:*", "s3-object-lambda:GetObject", false},
		{"s3*", "s3-object-lambda:GetObject", true},
		{"ec2:Describe?nstances", "ec2:DescribeInstances", true},
		{"ec2:Describe?nstances", "ec2:DescribeXXnstances", false},
		{"iam:*Policy*", "iam:PutRolePolicy", true},
		{"iam:*Policy*", "iam:PassRole", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "ab", false},
		{"**", "", true},
		{"?", "", false},
	}
	for _, tt := range tests {
		if got := catalog.Matches(tt.pattern, tt.action); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

// FuzzMatches checks the matcher against a regular expression doing the
// same: * is .*, ? is ., the rest literal, case folded.
func FuzzMatches(f *testing.F) {
	for _, s := range [][2]string{{"s3:Get*", "s3:GetObject"}, {"a*b?c", "aXXbYc"}, {"*a*a*a*", "aaaa"}, {"?*?", "ab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, action string) {
		if len(pattern) > 64 || len(action) > 64 {
			return
		}
		var rx strings.Builder
		rx.WriteString("(?s)^")
		for _, r := range strings.ToLower(pattern) {
			switch r {
			case '*':
				rx.WriteString(".*")
			case '?':
				rx.WriteString(".")
			default:
				rx.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		rx.WriteString("$")
		re, err := regexp.Compile(rx.String())
		if err != nil {
			return
		}
		// The matcher works on bytes; compare on ASCII only, as IAM
		// action names are.
		for _, s := range []string{pattern, action} {
			for i := 0; i < len(s); i++ {
				if s[i] >= 0x80 {
					return
				}
			}
		}
		if got, want := catalog.Matches(pattern, action), re.MatchString(strings.ToLower(action)); got != want {
			t.Errorf("Matches(%q, %q) = %v, regexp says %v", pattern, action, got, want)
		}
	})
}

// managedPolicy is the part of an iam-dataset managed policy file the test
// reads.
type managedPolicy struct {
	Name     string `json:"name"`
	Document struct {
		Statement json.RawMessage `json:"Statement"`
	} `json:"document"`
	EffectiveActions []struct {
		Action          string `json:"action"`
		EffectiveAction string `json:"effective_action"`
	} `json:"effective_actions"`
}

type statement struct {
	Action    json.RawMessage `json:"Action"`
	NotAction json.RawMessage `json:"NotAction"`
}

func stringOrList(b json.RawMessage) []string {
	var one string
	if json.Unmarshal(b, &one) == nil {
		return []string{one}
	}
	var list []string
	json.Unmarshal(b, &list)
	return list
}

// TestExpandManagedPolicies checks Expand against the effective_actions
// that iann0036/iam-dataset ships with every AWS managed policy: for each
// Action pattern of each statement, the actions it lists for that pattern.
//
// The two catalogs are of different dates, so they disagree exactly where
// AWS added or removed actions in between:
//   - an action we expand that the dataset does not list must appear in
//     no effective_actions list of any policy: the dataset's catalog does
//     not know it (added since);
//   - an action the dataset lists that we do not expand must be missing
//     from our catalog altogether (removed since, or renamed).
//
// Any other disagreement is a matching bug. The counts are bounded too.
func TestExpandManagedPolicies(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "managed-policies")
	c := embedded(t)
	var policies []managedPolicy
	shareddata.TarFiles(t, filepath.Join(dir, "iam-dataset-managedpolicies.tar.gz"), func(name string, data []byte) {
		if !strings.HasSuffix(name, ".json") {
			return
		}
		var p managedPolicy
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		policies = append(policies, p)
	})
	if len(policies) < 1500 {
		t.Fatalf("read %d policies, want the archive's 1641", len(policies))
	}

	known := make(map[string]bool) // every action the dataset lists anywhere
	for _, p := range policies {
		for _, e := range p.EffectiveActions {
			known[strings.ToLower(e.EffectiveAction)] = true
		}
	}
	extra := make(map[string]bool)   // ours, not theirs
	missing := make(map[string]bool) // theirs, not ours
	patterns, agree := 0, 0
	for _, p := range policies {
		byPattern := make(map[string]map[string]bool)
		for _, e := range p.EffectiveActions {
			if byPattern[e.Action] == nil {
				byPattern[e.Action] = make(map[string]bool)
			}
			byPattern[e.Action][strings.ToLower(e.EffectiveAction)] = true
		}
		var stmts []statement
		if json.Unmarshal(p.Document.Statement, &stmts) != nil {
			var one statement
			json.Unmarshal(p.Document.Statement, &one)
			stmts = []statement{one}
		}
		for _, s := range stmts {
			if s.NotAction != nil {
				continue // effective_actions is the complement there
			}
			for _, pat := range stringOrList(s.Action) {
				theirs, ok := byPattern[pat]
				if !ok {
					continue
				}
				patterns++
				ours := make(map[string]bool)
				for _, a := range c.Expand(pat) {
					ours[strings.ToLower(a)] = true
				}
				same := len(ours) == len(theirs)
				for a := range ours {
					if !theirs[a] {
						same = false
						extra[a] = true
					}
				}
				for a := range theirs {
					if !ours[a] {
						same = false
						missing[a] = true
					}
				}
				if same {
					agree++
				}
			}
		}
	}
	t.Logf("%d policies, %d patterns, %d expand identically (%.2f%%); %d actions only ours (added since), %d only theirs (removed since)",
		len(policies), patterns, agree, 100*float64(agree)/float64(patterns), len(extra), len(missing))
	// The dataset expanded each policy when it last crawled it, so it can
	// know an action in one policy and not yet in another: an action the
	// dataset lists for some pattern that covers it but not for another
	// is the dataset's own date skew.
	listedFor := make(map[string][]string) // action → patterns the dataset lists it for
	for _, p := range policies {
		for _, e := range p.EffectiveActions {
			a := strings.ToLower(e.EffectiveAction)
			listedFor[a] = append(listedFor[a], e.Action)
		}
	}
	skew := 0
	for a := range extra {
		if !known[a] {
			continue // added since the dataset's catalog
		}
		if slices.ContainsFunc(listedFor[a], func(pat string) bool { return catalog.Matches(pat, a) }) {
			skew++ // the dataset itself disagrees about it
			continue
		}
		t.Errorf("%s: the dataset knows it but lists it for no pattern that covers it", a)
	}
	for a := range missing {
		if _, ok := c.Action(a); ok {
			t.Errorf("%s: in our catalog but a pattern that covers it in the dataset does not expand to it", a)
		}
	}
	// Measured: 237 added, 6 removed (glue:GetPartitionMetadata and five
	// quicksight:*AutomationGroup* actions) between the dataset's catalog
	// and the snapshot; 5 of the added are codepipeline actions the dataset
	// lists in policies it expanded later than others.
	t.Logf("of the %d actions only ours, %d are ones the dataset lists for other policies' patterns (its own date skew)", len(extra), skew)
	if len(extra) > 600 || len(missing) > 30 || skew > 50 {
		t.Errorf("%d added and %d removed actions: more than catalog dates explain", len(extra), len(missing))
	}
	if float64(agree) < 0.99*float64(patterns) {
		t.Errorf("only %d of %d patterns agree", agree, patterns)
	}
}

func BenchmarkExpand(b *testing.B) {
	c := embedded(b)
	for _, pat := range []string{"*", "s3:Get*", "iam:*Policy*", "*:Describe*", "ec2:DescribeInstances"} {
		b.Run(pat, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(c.Expand(pat)) == 0 {
					b.Fatal("no match")
				}
			}
		})
	}
}
