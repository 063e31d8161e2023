package review

// Rule describes one kind of finding.
type Rule struct {
	ID string
	// Name is the rule in CamelCase, as SARIF tools show it.
	Name string
	// Title is the finding's title in a few words; Description says what
	// the rule checks and why it matters; Help what to do.
	Title       string
	Description string
	Help        string
	// Severity is the usual severity; a finding may be graded up or down
	// by its evidence (its Severity field says which).
	Severity Severity
}

// The rule ids.
const (
	RuleTrustOpen          = "TRUST-OPEN"
	RuleTrustOIDCNoSubject = "TRUST-OIDC-NO-SUBJECT"
	RuleTrustNoExternalID  = "TRUST-NO-EXTERNAL-ID"
	RuleTrustWeakExtID     = "TRUST-WEAK-EXTERNAL-ID"
	RuleTrustWholeAccount  = "TRUST-WHOLE-ACCOUNT"
	RuleTrustChangeSeen    = "TRUST-CHANGE-SEEN"
	RuleAccountNotTrusted  = "ACCOUNT-NOT-TRUSTED"
	RuleRoleNeverUsed      = "ROLE-NEVER-USED"
	RuleRoleInactive       = "ROLE-INACTIVE"
	RuleSensitiveAll       = "SENSITIVE-ON-ALL-RESOURCES"
	RulePermissionsUnused  = "PERMISSIONS-UNUSED"
	RuleNoBoundaryWrite    = "NO-BOUNDARY-WRITE"
	RuleDeniedBurst        = "DENIED-BURST"
	RuleKeyUsedOutside     = "KEY-USED-OUTSIDE"
	RuleKeyOld             = "KEY-OLD"
	RuleKeyUnused          = "KEY-UNUSED"
	RuleKeyInactive        = "KEY-INACTIVE-PRESENT"
	RuleRootUsed           = "ROOT-USED"
	RuleRootAccessKey      = "ROOT-ACCESS-KEY"
	RuleRootNoMFA          = "ROOT-NO-MFA"
	RuleResourcePublic     = "RESOURCE-PUBLIC"
	RuleSnapshotPublic     = "SNAPSHOT-PUBLIC"
	RuleResourceOutside    = "RESOURCE-OUTSIDE-ACCOUNT"
	RuleKMSGrantOutside    = "KMS-GRANT-OUTSIDE"
	RuleServiceNoSource    = "RESOURCE-SERVICE-NO-SOURCE"
	RuleEscalation         = "ESCALATION-PATH"
)

