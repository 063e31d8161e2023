package trailgen

import (
	"strconv"
	"strings"
	"time"
)

// A call is the context one API call is rendered in: who, where, when,
// and the account's resources to pick from.
type call struct {
	r      rng
	acct   *account
	region string
	t      time.Time
	id     *identity
	arn    string // the caller's ARN as error messages show it
	ip     string
	ua     string
	w      jsonw

	// pinBucket and pinFunction, when set, are the resources an actor
	// works on instead of a random one.
	pinBucket   *bucket
	pinFunction string
	pinTable    string
}

// render runs f on a fresh object and returns a copy of the JSON.
func (c *call) render(f func(w *jsonw)) []byte {
	c.w.b = c.w.b[:0]
	c.w.state = stOpen
	c.w.obj()
	f(&c.w)
	c.w.endObj()
	return append([]byte(nil), c.w.b...)
}

// newEvent starts an event for source:name from the call's context.
func (c *call) newEvent(source, name string, readOnly bool) *event {
	return &event{
		t: c.t, region: c.region, source: source, name: name, id: c.id,
		ip: c.ip, ua: c.ua, readOnly: readOnly,
	}
}

// An api renders one kind of call. Build fills requestParameters,
// responseElements, resources and the rest for a successful call.
type api struct {
	source   string
	name     string
	readOnly bool
	data     bool
	// apiVersion is recorded by services that version their API in the
	// record.
	apiVersion string
	build      func(c *call, e *event)
}

func (a *api) event(c *call) *event {
	e := c.newEvent(a.source, a.name, a.readOnly)
	e.data = a.data
	e.apiVersion = a.apiVersion
	if a.build != nil {
		a.build(c, e)
	}
	return e
}

// action is the IAM action an api is authorized by, as error messages
// name it.
func (a *api) action() string {
	svc := strings.TrimSuffix(a.source, ".amazonaws.com")
	switch svc {
	case "monitoring":
		svc = "cloudwatch"
	case "tagging":
		svc = "tag"
	case "elasticloadbalancing":
		svc = "elasticloadbalancing"
	}
	name := a.name
	if i := strings.Index(name, "2015"); i > 0 { // Lambda's versioned names
		name = name[:i]
	}
	switch name {
	case "ListObjects":
		name = "ListBucket"
	case "HeadObject":
		name = "GetObject"
	case "ListBuckets":
		name = "ListAllMyBuckets"
	case "Invoke":
		name = "InvokeFunction"
	}
	return svc + ":" + name
}

// Resource naming. Every resource is derived from the account and the
// region, so any part of the generator can name the same thing.

func (c *call) bucketARN(b string) string { return "arn:aws:s3:::" + b }

func (c *call) kmsKey() string {
	return kmsKeyID(c.acct, c.region, c.r.IntN(3))
}

func kmsKeyID(a *account, region string, i int) string {
	r := newRNG(hashString(a.id), hashString(region), uint64(i), 0x6b6d73)
	return r.uuid()
}

func (c *call) kmsKeyARN(id string) string {
	return "arn:aws:kms:" + c.region + ":" + c.acct.id + ":key/" + id
}

func instanceID(a *account, region string, i int) string {
	r := newRNG(hashString(a.id), hashString(region), uint64(i), 0x656332)
	return "i-0" + r.hex(16)
}

func (c *call) instance() string { return instanceID(c.acct, c.region, c.r.IntN(12)) }

func (c *call) lambdaARN(fn string) string {
	return "arn:aws:lambda:" + c.region + ":" + c.acct.id + ":function:" + fn
}

func (c *call) tableARN(t string) string {
	return "arn:aws:dynamodb:" + c.region + ":" + c.acct.id + ":table/" + t
}

func (c *call) queueURL(q string) string {
	return "https://sqs." + c.region + ".amazonaws.com/" + c.acct.id + "/" + q
}

func (c *call) topicARN(t string) string {
	return "arn:aws:sns:" + c.region + ":" + c.acct.id + ":" + t
}

func (c *call) secretARN(s string) string {
	r := newRNG(hashString(c.acct.id), hashString(s), 0x736563)
	return "arn:aws:secretsmanager:" + c.region + ":" + c.acct.id + ":secret:" + s + "-" + r.alnum(6)
}

func (c *call) paramARN(p string) string {
	return "arn:aws:ssm:" + c.region + ":" + c.acct.id + ":parameter" + p
}

func (c *call) roleARN(name string) string { return "arn:aws:iam::" + c.acct.id + ":role/" + name }

