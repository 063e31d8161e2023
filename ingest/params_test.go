package ingest

import (
	"strings"
	"testing"

	"github.com/tailor-sec/tailor"
)

// TestParamResources: the ARNs request parameters name, per service.
func TestParamResources(t *testing.T) {
	tests := []struct {
		source, name, params string
		want                 []string
	}{
		{"sqs", "SendMessage", `{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/111122223333/orders"}`, []string{"arn:aws:sqs:eu-west-1:111122223333:orders"}},
		{"sqs", "SendMessage", `{"queueUrl":"https://queue.amazonaws.com/111122223333/legacy"}`, []string{"arn:aws:sqs:us-east-1:111122223333:legacy"}},
		{"sqs", "SendMessage", `{"queueUrl":"not a url"}`, nil},
		{"lambda", "Invoke", `{"functionName":"orders-api:live"}`, []string{"arn:aws:lambda:us-east-1:111122223333:function:orders-api"}},
		{"lambda", "Invoke", `{"functionName":"arn:aws:lambda:us-west-2:444455556666:function:x:3"}`, []string{"arn:aws:lambda:us-west-2:444455556666:function:x"}},
		{"lambda", "Invoke", `{"functionName":"444455556666:function:y"}`, []string{"arn:aws:lambda:us-east-1:444455556666:function:y"}},
		{"kms", "Decrypt", `{"keyId":"alias/app"}`, []string{"arn:aws:kms:us-east-1:111122223333:alias/app"}},
		{"dynamodb", "GetItem", `{"tableName":"orders","key":{"id":{"S":"1"}}}`, []string{"arn:aws:dynamodb:us-east-1:111122223333:table/orders"}},
		{"ssm", "GetParameters", `{"names":["/app/db","plain"],"withDecryption":true}`, []string{"arn:aws:ssm:us-east-1:111122223333:parameter/app/db", "arn:aws:ssm:us-east-1:111122223333:parameter/plain"}},
		{"ssm", "SendCommand", `{"name":"AWS-RunShellScript"}`, nil},
		{"iam", "AttachRolePolicy", `{"roleName":"ci","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`, []string{"arn:aws:iam::111122223333:role/ci", "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		{"s3", "CopyObject", `{"bucketName":"dst","key":"a/b","x-amz-copy-source":"src/k?versionId=3"}`, []string{"arn:aws:s3:::dst", "arn:aws:s3:::dst/a/b", "arn:aws:s3:::src/k"}},
		{"secretsmanager", "GetSecretValue", `{"secretId":"prod/db"}`, []string{"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db"}},
		{"sns", "Publish", `{"topicArn":"arn:aws:sns:us-east-1:111122223333:alerts"}`, []string{"arn:aws:sns:us-east-1:111122223333:alerts"}},
	}
	for _, tt := range tests {
		rec := `{"eventTime":"2026-10-01T00:00:00Z","eventSource":"` + tt.source + `.amazonaws.com","eventName":"` + tt.name +
			`","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":` + tt.params + `}`
		d := NewDecoder(strings.NewReader(rec), nil)
		var ev tailor.Event
		if err := d.Next(&ev); err != nil {
			t.Fatalf("%s %s: %v", tt.source, tt.name, err)
		}
		if strings.Join(ev.Resources, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s %s %s:\n got %q\nwant %q", tt.source, tt.name, tt.params, ev.Resources, tt.want)
		}
	}
}
