package usage_test

import (
	"fmt"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/usage"
)

func ExampleBuilder() {
	b := usage.NewBuilder(usage.BuilderOptions{})
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	for i, code := range []string{"", "", "AccessDenied"} {
		b.Add(&tailor.Event{
			Time: at.Add(time.Duration(i) * time.Hour), Account: "111122223333", Region: "us-east-1",
			Principal: "arn:aws:iam::111122223333:user/alice", PrincipalType: tailor.IdentityIAMUser,
			EventSource: "kms.amazonaws.com", EventName: "Decrypt", ErrorCode: code,
			Resources: []string{"arn:aws:kms:us-east-1:111122223333:key/k1"},
		}, true)
	}
	ix := usage.Finish(usage.Meta{}, b)
	for _, r := range ix.Select(usage.Query{Principals: []string{"*alice"}}) {
		fmt.Printf("%s %s %q calls=%d denied=%d last=%s\n", r.Day.Format("2006-01-02"), r.EventName, r.Resource,
			r.Calls, r.Denied, r.LastSeen.Format(time.Kitchen))
	}
	// Output:
	// 2026-10-01 Decrypt "" calls=3 denied=1 last=11:00AM
	// 2026-10-01 Decrypt "arn:aws:kms:us-east-1:111122223333:key/k1" calls=3 denied=1 last=11:00AM
}
