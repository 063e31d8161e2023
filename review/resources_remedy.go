package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
)

// doorRemedy says how to close a door, with a corrected policy where one
// can be written.
func (r *reviewer) doorRemedy(res *account.Resource, p *policy.Policy, d *door, party *Party) Remedy {
	rem := Remedy{}
	switch res.Via {
	case account.ViaShare:
		who := party.Account
		if d.kind == doorAnyone {
			who = "all"
		}
		rem.Summary = fmt.Sprintf("Stop sharing %s with %s, unless the sharing is wanted; copy what must stay shared to a resource encrypted with a key the other account cannot use.", resourceName(res.ARN), party.label())
		if cmd := shareCommand(res, who); cmd != "" {
			rem.Commands = []string{cmd}
		}
		return rem
	case account.ViaGrant:
		rem.Summary = fmt.Sprintf("Revoke the grants to %s unless its integration needs them; the grant id is the statement's Sid.", party.label())
		for _, i := range d.stmts {
			if sid := p.Statements[i].Sid; sid != "" {
				rem.Commands = append(rem.Commands, fmt.Sprintf("aws kms revoke-grant --key-id %s --grant-id %s", res.ARN, sid))
			}
		}
		return rem
	}
	fixed := clonePolicy(p)
	switch d.kind {
	case doorAnyone:
		seen := keysOf(r.resUse[res.ARN])
		names := make([]string, 0, len(seen))
		for _, a := range seen {
			names = append(names, "arn:aws:iam::"+a+":root")
		}
		if len(names) == 0 {
			names = []string{placeholderVendorAccount}
		}
		for _, i := range d.stmts {
			st := &fixed.Statements[i]
			keep := &policy.Principal{}
			if st.Principal != nil && !st.Principal.All {
				*keep = *st.Principal
				keep.AWS = slices.DeleteFunc(slices.Clone(keep.AWS), func(v string) bool { return v == "*" })
			}
			keep.AWS = append(keep.AWS, names...)
			st.Principal, st.NotPrincipal = keep, nil
		}
		rem.Summary = "Name the accounts that need the access instead of \"*\" (the logs show which used it), or require aws:PrincipalOrgID of your organization."
	case doorAccount:
		if u := r.resUse[res.ARN][d.key]; u != nil && u.calls > 0 {
			used := keysOf(u.actions)
			rem.Summary = fmt.Sprintf("Account %s used %s: limit its statement to those actions, and ask the vendor whether it still needs the rest.", party.label(), strings.Join(used, ", "))
			rem.Commands = policyCommands(res)
			return rem
		}
		ofAccount := func(v string) bool { return v == d.key || tailor.ARNAccount(v) == d.key }
		drop := map[int]bool{}
		for _, i := range d.stmts {
			st := &fixed.Statements[i]
			if st.Principal == nil {
				continue
			}
			if st.Principal.All || slices.Contains(st.Principal.AWS, "*") {
				// "*" narrowed to the account by a condition: take the
				// account out of the condition, or the statement out
				// when nothing else is left.
				for k := range st.Condition {
					c := &st.Condition[k]
					if isWhoKey(c.Key) {
						c.Values = slices.DeleteFunc(c.Values, ofAccount)
						if len(c.Values) == 0 {
							drop[i] = true
						}
					}
				}
				continue
			}
			st.Principal.AWS = slices.DeleteFunc(st.Principal.AWS, ofAccount)
			if len(st.Principal.AWS)+len(st.Principal.Service)+len(st.Principal.Federated)+len(st.Principal.CanonicalUser) == 0 {
				drop[i] = true
			}
		}
		var kept []policy.Statement
		for i, st := range fixed.Statements {
			if !drop[i] {
				kept = append(kept, st)
			}
		}
		fixed.Statements = kept
		rem.Summary = fmt.Sprintf("Remove account %s from the policy unless its integration needs the access; the corrected policy below leaves it out.", party.label())
		if r.facts.usage || r.facts.events {
			rem.Summary = fmt.Sprintf("Account %s did not use the resource in the window: remove it from the policy; the corrected policy below leaves it out.", party.label())
		}
	default:
		for _, i := range d.stmts {
			st := &fixed.Statements[i]
			st.Condition = append(st.Condition, policy.Clause{Operator: "StringEquals", Key: "aws:SourceAccount", Values: []string{res.Account}})
		}
		rem.Summary = "Tie the service's access to your own resources: add an aws:SourceAccount (or aws:SourceArn) condition naming your account."
	}
	if len(fixed.Statements) == 0 {
		rem.Summary += " Nothing else remains in the policy: delete it."
	} else if b, err := fixed.MarshalIndent("", "  "); err == nil {
		rem.ResourcePolicy = b
		rem.Steps = []string{"Save the policy below as policy.json and apply it."}
		if strings.Contains(string(b), "<") {
			rem.Steps = []string{"Fill in the placeholders in angle brackets of the policy below, save it as policy.json and apply it."}
		}
	}
	rem.Commands = policyCommands(res)
	return rem
}