// s3Extra is additionalEventData of an S3 call.
func (c *call) s3Extra(in, out int64) []byte {
	return c.render(func(w *jsonw) {
		w.kstr("SignatureVersion", "SigV4")
		w.kstr("CipherSuite", "TLS_AES_128_GCM_SHA256")
		w.kint("bytesTransferredIn", in)
		w.kstr("AuthenticationMethod", "AuthHeader")
		w.kstr("x-amz-id-2", c.r.b64(76))
		w.kint("bytesTransferredOut", out)
	})
}

func (c *call) s3Host(bucket string) string {
	return bucket + ".s3." + c.region + ".amazonaws.com"
}

// objectKey writes an S3 object key. Keys with characters beyond ASCII
// come \u-escaped (and with \/ for '/'), as the S3 service logs them.
func (c *call) objectKey(w *jsonw, key string) {
	for i := 0; i < len(key); i++ {
		if key[i] >= 0x80 {
			w.strJava(key)
			return
		}
	}
	w.str(key)
}

// s3Bucket fills an S3 bucket-level management call.
func s3Bucket(sub string) func(c *call, e *event) {
	return func(c *call, e *event) {
		b := pick(c.r, c.acct.buckets).name
		e.req = c.render(func(w *jsonw) {
			w.kstr("bucketName", b)
			w.kstr("Host", c.s3Host(b))
			if sub != "" {
				w.kstr(sub, "")
			}
		})
		e.extra = c.s3Extra(0, int64(300+c.r.IntN(900)))
		e.resources = []resource{{arn: c.bucketARN(b), account: c.acct.id, typ: "AWS::S3::Bucket"}}
		e.s3ReqID = true
		e.host = c.s3Host(b)
	}
}

// s3Object fills an S3 object-level data event on bucket b (random when
// b is nil).
func s3Object(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		b := c.pinBucket
		if b == nil {
			b = pick(c.r, c.acct.buckets)
		}
		key := b.objectKey(c.r, c.t)
		e.s3ReqID = true
		e.host = c.s3Host(b.name)
		e.resources = []resource{
			{arn: c.bucketARN(b.name) + "/" + key, typ: "AWS::S3::Object"},
			{arn: c.bucketARN(b.name), account: c.acct.id, typ: "AWS::S3::Bucket"},
		}
		switch op {
		case "get", "head":
			e.req = c.render(func(w *jsonw) {
				w.kstr("bucketName", b.name)
				w.kstr("Host", c.s3Host(b.name))
				w.key("key")
				c.objectKey(w, key)
			})
			out := int64(0)
			if op == "get" {
				out = int64(c.r.lognormal(1.5) * 40000)
			}
			e.extra = c.s3Extra(0, out)
		case "put":
			e.req = c.render(func(w *jsonw) {
				w.kstr("bucketName", b.name)
				w.kstr("Host", c.s3Host(b.name))
				w.key("key")
				c.objectKey(w, key)
				w.kstr("x-amz-server-side-encryption", "aws:kms")
				w.kstr("x-amz-server-side-encryption-aws-kms-key-id", c.kmsKeyARN(kmsKeyID(c.acct, c.region, 0)))
			})
			e.resp = c.render(func(w *jsonw) {
				w.kstr("x-amz-server-side-encryption", "aws:kms")
				w.kstr("x-amz-server-side-encryption-aws-kms-key-id", c.kmsKeyARN(kmsKeyID(c.acct, c.region, 0)))
				w.kstr("x-amz-version-id", c.r.alnum(32))
			})
			e.extra = c.s3Extra(int64(c.r.lognormal(1.5)*60000), 0)
		case "delete":
			e.req = c.render(func(w *jsonw) {
				w.kstr("bucketName", b.name)
				w.kstr("Host", c.s3Host(b.name))
				w.key("key")
				c.objectKey(w, key)
			})
			e.extra = c.s3Extra(0, 0)
		case "list":
			prefix := b.listPrefix(c.r, c.t)
			e.req = c.render(func(w *jsonw) {
				w.kstr("list-type", "2")
				w.kstr("bucketName", b.name)
				w.kstr("encoding-type", "url")
				w.kstr("max-keys", "1000")
				w.kstr("prefix", prefix)
				w.kstr("Host", c.s3Host(b.name))
			})
			e.extra = c.s3Extra(0, int64(2000+c.r.IntN(60000)))
			e.resources[0] = resource{arn: c.bucketARN(b.name) + "/" + prefix, typ: "AWS::S3::Object", prefix: true}
		}
	}
}

