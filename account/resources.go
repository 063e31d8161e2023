package account

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/internal/atomicfile"
	"github.com/tailor-sec/tailor/policy"
)

// Resource is one resource of an account that a resource-based policy, a
// share or a KMS grant opens to principals: a bucket, a key, a queue, an
// AMI. A file of them (resources.json) is a JSON list:
//
//	[
//	  {"arn": "arn:aws:s3:::acme-logs", "type": "AWS::S3::Bucket",
//	   "account": "111122223333", "region": "eu-west-1",
//	   "policy": {"Version": "2012-10-17", "Statement": [...]}},
//	  {"arn": "arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-0abc",
//	   "type": "AWS::EC2::Snapshot", "account": "111122223333",
//	   "policy": {"Version": "2012-10-17", "Statement": [{
//	     "Effect": "Allow", "Principal": {"AWS": "444455556666"},
//	     "Action": ["ec2:CreateVolume", "ec2:CopySnapshot"],
//	     "Resource": "arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-0abc"}]}}
//	]
//
// Policy is always a policy document whose statements name a Principal:
// the resource's own policy (a bucket policy, a key policy), or the
// statement equivalent to what the service keeps as attributes (see
// [ViaShare] and [ViaGrant]).
type Resource struct {
	// ARN names the resource.
	ARN string `json:"arn"`
	// Type is the resource type as AWS Config and CloudFormation name it:
	// "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::EC2::Snapshot".
	Type string `json:"type"`
	// Account is the account that owns the resource; Region its region,
	// empty for global resources (S3 bucket ARNs carry neither).
	Account string `json:"account"`
	Region  string `json:"region,omitempty"`
	// Via says what Policy stands for: ViaPolicy, ViaShare or ViaGrant.
	// Empty in a file means ViaShare for the share types (AMIs, EBS and
	// RDS snapshots) and ViaPolicy for every other type; values this
	// package returns always have it set.
	Via string `json:"via,omitempty"`
	// Policy is the document, as compact JSON.
	Policy json.RawMessage `json:"policy"`
	// Line is the entry's 1-based line in the file it was read from, 0
	// when it was not read from a file.
	Line int `json:"-"`
}

// What a Resource's Policy stands for.
const (
	// ViaPolicy: the resource's own resource-based policy.
	ViaPolicy = "policy"
	// ViaShare: sharing attributes written as statements. An AMI launch
	// permission for an account is an Allow of ec2:RunInstances,
	// ec2:CopyImage and ec2:CreateVolume to that account; the "all" group
	// is Principal "*"; an organization or OU is Principal "*" with an
	// aws:PrincipalOrgID or aws:PrincipalOrgPaths condition. An EBS
	// snapshot's create-volume permission is ec2:CreateVolume and
	// ec2:CopySnapshot. An RDS snapshot's "restore" attribute is
	// rds:RestoreDBInstanceFromDBSnapshot and rds:CopyDBSnapshot (cluster
	// snapshots: rds:RestoreDBClusterFromSnapshot and
	// rds:CopyDBClusterSnapshot), "all" being Principal "*".
	ViaShare = "share"
	// ViaGrant: the KMS grants of a key, one Allow statement per grant,
	// its Sid the grant id, Principal the grantee, Action its operations
	// ("kms:Decrypt"), and its constraints as StringEquals conditions on
	// kms:EncryptionContext:<key>.
	ViaGrant = "grant"
)

// ShareTypes are the resource types whose access is granted by sharing
// attributes rather than a policy.
var shareTypes = []string{"AWS::EC2::Image", "AWS::EC2::Snapshot", "AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot"}

// IsShareType reports whether resources of type t are opened by sharing
// (AMIs, EBS snapshots, RDS snapshots) rather than by a policy.
func IsShareType(t string) bool { return slices.Contains(shareTypes, t) }

// ErrResource marks an entry of a resources file that is not valid: a
// missing or malformed field, a duplicate.
var ErrResource = errors.New("account: invalid resource")

// LoadResources reads a resources file (see [Resource]) from the named
// file; see [ReadResources]. A file of another kind (see [Recognize]) is
// a *tailor.KindError that says what it is.
func LoadResources(name string) ([]Resource, error) {
	if err := checkKind(name, tailor.KindResources); err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("account: open resources: %w", err)
	}
	defer f.Close()
	return ReadResources(f, name)
}

// ReadResources reads a JSON list of resources from r; name is used in
// errors. Every entry needs arn, type and policy; account may be left out
// when the ARN holds it, and must agree with it when both are given, as
// must region. Each policy is parsed as a resource-based policy (every
// statement names a Principal): a document that does not parse is an error
// at the line and column of the problem in the file. A policy may also be
// given as a string holding the document, as the S3 and SQS APIs return
// it; errors inside it are then reported at the string with the line and
// column inside the document. An (arn, via) pair given twice is an error.
//
// Errors are [*ParseError] values; they wrap [ErrSyntax] for malformed
// JSON, [ErrFormat] for a file that is not a list, [ErrResource] for a bad
// entry, and the policy package's errors for a bad document.
func ReadResources(r io.Reader, name string) ([]Resource, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("account: read %s: %w", name, err)
	}
	rd := &resourceReader{name: name, data: data}
	return rd.read()
}

