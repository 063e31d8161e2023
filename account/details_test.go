package account_test

import (
	"encoding/json"
	"testing"

	"github.com/tailor-sec/tailor/account"
)

func TestDefaultVersion(t *testing.T) {
	doc := func(s string) json.RawMessage { return json.RawMessage(`{"Sid":"` + s + `"}`) }
	tests := []struct {
		name string
		p    account.ManagedPolicy
		want string // VersionID, "" for nil
	}{
		{"flag", account.ManagedPolicy{DefaultVersionID: "v1", PolicyVersionList: []account.PolicyVersion{{VersionID: "v1"}, {VersionID: "v2", IsDefaultVersion: true, Document: doc("2")}}}, "v2"},
		{"id only", account.ManagedPolicy{DefaultVersionID: "v2", PolicyVersionList: []account.PolicyVersion{{VersionID: "v1"}, {VersionID: "v2"}}}, "v2"},
		{"absent", account.ManagedPolicy{DefaultVersionID: "v3", PolicyVersionList: []account.PolicyVersion{{VersionID: "v1"}}}, ""},
		{"no id", account.ManagedPolicy{PolicyVersionList: []account.PolicyVersion{{VersionID: "v1"}}}, ""},
		{"empty", account.ManagedPolicy{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.p.DefaultVersion()
			got := ""
			if v != nil {
				got = v.VersionID
			}
			if got != tt.want {
				t.Errorf("DefaultVersion() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoleServiceLinked(t *testing.T) {
	for path, want := range map[string]bool{"/aws-service-role/support.amazonaws.com/": true, "/": false, "/service-role/": false, "": false} {
		r := account.Role{Path: path}
		if r.ServiceLinked() != want {
			t.Errorf("ServiceLinked() for path %q = %v", path, !want)
		}
	}
}
