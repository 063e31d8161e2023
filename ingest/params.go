package ingest

import (
	"slices"
	"strings"

	"github.com/tailor-sec/tailor"
)

// servicePrefix returns the IAM-ish service name of an event source:
// "s3.amazonaws.com" → "s3".
func servicePrefix(source string) string {
	if k := strings.IndexByte(source, '.'); k >= 0 {
		return source[:k]
	}
	return source
}

// resourceParams are the top-level request parameters that name the
// resources a call touched, for records whose resources[] does not, and
// those an AssumeRole call describes its session with.
var resourceParams = []string{
	"bucketName", "key", "x-amz-copy-source", "keyId", "functionName", "tableName",
	"queueUrl", "topicArn", "targetArn", "secretId", "name", "path", "names",
	"roleName", "userName", "groupName", "policyArn", "instanceProfileName",
	"instanceId", "instancesSet", "roleArn", "roleSessionName", "sourceIdentity", "externalId",
}

// paramKey says what the decoder does with a request parameter.
type paramKey struct {
	name        string // the key, for Event.RequestParams
	conditional bool   // record its presence in Event.RequestParams
	resource    bool   // keep its value's place for paramResources
}

func paramKeys(conditional []string) map[string]paramKey {
	m := make(map[string]paramKey)
	for _, k := range resourceParams {
		m[k] = paramKey{name: k, resource: true}
	}
	for _, k := range conditional {
		pk := m[k]
		pk.name, pk.conditional = k, true
		m[k] = pk
	}
	return m
}

// keySpan is where the value of a request parameter lies in the window.
type keySpan struct {
	key string
	s   span
}

// requestParameters walks the top-level request parameters in the
// record's one pass: it notes the conditional ones and where the values
// that name resources are, and skips the rest.
func (p *parser) requestParameters(i int) (int, error) {
	if i >= p.w.n || p.w.buf[i] != '{' {
		return p.w.skip(i)
	}
	return p.members(i, p.requestParameter)
}

func (p *parser) requestParameter(key []byte, i int) (int, error) {
	pk, ok := p.d.paramKeys[string(key)]
	if !ok {
		return p.other(key, i)
	}
	end, err := p.w.skip(i)
	if pk.conditional && !slices.Contains(p.ev.RequestParams, pk.name) {
		p.ev.RequestParams = append(p.ev.RequestParams, pk.name)
	}
	if pk.resource && p.nspans < len(p.spans) {
		p.spans[p.nspans] = keySpan{pk.name, span{i, end}}
		p.nspans++
	}
	return end, err
}

// params holds the request parameter values resources are built from.
type params struct {
	bucket, key, copySource          string
	keyID, function, table, queueURL string
	topic, target, secret, name      string
	names, instances                 []string
	roleName, userName, groupName    string
	policyARN, profile, roleARN      string
	sessionName, sourceIdentity      string
	externalID                       bool
}

// parameters reads the request parameters the record's pass found (for
// resources) and, for AssumeRole calls, the session created.
func (p *parser) parameters() {
	ev := p.ev
	svc := servicePrefix(ev.EventSource)
	var v params
	for _, ks := range p.spans[:p.nspans] {
		p.param(svc, ks.key, ks.s.start, &v)
	}
	if len(ev.RequestParams) > 1 {
		slices.Sort(ev.RequestParams)
	}
	p.paramResources(svc, &v)
	if svc == "sts" && strings.HasPrefix(ev.EventName, "AssumeRole") && ev.ErrorCode == "" {
		p.assumption(&v)
	}
}

