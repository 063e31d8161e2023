// Package snapshot defines the file format of the catalog snapshot that
// catalog/internal/gen writes and package catalog embeds: one gzip-compressed
// JSON document holding every service, action, resource type and condition
// key, without descriptions. Short JSON member names keep it small; the
// format number changes when a reader of the old format would misread it.
package snapshot

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Format is the version of the layout below.
const Format = 2

// File is the whole snapshot.
type File struct {
	Format int `json:"format"`
	// Source names the package the data came from, "name@version".
	Source string `json:"source"`
	// Date is when the source data was last updated.
	Date time.Time `json:"date"`
	// OperationsSource names where the services' API operations came
	// from; OperationsDate is the date of the newest of that data.
	OperationsSource string    `json:"operationsSource,omitempty"`
	OperationsDate   time.Time `json:"operationsDate,omitzero"`
	Services         []Service `json:"services"`
}

// Service is one service prefix.
type Service struct {
	Prefix string `json:"p"`
	Name   string `json:"n"`
	// Operations are the names of the service's API operations, sorted;
	// empty when the generator knew none.
	Operations []string `json:"o,omitempty"`
	// MissingModules names the service APIs (as SDK ids in lower case
	// without spaces or dashes, the Go SDK's module names) that may hold
	// more operations of the service but that no SDK source could be read
	// for.
	MissingModules []string `json:"om,omitempty"`
	// OperationsDate is the date up to which Operations is known to hold
	// every operation of the service: the earliest, over the service's
	// APIs, of the date until which the newest SDK source of the API is
	// known current (its own date, extended to the API's next model
	// change the Go SDK's changelog records). An action without an
	// operation that is newer than this date may have one.
	OperationsDate time.Time      `json:"od,omitzero"`
	Actions        []Action       `json:"a"`
	Resources      []Resource     `json:"r,omitempty"`
	ConditionKeys  []ConditionKey `json:"c,omitempty"`
}

// Action is one IAM action.
type Action struct {
	Name string `json:"n"`
	// Level is the access level as the source writes it, a comma-separated
	// list: "Permissions management, Write".
	Level         string           `json:"l"`
	Resources     []ActionResource `json:"r,omitempty"`
	ConditionKeys []string         `json:"c,omitempty"`
	Dependent     []string         `json:"d,omitempty"`
}

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	Name          string   `json:"n"`
	Required      bool     `json:"q,omitempty"`
	ConditionKeys []string `json:"c,omitempty"`
	Dependent     []string `json:"d,omitempty"`
}

// Resource is a resource type of a service.
type Resource struct {
	Name          string   `json:"n"`
	ARNs          []string `json:"a,omitempty"`
	ConditionKeys []string `json:"c,omitempty"`
}

// ConditionKey is a condition key a service defines.
type ConditionKey struct {
	Name string `json:"n"`
	Type string `json:"t,omitempty"`
}

// Write encodes f to w, gzip-compressed. The output depends only on f.
func Write(w io.Writer, f *File) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(zw)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress snapshot: %w", err)
	}
	return nil
}

// Read decodes a snapshot written by Write.
func Read(r io.Reader) (*File, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	defer zr.Close()
	var f File
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	if f.Format != Format {
		return nil, fmt.Errorf("decode snapshot: format %d, want %d", f.Format, Format)
	}
	return &f, nil
}