func kmsCall(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		key := c.kmsKey()
		if c.pinFunction != "" { // a function decrypts with its own key
			key = kmsKeyID(c.acct, c.region, 0)
		}
		arn := c.kmsKeyARN(key)
		e.resources = []resource{{arn: arn, account: c.acct.id, typ: "AWS::KMS::Key"}}
		switch op {
		case "decrypt":
			e.req = c.render(func(w *jsonw) {
				w.kstr("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
				w.kobj("encryptionContext")
				if fn := c.pinFunction; fn != "" {
					w.kstr("aws:lambda:FunctionArn", c.lambdaARN(fn))
				} else {
					w.kstr("aws:s3:arn", c.bucketARN(pick(c.r, c.acct.buckets).name))
				}
				w.endObj()
			})
		case "encrypt", "datakey":
			e.req = c.render(func(w *jsonw) {
				w.kstr("keyId", arn)
				if op == "datakey" {
					w.kstr("keySpec", "AES_256")
				}
				w.kstr("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
				w.kobj("encryptionContext")
				w.kstr("aws:s3:arn", c.bucketARN(pick(c.r, c.acct.buckets).name))
				w.endObj()
			})
		case "describe":
			e.req = c.render(func(w *jsonw) { w.kstr("keyId", key) })
		}
	}
}

func lambdaCall(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		fn := c.pinFunction
		if fn == "" {
			fn = pick(c.r, c.acct.functions)
		}
		switch op {
		case "list":
			e.resources = nil
			e.req = c.render(func(w *jsonw) {
				w.kstr("functionVersion", "ALL")
				w.kint("maxItems", 50)
			})
			return
		case "get":
			e.req = c.render(func(w *jsonw) { w.kstr("functionName", fn) })
		case "update":
			e.req = c.render(func(w *jsonw) {
				w.kstr("functionName", fn)
				w.kstr("s3Bucket", c.acct.bucket("ci").name)
				w.kstr("s3Key", "builds/"+fn+"/"+c.r.hex(40)+".zip")
				w.kbool("publish", true)
				w.kbool("dryRun", false)
			})
			e.resp = c.render(func(w *jsonw) {
				w.kstr("functionName", fn)
				w.kstr("functionArn", c.lambdaARN(fn))
				w.kstr("runtime", "python3.12")
				w.kstr("role", c.roleARN(fn+"-lambda-role"))
				w.kstr("handler", "app.handler")
				w.kint("codeSize", int64(100000+c.r.IntN(4000000)))
				w.kstr("version", strconv.Itoa(10+c.r.IntN(300)))
				w.kstr("state", "Pending")
			})
		case "invoke":
			e.req = c.render(func(w *jsonw) {
				w.kstr("functionName", c.lambdaARN(fn))
				w.kstr("invocationType", "RequestResponse")
				w.kstr("logType", "None")
			})
			e.extra = c.render(func(w *jsonw) {
				w.kstr("functionVersion", c.lambdaARN(fn)+":$LATEST")
			})
		}
		e.resources = []resource{{arn: c.lambdaARN(fn), account: c.acct.id, typ: "AWS::Lambda::Function"}}
	}
}

func dynamoCall(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		t := c.pinTable
		if t == "" {
			t = pick(c.r, c.acct.tables)
		}
		pk := strings.ToUpper(t[:1]) + t[1:] + "#" + strconv.Itoa(100000+c.r.IntN(900000))
		switch op {
		case "list":
			e.req = nil
			return
		case "describe":
			e.req = c.render(func(w *jsonw) { w.kstr("tableName", t) })
		case "get":
			e.req = c.render(func(w *jsonw) {
				w.kstr("tableName", t)
				w.kobj("key")
				w.kstr("pk", pk)
				w.endObj()
				w.kbool("consistentRead", c.r.IntN(4) == 0)
			})
		case "put":
			e.req = c.render(func(w *jsonw) {
				w.kstr("tableName", t)
				w.kobj("key")
				w.kstr("pk", pk)
				w.kstr("sk", "v"+strconv.Itoa(c.r.IntN(9)))
				w.endObj()
				w.kstr("returnValues", "NONE")
			})
		case "query":
			e.req = c.render(func(w *jsonw) {
				w.kstr("tableName", t)
				w.kstr("keyConditionExpression", "pk = :pk")
				w.kint("limit", 100)
			})
		}
		e.resources = []resource{{arn: c.tableARN(t), account: c.acct.id, typ: "AWS::DynamoDB::Table"}}
	}
}

func secretCall(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		if op == "list" {
			e.req = c.render(func(w *jsonw) { w.kint("maxResults", 100) })
			return
		}
		s := pick(c.r, c.acct.secrets)
		if c.pinFunction != "" {
			s = "prod/" + c.pinFunction + "/db"
		}
		e.req = c.render(func(w *jsonw) { w.kstr("secretId", c.secretARN(s)) })
	}
}