// param reads one top-level request parameter of interest.
func (p *parser) param(svc, key string, i int, v *params) (int, error) {
	var err error
	switch svc {
	case "s3":
		switch key {
		case "bucketName":
			v.bucket, i, err = p.value(i)
			return i, err
		case "key":
			v.key, i, err = p.value(i)
			return i, err
		case "x-amz-copy-source":
			v.copySource, i, err = p.value(i)
			return i, err
		}
	case "kms":
		if key == "keyId" {
			v.keyID, i, err = p.value(i)
			return i, err
		}
	case "lambda":
		if key == "functionName" {
			v.function, i, err = p.value(i)
			return i, err
		}
	case "dynamodb":
		if key == "tableName" {
			v.table, i, err = p.value(i)
			return i, err
		}
	case "sqs":
		if key == "queueUrl" {
			v.queueURL, i, err = p.value(i)
			return i, err
		}
	case "sns":
		switch key {
		case "topicArn":
			v.topic, i, err = p.value(i)
			return i, err
		case "targetArn":
			v.target, i, err = p.value(i)
			return i, err
		}
	case "secretsmanager":
		if key == "secretId" {
			v.secret, i, err = p.value(i)
			return i, err
		}
	case "ssm":
		switch key {
		case "name", "path":
			v.name, i, err = p.value(i)
			return i, err
		case "names":
			return p.elements(i, func(i int) (int, error) {
				s, i, err := p.value(i)
				if s != "" {
					v.names = append(v.names, s)
				}
				return i, err
			})
		}
	case "iam":
		switch key {
		case "roleName":
			v.roleName, i, err = p.value(i)
		case "userName":
			v.userName, i, err = p.value(i)
		case "groupName":
			v.groupName, i, err = p.value(i)
		case "policyArn":
			v.policyARN, i, err = p.value(i)
		case "instanceProfileName":
			v.profile, i, err = p.value(i)
		default:
			return p.w.skip(i)
		}
		return i, err
	case "ec2":
		switch key {
		case "instanceId":
			var s string
			s, i, err = p.value(i)
			if s != "" {
				v.instances = append(v.instances, s)
			}
			return i, err
		case "instancesSet":
			return p.members(i, func(key []byte, i int) (int, error) {
				if string(key) != "items" {
					return p.w.skip(i)
				}
				return p.elements(i, func(i int) (int, error) {
					return p.members(i, func(key []byte, i int) (int, error) {
						if string(key) != "instanceId" {
							return p.w.skip(i)
						}
						s, i, err := p.value(i)
						if s != "" {
							v.instances = append(v.instances, s)
						}
						return i, err
					})
				})
			})
		}
	case "sts":
		switch key {
		case "roleArn":
			v.roleARN, i, err = p.value(i)
			return i, err
		case "roleSessionName":
			v.sessionName, i, err = p.value(i)
			return i, err
		case "sourceIdentity":
			v.sourceIdentity, i, err = p.value(i)
			return i, err
		case "externalId":
			v.externalID = true // the value is a secret: never read it
		}
	}
	return p.w.skip(i)
}

// paramResources adds the ARNs request parameters name.
func (p *parser) paramResources(svc string, v *params) {
	ev := p.ev
	part := partition(ev.Region)
	add := func(arn string) {
		if arn != "" {
			ev.Resources = append(ev.Resources, arn)
		}
	}
	regional := func(service, resource string) string {
		if ev.Account == "" {
			return "" // an ARN without its account names nothing
		}
		return p.concat("arn:", part, ":", service, ":", ev.Region, ":", ev.Account, ":", resource)
	}
	switch svc {
	case "s3":
		if v.bucket != "" {
			add(p.concat("arn:", part, ":s3:::", v.bucket))
			if v.key != "" {
				add(p.concat("arn:", part, ":s3:::", v.bucket, "/", v.key))
			}
		}
		if src := strings.TrimPrefix(v.copySource, "/"); src != "" {
			if k := strings.IndexByte(src, '?'); k >= 0 {
				src = src[:k] // ?versionId=...
			}
			add(p.concat("arn:", part, ":s3:::", src))
		}
	case "kms":
		switch id := v.keyID; {
		case id == "":
		case strings.HasPrefix(id, "arn:"):
			add(id)
		case strings.HasPrefix(id, "alias/"):
			add(regional("kms", id))
		default:
			add(regional("kms", p.concat("key/", id)))
		}
	case "lambda":
		add(p.lambdaARN(v.function, part))
	case "dynamodb":
		switch t := v.table; {
		case t == "":
		case strings.HasPrefix(t, "arn:"):
			add(t)
		default:
			add(regional("dynamodb", p.concat("table/", t)))
		}
	case "sqs":
		add(p.queueARN(v.queueURL, part))
	case "sns":
		add(v.topic)
		add(v.target)
	case "secretsmanager":
		switch s := v.secret; {
		case s == "":
		case strings.HasPrefix(s, "arn:"):
			add(s)
		default:
			add(regional("secretsmanager", p.concat("secret:", s)))
		}
	case "ssm":
		if !strings.Contains(ev.EventName, "Parameter") {
			return
		}
		for _, n := range append([]string{v.name}, v.names...) {
			switch {
			case n == "":
			case strings.HasPrefix(n, "arn:"):
				add(n)
			case strings.HasPrefix(n, "/"):
				add(regional("ssm", p.concat("parameter", n)))
			default:
				add(regional("ssm", p.concat("parameter/", n)))
			}
		}
	case "iam":
		global := func(resource string) string {
			if ev.Account == "" {
				return ""
			}
			return p.concat("arn:", part, ":iam::", ev.Account, ":", resource)
		}
		if v.roleName != "" {
			add(global(p.concat("role/", v.roleName)))
		}
		if v.userName != "" {
			add(global(p.concat("user/", v.userName)))
		}
		if v.groupName != "" {
			add(global(p.concat("group/", v.groupName)))
		}
		if v.profile != "" {
			add(global(p.concat("instance-profile/", v.profile)))
		}
		add(v.policyARN)
	case "ec2":
		for _, id := range v.instances {
			add(regional("ec2", p.concat("instance/", id)))
		}
	case "sts":
		add(v.roleARN)
	}
}

