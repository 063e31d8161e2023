package trailgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"
	"time"
)

// ErrNotDemo is returned by Demo for a directory that holds files but no
// earlier demo: Demo replaces an old demo, never anything else.
var ErrNotDemo = errors.New("trailgen: directory is not empty and holds no demo data set")

// demoTitle is the first line of the demo's README; Demo recognises an
// earlier demo by it.
const demoTitle = "# Demo data set: acme-prod, 2026-10-01 to 2026-10-14"

// The demo account.
const (
	demoAccount = "364851209736"
	demoAlias   = "acme-prod"
	demoSeed    = 20261001
)

func demoWorld() *world {
	w := &world{
		seed:    demoSeed,
		regions: []string{"us-east-1", "eu-west-1"},
		start:   time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		days:    14,
		bucket:  "aws-cloudtrail-logs-" + demoAccount + "-6c1d8e2a",
		trail:   "management-events",
		apis:    apiTable(),
	}
	a := newAccount(w, 0, demoAccount, demoAlias)
	// Polls every 10 to 15 minutes, as in an archive, would make the
	// fourteen days several megabytes: the demo's Datadog polls about
	// every half hour and crawls the second region every other poll.
	dd := a.vendors[0]
	dd.minGap, dd.maxGap, dd.otherEvery = 27*time.Minute, 33*time.Minute, 2
	w.accounts = []*account{a}
	return w
}

// Demo writes the bundled demo data set into dir: fourteen days of
// CloudTrail logs of one account in two regions in the S3 layout, the
// matching IAM snapshot (iam.json, as `aws iam
// get-account-authorization-details` prints it), a credential report
// (credential-report.csv), the account's resource policies and shares
// (resources.json, as tailor review --resources reads them) and a
// README.md that tells the story. Files of
// an earlier demo in dir are replaced; a non-empty dir without one is
// refused with ErrNotDemo. The output is the same, byte for byte, on
// every run.
func Demo(dir string) error {
	if err := clearDemo(dir); err != nil {
		return err
	}
	w := demoWorld()
	a := w.accounts[0]
	sum, err := w.write(context.Background(), dir, runtime.GOMAXPROCS(0), false)
	if err != nil {
		return fmt.Errorf("write demo logs: %w", err)
	}
	u := w.usage(a)
	iam, err := authorizationDetails(w, a, u)
	if err != nil {
		return fmt.Errorf("render demo iam.json: %w", err)
	}
	report, err := credentialReport(w, a, u)
	if err != nil {
		return fmt.Errorf("render demo credential report: %w", err)
	}
	resources, err := demoResources(w, a)
	if err != nil {
		return fmt.Errorf("render demo resources.json: %w", err)
	}
	readme, err := demoReadme(w, a, u, sum)
	if err != nil {
		return fmt.Errorf("render demo README: %w", err)
	}
	for name, b := range map[string][]byte{"iam.json": iam, "credential-report.csv": report, "resources.json": resources, "README.md": readme} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("write demo %s: %w", name, err)
		}
	}
	return nil
}

// clearDemo makes dir ready for a demo: created when missing, emptied of
// an earlier demo's files, refused when it holds something else.
func clearDemo(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("read demo directory: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, "README.md"))
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNotDemo, dir)
	}
	line, _ := bufio.NewReader(f).ReadString('\n')
	f.Close()
	if strings.TrimSpace(line) != demoTitle {
		return fmt.Errorf("%w: %s", ErrNotDemo, dir)
	}
	for _, name := range []string{"AWSLogs", "iam.json", "credential-report.csv", "resources.json", "README.md"} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("remove old demo: %w", err)
		}
	}
	return nil
}

