package report

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/tailor-sec/tailor/review"
)

// SARIFSchema is the $schema of the SARIF logs WriteSARIF writes.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// SARIFOptions tune WriteSARIF. The zero value writes results without a
// file location.
type SARIFOptions struct {
	// ToolVersion is the tool's version, such as "v1.2.0".
	ToolVersion string
	// Artifact is the IAM snapshot the review read, as a path relative to
	// the repository root (or a URI): results point into it, so that a CI
	// system can show them.
	Artifact string
	// Line, when set, returns the line of Artifact where a principal is
	// defined, or 0 when it is not there (results then point at line 1).
	Line func(principalARN string) int
	// ResourcesArtifact is the resources file the review read: results
	// about resources point into it, at the line ResourceLine returns.
	ResourcesArtifact string
	ResourceLine      func(resourceARN string) int
}

// The SARIF 2.1.0 objects WriteSARIF uses, with the properties the schema
// allows for them.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool      `json:"tool"`
		Results    []sarifResult  `json:"results"`
		Properties map[string]any `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		FullDescription      sarifText      `json:"fullDescription"`
		Help                 sarifText      `json:"help"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties"`
	}
	sarifText struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          map[string]any    `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogical `json:"logicalLocations"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           sarifRegion   `json:"region"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogical struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
)

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s review.Severity) string {
	switch s {
	case review.SeverityCritical, review.SeverityHigh:
		return "error"
	case review.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity maps a severity to the CVSS-like score GitHub code
// scanning reads from "security-severity".
func securitySeverity(s review.Severity) string {
	switch s {
	case review.SeverityCritical:
		return "9.5"
	case review.SeverityHigh:
		return "8.0"
	case review.SeverityMedium:
		return "5.5"
	case review.SeverityLow:
		return "3.0"
	}
	return "0.0"
}

// WriteSARIF writes a review as a SARIF 2.1.0 log with one run: every rule
// of the review as a rule of the driver, every finding as a result. A
// result's partialFingerprints carry the finding's stable id, so that a CI
// system tracks it across runs.
func WriteSARIF(w io.Writer, rep *review.Report, opts SARIFOptions) error {
	rules := review.Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "tailor", Version: opts.ToolVersion, InformationURI: "https://github.com/tailor-sec/tailor"}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   r.ID,
			Name:                 r.Name,
			ShortDescription:     sarifText{Text: r.Title},
			FullDescription:      sarifText{Text: r.Description},
			Help:                 sarifText{Text: r.Help, Markdown: "**" + r.Title + "**\n\n" + r.Description + "\n\n" + r.Help},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Severity)},
			Properties: map[string]any{
				"tags":              []string{"security", "aws", "iam", "third-party"},
				"security-severity": securitySeverity(r.Severity),
				"precision":         "high",
			},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}, Properties: map[string]any{
		"account": rep.Account,
		"now":     rep.Now,
	}}
	for _, p := range rep.Principals {
		uri, lineOf := filepath.ToSlash(opts.Artifact), opts.Line
		if p.Kind == review.KindResource {
			uri, lineOf = filepath.ToSlash(opts.ResourcesArtifact), opts.ResourceLine
		}
		for _, f := range p.Findings {
			msg := f.Title + ": " + f.Evidence.Summary + " Fix: " + f.Remedy.Summary
			loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: p.Name, FullyQualifiedName: p.ARN, Kind: "resource"}}}
			if uri != "" {
				line := 0
				if lineOf != nil {
					line = lineOf(p.ARN)
				}
				loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}, Region: sarifRegion{StartLine: max(line, 1)}}
			}
			props := map[string]any{
				"severity":          f.Severity.String(),
				"security-severity": securitySeverity(f.Severity),
				"principal":         p.ARN,
			}
			if f.Account != "" {
				props["account"] = f.Account
			}
			if f.Vendor != "" {
				props["vendor"] = f.Vendor
			}
			run.Results = append(run.Results, sarifResult{
				RuleID:              f.Rule,
				RuleIndex:           index[f.Rule],
				Level:               sarifLevel(f.Severity),
				Message:             sarifText{Text: msg},
				Locations:           []sarifLocation{loc},
				PartialFingerprints: map[string]string{"tailorFindingId/v1": f.ID},
				Properties:          props,
			})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

// LineIndex returns a function for SARIFOptions.Line: the line of the
// first `"Arn": "<arn>"` of each user and role in an IAM snapshot file's
// text.
func LineIndex(text []byte) func(arn string) int {
	lines := map[string]int{}
	line := 1
	s := string(text)
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], "\n\"")
		if j < 0 {
			break
		}
		i += j
		if s[i] == '\n' {
			line++
			i++
			continue
		}
		// A string: is it "Arn" followed by a value?
		if strings.HasPrefix(s[i:], `"Arn"`) {
			rest := strings.TrimLeft(s[i+5:], " \t")
			if strings.HasPrefix(rest, ":") {
				rest = strings.TrimLeft(rest[1:], " \t")
				if strings.HasPrefix(rest, `"`) {
					if end := strings.IndexByte(rest[1:], '"'); end >= 0 {
						arn := rest[1 : 1+end]
						if _, ok := lines[arn]; !ok {
							lines[arn] = line
						}
					}
				}
			}
			i += 5
			continue
		}
		// Skip the string.
		k := i + 1
		for k < len(s) && s[k] != '"' {
			if s[k] == '\\' {
				k++
			} else if s[k] == '\n' {
				line++
			}
			k++
		}
		i = k + 1
	}
	return func(arn string) int { return lines[arn] }
}