type resourceReader struct {
	name string
	data []byte
}

func (rd *resourceReader) fail(off int64, field string, err error) error {
	pe := &ParseError{Path: rd.name, Field: field, Err: err}
	if off >= 0 {
		pe.Line, pe.Column = position(rd.data, off)
	}
	return pe
}

// syntax reports a JSON syntax error. A json.Decoder counts a syntax
// error's offset from the value it was decoding, so the whole input is
// checked again for the error's offset in the file.
func (rd *resourceReader) syntax(base int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		var v any
		if uerr := json.Unmarshal(rd.data, &v); errors.As(uerr, &se) {
			return rd.fail(se.Offset-1, "", fmt.Errorf("%w: %v", ErrSyntax, se))
		}
		return rd.fail(base, "", fmt.Errorf("%w: %v", ErrSyntax, err))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return rd.fail(int64(len(rd.data)), "", fmt.Errorf("%w: unexpected end of input", ErrSyntax))
	}
	return rd.fail(base, "", fmt.Errorf("%w: %v", ErrSyntax, err))
}

func (rd *resourceReader) read() ([]Resource, error) {
	rd.data = bytes.TrimPrefix(rd.data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(rd.data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, rd.fail(-1, "", fmt.Errorf("%w: empty input; want a JSON list of resources", ErrFormat))
	}
	start := int64(len(rd.data) - len(trimmed))
	if trimmed[0] != '[' {
		what := "found " + describeJSON(trimmed)
		if trimmed[0] == '{' && classify(trimmed) == nil {
			what = "this is IAM authorization details; pass it as --iam"
		}
		return nil, rd.fail(start, "", fmt.Errorf("%w: want a JSON list of resources ({\"arn\", \"type\", \"account\", \"region\", \"policy\"} objects), %s", ErrFormat, what))
	}
	dec := json.NewDecoder(bytes.NewReader(rd.data))
	if _, err := dec.Token(); err != nil {
		return nil, rd.syntax(0, err)
	}
	out := []Resource{}
	seen := map[[2]string]int{}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, rd.syntax(0, err)
		}
		off := dec.InputOffset() - int64(len(raw))
		res, err := rd.entry(i, raw, off)
		if err != nil {
			return nil, err
		}
		k := [2]string{res.ARN, res.Via}
		if first, dup := seen[k]; dup {
			return nil, rd.fail(off, fmt.Sprintf("[%d]", i), fmt.Errorf("%w: %s (via %s) is also given at line %d", ErrResource, res.ARN, res.Via, first))
		}
		seen[k] = res.Line
		out = append(out, res)
	}
	if _, err := dec.Token(); err != nil {
		return nil, rd.syntax(0, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, rd.fail(dec.InputOffset(), "", fmt.Errorf("%w: data after the list of resources", ErrSyntax))
	}
	return out, nil
}