// usage scans the story the logs hold for when roles, keys and the root
// user were last used.
func (w *world) usage(a *account) usage {
	u := usage{role: map[string]roleLastUsed{}, key: map[string]keyUse{}}
	lastRole := map[string]time.Time{}
	for day := 0; day < w.days; day++ {
		for _, grp := range w.kept(newDayGen(w, a, day).run()) {
			for _, e := range grp {
				if e.errCode == "" && strings.HasPrefix(e.name, "AssumeRole") && len(e.resources) > 0 {
					name := e.resources[0].arn[strings.LastIndexByte(e.resources[0].arn, '/')+1:]
					if e.t.After(lastRole[name]) {
						lastRole[name] = e.t
						u.role[name] = roleLastUsed{LastUsedDate: iamTime(e.t), Region: e.region}
					}
				}
				if k := e.id.key; strings.HasPrefix(k, "AKIA") && e.t.After(u.key[k].t) {
					u.key[k] = keyUse{t: e.t, region: e.region, service: strings.TrimSuffix(e.source, ".amazonaws.com")}
				}
				if e.name == "ConsoleLogin" && e.id.typ == "Root" && e.t.After(u.root) {
					u.root = e.t
				}
			}
		}
	}
	return u
}

// credentialReport renders the IAM credential report of the demo
// account, generated the morning after the window.
func credentialReport(w *world, a *account, u usage) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	na := "N/A"
	rows := [][]string{{"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
		"password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
		"access_key_1_last_used_region", "access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
		"access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
		"cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}}
	rootCreated := w.start.AddDate(-4, -2, -9).Add(15*time.Hour + 3*time.Minute + 27*time.Second)
	rootUsed := na
	if !u.root.IsZero() {
		rootUsed = iamTime(u.root)
	}
	rows = append(rows, []string{"<root_account>", "arn:aws:iam::" + a.id + ":root", iamTime(rootCreated), "true", rootUsed,
		iamTime(rootCreated.AddDate(1, 3, 2)), "not_supported", "true", "false", na, na, na, na, "false", na, na, na, na, "false", na, "false", na})
	key := func(k string) []string {
		use, ok := u.key[k]
		if !ok {
			return []string{na, na, na}
		}
		return []string{iamTime(use.t), use.region, use.service}
	}
	for _, usr := range []*user{a.backup, a.reporting} {
		row := []string{usr.name, "arn:aws:iam::" + a.id + ":user/" + usr.name, iamTime(usr.created), "false", na, na, na, "false",
			"true", iamTime(usr.keyCreated)}
		row = append(row, key(usr.key)...)
		if usr == a.reporting {
			// An older key, deactivated but never deleted.
			old := usr.created.Add(26 * time.Hour)
			row = append(row, "false", iamTime(old), iamTime(usr.keyCreated.AddDate(0, 0, 2)), "us-east-1", "s3")
		} else {
			row = append(row, "false", na, na, na, na)
		}
		row = append(row, "false", na, "false", na)
		rows = append(rows, row)
	}
	if err := cw.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// demoReadme tells the story of the demo data set.
func demoReadme(w *world, a *account, u usage, sum Summary) ([]byte, error) {
	day := func(d int) string { return w.start.AddDate(0, 0, d).Format("2006-01-02") }
	dd, cz, lw, cb := a.vendors[0], a.vendors[1], a.vendors[2], a.oldVendor
	var czDays []string
	for d := 0; d < w.days; d++ {
		if cz.active(d) {
			czDays = append(czDays, day(d))
		}
	}
	v := func(x *vendor) map[string]string {
		return map[string]string{"Name": x.name, "Account": x.account, "Role": x.role.name}
	}
	data := map[string]any{
		"Title": demoTitle, "Account": a.id, "Alias": a.alias, "Regions": strings.Join(w.regions, " and "),
		"First": day(0), "Last": day(w.days - 1), "Bucket": w.bucket,
		"DD": v(dd), "CZ": v(cz), "LW": v(lw), "CB": v(cb),
		"CZDays": strings.Join(czDays, ", "), "CreateDay": day(a.createDay), "DeleteDay": day(a.deleteDay),
		"BurstDay": day(a.burstDay), "RootDay": day(a.rootDay),
		"CI": a.ci.name, "Sub": a.ciSub, "Lambda": a.lambda.name,
		"SSO": a.ssoRole.name, "SSOUsers": []string{a.ssoUsers[0].name, a.ssoUsers[1].name},
		"Backup":    map[string]string{"Name": a.backup.name, "IP": a.backup.ip},
		"Reporting": map[string]string{"Name": a.reporting.name, "IP": a.reporting.ip},
		"Files":     sum.Files, "Records": sum.Records,
		"Buckets": []string{a.bucket("backups").name, a.bucket("reports").name, a.bucket("ci").name, a.bucket("cur").name},
		"Table":   "orders",
		"CUR":     a.bucket("cur").name, "Snapshot": demoSnapshotID, "SnapshotAccount": demoSnapshotAccount,
	}
	t, err := template.New("readme").Parse(demoReadmeText)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const demoReadmeText = `{{.Title}}

Synthetic but realistic CloudTrail logs of one AWS account, with the IAM snapshot
that goes with them. Generated by ` + "`go run ./cmd/trailgen demo -o testdata/demo`" + `;
do not edit by hand: a test regenerates the set and compares it byte for byte.

- Account ` + "`{{.Account}}`" + ` (alias ` + "`{{.Alias}}`" + `), regions {{.Regions}}, {{.First}} to {{.Last}} (UTC).
- ` + "`AWSLogs/{{.Account}}/CloudTrail/<region>/<yyyy>/<mm>/<dd>/*.json.gz`" + `: {{.Files}} log files,
  {{.Records}} records, one file per region and 5-minute delivery window that has events,
  as CloudTrail delivers them to the trail bucket ` + "`{{.Bucket}}`" + `.
- ` + "`iam.json`" + `: ` + "`aws iam get-account-authorization-details`" + ` of the account the morning after.
  Access keys are not part of that output; they are in the credential report.
- ` + "`credential-report.csv`" + `: the IAM credential report of the same morning.
- ` + "`resources.json`" + `: the account's resource policies and shares, as ` + "`tailor review --resources`" + ` reads them.

## The story

**{{.DD.Name}}** (account ` + "`{{.DD.Account}}`" + `) assumes ` + "`{{.DD.Role}}`" + ` every hour with an
ExternalId and polls read-only APIs about every half hour (CloudWatch ` + "`GetMetricData`" + ` in both
regions, then one of ` + "`DescribeInstances`" + `, ` + "`ListBuckets`" + `, ` + "`GetResources`" + `, ...; an archive from
` + "`trailgen archive`" + ` polls every 10 to 15 minutes, which would make this set too large). Once a day it
asks for ` + "`organizations:DescribeOrganization`" + ` and is refused. The role's policy also grants
` + "`s3:GetObject`" + `, ` + "`kms:Decrypt`" + ` and ` + "`secretsmanager:GetSecretValue`" + ` on ` + "`*`" + `, which Datadog never uses.
One AssumeRole record in three reaches S3 after the first calls made with the session's key,
and the calls are spread over both regions' files.

**{{.CZ.Name}}** (account ` + "`{{.CZ.Account}}`" + `): on {{.CreateDay}} the administrator
{{index .SSOUsers 0}} creates ` + "`{{.CZ.Role}}`" + ` in the console (` + "`CreateRole`" + `, ` + "`PutRolePolicy`" + `)
with a trust to the whole vendor account and **no ExternalId**. CloudZero uses it on {{.CZDays}} only:
Cost Explorer, inventory, and ` + "`GetObject`" + ` on the cost-report bucket (S3 data events).

**{{.LW.Name}}** (account ` + "`{{.LW.Account}}`" + `) has ` + "`{{.LW.Role}}`" + ` with an ExternalId and a broad
audit policy, and has never used it (no ` + "`RoleLastUsed`" + `, no record).

**{{.CB.Name}}** (account ` + "`{{.CB.Account}}`" + `) assumes ` + "`{{.CB.Role}}`" + ` until {{.DeleteDay}}, when the
administrator deletes the role. The vendor tries again the same day and is refused. The role is
absent from ` + "`iam.json`" + `; its policy ` + "`CloudabilityMonitorResources`" + ` is left behind, attached to nothing.

**CI**: ` + "`{{.CI}}`" + ` is assumed by GitHub Actions through the account's OIDC provider
(` + "`AssumeRoleWithWebIdentity`" + `, subject ` + "`{{.Sub}}`" + `) on weekdays; each run pushes an image,
uploads artifacts, updates a CloudFormation stack and the ` + "`orders-api`" + ` function, then invokes it.
It has a permission boundary. Once a week a run tries to update ` + "`payments-api`" + ` and is refused.

**Lambda**: ` + "`{{.Lambda}}`" + ` is assumed by ` + "`lambda.amazonaws.com`" + ` every six hours; the function reads
and writes the ` + "`{{.Table}}`" + ` DynamoDB table (data events), decrypts its environment and reads its secret.

**Identity Center**: {{index .SSOUsers 0}} (console) and {{index .SSOUsers 1}} (Terraform) sign in on
weekdays (` + "`IdentityCenterUser`" + ` sign-in and portal records, then ` + "`AssumeRoleWithSAML`" + `) into
` + "`{{.SSO}}`" + `, which has ` + "`AdministratorAccess`" + `.

**IAM users**: ` + "`{{.Backup.Name}}`" + ` uploads database dumps every night from ` + "`{{.Backup.IP}}`" + ` (its key is
more than two years old). ` + "`{{.Reporting.Name}}`" + ` reads reports every weekday morning from
` + "`{{.Reporting.IP}}`" + `; on {{.BurstDay}} at 14:02 UTC its key is used from ` + "`203.0.113.77`" + ` with another
client for a burst of 44 refused calls (IAM, Secrets Manager, SSM, KMS, EC2, ...) across both regions,
followed by reads of the reports bucket that succeed. The user also has an old, deactivated key.

**Root** signs in to the console with MFA on {{.RootDay}}.

**Resource policies** (` + "`resources.json`" + `): the trail bucket lets CloudTrail write for the account's trail only
(` + "`aws:SourceArn`" + `); the cost report bucket ` + "`{{.CUR}}`" + ` lets the billing service write for the account only, and
still lets {{.CZ.Name}}'s account read it directly, from an onboarding that predates ` + "`{{.CZ.Role}}`" + `: the logs show
CloudZero reading through the role, never directly. The EBS snapshot ` + "`{{.Snapshot}}`" + ` of the backup database is
shared with account ` + "`{{.SnapshotAccount}}`" + `, which no list names.

**S3 data events** on ` + "`{{index .Buckets 0}}`" + `, ` + "`{{index .Buckets 1}}`" + `, ` + "`{{index .Buckets 2}}`" + ` and
` + "`{{index .Buckets 3}}`" + `; some object keys carry escaped characters (` + "`\\u00e9`" + `, ` + "`\\\\`" + `, ` + "`\\/`" + `).

## What a reviewer should find

1. ` + "`{{.CZ.Role}}`" + `: trust to a whole external account without an ExternalId, created during
   the window (new external trust seen in the logs), used on a few days only.
2. ` + "`{{.DD.Role}}`" + `: sensitive actions on ` + "`*`" + ` (` + "`kms:Decrypt`" + `, ` + "`s3:GetObject`" + `,
   ` + "`secretsmanager:GetSecretValue`" + `) never used; most of its grant is unused; one denied action per day.
3. ` + "`{{.LW.Role}}`" + `: never used.
4. Account ` + "`{{.CB.Account}}`" + ` ({{.CB.Name}}) seen assuming a role that today's trust policies no longer show,
   and still trying.
5. ` + "`{{.Reporting.Name}}`" + `: a burst of denied calls from a new address, an access key older than
   90 days, an inactive key never deleted. ` + "`{{.Backup.Name}}`" + `: a key older than 90 days.
6. Root console sign-in on {{.RootDay}}.
7. Rightsizing: every role and user is granted more than it uses; the CI role keeps its boundary.
8. With ` + "`--resources resources.json`" + `: the bucket ` + "`{{.CUR}}`" + ` open to {{.CZ.Name}}'s account, unused in the window;
   the snapshot ` + "`{{.Snapshot}}`" + ` shared with an unknown account. The trail bucket and the billing service are tied
   to the account and give nothing.
`