func ssmCall(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		p := pick(c.r, c.acct.params)
		switch op {
		case "describe":
			e.req = c.render(func(w *jsonw) { w.kint("maxResults", 50) })
			return
		case "get":
			e.req = c.render(func(w *jsonw) {
				w.kstr("name", p)
				w.kbool("withDecryption", true)
			})
		case "gets":
			q := pick(c.r, c.acct.params)
			e.req = c.render(func(w *jsonw) {
				w.karr("names")
				w.str(p)
				w.str(q)
				w.endArr()
				w.kbool("withDecryption", true)
			})
			e.resources = []resource{{arn: c.paramARN(p), account: c.acct.id, typ: "AWS::SSM::Parameter"}, {arn: c.paramARN(q), account: c.acct.id, typ: "AWS::SSM::Parameter"}}
			return
		case "put":
			e.req = c.render(func(w *jsonw) {
				w.kstr("name", p)
				w.kstr("type", "SecureString")
				w.kbool("overwrite", true)
				w.kstr("keyId", "alias/aws/ssm")
			})
			e.resp = c.render(func(w *jsonw) {
				w.kint("version", int64(2+c.r.IntN(40)))
				w.kstr("tier", "Standard")
			})
		}
		e.resources = []resource{{arn: c.paramARN(p), account: c.acct.id, typ: "AWS::SSM::Parameter"}}
	}
}

func ec2Call(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		switch op {
		case "describe":
			e.req = c.render(func(w *jsonw) {
				w.kobj("instancesSet")
				if c.r.IntN(3) == 0 {
					w.karr("items")
					w.obj()
					w.kstr("instanceId", c.instance())
					w.endObj()
					w.endArr()
				}
				w.endObj()
				w.kobj("filterSet")
				w.endObj()
			})
		case "volumes", "sgs", "regions", "snapshots":
			e.req = c.render(func(w *jsonw) {
				switch op {
				case "volumes":
					w.kobj("volumeSet")
					w.endObj()
				case "sgs":
					w.kobj("securityGroupSet")
					w.endObj()
					w.kobj("securityGroupIdSet")
					w.endObj()
				case "regions":
					w.kobj("regionSet")
					w.endObj()
				case "snapshots":
					w.kobj("snapshotSet")
					w.endObj()
					w.kobj("ownersSet")
					w.karr("items")
					w.obj()
					w.kstr("owner", "self")
					w.endObj()
					w.endArr()
					w.endObj()
				}
				w.kobj("filterSet")
				w.endObj()
			})
		case "start", "stop", "terminate":
			id := c.instance()
			e.req = c.render(func(w *jsonw) {
				w.kobj("instancesSet")
				w.karr("items")
				w.obj()
				w.kstr("instanceId", id)
				w.endObj()
				w.endArr()
				w.endObj()
			})
			states := map[string][2]string{
				"start":     {"0:pending", "80:stopped"},
				"stop":      {"64:stopping", "16:running"},
				"terminate": {"32:shutting-down", "16:running"},
			}[op]
			cur, prev := states[0], states[1]
			e.resp = c.render(func(w *jsonw) {
				w.kstr("requestId", c.r.uuid())
				w.kobj("instancesSet")
				w.karr("items")
				w.obj()
				w.kstr("instanceId", id)
				state := func(k, v string) {
					code, name, _ := strings.Cut(v, ":")
					n, _ := strconv.Atoi(code)
					w.kobj(k)
					w.kint("code", int64(n))
					w.kstr("name", name)
					w.endObj()
				}
				state("currentState", cur)
				state("previousState", prev)
				w.endObj()
				w.endArr()
				w.endObj()
			})
		case "tags":
			id := c.instance()
			e.req = c.render(func(w *jsonw) {
				w.kobj("resourcesSet")
				w.karr("items")
				w.obj()
				w.kstr("resourceId", id)
				w.endObj()
				w.endArr()
				w.endObj()
				w.kobj("tagSet")
				w.karr("items")
				w.obj()
				w.kstr("key", "Owner")
				w.kstr("value", "platform-team")
				w.endObj()
				w.endArr()
				w.endObj()
			})
			e.resp = c.render(func(w *jsonw) {
				w.kstr("requestId", c.r.uuid())
				w.kbool("_return", true)
			})
		}
	}
}