var rules = []Rule{
	{RuleTrustOpen, "OpenTrust", "Trust admits anyone",
		`The role's trust policy has Principal "*" (or an Allow with NotPrincipal): any principal of any AWS account may assume it, limited only by the statement's conditions.`,
		"Name the account (or better, the role) that needs the access in Principal, and require an sts:ExternalId when it is a third party.",
		SeverityCritical},
	{RuleTrustOIDCNoSubject, "WebIdentityTrustWithoutSubject", "Web identity trust without subject",
		"The role trusts an OpenID Connect provider without a condition on the provider's sub claim: any identity the provider issues tokens for (for GitHub Actions, any workflow of any repository) may assume it.",
		`Add a StringEquals or StringLike condition on "<provider>:sub" that names your repository and branch (or the service account).`,
		SeverityCritical},
	{RuleTrustNoExternalID, "NoExternalId", "No ExternalId required",
		"The trust policy admits an outside account without an sts:ExternalId condition. A vendor that serves many customers can then be tricked into using your role on someone else's behalf (the confused deputy problem).",
		"Require the ExternalId the vendor issued for your account with a StringEquals condition on sts:ExternalId.",
		SeverityHigh},
	{RuleTrustWeakExtID, "WeakExternalId", "Weak ExternalId",
		"The sts:ExternalId the trust policy requires is easy to guess or not unique: short, repetitive, an account id or the role name, a placeholder, a pattern with wildcards, or the same value for several vendors.",
		"Ask the vendor for a new, long, random ExternalId (most vendors generate one per customer) and require it with StringEquals.",
		SeverityMedium},
	{RuleTrustWholeAccount, "WholeAccountTrust", "Trust to a whole outside account",
		`The trust policy names an outside account as "arn:aws:iam::<account>:root" or by its id: any principal of that account whose own policies allow sts:AssumeRole can assume the role.`,
		"Name the vendor's role that assumes yours (the logs show which) instead of the whole account, if the vendor supports it.",
		SeverityLow},
	{RuleTrustChangeSeen, "ExternalTrustChanged", "Outside trust created or changed",
		"The logs show CreateRole or UpdateAssumeRolePolicy for a role whose trust policy admits an outside account: new third-party access was granted during the window.",
		"Confirm the change was intended and approved, and who made it.",
		SeverityMedium},
	{RuleAccountNotTrusted, "UntrustedAccountAssumes", "Untrusted account assumes a role",
		"The logs show an outside account assuming (or trying to assume) a role that today's trust policies do not let it assume: the role was deleted or its trust changed, and the vendor still holds an integration pointing at it.",
		"Confirm the integration was retired and ask the vendor to remove it; review what it did while it could.",
		SeverityMedium},
	{RuleRoleNeverUsed, "RoleNeverUsed", "Third-party role never used",
		"Neither IAM's last-used record nor the logs show the role being used: the access stands open without a need.",
		"Delete the role, or ask the vendor whether the integration is still wanted.",
		SeverityMedium},
	{RuleRoleInactive, "RoleInactive", "Third-party role inactive",
		"The role was last used longer ago than the inactivity threshold.",
		"Delete the role, or ask the vendor whether the integration is still wanted.",
		SeverityMedium},
	{RuleSensitiveAll, "SensitiveActionsOnAllResources", "Sensitive actions on all resources",
		`The principal may call sensitive actions (decrypt, read secrets or objects, pass roles, change IAM, stop or terminate instances, ...) on "*". Actions it never used are listed first: they can go at no cost.`,
		"Deny the unused ones in a permission boundary, and narrow the used ones to the resources the logs show.",
		SeverityHigh},
	{RulePermissionsUnused, "PermissionsUnused", "Most permissions unused",
		"A large share of the actions the principal's policies grant (after wildcard expansion) were not used in the window.",
		"Replace the policies with the suggestion of tailor rightsize.",
		SeverityLow},
	{RuleNoBoundaryWrite, "NoBoundaryOnWriteRole", "Can write, no permission boundary",
		"The principal can call actions of the Write or Permissions management access level and has no permission boundary to cap what its policies may grow to.",
		"Attach a permission boundary that denies the write actions it does not need.",
		SeverityLow},
	{RuleDeniedBurst, "DeniedCallBurst", "Burst of denied calls",
		"Many calls of one principal were refused for lack of permission within minutes: the pattern of someone probing what stolen credentials allow.",
		"Find out who used the credentials from that address; rotate them if it was not their owner.",
		SeverityHigh},
	{RuleKeyUsedOutside, "AccessKeyUsedFromOutside", "Access key used from outside",
		"An IAM user's long-lived access key was used from addresses outside the owner's networks (--own-networks; private and AWS-internal addresses count as inside).",
		"Replace the user with a role the party assumes, or limit the key to the addresses it needs with an aws:SourceIp condition.",
		SeverityLow},
	{RuleKeyOld, "AccessKeyNotRotated", "Access key not rotated",
		"An active access key is older than the rotation threshold.",
		"Create a new key, move its user to it, deactivate the old key, then delete it.",
		SeverityMedium},
	{RuleKeyUnused, "AccessKeyUnused", "Access key unused",
		"An active access key was not used for longer than the inactivity threshold, or never.",
		"Deactivate the key, then delete it.",
		SeverityMedium},
	{RuleKeyInactive, "InactiveAccessKeyPresent", "Inactive access key not deleted",
		"A deactivated access key still exists: anyone who can reactivate keys can bring it back.",
		"Delete the key.",
		SeverityLow},
	{RuleRootUsed, "RootUsed", "Root user used",
		"The account's root user signed in or made calls in the window.",
		"Confirm the sign-in was expected; use roles for daily work and keep root for the few tasks that need it.",
		SeverityMedium},
	{RuleRootAccessKey, "RootAccessKey", "Root user has an access key",
		"The root user has an active access key: a long-lived credential with unlimited power.",
		"Delete the root user's access keys.",
		SeverityCritical},
	{RuleRootNoMFA, "RootWithoutMFA", "Root user without MFA",
		"The root user has no MFA device.",
		"Enable MFA on the root user.",
		SeverityHigh},
	{RuleResourcePublic, "PublicResourcePolicy", "Resource open to anyone",
		`A resource's policy lets any principal of any AWS account act on it (Principal "*", or an Allow with NotPrincipal), and no condition the review can decide limits it to your accounts. Graded down to medium when conditions the review cannot decide (source address, VPC endpoint) narrow it, to low when only VPC conditions do.`,
		"Name the accounts that need the access, or require aws:PrincipalOrgID of your organization.",
		SeverityCritical},
	{RuleSnapshotPublic, "PublicSnapshotOrImage", "Snapshot or image shared with everyone",
		"An AMI, EBS snapshot or RDS snapshot is shared with all AWS accounts: anyone can copy the disk or database it holds.",
		"Remove the public share; share with the accounts that need it, and keep secrets off images.",
		SeverityCritical},
	{RuleResourceOutside, "ResourceSharedWithOutsideAccount", "Resource open to an outside account",
		"A resource's policy or sharing lets an account outside yours act on it. High when the account may change who has access (permissions management) or may copy a shared snapshot or image, medium when it may read data or write, low when it may only list; one grade lower when conditions the review cannot decide narrow it.",
		"Remove the account unless its integration needs the access, and limit it to the actions the logs show it using.",
		SeverityMedium},
	{RuleKMSGrantOutside, "KmsGrantToOutsideAccount", "KMS grant to an outside account",
		"A grant on a KMS key lets a principal of an outside account use the key, apart from the key policy and invisible in it.",
		"Revoke the grant unless the integration that created it still needs it.",
		SeverityMedium},
	{RuleServiceNoSource, "ServicePrincipalWithoutSourceCondition", "Service acts without a source condition",
		"A resource's policy lets an AWS service principal act on it without an aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition: anyone can point that service, working for their own account, at your resource (the confused deputy problem). High when the service may write, medium when it may only read.",
		"Add a condition on aws:SourceAccount or aws:SourceArn naming your account or the resource that should use the service.",
		SeverityHigh},
	{RuleEscalation, "PrivilegeEscalationPath", "Privilege escalation path",
		"The principal's effective permissions (its policies, within its boundary, less its denies) allow every step of a known privilege escalation method on a resource the snapshot holds: creating keys or passwords for other users, rewriting policies or trust, passing a role to a compute service it then controls, changing code that runs with a role. Critical when it can grant itself anything; high when the path reaches a principal that may call sensitive actions it may not; medium otherwise. One grade lower when only conditions the review cannot decide allow a step, one higher when the logs show it using a step.",
		"Deny a step of the path in a permission boundary (an unused one breaks nothing), or limit it to the resources the principal needs.",
		SeverityHigh},
}

// Rules returns the rules, in the order of their ids above. The slice is a
// fresh copy.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}

// RuleByID returns the rule with the given id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// ruleIndex orders findings of equal severity by rule.
func ruleIndex(id string) int {
	for i, r := range rules {
		if r.ID == id {
			return i
		}
	}
	return len(rules)
}

func ruleTitle(id string) string {
	r, _ := RuleByID(id)
	return r.Title
}
