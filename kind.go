package tailor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// Kind says what an input file holds, as a message names it: "a usage
// index", "an IAM snapshot". Each package that owns a format recognises its
// files by their content, not their name (ingest.Recognize, usage.Recognize,
// account.Recognize, review.RecognizeVendors, catalog.Recognize); Sniff names
// the container (JSON, Parquet, gzip, ...) of a file none of them knows.
type Kind string

// The kinds of tailor's inputs, and of the files most often given in their
// place.
const (
	KindUnknown Kind = ""

	KindCloudTrail       Kind = "a CloudTrail log file"
	KindCloudTrailDir    Kind = "a directory of CloudTrail logs"
	KindCloudTrailDigest Kind = "a CloudTrail digest file"
	KindUsageIndex       Kind = "a usage index"
	KindCheckpoint       Kind = "an ingest checkpoint"
	KindActivityLog      Kind = "an activity log"
	KindSnapshot         Kind = "an IAM snapshot"
	KindCredentialReport Kind = "an IAM credential report"
	KindResources        Kind = "a list of resource policies"
	KindLastAccessed     Kind = "a last accessed report"
	KindPolicy           Kind = "a policy document"
	KindVendors          Kind = "a known-accounts list"
	KindCatalog          Kind = "a catalog directory"
	KindServiceReference Kind = "a service reference file"

	// Files of other tools, recognised to name them when they are given
	// in place of tailor's.
	KindCloudFormation Kind = "a CloudFormation template"
	KindTerraform      Kind = "a Terraform file"
	KindCloudsplaining Kind = "cloudsplaining results"

	// Containers, which Sniff tells.
	KindDirectory Kind = "a directory"
	KindEmpty     Kind = "an empty file"
	KindGzip      Kind = "gzip-compressed data"
	KindZip       Kind = "a zip archive"
	KindParquet   Kind = "a Parquet file"
	KindJSON      Kind = "JSON"
	KindText      Kind = "text"
	KindBinary    Kind = "binary data"
)

// containers lists the containers a file of each of tailor's kinds comes
// in: Sniff's answer for it before its package has looked inside.
var containers = map[Kind][]Kind{
	KindCloudTrail:       {KindJSON, KindGzip, KindZip},
	KindCloudTrailDir:    {KindDirectory},
	KindCloudTrailDigest: {KindJSON, KindGzip},
	KindUsageIndex:       {KindParquet},
	KindCheckpoint:       {KindParquet},
	KindActivityLog:      {KindParquet},
	KindSnapshot:         {KindJSON},
	KindCredentialReport: {KindJSON, KindText},
	KindResources:        {KindJSON},
	KindLastAccessed:     {KindJSON, KindDirectory},
	KindPolicy:           {KindJSON, KindText}, // text: URL-encoded, as IAM's API returns it
	KindVendors:          {KindText, KindJSON},
	KindCatalog:          {KindDirectory},
	KindServiceReference: {KindJSON},
}

// hints say where a file of each kind comes from, for messages about a
// file given in its place.
var hints = map[Kind]string{
	KindCloudTrail:       "CloudTrail delivery files, JSON records or lookup-events output",
	KindCloudTrailDir:    "a directory of CloudTrail logs",
	KindUsageIndex:       "the file 'tailor ingest -o' writes",
	KindCheckpoint:       "the file 'tailor ingest --checkpoint' writes, or a new file",
	KindActivityLog:      "the file 'tailor ingest --events' writes",
	KindSnapshot:         "the JSON of 'aws iam get-account-authorization-details' or 'tailor iam snapshot'",
	KindCredentialReport: "the CSV of the IAM credential report, or 'aws iam get-credential-report' output",
	KindResources:        "a JSON list of {arn, type, policy} objects: see the README's resources.json",
	KindLastAccessed:     "'aws iam get-service-last-accessed-details' output, or a directory of them",
	KindPolicy:           "a JSON IAM policy document",
	KindVendors:          "a YAML list like known_aws_accounts.yaml: see 'tailor vendors update'",
	KindCatalog:          "a directory of service reference files, as 'tailor catalog update' keeps",
}

// Hint says where a file of kind k comes from ("the file 'tailor ingest
// --events' writes"), or "" when there is nothing to say.
func (k Kind) Hint() string { return hints[k] }

// In reports whether a file of kind k may come in container c, a kind
// Sniff returns. For kinds that are not tailor's it reports false.
func (k Kind) In(c Kind) bool {
	for _, x := range containers[k] {
		if x == c {
			return true
		}
	}
	return false
}

// Container reports whether k is a container, a kind Sniff returns, rather
// than a kind a package recognised.
func (k Kind) Container() bool {
	switch k {
	case KindDirectory, KindEmpty, KindGzip, KindZip, KindParquet, KindJSON, KindText, KindBinary:
		return true
	}
	return false
}

