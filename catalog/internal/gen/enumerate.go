package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Which JavaScript clients to pin (-resolve-js). The registry has no search
// and no list of a scope's packages, and looking names up by trial is not
// an option, so each client's name is derived from its API's SDK id
// (jsName), taken from pinned sources that state it:
//
//   - the Go SDK modules of aws-sdk-go-v2.lock: each module's api_client.go
//     declares `const ServiceID = "..."` (read with range requests, like
//     auth.go);
//   - the final AWS SDK for JavaScript v2, npm package aws-sdk pinned below
//     by integrity (the catalog's operation source before the Go modules):
//     the metadata.serviceId of each of its API models. It names the APIs
//     of 2024 whose Go module the proxy does not serve (clouddirectory,
//     robomaker), and retired ones (a4b);
//   - jsKnownClients below, for APIs that neither states: released after
//     the JavaScript v2 SDK and whose Go module the proxy does not serve,
//     or that only the JavaScript SDK has.
//
// Go modules that none of these names are reported, so the table can grow
// when the Go SDK's changelog brings new services.
const (
	jsV2Package   = "aws-sdk"
	jsV2Version   = "2.1693.0"
	jsV2Integrity = "sha512-cJmb8xEnVLT+R6fBS5sn/EFJiX7tUnDaPtOPZ1vFbOJtd0fnZn/Ky2XGgsvvoeliWeH7mL3TWSX5zXXGSQV6gQ=="
)

// jsKnownClients are client packages no pinned source gives the SDK id
// of: APIs released after the JavaScript v2 SDK whose Go module the proxy
// does not serve (each checked to be the package of the Go module of the
// same name without dashes), and clients the Go SDK has no module for.
var jsKnownClients = []string{
	"@aws-sdk/client-bcm-recommended-actions",
	"@aws-sdk/client-codestar",
	"@aws-sdk/client-connectcampaignsv2",
	"@aws-sdk/client-elementalinference",
	"@aws-sdk/client-gameliftstreams",
	"@aws-sdk/client-geo-maps",
	"@aws-sdk/client-geo-routes",
	"@aws-sdk/client-macie",
	"@aws-sdk/client-partnercentral-account",
	"@aws-sdk/client-partnercentral-benefits",
	"@aws-sdk/client-partnercentral-channel",
	"@aws-sdk/client-partnercentral-selling",
	"@aws-sdk/client-rekognitionstreaming", // bidirectional streaming: no Go module
	"@aws-sdk/client-signer-data",
	"@aws-sdk/client-workspaces-instances",
}

var goServiceIDRE = regexp.MustCompile(`(?m)^const ServiceID = "([^"]+)"`)

// serviceIDs returns the SDK id each locked Go module declares, by module
// path, reading api_client.go of each, 8 at a time.
func (p *proxy) serviceIDs(ctx context.Context, l *lock) (map[string]string, error) {
	ids := make([]string, len(l.Modules))
	err := parallel(len(l.Modules), 8, func(i int) (err error) {
		ids[i], err = p.serviceID(ctx, l.Modules[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ids))
	for i, id := range ids {
		out[l.Modules[i].Path] = id
	}
	return out, nil
}

func (p *proxy) serviceID(ctx context.Context, m lockedModule) (string, error) {
	url := fmt.Sprintf("%s/%s/@v/%s.zip", p.base, p.escape(m.Path), m.Version)
	f, err := p.openRange(ctx, url, 256<<10)
	if err != nil {
		return "", err
	}
	zr, err := zip.NewReader(f, f.size)
	if err != nil {
		return "", fmt.Errorf("read %s@%s: %w", m.Path, m.Version, err)
	}
	rc, err := zr.Open(m.Path + "@" + m.Version + "/api_client.go")
	if err != nil {
		return "", fmt.Errorf("read %s@%s: %w", m.Path, m.Version, err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return "", fmt.Errorf("read %s@%s api_client.go: %w", m.Path, m.Version, err)
	}
	sm := goServiceIDRE.FindSubmatch(b)
	if sm == nil {
		return "", fmt.Errorf("read %s@%s api_client.go: no ServiceID", m.Path, m.Version)
	}
	return string(sm[1]), nil
}

// v2ServiceIDs returns the metadata.serviceId of every API model in the
// JavaScript v2 SDK's files (package/apis/*.min.json), and the signing
// name (metadata.signingName, else endpointPrefix) of each client.
func v2ServiceIDs(files map[string][]byte) (ids []string, signing map[string]string, err error) {
	signing = make(map[string]string)
	for name, b := range files {
		if !strings.HasPrefix(name, "package/apis/") || !strings.HasSuffix(name, ".min.json") {
			continue
		}
		var m struct {
			Metadata struct{ ServiceID, SigningName, EndpointPrefix string }
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, nil, fmt.Errorf("decode %s %s: %w", jsV2Package, name, err)
		}
		if m.Metadata.ServiceID == "" {
			return nil, nil, fmt.Errorf("%s %s: no metadata.serviceId", jsV2Package, name)
		}
		ids = append(ids, m.Metadata.ServiceID)
		signing[jsName(m.Metadata.ServiceID)] = firstOf(m.Metadata.SigningName, m.Metadata.EndpointPrefix)
	}
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("%s: no API models", jsV2Package)
	}
	return ids, signing, nil
}

// clientNames returns the client packages of the SDK ids of the Go modules
// (goIDs, by module path) and of the JavaScript v2 SDK's models (v2IDs),
// and the known clients, sorted; and the Go modules of l the proxy does
// not serve that none of them is for (by apiKey).
func clientNames(l *lock, goIDs map[string]string, v2IDs, known []string) (names, unnamed []string) {
	set := make(map[string]bool)
	for _, id := range goIDs {
		set[jsName(id)] = true
	}
	for _, id := range v2IDs {
		set[jsName(id)] = true
	}
	for _, k := range known {
		set[k] = true
	}
	keys := make(map[string]bool, len(set))
	for n := range set {
		names = append(names, n)
		keys[apiKey(n)] = true
	}
	slices.Sort(names)
	for _, m := range l.Missing {
		if !keys[apiKey(path.Base(m))] {
			unnamed = append(unnamed, path.Base(m))
		}
	}
	return names, unnamed
}
