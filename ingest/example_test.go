package ingest_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
)

func ExampleDecoder() {
	logs := `{"Records":[{"eventTime":"2026-10-01T10:05:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",` +
		`"awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"bucketName":"reports","key":"q3.csv"},` +
		`"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Vendor/s1","accountId":"111122223333",` +
		`"sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/Vendor","accountId":"111122223333"}}}}]}`
	d := ingest.NewDecoder(strings.NewReader(logs), nil)
	var ev tailor.Event
	for {
		err := d.Next(&ev)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ev.Principal, ev.SessionName, ev.EventName, ev.Resources)
	}
	// Output:
	// arn:aws:iam::111122223333:role/Vendor s1 GetObject [arn:aws:s3:::reports arn:aws:s3:::reports/q3.csv]
}
