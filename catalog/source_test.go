package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
)

func TestServicePrefix(t *testing.T) {
	for in, want := range map[string]string{
		"s3.amazonaws.com":                         "s3",
		"monitoring.amazonaws.com":                 "cloudwatch",
		"email.amazonaws.com":                      "ses",
		"streams.dynamodb.amazonaws.com":           "dynamodb",
		"servicecatalog-appregistry.amazonaws.com": "servicecatalog",
		"tagging.amazonaws.com":                    "tag",
		"EC2.AMAZONAWS.COM":                        "ec2",
		"s3.amazonaws.com.cn":                      "s3",
		"sts":                                      "sts",
		"":                                         "",
	} {
		if got := catalog.ServicePrefix(in); got != want {
			t.Errorf("ServicePrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOperationName checks how event names become operation names: an API
// version date at the end goes (Lambda's 20150331[v2], CloudFront's
// 2020_05_31), for every service; other names stay.
func TestOperationName(t *testing.T) {
	c := embedded(t)
	for _, tt := range []struct{ source, event, want string }{
		{"lambda.amazonaws.com", "GetFunction20150331v2", "GetFunction"},
		{"lambda.amazonaws.com", "CreateFunction20150331", "CreateFunction"},
		{"lambda.amazonaws.com", "ListVersionsByFunction20150331", "ListVersionsByFunction"},
		{"lambda.amazonaws.com", "Invoke", "Invoke"},
		{"lambda.amazonaws.com", "20150331", "20150331"},
		{"lambda.amazonaws.com", "GetFunction2015033v2", "GetFunction2015033v2"},
		{"ec2.amazonaws.com", "DescribeInstances20150331", "DescribeInstances"},
		{"cloudfront.amazonaws.com", "ListDistributions2020_05_31", "ListDistributions"},
		{"cloudfront.amazonaws.com", "UpdateDistribution2020_05_31", "UpdateDistribution"},
		{"cloudfront.amazonaws.com", "GetDistribution2019_03_26", "GetDistribution"},
		{"cloudfront.amazonaws.com", "List2020_05_31", "List"},
		{"cloudfront.amazonaws.com", "Get_2020_05_31", "Get_2020_05_31"},
		{"route53.amazonaws.com", "ListHostedZones", "ListHostedZones"},
	} {
		if got := c.Map(tt.source, tt.event, nil).Operation; got != tt.want {
			t.Errorf("%s %s: operation %q, want %q", tt.source, tt.event, got, tt.want)
		}
	}
	// The dated CloudFront names the issue found unmapped map.
	for _, e := range []string{"ListDistributions2020_05_31", "UpdateDistribution2020_05_31"} {
		m := c.Map("cloudfront.amazonaws.com", e, nil)
		if want := "cloudfront:" + strings.TrimSuffix(e, "2020_05_31"); m.By != catalog.ByName || !slices.Equal(m.Actions(), []string{want}) {
			t.Errorf("%s: %v %v, want %s by name", e, m.By, m.Actions(), want)
		}
	}
}
