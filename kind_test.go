package tailor_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tailor-sec/tailor"
)

func TestSniffBytes(t *testing.T) {
	tests := []struct {
		name string
		head string
		want tailor.Kind
	}{
		{"gzip", "\x1f\x8b\x08\x00", tailor.KindGzip},
		{"zip", "PK\x03\x04rest", tailor.KindZip},
		{"empty zip", "PK\x05\x06", tailor.KindZip},
		{"parquet", "PAR1\x15\x00", tailor.KindParquet},
		{"nothing", "", tailor.KindEmpty},
		{"white space", " \n\t\r\n", tailor.KindEmpty},
		{"object", `{"Records":[]}`, tailor.KindJSON},
		{"array after a BOM and space", "\ufeff \n[1]", tailor.KindJSON},
		{"broken JSON", "{x", tailor.KindJSON},
		{"CSV", "user,arn,user_creation_time\n", tailor.KindText},
		{"YAML", "- name: 'Datadog'\n  accounts: ['464622532012']\n", tailor.KindText},
		{"UTF-8", "naïve café — ok\n", tailor.KindText},
		{"a character cut at the end", "ok \xc3", tailor.KindText},
		{"control bytes", "ab\x00\x01cd", tailor.KindBinary},
		{"invalid UTF-8", "\xff\xfe\xfd\xfcabcdef", tailor.KindBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tailor.SniffBytes([]byte(tt.head)); got != tt.want {
				t.Errorf("SniffBytes(%q) = %q, want %q", tt.head, got, tt.want)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	if k, err := tailor.Sniff(dir); err != nil || k != tailor.KindDirectory {
		t.Errorf("Sniff(dir) = %q, %v", k, err)
	}
	p := filepath.Join(dir, "x.json")
	os.WriteFile(p, []byte(`[{"a":1}]`), 0o644)
	if k, err := tailor.Sniff(p); err != nil || k != tailor.KindJSON {
		t.Errorf("Sniff(file) = %q, %v", k, err)
	}
	if _, err := tailor.Sniff(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Sniff(missing) error %v, want not exist", err)
	}
}

func TestKindError(t *testing.T) {
	sentinel := errors.New("usage: not an activity log")
	tests := []struct {
		err  *tailor.KindError
		want string
	}{
		{&tailor.KindError{Path: "usage.parquet", Flag: "--events", Want: tailor.KindActivityLog, Got: tailor.KindUsageIndex},
			"usage.parquet is a usage index, not an activity log; --events wants the file 'tailor ingest --events' writes"},
		{&tailor.KindError{Path: "x.parquet", Want: tailor.KindUsageIndex, Got: tailor.KindParquet, Err: errors.New("no column \"day\"")},
			`x.parquet is a Parquet file, not a usage index: no column "day" (the file 'tailor ingest -o' writes)`},
		{&tailor.KindError{Path: "d", Want: tailor.KindCatalog, Err: errors.New("no service reference files")},
			"d is not a catalog directory: no service reference files (a directory of service reference files, as 'tailor catalog update' keeps)"},
		{&tailor.KindError{Path: "t.yaml", Want: tailor.KindCloudFormation, Got: tailor.KindText},
			"t.yaml is text, not a CloudFormation template"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q\nwant      %q", got, tt.want)
		}
	}
	err := error(&tailor.KindError{Path: "p", Want: tailor.KindActivityLog, Got: tailor.KindUsageIndex, Sentinel: sentinel})
	if !errors.Is(err, tailor.ErrKind) || !errors.Is(err, sentinel) {
		t.Errorf("%v does not wrap ErrKind and its sentinel", err)
	}
	if got := err.Error(); got != "p is a usage index, not an activity log (the file 'tailor ingest --events' writes)" {
		t.Errorf("the sentinel shows in the message: %q", got)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	index := write("index", "PAR1 an index")
	other := write("other", "PAR1 of another kind")
	text := write("text", "hello\n")
	json := write("json", `{"broken": `)
	// A recognizer of the fake index, and one that fails.
	fake := func(path string) (tailor.Kind, error) {
		if path == index {
			return tailor.KindUsageIndex, nil
		}
		return tailor.KindUnknown, nil
	}
	failing := func(string) (tailor.Kind, error) { return tailor.KindUnknown, os.ErrPermission }

	tests := []struct {
		name  string
		path  string
		want  []tailor.Kind
		rs    []tailor.Recognizer
		err   *tailor.KindError // nil: no error
		ioErr error
	}{
		{"recognised as wanted", index, []tailor.Kind{tailor.KindUsageIndex}, []tailor.Recognizer{fake}, nil, nil},
		{"one of the wanted", index, []tailor.Kind{tailor.KindCheckpoint, tailor.KindUsageIndex}, []tailor.Recognizer{fake}, nil, nil},
		{"recognised as another", index, []tailor.Kind{tailor.KindActivityLog}, []tailor.Recognizer{fake},
			&tailor.KindError{Path: index, Want: tailor.KindActivityLog, Got: tailor.KindUsageIndex}, nil},
		{"unknown in a container of the kind: left to the reader", other, []tailor.Kind{tailor.KindActivityLog}, []tailor.Recognizer{fake}, nil, nil},
		{"unknown JSON for a snapshot: left to the reader", json, []tailor.Kind{tailor.KindSnapshot}, []tailor.Recognizer{fake}, nil, nil},
		{"text for a snapshot", text, []tailor.Kind{tailor.KindSnapshot}, []tailor.Recognizer{fake},
			&tailor.KindError{Path: text, Want: tailor.KindSnapshot, Got: tailor.KindText}, nil},
		{"a file for a directory", text, []tailor.Kind{tailor.KindCatalog}, nil,
			&tailor.KindError{Path: text, Want: tailor.KindCatalog, Got: tailor.KindText}, nil},
		{"a directory for a file", dir, []tailor.Kind{tailor.KindUsageIndex}, nil,
			&tailor.KindError{Path: dir, Want: tailor.KindUsageIndex, Got: tailor.KindDirectory}, nil},
		{"a recognizer's error", index, []tailor.Kind{tailor.KindUsageIndex}, []tailor.Recognizer{failing, fake}, nil, os.ErrPermission},
		{"a missing file", filepath.Join(dir, "missing"), []tailor.Kind{tailor.KindUsageIndex}, nil, nil, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tailor.Check(tt.path, tt.want, tt.rs...)
			var ke *tailor.KindError
			switch {
			case tt.err != nil:
				if !errors.As(err, &ke) || !reflect.DeepEqual(ke, tt.err) {
					t.Errorf("error %#v, want %#v", err, tt.err)
				}
			case tt.ioErr != nil:
				if !errors.Is(err, tt.ioErr) || errors.As(err, &ke) {
					t.Errorf("error %v, want %v", err, tt.ioErr)
				}
			case err != nil:
				t.Errorf("error %v, want none", err)
			}
		})
	}
}

func TestHeadKeys(t *testing.T) {
	tests := []struct {
		head  string
		keys  []string
		array bool
	}{
		{`{"UserDetailList": [{"UserName": "a"}], "RoleDetailList": []}`, []string{"UserDetailList", "RoleDetailList"}, false},
		// A cut inside a value keeps the keys before it.
		{`{"UserDetailList": [{"UserName": "a"`, []string{"UserDetailList"}, false},
		{`[{"arn": "arn:aws:s3:::b", "type": "AWS::S3::Bucket", "policy": {"Statement": []}}, {"x": 1}]`, []string{"arn", "type", "policy"}, true},
		{`[]`, nil, true},
		{`["a", "b"]`, nil, true},
		{`"a string"`, nil, false},
		{`{x`, nil, false},
		{``, nil, false},
	}
	for _, tt := range tests {
		keys, array := tailor.HeadKeys([]byte(tt.head))
		want := map[string]bool{}
		for _, k := range tt.keys {
			want[k] = true
		}
		if !reflect.DeepEqual(keys, want) || array != tt.array {
			t.Errorf("HeadKeys(%s) = %v, %v; want %v, %v", tt.head, keys, array, want, tt.array)
		}
	}
}

func TestKindIn(t *testing.T) {
	if !tailor.KindCredentialReport.In(tailor.KindText) || !tailor.KindCredentialReport.In(tailor.KindJSON) {
		t.Error("a credential report comes as CSV text or JSON")
	}
	if tailor.KindSnapshot.In(tailor.KindText) || tailor.KindUsageIndex.In(tailor.KindJSON) || tailor.KindCatalog.In(tailor.KindJSON) {
		t.Error("In admits a container the kind never comes in")
	}
	if tailor.KindCloudFormation.In(tailor.KindJSON) {
		t.Error("In admits a container for a kind tailor does not read")
	}
	if !tailor.KindText.Container() || tailor.KindSnapshot.Container() {
		t.Error("Container")
	}
}