// lambdaARN normalizes a Lambda function name, partial ARN or ARN to the
// function's unqualified ARN.
func (p *parser) lambdaARN(fn, part string) string {
	ev := p.ev
	switch {
	case fn == "":
		return ""
	case strings.HasPrefix(fn, "arn:"):
		// arn:aws:lambda:region:account:function:name[:qualifier]
		if f := strings.SplitN(fn, ":", 8); len(f) == 8 {
			return strings.Join(f[:7], ":")
		}
		return fn
	case strings.Contains(fn, ":function:"):
		// account:function:name[:qualifier]
		f := strings.SplitN(fn, ":", 4)
		return p.concat("arn:", part, ":lambda:", ev.Region, ":", f[0], ":function:", f[2])
	}
	if k := strings.IndexByte(fn, ':'); k >= 0 {
		fn = fn[:k]
	}
	if ev.Account == "" {
		return ""
	}
	return p.concat("arn:", part, ":lambda:", ev.Region, ":", ev.Account, ":function:", fn)
}

// queueARN turns https://sqs.us-east-1.amazonaws.com/111122223333/name
// into arn:aws:sqs:us-east-1:111122223333:name.
func (p *parser) queueARN(url, part string) string {
	rest, ok := strings.CutPrefix(url, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(url, "http://"); !ok {
			return ""
		}
	}
	host, path, _ := strings.Cut(rest, "/")
	account, name, _ := strings.Cut(path, "/")
	if !tailor.IsAccountID(account) || name == "" || strings.IndexByte(name, '/') >= 0 {
		return ""
	}
	region := p.ev.Region
	if svc, after, ok := strings.Cut(host, "."); ok && svc == "sqs" {
		if r, _, ok := strings.Cut(after, "."); ok {
			region = r
		}
	}
	return p.concat("arn:", part, ":sqs:", region, ":", account, ":", name)
}

// assumption records the session an AssumeRole* call created.
func (p *parser) assumption(v *params) {
	ev := p.ev
	a := &p.d.assumption
	*a = tailor.Assumption{
		RoleARN:        v.roleARN,
		SessionName:    v.sessionName,
		SourceIdentity: v.sourceIdentity,
		ExternalID:     v.externalID,
	}
	if tailor.IsAccountID(p.idAccount) {
		a.CallerAccount = p.idAccount
	}
	if p.resp.end > p.resp.start {
		p.members(p.resp.start, func(key []byte, i int) (int, error) {
			if string(key) != "credentials" {
				return p.w.skip(i)
			}
			return p.members(i, func(key []byte, i int) (int, error) {
				if string(key) != "accessKeyId" {
					return p.w.skip(i)
				}
				var err error
				a.AccessKeyID, i, err = p.value(i)
				return i, err
			})
		})
	}
	if a.RoleARN != "" || a.AccessKeyID != "" {
		ev.Assumption = a
	}
}