// entry reads the resource at index i, whose text raw starts at offset off.
func (rd *resourceReader) entry(i int, raw json.RawMessage, off int64) (Resource, error) {
	at := func(s string) string { return fmt.Sprintf("[%d].%s", i, s) }
	res := Resource{}
	res.Line, _ = position(rd.data, off)
	if raw[0] != '{' {
		return res, rd.fail(off, fmt.Sprintf("[%d]", i), fmt.Errorf("%w: want an object, found %s", ErrResource, describeJSON(raw)))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // the '{' checked above
	fields := map[string]int64{}
	var policyRaw json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return res, rd.syntax(off, err)
		}
		key, _ := t.(string)
		keyOff := off + dec.InputOffset() - int64(len(key)) - 2
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return res, rd.syntax(off, err)
		}
		voff := off + dec.InputOffset() - int64(len(v))
		if _, dup := fields[key]; dup {
			return res, rd.fail(keyOff, at(key), fmt.Errorf("%w: given twice", ErrResource))
		}
		fields[key] = voff
		str := func(dst *string) error {
			if err := json.Unmarshal(v, dst); err != nil {
				return rd.fail(voff, at(key), fmt.Errorf("%w: want a string, found %s", ErrResource, describeJSON(v)))
			}
			return nil
		}
		switch key {
		case "arn":
			err = str(&res.ARN)
		case "type":
			err = str(&res.Type)
		case "account":
			err = str(&res.Account)
		case "region":
			err = str(&res.Region)
		case "via":
			err = str(&res.Via)
		case "policy":
			policyRaw = v
		default:
			err = rd.fail(keyOff, at(key), fmt.Errorf("%w: unknown field %q (want arn, type, account, region, via, policy)", ErrResource, key))
		}
		if err != nil {
			return res, err
		}
	}
	bad := func(field, format string, args ...any) error {
		o, ok := fields[field]
		if !ok {
			o = off
		}
		return rd.fail(o, at(field), fmt.Errorf("%w: "+format, append([]any{ErrResource}, args...)...))
	}
	parts := strings.SplitN(res.ARN, ":", 6)
	switch {
	case res.ARN == "":
		return res, bad("arn", "missing")
	case len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "":
		return res, bad("arn", "%q is not an ARN (arn:partition:service:region:account:resource)", res.ARN)
	}
	if res.Type == "" {
		return res, bad("type", "missing (an AWS Config resource type such as AWS::S3::Bucket)")
	}
	if f := strings.Split(res.Type, "::"); len(f) != 3 || f[0] == "" || f[1] == "" || f[2] == "" {
		return res, bad("type", "%q is not a resource type such as AWS::S3::Bucket", res.Type)
	}
	switch {
	case res.Account == "" && parts[4] == "":
		return res, bad("account", "missing, and the ARN names no account")
	case res.Account == "":
		res.Account = parts[4]
	case parts[4] != "" && parts[4] != res.Account:
		return res, bad("account", "%s, but the ARN names account %s", res.Account, parts[4])
	}
	if !tailor.IsAccountID(res.Account) {
		return res, bad("account", "%q is not a 12-digit account id", res.Account)
	}
	switch {
	case res.Region == "":
		res.Region = parts[3]
	case parts[3] != "" && parts[3] != res.Region:
		return res, bad("region", "%s, but the ARN names region %s", res.Region, parts[3])
	}
	switch res.Via {
	case "":
		res.Via = ViaPolicy
		if IsShareType(res.Type) {
			res.Via = ViaShare
		}
	case ViaPolicy, ViaShare:
	case ViaGrant:
		if res.Type != "AWS::KMS::Key" {
			return res, bad("via", "grants belong to KMS keys, not to %s", res.Type)
		}
	default:
		return res, bad("via", "%q: want policy, share or grant", res.Via)
	}
	if policyRaw == nil || string(policyRaw) == "null" {
		return res, bad("policy", "missing")
	}
	doc, err := rd.policy(policyRaw, fields["policy"], at("policy"))
	if err != nil {
		return res, err
	}
	res.Policy = doc
	return res, nil
}

// policy parses a resource's policy, given as an object or as a string
// holding one, and returns it as compact JSON.
func (rd *resourceReader) policy(v json.RawMessage, off int64, field string) (json.RawMessage, error) {
	switch v[0] {
	case '{':
		if _, err := policy.ParseAs(v, policy.KindResource); err != nil {
			return nil, rd.policyError(err, off, field)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return nil, rd.syntax(off, err)
		}
		return buf.Bytes(), nil
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, rd.syntax(off, err)
		}
		if _, err := policy.ParseEncodedAs([]byte(s), policy.KindResource); err != nil {
			return nil, rd.fail(off, field, fmt.Errorf("in the document this string holds: %w", err))
		}
		doc, err := NormalizeDocument(v)
		if err != nil {
			return nil, rd.fail(off, field, err)
		}
		return doc, nil
	}
	return nil, rd.fail(off, field, fmt.Errorf("%w: want a policy document (an object), found %s", ErrResource, describeJSON(v)))
}

// policyError places a policy parse error at its position in the file.
func (rd *resourceReader) policyError(err error, off int64, field string) error {
	var pe *policy.ParseError
	if !errors.As(err, &pe) || pe.Line == 0 {
		return rd.fail(off, field, err)
	}
	line, col := position(rd.data, off)
	if pe.Line == 1 {
		col += pe.Column - 1
	} else {
		line, col = line+pe.Line-1, pe.Column
	}
	e := *pe
	e.Line, e.Column = 0, 0
	return &ParseError{Path: rd.name, Line: line, Column: col, Field: field, Err: &e}
}

// WriteResources writes resources as the JSON list [ReadResources] reads,
// indented, ordered by ARN then Via, with each policy as an object.
func WriteResources(w io.Writer, resources []Resource) error {
	sorted := slices.Clone(resources)
	slices.SortStableFunc(sorted, func(a, b Resource) int {
		return cmp.Or(strings.Compare(a.ARN, b.ARN), strings.Compare(a.Via, b.Via))
	})
	if sorted == nil {
		sorted = []Resource{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sorted); err != nil {
		return fmt.Errorf("account: write resources: %w", err)
	}
	return nil
}

// SaveResources writes resources to the named file as [WriteResources]
// does, atomically and with mode 0600.
func SaveResources(name string, resources []Resource) error {
	return atomicfile.Write(name, 0o600, func(w io.Writer) error { return WriteResources(w, resources) })
}
