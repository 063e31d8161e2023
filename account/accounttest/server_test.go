package accounttest

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFixturesAgree checks that the XML pages hold the entities of the
// expected JSON, read with encoding/xml and encoding/json.
func TestFixturesAgree(t *testing.T) {
	type member struct {
		Arn string `xml:"Arn"`
	}
	type result struct {
		IsTruncated bool     `xml:"GetAccountAuthorizationDetailsResult>IsTruncated"`
		Marker      string   `xml:"GetAccountAuthorizationDetailsResult>Marker"`
		Users       []member `xml:"GetAccountAuthorizationDetailsResult>UserDetailList>member"`
		Groups      []member `xml:"GetAccountAuthorizationDetailsResult>GroupDetailList>member"`
		Roles       []member `xml:"GetAccountAuthorizationDetailsResult>RoleDetailList>member"`
		Policies    []member `xml:"GetAccountAuthorizationDetailsResult>Policies>member"`
	}
	var got []string
	markers := []string{marker2, marker3, ""}
	for i, name := range []string{"authz-page1.xml", "authz-page2.xml", "authz-page3.xml"} {
		var r result
		if err := xml.Unmarshal(mustRead("testdata/"+name), &r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.Marker != markers[i] || r.IsTruncated != (markers[i] != "") {
			t.Errorf("%s: IsTruncated %v Marker %q, want marker %q", name, r.IsTruncated, r.Marker, markers[i])
		}
		for _, l := range [][]member{r.Users, r.Groups, r.Roles, r.Policies} {
			for _, m := range l {
				got = append(got, m.Arn)
			}
		}
	}
	var p struct {
		Policy struct {
			Arn string `xml:"Arn"`
		} `xml:"GetPolicyResult>Policy"`
	}
	if err := xml.Unmarshal(mustRead("testdata/get-policy-ReadOnlyAccess.xml"), &p); err != nil {
		t.Fatal(err)
	}
	got = append(got, p.Policy.Arn)

	var want []string
	var exp map[string][]map[string]any
	if err := json.Unmarshal(ExpectedDetails(), &exp); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"} {
		for _, e := range exp[k] {
			want = append(want, e["Arn"].(string))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("XML entities:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestServerErrors(t *testing.T) {
	srv := NewServer(t, Config{})
	post := func(form url.Values, auth bool) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name   string
		form   url.Values
		auth   bool
		status int
		code   string
	}{
		{"unsigned", url.Values{"Action": {"GetAccountAuthorizationDetails"}, "Version": {"2010-05-08"}}, false, 403, "MissingAuthenticationToken"},
		{"bad marker", url.Values{"Action": {"GetAccountAuthorizationDetails"}, "Version": {"2010-05-08"}, "Marker": {"nope"}}, true, 400, "InvalidInput"},
		{"unknown policy", url.Values{"Action": {"GetPolicy"}, "Version": {"2010-05-08"}, "PolicyArn": {"arn:aws:iam::aws:policy/Nope"}}, true, 404, "NoSuchEntity"},
		{"unknown action", url.Values{"Action": {"DeleteRole"}, "Version": {"2010-05-08"}}, true, 400, "InvalidAction"},
		{"old version", url.Values{"Action": {"GetPolicy"}, "Version": {"2009-01-01"}}, true, 400, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(tt.form, tt.auth)
			if status != tt.status || !strings.Contains(body, "<Code>"+tt.code+"</Code>") {
				t.Errorf("got %d %s, want %d %s", status, body, tt.status, tt.code)
			}
		})
	}
	if got := srv.Requests(); len(got) != len(tests) || got[1].AccessKeyID != "AKIDTEST" {
		t.Errorf("Requests() = %+v", got)
	}
}
