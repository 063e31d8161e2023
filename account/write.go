package account

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tailor-sec/tailor/internal/atomicfile"
)

// WriteAuthorizationDetails writes d as aws iam get-account-authorization-details
// prints it: indented JSON with the CLI's field names, policy documents as
// JSON objects, timestamps as "2019-12-18T19:10:08+00:00". Documents must
// already be normalized (see [NormalizeDocument]), as they are in values this
// package returns.
func WriteAuthorizationDetails(w io.Writer, d *AuthorizationDetails) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cliShape(d)); err != nil {
		return fmt.Errorf("account: write authorization details: %w", err)
	}
	return nil
}

// cliShape returns d with nil lists as empty ones, since the CLI always
// prints the four top-level lists.
func cliShape(d *AuthorizationDetails) *AuthorizationDetails {
	c := *d
	if c.UserDetailList == nil {
		c.UserDetailList = []User{}
	}
	if c.GroupDetailList == nil {
		c.GroupDetailList = []Group{}
	}
	if c.RoleDetailList == nil {
		c.RoleDetailList = []Role{}
	}
	if c.Policies == nil {
		c.Policies = []ManagedPolicy{}
	}
	return &c
}

// SaveAuthorizationDetails writes d to the named file as
// [WriteAuthorizationDetails] does, atomically: it writes a temporary file
// in the same directory and renames it over name, so that name holds either
// its old content or the whole new one. The file is created with mode 0600:
// an IAM snapshot describes who can do what in the account.
func SaveAuthorizationDetails(name string, d *AuthorizationDetails) error {
	return atomicfile.Write(name, 0o600, func(w io.Writer) error { return WriteAuthorizationDetails(w, d) })
}

// SaveCredentialReport writes the CSV of a credential report to the named
// file, atomically and with mode 0600, as [SaveAuthorizationDetails] does.
func SaveCredentialReport(name string, csv []byte) error {
	return atomicfile.Write(name, 0o600, func(w io.Writer) error {
		_, err := w.Write(csv)
		return err
	})
}