func metricCall(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		switch op {
		case "data":
			end := c.t.Truncate(time.Minute)
			metrics := [][2]string{{"AWS/EC2", "CPUUtilization"}, {"AWS/EC2", "NetworkIn"}, {"AWS/Lambda", "Invocations"},
				{"AWS/Lambda", "Errors"}, {"AWS/Lambda", "Duration"}, {"AWS/RDS", "CPUUtilization"}, {"AWS/RDS", "FreeStorageSpace"},
				{"AWS/DynamoDB", "ConsumedReadCapacityUnits"}, {"AWS/SQS", "NumberOfMessagesSent"}, {"AWS/ApplicationELB", "RequestCount"}}
			n := 1 + c.r.IntN(2)
			e.req = c.render(func(w *jsonw) {
				w.karr("metricDataQueries")
				for i := 0; i < n; i++ {
					w.obj()
					w.kstr("id", "m"+strconv.Itoa(i))
					w.kobj("metricStat")
					w.kobj("metric")
					m := pick(c.r, metrics)
					w.kstr("namespace", m[0])
					w.kstr("metricName", m[1])
					w.endObj()
					w.kint("period", 60)
					w.kstr("stat", pick(c.r, []string{"Average", "Sum", "Maximum"}))
					w.endObj()
					w.kbool("returnData", true)
					w.endObj()
				}
				w.endArr()
				w.ktime("startTime", end.Add(-10*time.Minute))
				w.ktime("endTime", end)
			})
		case "list":
			e.req = c.render(func(w *jsonw) {
				w.kstr("namespace", pick(c.r, []string{"AWS/EC2", "AWS/Lambda", "AWS/RDS", "AWS/S3"}))
			})
		case "alarms":
			e.req = c.render(func(w *jsonw) { w.kint("maxRecords", 100) })
		}
	}
}

func iamCall(op string) func(c *call, e *event) {
	return func(c *call, e *event) {
		switch op {
		case "listroles", "listusers":
			e.req = c.render(func(w *jsonw) { w.kint("maxItems", 100) })
		case "getrole", "listattached":
			role := pick(c.r, c.acct.roles)
			e.req = c.render(func(w *jsonw) { w.kstr("roleName", role.name) })
		case "getuser":
			u := pick(c.r, c.acct.users)
			e.req = c.render(func(w *jsonw) { w.kstr("userName", u.name) })
		case "summary":
			e.req = nil
		}
	}
}

func simple(build func(c *call) []byte) func(c *call, e *event) {
	return func(c *call, e *event) { e.req = build(c) }
}

