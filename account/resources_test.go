package account_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
)

func TestLoadResources(t *testing.T) {
	got, err := account.LoadResources(filepath.Join("testdata", "resources", "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		arn, typ, acct, region, via string
		line                        int
	}
	key := "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	wants := []want{
		{"arn:aws:s3:::acme-logs", "AWS::S3::Bucket", "111122223333", "eu-west-1", account.ViaPolicy, 2},
		// account and region come from the ARN
		{key, "AWS::KMS::Key", "111122223333", "eu-west-1", account.ViaPolicy, 18},
		{key, "AWS::KMS::Key", "111122223333", "eu-west-1", account.ViaGrant, 23},
		// a share type is a share unless it says otherwise
		{"arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-0123456789abcdef0", "AWS::EC2::Snapshot", "111122223333", "eu-west-1", account.ViaShare, 31},
	}
	if len(got) != len(wants) {
		t.Fatalf("got %d resources, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		g := got[i]
		if g.ARN != w.arn || g.Type != w.typ || g.Account != w.acct || g.Region != w.region || g.Via != w.via || g.Line != w.line {
			t.Errorf("[%d] = %s %s %s %s %s line %d, want %+v", i, g.ARN, g.Type, g.Account, g.Region, g.Via, g.Line, w)
		}
		if _, err := policy.ParseAs(g.Policy, policy.KindResource); err != nil {
			t.Errorf("[%d] policy does not parse back: %v", i, err)
		}
	}
	// The key policy given as a string is kept as the document it holds.
	if !bytes.HasPrefix(got[1].Policy, []byte(`{"Version":"2012-10-17"`)) {
		t.Errorf("key policy = %s, want the decoded document", got[1].Policy)
	}
}

func TestResourcesRoundTrip(t *testing.T) {
	first, err := account.LoadResources(filepath.Join("testdata", "resources", "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := account.WriteResources(&buf, first); err != nil {
		t.Fatal(err)
	}
	again, err := account.ReadResources(bytes.NewReader(buf.Bytes()), "written")
	if err != nil {
		t.Fatalf("written file does not read back: %v\n%s", err, buf.Bytes())
	}
	if len(again) != len(first) {
		t.Fatalf("read back %d resources, want %d", len(again), len(first))
	}
	byKey := map[string]account.Resource{}
	for _, r := range first {
		byKey[r.ARN+"|"+r.Via] = r
	}
	for _, r := range again {
		f, ok := byKey[r.ARN+"|"+r.Via]
		if !ok || f.Type != r.Type || f.Account != r.Account || f.Region != r.Region || !bytes.Equal(f.Policy, r.Policy) {
			t.Errorf("%s via %s changed on the way: %+v, want %+v", r.ARN, r.Via, r, f)
		}
	}
}

func TestReadResourcesErrors(t *testing.T) {
	const bucket = `"arn": "arn:aws:s3:::b", "type": "AWS::S3::Bucket", "account": "111122223333"`
	const okPolicy = `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`
	tests := []struct {
		name, in string
		want     string // the error's text
		sentinel error
	}{
		{"empty", "", "in: account: unexpected input format: empty input", account.ErrFormat},
		{"object", `{"arn": "x"}`, "in:1:1: account: unexpected input format: want a JSON list of resources", account.ErrFormat},
		{"authorization details", `{"RoleDetailList": []}`, "this is IAM authorization details; pass it as --iam", account.ErrFormat},
		{"syntax", "[\n  {\"arn\": }\n]", "in:2:11: account: syntax error", account.ErrSyntax},
		{"truncated", "[\n  {" + bucket, "unexpected end of input", account.ErrSyntax},
		{"not an object", `[1]`, "in:1:2: [0]: account: invalid resource: want an object, found a number", account.ErrResource},
		{"no arn", `[{"type": "AWS::S3::Bucket", "policy": ` + okPolicy + `}]`, "in:1:2: [0].arn: account: invalid resource: missing", account.ErrResource},
		{"bad arn", `[{"arn": "bucket", "type": "AWS::S3::Bucket", "policy": ` + okPolicy + `}]`, `in:1:10: [0].arn: account: invalid resource: "bucket" is not an ARN`, account.ErrResource},
		{"arn not a string", `[{"arn": 5}]`, "in:1:10: [0].arn: account: invalid resource: want a string, found a number", account.ErrResource},
		{"no type", `[{"arn": "arn:aws:s3:::b", "account": "111122223333", "policy": ` + okPolicy + `}]`, "[0].type: account: invalid resource: missing", account.ErrResource},
		{"bad type", `[{"arn": "arn:aws:s3:::b", "type": "bucket", "policy": ` + okPolicy + `}]`, `[0].type: account: invalid resource: "bucket" is not a resource type`, account.ErrResource},
		{"no account", `[{"arn": "arn:aws:s3:::b", "type": "AWS::S3::Bucket", "policy": ` + okPolicy + `}]`, "[0].account: account: invalid resource: missing, and the ARN names no account", account.ErrResource},
		{"account disagrees", `[{"arn": "arn:aws:sqs:us-east-1:111122223333:q", "type": "AWS::SQS::Queue", "account": "444455556666", "policy": ` + okPolicy + `}]`,
			"[0].account: account: invalid resource: 444455556666, but the ARN names account 111122223333", account.ErrResource},
		{"region disagrees", `[{"arn": "arn:aws:sqs:us-east-1:111122223333:q", "type": "AWS::SQS::Queue", "region": "eu-west-1", "policy": ` + okPolicy + `}]`,
			"[0].region: account: invalid resource: eu-west-1, but the ARN names region us-east-1", account.ErrResource},
		{"unknown field", `[{` + bucket + `, "Policy": {}}]`, `in:1:82: [0].Policy: account: invalid resource: unknown field "Policy"`, account.ErrResource},
		{"bad via", `[{` + bucket + `, "via": "acl", "policy": ` + okPolicy + `}]`, `[0].via: account: invalid resource: "acl": want policy, share or grant`, account.ErrResource},
		{"grant on a bucket", `[{` + bucket + `, "via": "grant", "policy": ` + okPolicy + `}]`, "grants belong to KMS keys, not to AWS::S3::Bucket", account.ErrResource},
		{"no policy", `[{` + bucket + `}]`, "[0].policy: account: invalid resource: missing", account.ErrResource},
		{"policy a list", `[{` + bucket + `, "policy": []}]`, "want a policy document (an object), found an array", account.ErrResource},
		// The statement names no Principal: located at the statement, on
		// line 4 of the file.
		{"policy without principal", "[{" + bucket + ",\n \"policy\": {\n  \"Statement\": [\n   {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}]",
			"in:4:4: [0].policy: policy: statement 0", policy.ErrMissing},
		// On the policy's first line the column adds to the policy's own.
		{"policy bad effect", `[{` + bucket + `, "policy": {"Statement": {"Effect": "Maybe", "Principal": "*", "Action": "s3:*"}}}]`,
			`in:1:117: [0].policy: policy: statement 0: Effect: invalid value: "Maybe"`, policy.ErrValue},
		{"policy string bad", `[{` + bucket + `, "policy": "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\"}}"}]`,
			"in:1:92: [0].policy: in the document this string holds: policy: line 1, column 15: statement 0", policy.ErrMissing},
		{"duplicate", "[{" + bucket + `, "policy": ` + okPolicy + "},\n {" + bucket + `, "policy": ` + okPolicy + "}]",
			"in:2:2: [1]: account: invalid resource: arn:aws:s3:::b (via policy) is also given at line 1", account.ErrResource},
		{"data after", `[] []`, "data after the list of resources", account.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := account.ReadResources(strings.NewReader(tt.in), "in")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tt.sentinel)
			}
			var pe *account.ParseError
			if !errors.As(err, &pe) || pe.Path != "in" {
				t.Errorf("error %q is not a *ParseError naming the file", err)
			}
		})
	}
}

// FuzzReadResources checks that any input either reads or fails with a
// *ParseError naming the file, and that what reads writes back to the
// same resources.
func FuzzReadResources(f *testing.F) {
	for _, name := range []string{"valid.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "resources", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`[{"arn": "arn:aws:s3:::b", "type": "AWS::S3::Bucket", "account": "111122223333", "policy": "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\"}}"}]`))
	f.Add([]byte("[\n {\"arn\": 1}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := account.ReadResources(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			var pe *account.ParseError
			if !errors.As(err, &pe) || pe.Path != "fuzz.json" {
				t.Fatalf("error %v is not a *ParseError naming the file", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := account.WriteResources(&buf, got); err != nil {
			t.Fatal(err)
		}
		again, err := account.ReadResources(&buf, "again.json")
		if err != nil {
			t.Fatalf("written resources do not read back: %v", err)
		}
		if len(again) != len(got) {
			t.Fatalf("read back %d resources, want %d", len(again), len(got))
		}
	})
}
