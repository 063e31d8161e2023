package trailgen

import (
	"strings"
	"time"
)

// An event is one CloudTrail record before it is rendered. Request and
// response parameters are rendered by the call template that made the
// event; the rest is rendered by appendRecord.
type event struct {
	t       time.Time // eventTime
	deliver time.Time // when CloudTrail delivers it: decides the file
	region  string
	source  string // eventSource
	name    string // eventName
	id      *identity
	ip      string
	ua      string

	errCode string
	errMsg  string

	req   []byte // requestParameters; nil renders null
	resp  []byte // responseElements; nil renders null
	extra []byte // additionalEventData; nil omits it

	resources []resource

	readOnly   bool
	kind       string // eventType; "" means AwsApiCall
	data       bool   // data event
	noReadOnly bool   // the record has no readOnly field (sign-in events)
	shared     bool   // carries a sharedEventID
	s3ReqID    bool   // requestID in S3's 16-character form
	noReqID    bool   // no requestID (service events, sign-in)
	noTLS      bool   // no tlsDetails (calls from AWS services)
	host       string // tlsDetails.clientProvidedHostHeader; derived when ""
	vpce       string // vpcEndpointId
	apiVersion string
	details    []byte // serviceEventDetails
	version    string // eventVersion; "" means 1.08
}

// A resource is one element of resources[].
type resource struct {
	arn, account, typ string
	prefix            bool // ARNPrefix instead of ARN (S3 ListObjects)
}

// appendRecord renders e as one compact JSON record into w. r supplies
// the per-record ids (eventID, requestID, sharedEventID).
func appendRecord(w *jsonw, e *event, recipient string, r rng) {
	w.obj()
	v := e.version
	if v == "" {
		v = "1.08"
	}
	w.kstr("eventVersion", v)
	w.key("userIdentity")
	w.raw(e.id.json)
	w.ktime("eventTime", e.t)
	w.kstr("eventSource", e.source)
	w.kstr("eventName", e.name)
	w.kstr("awsRegion", e.region)
	w.kstr("sourceIPAddress", e.ip)
	w.kstr("userAgent", e.ua)
	if e.errCode != "" {
		w.kstr("errorCode", e.errCode)
	}
	if e.errMsg != "" {
		w.kstr("errorMessage", e.errMsg)
	}
	w.key("requestParameters")
	if e.req == nil {
		w.null()
	} else {
		w.raw(e.req)
	}
	w.key("responseElements")
	if e.resp == nil {
		w.null()
	} else {
		w.raw(e.resp)
	}
	if e.extra != nil {
		w.key("additionalEventData")
		w.raw(e.extra)
	}
	if !e.noReqID {
		if e.s3ReqID {
			w.kstr("requestID", r.ualnum(16))
		} else {
			w.kstr("requestID", r.uuid())
		}
	}
	w.kstr("eventID", r.uuid())
	if !e.noReadOnly {
		w.kbool("readOnly", e.readOnly)
	}
	if len(e.resources) > 0 {
		w.karr("resources")
		for _, res := range e.resources {
			w.obj()
			if res.account != "" {
				w.kstr("accountId", res.account)
			}
			w.kstr("type", res.typ)
			if res.prefix {
				w.kstr("ARNPrefix", res.arn)
			} else {
				w.kstr("ARN", res.arn)
			}
			w.endObj()
		}
		w.endArr()
	}
	kind := e.kind
	if kind == "" {
		kind = "AwsApiCall"
	}
	w.kstr("eventType", kind)
	if e.apiVersion != "" {
		w.kstr("apiVersion", e.apiVersion)
	}
	w.kbool("managementEvent", !e.data)
	w.kstr("recipientAccountId", recipient)
	if e.shared {
		w.kstr("sharedEventID", r.uuid())
	}
	if e.vpce != "" {
		w.kstr("vpcEndpointId", e.vpce)
		w.kstr("vpcEndpointAccountId", recipient)
	}
	if e.details != nil {
		w.key("serviceEventDetails")
		w.raw(e.details)
	}
	if e.data {
		w.kstr("eventCategory", "Data")
	} else {
		w.kstr("eventCategory", "Management")
	}
	if !e.noTLS {
		host := e.host
		if host == "" {
			host = serviceHost(e.source, e.region)
		}
		w.kobj("tlsDetails")
		if len(host)%3 == 0 { // older clients still negotiate TLS 1.2
			w.kstr("tlsVersion", "TLSv1.2")
			w.kstr("cipherSuite", "ECDHE-RSA-AES128-GCM-SHA256")
		} else {
			w.kstr("tlsVersion", "TLSv1.3")
			w.kstr("cipherSuite", "TLS_AES_128_GCM_SHA256")
		}
		w.kstr("clientProvidedHostHeader", host)
		w.endObj()
	}
	if e.id.console && e.source != "signin.amazonaws.com" {
		w.kstr("sessionCredentialFromConsole", "true")
	}
	w.endObj()
}

// serviceHost is the endpoint a client calls for a service in a region.
func serviceHost(source, region string) string {
	svc := strings.TrimSuffix(source, ".amazonaws.com")
	switch svc {
	case "iam", "organizations", "route53", "cloudfront", "ce":
		return svc + ".amazonaws.com"
	case "sts":
		if region == "us-east-1" {
			return "sts.amazonaws.com"
		}
	case "signin":
		return "signin.aws.amazon.com"
	case "sso":
		return "portal.sso." + region + ".amazonaws.com"
	case "tagging":
		svc = "tagging"
	}
	return svc + "." + region + ".amazonaws.com"
}
