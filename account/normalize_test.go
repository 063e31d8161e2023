package account_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tailor-sec/tailor/account"
)

// TestNewNormalizes: empty lists, an empty RoleLastUsed and an empty
// boundary read as absent, and documents in any form read as compact JSON,
// so the CLI's output and the API's answer give equal snapshots.
func TestNewNormalizes(t *testing.T) {
	d := &account.AuthorizationDetails{
		UserDetailList: []account.User{{UserName: "u", ARN: "arn:aws:iam::123456789012:user/u", GroupList: []string{}, Tags: []account.Tag{}, PermissionsBoundary: &account.PermissionsBoundary{}}},
		RoleDetailList: []account.Role{{
			RoleName: "r", ARN: "arn:aws:iam::123456789012:role/r",
			AssumeRolePolicyDocument: json.RawMessage(`"%7B%22Version%22%3A%222012-10-17%22%7D"`),
			RolePolicyList:           []account.InlinePolicy{},
			RoleLastUsed:             &account.RoleLastUsed{},
			InstanceProfileList: []account.InstanceProfile{{InstanceProfileName: "p", Roles: []account.InstanceProfileRole{{
				RoleName: "r", AssumeRolePolicyDocument: json.RawMessage("{ \"Version\" : \"2012-10-17\" }"), Tags: []account.Tag{},
			}}}},
		}},
		Policies: []account.ManagedPolicy{},
	}
	s, err := account.New(d)
	if err != nil {
		t.Fatal(err)
	}
	u, r := s.Users()[0], s.Roles()[0]
	if u.GroupList != nil || u.Tags != nil || u.PermissionsBoundary != nil {
		t.Errorf("user = %+v, want empty values nil", u)
	}
	if r.RolePolicyList != nil || r.RoleLastUsed != nil || s.Details().Policies != nil {
		t.Errorf("role = %+v, want empty values nil", r)
	}
	want := json.RawMessage(`{"Version":"2012-10-17"}`)
	if !reflect.DeepEqual(r.AssumeRolePolicyDocument, want) || !reflect.DeepEqual(r.InstanceProfileList[0].Roles[0].AssumeRolePolicyDocument, want) {
		t.Errorf("trust documents %s and %s, want %s", r.AssumeRolePolicyDocument, r.InstanceProfileList[0].Roles[0].AssumeRolePolicyDocument, want)
	}
	if r.InstanceProfileList[0].Roles[0].Tags != nil {
		t.Error("instance profile role tags not nil")
	}
	again, err := account.New(s.Details())
	if err != nil || !reflect.DeepEqual(again.Details(), s.Details()) {
		t.Errorf("New is not idempotent: %v", err)
	}
}