// apiTable returns every call template by a short name. The table is
// built once per run and only read afterwards.
func apiTable() map[string]*api {
	return map[string]*api{
		// S3 management events
		"s3.ListBuckets": {source: "s3.amazonaws.com", name: "ListBuckets", readOnly: true, build: func(c *call, e *event) {
			e.req = c.render(func(w *jsonw) { w.kstr("Host", "s3.amazonaws.com") })
			e.extra = c.s3Extra(0, int64(1000+c.r.IntN(8000)))
			e.s3ReqID = true
			e.host = "s3.amazonaws.com"
		}},
		"s3.GetBucketLocation": {source: "s3.amazonaws.com", name: "GetBucketLocation", readOnly: true, build: s3Bucket("location")},
		"s3.GetBucketTagging":  {source: "s3.amazonaws.com", name: "GetBucketTagging", readOnly: true, build: s3Bucket("tagging")},
		"s3.GetBucketAcl":      {source: "s3.amazonaws.com", name: "GetBucketAcl", readOnly: true, build: s3Bucket("acl")},
		"s3.GetBucketPolicy":   {source: "s3.amazonaws.com", name: "GetBucketPolicy", readOnly: true, build: s3Bucket("policy")},
		// S3 data events
		"s3.GetObject":    {source: "s3.amazonaws.com", name: "GetObject", readOnly: true, data: true, build: s3Object("get")},
		"s3.HeadObject":   {source: "s3.amazonaws.com", name: "HeadObject", readOnly: true, data: true, build: s3Object("head")},
		"s3.PutObject":    {source: "s3.amazonaws.com", name: "PutObject", data: true, build: s3Object("put")},
		"s3.DeleteObject": {source: "s3.amazonaws.com", name: "DeleteObject", data: true, build: s3Object("delete")},
		"s3.ListObjects":  {source: "s3.amazonaws.com", name: "ListObjects", readOnly: true, data: true, build: s3Object("list")},

		"ec2.DescribeInstances":      {source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, build: ec2Call("describe")},
		"ec2.DescribeVolumes":        {source: "ec2.amazonaws.com", name: "DescribeVolumes", readOnly: true, build: ec2Call("volumes")},
		"ec2.DescribeSecurityGroups": {source: "ec2.amazonaws.com", name: "DescribeSecurityGroups", readOnly: true, build: ec2Call("sgs")},
		"ec2.DescribeRegions":        {source: "ec2.amazonaws.com", name: "DescribeRegions", readOnly: true, build: ec2Call("regions")},
		"ec2.DescribeSnapshots":      {source: "ec2.amazonaws.com", name: "DescribeSnapshots", readOnly: true, build: ec2Call("snapshots")},
		"ec2.StartInstances":         {source: "ec2.amazonaws.com", name: "StartInstances", build: ec2Call("start")},
		"ec2.StopInstances":          {source: "ec2.amazonaws.com", name: "StopInstances", build: ec2Call("stop")},
		"ec2.TerminateInstances":     {source: "ec2.amazonaws.com", name: "TerminateInstances", build: ec2Call("terminate")},
		"ec2.CreateTags":             {source: "ec2.amazonaws.com", name: "CreateTags", build: ec2Call("tags")},

		"cloudwatch.GetMetricData":  {source: "monitoring.amazonaws.com", name: "GetMetricData", readOnly: true, build: metricCall("data")},
		"cloudwatch.ListMetrics":    {source: "monitoring.amazonaws.com", name: "ListMetrics", readOnly: true, build: metricCall("list")},
		"cloudwatch.DescribeAlarms": {source: "monitoring.amazonaws.com", name: "DescribeAlarms", readOnly: true, build: metricCall("alarms")},

		"lambda.ListFunctions":      {source: "lambda.amazonaws.com", name: "ListFunctions20150331", readOnly: true, build: lambdaCall("list")},
		"lambda.GetFunction":        {source: "lambda.amazonaws.com", name: "GetFunction20150331v2", readOnly: true, build: lambdaCall("get")},
		"lambda.UpdateFunctionCode": {source: "lambda.amazonaws.com", name: "UpdateFunctionCode20150331v2", build: lambdaCall("update")},
		"lambda.Invoke":             {source: "lambda.amazonaws.com", name: "Invoke", data: true, build: lambdaCall("invoke")},

		"dynamodb.ListTables":    {source: "dynamodb.amazonaws.com", name: "ListTables", readOnly: true, build: dynamoCall("list")},
		"dynamodb.DescribeTable": {source: "dynamodb.amazonaws.com", name: "DescribeTable", readOnly: true, build: dynamoCall("describe")},
		"dynamodb.GetItem":       {source: "dynamodb.amazonaws.com", name: "GetItem", readOnly: true, data: true, build: dynamoCall("get")},
		"dynamodb.PutItem":       {source: "dynamodb.amazonaws.com", name: "PutItem", data: true, build: dynamoCall("put")},
		"dynamodb.Query":         {source: "dynamodb.amazonaws.com", name: "Query", readOnly: true, data: true, build: dynamoCall("query")},

		"sqs.ListQueues": {source: "sqs.amazonaws.com", name: "ListQueues", readOnly: true, build: simple(func(c *call) []byte { return nil })},
		"sqs.GetQueueAttributes": {source: "sqs.amazonaws.com", name: "GetQueueAttributes", readOnly: true, build: simple(func(c *call) []byte {
			q := pick(c.r, c.acct.queues)
			return c.render(func(w *jsonw) {
				w.kstr("queueUrl", c.queueURL(q))
				w.karr("attributeNames")
				w.str("All")
				w.endArr()
			})
		})},
		"sqs.SendMessage": {source: "sqs.amazonaws.com", name: "SendMessage", data: true, build: func(c *call, e *event) {
			q := pick(c.r, c.acct.queues)
			e.req = c.render(func(w *jsonw) {
				w.kstr("queueUrl", c.queueURL(q))
				w.kstr("messageBody", "HIDDEN_DUE_TO_SECURITY_REASONS")
			})
			e.resp = c.render(func(w *jsonw) {
				w.kstr("mD5OfMessageBody", c.r.hex(32))
				w.kstr("messageId", c.r.uuid())
			})
			e.resources = []resource{{arn: "arn:aws:sqs:" + c.region + ":" + c.acct.id + ":" + q, account: c.acct.id, typ: "AWS::SQS::Queue"}}
		}},

		"sns.ListTopics": {source: "sns.amazonaws.com", name: "ListTopics", readOnly: true},
		"sns.GetTopicAttributes": {source: "sns.amazonaws.com", name: "GetTopicAttributes", readOnly: true, build: simple(func(c *call) []byte {
			t := pick(c.r, c.acct.topics)
			return c.render(func(w *jsonw) { w.kstr("topicArn", c.topicARN(t)) })
		})},
		"sns.Publish": {source: "sns.amazonaws.com", name: "Publish", data: true, build: func(c *call, e *event) {
			t := pick(c.r, c.acct.topics)
			e.req = c.render(func(w *jsonw) {
				w.kstr("topicArn", c.topicARN(t))
				w.kstr("message", "HIDDEN_DUE_TO_SECURITY_REASONS")
			})
			e.resp = c.render(func(w *jsonw) { w.kstr("messageId", c.r.uuid()) })
			e.resources = []resource{{arn: c.topicARN(t), account: c.acct.id, typ: "AWS::SNS::Topic"}}
		}},

		"secretsmanager.ListSecrets":    {source: "secretsmanager.amazonaws.com", name: "ListSecrets", readOnly: true, build: secretCall("list")},
		"secretsmanager.DescribeSecret": {source: "secretsmanager.amazonaws.com", name: "DescribeSecret", readOnly: true, build: secretCall("describe")},
		"secretsmanager.GetSecretValue": {source: "secretsmanager.amazonaws.com", name: "GetSecretValue", readOnly: true, build: secretCall("get")},

		"ssm.DescribeParameters": {source: "ssm.amazonaws.com", name: "DescribeParameters", readOnly: true, build: ssmCall("describe")},
		"ssm.GetParameter":       {source: "ssm.amazonaws.com", name: "GetParameter", readOnly: true, build: ssmCall("get")},
		"ssm.GetParameters":      {source: "ssm.amazonaws.com", name: "GetParameters", readOnly: true, build: ssmCall("gets")},
		"ssm.PutParameter":       {source: "ssm.amazonaws.com", name: "PutParameter", build: ssmCall("put")},

		"kms.ListKeys":        {source: "kms.amazonaws.com", name: "ListKeys", readOnly: true, build: simple(func(c *call) []byte { return c.render(func(w *jsonw) { w.kint("limit", 1000) }) })},
		"kms.DescribeKey":     {source: "kms.amazonaws.com", name: "DescribeKey", readOnly: true, build: kmsCall("describe")},
		"kms.Decrypt":         {source: "kms.amazonaws.com", name: "Decrypt", readOnly: true, build: kmsCall("decrypt")},
		"kms.Encrypt":         {source: "kms.amazonaws.com", name: "Encrypt", readOnly: true, build: kmsCall("encrypt")},
		"kms.GenerateDataKey": {source: "kms.amazonaws.com", name: "GenerateDataKey", readOnly: true, build: kmsCall("datakey")},

		"iam.ListRoles":                {source: "iam.amazonaws.com", name: "ListRoles", readOnly: true, build: iamCall("listroles")},
		"iam.ListUsers":                {source: "iam.amazonaws.com", name: "ListUsers", readOnly: true, build: iamCall("listusers")},
		"iam.GetRole":                  {source: "iam.amazonaws.com", name: "GetRole", readOnly: true, build: iamCall("getrole")},
		"iam.GetUser":                  {source: "iam.amazonaws.com", name: "GetUser", readOnly: true, build: iamCall("getuser")},
		"iam.ListAttachedRolePolicies": {source: "iam.amazonaws.com", name: "ListAttachedRolePolicies", readOnly: true, build: iamCall("listattached")},
		"iam.GetAccountSummary":        {source: "iam.amazonaws.com", name: "GetAccountSummary", readOnly: true, build: iamCall("summary")},

		"sts.GetCallerIdentity": {source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true},

		"rds.DescribeDBInstances": {source: "rds.amazonaws.com", name: "DescribeDBInstances", readOnly: true, build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) { w.kint("maxRecords", 100) })
		})},
		"tagging.GetResources": {source: "tagging.amazonaws.com", name: "GetResources", readOnly: true, build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) {
				w.kint("resourcesPerPage", 100)
				w.karr("resourceTypeFilters")
				w.str(pick(c.r, []string{"ec2:instance", "lambda:function", "rds:db", "s3", "dynamodb:table", "sqs"}))
				w.endArr()
			})
		})},
		"cloudtrail.DescribeTrails": {source: "cloudtrail.amazonaws.com", name: "DescribeTrails", readOnly: true, build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) { w.kbool("includeShadowTrails", true) })
		})},
		"cloudtrail.LookupEvents": {source: "cloudtrail.amazonaws.com", name: "LookupEvents", readOnly: true, build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) {
				w.ktime("startTime", c.t.Add(-24*time.Hour).Truncate(time.Hour))
				w.ktime("endTime", c.t.Truncate(time.Minute))
				w.kint("maxResults", 50)
			})
		})},
		"cloudformation.DescribeStacks": {source: "cloudformation.amazonaws.com", name: "DescribeStacks", readOnly: true, build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) { w.kstr("stackName", c.acct.alias+"-web-app") })
		})},
		"cloudformation.CreateChangeSet": {source: "cloudformation.amazonaws.com", name: "CreateChangeSet", build: func(c *call, e *event) {
			stack := c.acct.alias + "-web-app"
			cs := "deploy-" + c.r.hex(8)
			e.req = c.render(func(w *jsonw) {
				w.kstr("stackName", stack)
				w.kstr("templateURL", "https://"+c.acct.bucket("ci").name+".s3.amazonaws.com/templates/web-app.yaml")
				w.karr("capabilities")
				w.str("CAPABILITY_IAM")
				w.endArr()
				w.kstr("changeSetName", cs)
				w.kstr("changeSetType", "UPDATE")
			})
			e.resp = c.render(func(w *jsonw) {
				w.kstr("id", "arn:aws:cloudformation:"+c.region+":"+c.acct.id+":changeSet/"+cs+"/"+c.r.uuid())
				w.kstr("stackId", "arn:aws:cloudformation:"+c.region+":"+c.acct.id+":stack/"+stack+"/"+c.r.uuid())
			})
		}},
		"cloudformation.ExecuteChangeSet": {source: "cloudformation.amazonaws.com", name: "ExecuteChangeSet", build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) {
				w.kstr("changeSetName", "deploy-"+c.r.hex(8))
				w.kstr("stackName", c.acct.alias+"-web-app")
			})
		})},
		"ecr.GetAuthorizationToken": {source: "ecr.amazonaws.com", name: "GetAuthorizationToken", readOnly: true},
		"ecr.PutImage": {source: "ecr.amazonaws.com", name: "PutImage", build: func(c *call, e *event) {
			repo := c.acct.alias + "/web-app"
			e.req = c.render(func(w *jsonw) {
				w.kstr("repositoryName", repo)
				w.kstr("imageTag", c.r.hex(7))
				w.kstr("imageManifest", "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\"\n}")
			})
			e.resources = []resource{{arn: "arn:aws:ecr:" + c.region + ":" + c.acct.id + ":repository/" + repo, account: c.acct.id, typ: "AWS::ECR::Repository"}}
		}},
		"ce.GetCostAndUsage": {source: "ce.amazonaws.com", name: "GetCostAndUsage", readOnly: true, build: simple(func(c *call) []byte {
			day := c.t.Truncate(24 * time.Hour)
			return c.render(func(w *jsonw) {
				w.kobj("timePeriod")
				w.kstr("start", day.AddDate(0, 0, -30).Format("2006-01-02"))
				w.kstr("end", day.Format("2006-01-02"))
				w.endObj()
				w.kstr("granularity", "DAILY")
				w.karr("metrics")
				w.str("UnblendedCost")
				w.str("UsageQuantity")
				w.endArr()
				w.karr("groupBy")
				w.obj()
				w.kstr("type", "DIMENSION")
				w.kstr("key", "SERVICE")
				w.endObj()
				w.endArr()
			})
		})},
		"cur.DescribeReportDefinitions":              {source: "cur.amazonaws.com", name: "DescribeReportDefinitions", readOnly: true},
		"organizations.DescribeOrganization":         {source: "organizations.amazonaws.com", name: "DescribeOrganization", readOnly: true},
		"elasticloadbalancing.DescribeLoadBalancers": {source: "elasticloadbalancing.amazonaws.com", name: "DescribeLoadBalancers", readOnly: true, apiVersion: "2015-12-01"},
		"autoscaling.DescribeAutoScalingGroups":      {source: "autoscaling.amazonaws.com", name: "DescribeAutoScalingGroups", readOnly: true},
		"logs.DescribeLogGroups": {source: "logs.amazonaws.com", name: "DescribeLogGroups", readOnly: true, build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) { w.kint("limit", 50) })
		})},
		"logs.CreateLogStream": {source: "logs.amazonaws.com", name: "CreateLogStream", build: simple(func(c *call) []byte {
			fn := c.pinFunction
			if fn == "" {
				fn = pick(c.r, c.acct.functions)
			}
			return c.render(func(w *jsonw) {
				w.kstr("logGroupName", "/aws/lambda/"+fn)
				w.kstr("logStreamName", c.t.Format("2006/01/02")+"/[$LATEST]"+c.r.hex(32))
			})
		})},
		"health.DescribeEvents": {source: "health.amazonaws.com", name: "DescribeEvents", readOnly: true, build: simple(func(c *call) []byte {
			return c.render(func(w *jsonw) {
				w.kobj("filter")
				w.karr("eventStatusCodes")
				w.str("open")
				w.str("upcoming")
				w.endArr()
				w.endObj()
			})
		})},
	}
}