// ErrKind marks a file given where a file of another kind belongs. Errors
// that wrap it are *KindError values.
var ErrKind = errors.New("wrong kind of file")

// A KindError reports a file that is not of the kind its use wants:
// "usage.parquet is a usage index, not an activity log". Got is what the
// file holds, KindUnknown when that could not be told; Flag, when set, is
// the flag or argument that named the file; Err, when set, says more.
type KindError struct {
	Path string
	Flag string // "--events", or "" when the file was not named by a flag
	Want Kind
	Got  Kind
	Err  error
	// Sentinel, when set, is the error of the reader that refused the
	// file (usage.ErrFormat, ...), which errors.Is finds too; it is not
	// part of the message.
	Sentinel error
}

// Error reads "PATH is GOT, not WANT: ERR; FLAG wants HINT".
func (e *KindError) Error() string {
	var b bytes.Buffer
	if e.Got == KindUnknown {
		fmt.Fprintf(&b, "%s is not %s", e.Path, e.Want)
	} else {
		fmt.Fprintf(&b, "%s is %s, not %s", e.Path, e.Got, e.Want)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if h := e.Want.Hint(); h != "" {
		if e.Flag != "" {
			fmt.Fprintf(&b, "; %s wants %s", e.Flag, h)
		} else {
			fmt.Fprintf(&b, " (%s)", h)
		}
	}
	return b.String()
}

// Unwrap returns ErrKind, Err and Sentinel.
func (e *KindError) Unwrap() []error {
	errs := []error{ErrKind}
	for _, err := range []error{e.Err, e.Sentinel} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// SniffSize is how much of a file Sniff reads.
const SniffSize = 4 << 10

// Sniff returns the container of the file at path: KindDirectory,
// KindEmpty (no bytes, or only white space), KindGzip, KindZip,
// KindParquet, KindJSON (an object or an array, well-formed or not),
// KindText or KindBinary. It reads at most SniffSize bytes. Its error is
// the one os.Open or the read returned.
func Sniff(path string) (Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return KindUnknown, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return KindUnknown, err
	}
	if st.IsDir() {
		return KindDirectory, nil
	}
	head := make([]byte, SniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return KindUnknown, err
	}
	return SniffBytes(head[:n]), nil
}

// SniffBytes returns the container of a file that starts with head, as
// Sniff does.
func SniffBytes(head []byte) Kind {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return KindGzip
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return KindZip
	case bytes.HasPrefix(head, []byte("PAR1")):
		return KindParquet
	}
	text := bytes.TrimPrefix(head, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(text, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return KindEmpty
	case trimmed[0] == '{' || trimmed[0] == '[':
		return KindJSON
	}
	// A cut in the middle of a character at the end is not binary.
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size <= 1 && len(text)-i >= utf8.UTFMax {
			return KindBinary
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			return KindBinary
		}
		i += max(size, 1)
	}
	return KindText
}

// A Recognizer tells the kind of the file at path from its content: one of
// the kinds its package owns, or KindUnknown. Its error is only ever one of
// opening or reading the file.
type Recognizer func(path string) (Kind, error)

// Check returns nil when the file at path may be of one of the kinds in
// want, and a *KindError that says what it is otherwise. The file is of
// the kind the first recognizer that knows it names; a file none knows
// may be of a wanted kind when its container (see Sniff) is one that kind
// comes in, and it is then left to the reader of that kind to judge,
// which can say where it breaks. Errors opening or reading the file are
// returned as they are.
func Check(path string, want []Kind, recognizers ...Recognizer) error {
	for _, r := range recognizers {
		k, err := r(path)
		if err != nil {
			return err
		}
		if k == KindUnknown {
			continue
		}
		for _, w := range want {
			if k == w {
				return nil
			}
		}
		return &KindError{Path: path, Want: want[0], Got: k}
	}
	c, err := Sniff(path)
	if err != nil {
		return err
	}
	for _, w := range want {
		if w.In(c) {
			return nil
		}
	}
	return &KindError{Path: path, Want: want[0], Got: c}
}

// HeadKeys returns the keys of the top-level JSON object head starts
// with, or of the first element of its top-level array (array is then
// set), as far as head holds them: a cut or a syntax error ends them. The
// recognizers tell JSON files apart by them.
func HeadKeys(head []byte) (keys map[string]bool, array bool) {
	keys = map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(head))
	tok, err := dec.Token()
	if err != nil {
		return keys, false
	}
	if tok == json.Delim('[') {
		array = true
		if tok, err = dec.Token(); err != nil {
			return keys, array
		}
	}
	if tok != json.Delim('{') {
		return keys, array
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return keys, array
		}
		k, ok := tok.(string)
		if !ok { // the end of the object
			return keys, array
		}
		keys[k] = true
		if !skipValue(dec) {
			return keys, array
		}
	}
}

// skipValue reads the next value from dec, reporting whether it was
// whole.
func skipValue(dec *json.Decoder) bool {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return true
		}
	}
}