// policyCommands returns the commands that replace a resource's policy
// with policy.json.
func policyCommands(res *account.Resource) []string {
	name := resourceName(res.ARN)
	switch res.Type {
	case "AWS::S3::Bucket":
		return []string{"aws s3api put-bucket-policy --bucket " + name + " --policy file://policy.json"}
	case "AWS::KMS::Key":
		return []string{"aws kms put-key-policy --key-id " + res.ARN + " --policy-name default --policy file://policy.json"}
	case "AWS::SQS::Queue":
		return []string{fmt.Sprintf("aws sqs set-queue-attributes --queue-url https://sqs.%s.amazonaws.com/%s/%s --attributes file://attributes.json (with the policy as the Policy attribute)", res.Region, res.Account, name)}
	case "AWS::SNS::Topic":
		return []string{"aws sns set-topic-attributes --topic-arn " + res.ARN + " --attribute-name Policy --attribute-value file://policy.json"}
	case "AWS::SecretsManager::Secret":
		return []string{"aws secretsmanager put-resource-policy --secret-id " + res.ARN + " --resource-policy file://policy.json"}
	case "AWS::ECR::Repository":
		return []string{"aws ecr set-repository-policy --repository-name " + name + " --policy-text file://policy.json"}
	case "AWS::Events::EventBus":
		return []string{"aws events put-permission --event-bus-name " + name + " --policy file://policy.json"}
	case "AWS::Lambda::Function":
		return []string{"aws lambda remove-permission --function-name " + res.ARN + " --statement-id <STATEMENT-SID> (then add-permission for what should stay)"}
	}
	return nil
}

// shareCommand returns the command that stops sharing a resource with who
// (an account, or "all").
func shareCommand(res *account.Resource, who string) string {
	name := resourceName(res.ARN)
	switch res.Type {
	case "AWS::EC2::Image":
		if who == "all" {
			return fmt.Sprintf("aws ec2 modify-image-attribute --region %s --image-id %s --launch-permission \"Remove=[{Group=all}]\"", res.Region, name)
		}
		return fmt.Sprintf("aws ec2 modify-image-attribute --region %s --image-id %s --launch-permission \"Remove=[{UserId=%s}]\"", res.Region, name, who)
	case "AWS::EC2::Snapshot":
		if who == "all" {
			return fmt.Sprintf("aws ec2 modify-snapshot-attribute --region %s --snapshot-id %s --attribute createVolumePermission --operation-type remove --group-names all", res.Region, name)
		}
		return fmt.Sprintf("aws ec2 modify-snapshot-attribute --region %s --snapshot-id %s --attribute createVolumePermission --operation-type remove --user-ids %s", res.Region, name, who)
	case "AWS::RDS::DBSnapshot":
		return fmt.Sprintf("aws rds modify-db-snapshot-attribute --region %s --db-snapshot-identifier %s --attribute-name restore --values-to-remove %s", res.Region, name, who)
	case "AWS::RDS::DBClusterSnapshot":
		return fmt.Sprintf("aws rds modify-db-cluster-snapshot-attribute --region %s --db-cluster-snapshot-identifier %s --attribute-name restore --values-to-remove %s", res.Region, name, who)
	}
	return ""
}
