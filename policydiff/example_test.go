package policydiff_test

import (
	"fmt"
	"os"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/policydiff"
)

func Example() {
	current, _ := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","kms:Decrypt","ec2:DescribeInstances"],"Resource":"*"}]}`))
	suggested, _ := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`))
	diff, err := policydiff.Policies(current, suggested, policydiff.Options{FromFile: "a/role.json", ToFile: "b/role.json"})
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(diff)
	// Output:
	// --- a/role.json
	// +++ b/role.json
	// @@ -4,9 +4,7 @@
	//      {
	//        "Effect": "Allow",
	//        "Action": [
	// -        "ec2:DescribeInstances",
	// -        "kms:Decrypt",
	// -        "s3:GetObject"
	// +        "ec2:DescribeInstances"
	//        ],
	//        "Resource": [
	//          "*"
}
