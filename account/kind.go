package account

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/tailor-sec/tailor"
)

// recognizeSize is how much of a file Recognize reads: enough for the
// first keys of any file the package reads, which is all it looks at.
const recognizeSize = 64 << 10

// Recognize tells which of the package's files the file at path is, from
// the keys its JSON starts with (or a CSV's header): tailor.KindSnapshot
// (get-account-authorization-details output, with or without last accessed
// reports), tailor.KindCredentialReport (CSV or get-credential-report
// JSON), tailor.KindResources (a resources.json list),
// tailor.KindLastAccessed (get-service-last-accessed-details output), or,
// to name them when they are given in place of those,
// tailor.KindPolicy (a policy document), tailor.KindCloudFormation (a
// template, JSON or YAML), tailor.KindTerraform and
// tailor.KindCloudsplaining (its results). It
// returns tailor.KindUnknown for anything else; its error is only ever
// one of opening or reading the file. A file whose first keys are right
// is recognised even if it breaks further on: the readers say where.
func Recognize(path string) (tailor.Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return tailor.KindUnknown, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return tailor.KindUnknown, err
	}
	if st.IsDir() {
		return tailor.KindUnknown, nil
	}
	head := make([]byte, recognizeSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return tailor.KindUnknown, err
	}
	return recognize(head[:n]), nil
}

// recognize tells the kind of a file that starts with head.
func recognize(head []byte) tailor.Kind {
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	switch tailor.SniffBytes(head) {
	case tailor.KindJSON:
		keys, array := tailor.HeadKeys(head)
		return kindOfKeys(keys, array)
	case tailor.KindText:
		return recognizeText(head)
	}
	return tailor.KindUnknown
}

// kindOfKeys tells a JSON file's kind from the keys of its top-level
// object, or of the first element of its top-level array.
func kindOfKeys(keys map[string]bool, array bool) tailor.Kind {
	has := func(ks ...string) bool {
		for _, k := range ks {
			if !keys[k] {
				return false
			}
		}
		return true
	}
	for _, k := range detailKeys {
		if keys[k] {
			return tailor.KindSnapshot
		}
	}
	switch {
	case keys["JobStatus"] || keys["ServicesLastAccessed"]:
		return tailor.KindLastAccessed
	case has("Content") && (keys["ReportFormat"] || keys["GeneratedTime"]):
		return tailor.KindCredentialReport
	case array && has("arn") && (keys["type"] || keys["policy"]):
		return tailor.KindResources
	case array:
		return tailor.KindUnknown
	case keys["AWSTemplateFormatVersion"] || keys["Resources"] && !keys["Name"] && !keys["Actions"] && !keys["Records"]:
		return tailor.KindCloudFormation
	case has("roles", "users", "groups"):
		return tailor.KindCloudsplaining
	case keys["Statement"]:
		return tailor.KindPolicy
	}
	return tailor.KindUnknown
}

// What a CloudFormation template in YAML holds: the keys its sections
// start with, and the types of its resources.
var (
	yamlTemplateVersion = regexp.MustCompile(`(?m)^AWSTemplateFormatVersion\s*:`)
	yamlResources       = regexp.MustCompile(`(?m)^Resources\s*:`)
	yamlAWSType         = regexp.MustCompile(`(?m)^\s+Type\s*:\s*['"]?AWS::`)
	// A Terraform block: resource "aws_iam_role" "x" {, variable "y" {.
	terraformBlock = regexp.MustCompile(`(?m)^(resource|data|variable|module|provider|output|locals|terraform)(\s+"[^"]*"){0,2}\s*\{`)
)

// recognizeText tells the kind of a file of text: a credential report's
// CSV, a CloudFormation template in YAML, a Terraform file.
func recognizeText(head []byte) tailor.Kind {
	sc := bufio.NewScanner(bytes.NewReader(head))
	if sc.Scan() {
		cols := map[string]bool{}
		for _, c := range strings.Split(sc.Text(), ",") {
			cols[strings.TrimSpace(c)] = true
		}
		if cols["user"] && cols["arn"] {
			return tailor.KindCredentialReport
		}
	}
	// Terraform first: it may hold a template in a heredoc.
	if terraformBlock.Match(head) {
		return tailor.KindTerraform
	}
	if yamlTemplateVersion.Match(head) || yamlResources.Match(head) && yamlAWSType.Match(head) {
		return tailor.KindCloudFormation
	}
	return tailor.KindUnknown
}

// checkKind returns a *tailor.KindError wrapping ErrFormat when the file
// at path is in a container no file of kind want comes in: a directory,
// Parquet, gzip or zip data, binary data. JSON and text are left to the
// readers, which say what a file of the package's other kinds is, and
// where one of the kind breaks. It is nil when the file cannot be opened:
// the reader then says why.
func checkKind(path string, want tailor.Kind) error {
	ke, ok := tailor.Check(path, []tailor.Kind{want}).(*tailor.KindError)
	if !ok {
		return nil
	}
	switch ke.Got {
	case tailor.KindEmpty, tailor.KindJSON, tailor.KindText:
		return nil
	}
	ke.Sentinel = ErrFormat
	return ke
}
