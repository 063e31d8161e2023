package policy_test

import (
	"slices"
	"testing"

	"github.com/tailor-sec/tailor/policy"
)

func TestTrustees(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::464622532012:root","111122223333","arn:aws:iam::444455556666:role/ci"]},
	   "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"s3cr3t"}}},
	  {"Sid":"svc","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
	  {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"},
	  {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}},
	  {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},
	  {"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEDELETED"},"Action":"sts:AssumeRole"}
	]}`
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := policy.Trustees(p)
	type row struct {
		kind      policy.TrusteeKind
		principal string
		account   string
		stmt      int
		extIDs    int
	}
	want := []row{
		{policy.TrustAccount, "arn:aws:iam::464622532012:root", "464622532012", 0, 1},
		{policy.TrustAccount, "111122223333", "111122223333", 0, 1},
		{policy.TrustPrincipal, "arn:aws:iam::444455556666:role/ci", "444455556666", 0, 1},
		{policy.TrustService, "lambda.amazonaws.com", "", 1, 0},
		{policy.TrustFederated, "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", "111122223333", 2, 0},
		{policy.TrustAnyone, "*", "", 3, 0},
		{policy.TrustPrincipal, "AROAEXAMPLEDELETED", "", 5, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d trustees, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Principal != w.principal || g.Account != w.account || g.Statement != w.stmt || len(g.ExternalIDs) != w.extIDs {
			t.Errorf("trustee %d = %+v, want %+v", i, g, w)
		}
	}
	if !got[5].HasCondition("aws:principalorgid") || got[3].HasCondition("sts:ExternalId") {
		t.Error("HasCondition")
	}
	if got[3].Sid != "svc" || !slices.Equal(got[4].Actions, []string{"sts:AssumeRoleWithWebIdentity"}) {
		t.Errorf("sid/actions: %+v %+v", got[3], got[4])
	}
}

func TestTrusteeExternal(t *testing.T) {
	own := []string{"111122223333"}
	tests := []struct {
		t    policy.Trustee
		want bool
	}{
		{policy.Trustee{Kind: policy.TrustAnyone}, true},
		{policy.Trustee{Kind: policy.TrustAccount, Account: "464622532012"}, true},
		{policy.Trustee{Kind: policy.TrustAccount, Account: "111122223333"}, false},
		{policy.Trustee{Kind: policy.TrustPrincipal, Account: "444455556666"}, true},
		{policy.Trustee{Kind: policy.TrustPrincipal, Account: ""}, false},
		{policy.Trustee{Kind: policy.TrustService}, false},
		{policy.Trustee{Kind: policy.TrustFederated, Account: "111122223333"}, false},
	}
	for _, tt := range tests {
		if got := tt.t.External(own); got != tt.want {
			t.Errorf("%+v: External = %v, want %v", tt.t, got, tt.want)
		}
	}
}
