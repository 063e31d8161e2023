package trailgen

import "time"

// An identity is a rendered userIdentity element plus what the generator
// needs to know about it. One identity serves every call of a session, so
// its JSON is built once.
type identity struct {
	typ     string // userIdentity.type, "" when the record has none
	account string // userIdentity.accountId
	key     string // accessKeyId
	// console marks sessions that came from the console
	// (sessionCredentialFromConsole).
	console bool
	json    []byte
}

// sessionAttrs are the sessionContext.attributes of a session.
type sessionAttrs struct {
	created time.Time
	mfa     bool
}

func (w *jsonw) attrs(a sessionAttrs) {
	w.kobj("attributes")
	w.ktime("creationDate", a.created)
	if a.mfa {
		w.kstr("mfaAuthenticated", "true")
	} else {
		w.kstr("mfaAuthenticated", "false")
	}
	w.endObj()
}

func render(f func(w *jsonw)) []byte {
	w := &jsonw{state: stOpen}
	w.obj()
	f(w)
	w.endObj()
	return w.b
}

// iamUserIdentity is a call made with an IAM user's credentials. With a
// non-zero session (console or GetSessionToken) the key is temporary and
// the record carries a sessionContext with an empty sessionIssuer.
func iamUserIdentity(account, userID, userName, key string, session *sessionAttrs, invokedBy string) *identity {
	id := &identity{typ: "IAMUser", account: account, key: key}
	id.json = render(func(w *jsonw) {
		w.kstr("type", "IAMUser")
		w.kstr("principalId", userID)
		w.kstr("arn", "arn:aws:iam::"+account+":user/"+userName)
		w.kstr("accountId", account)
		w.kstr("accessKeyId", key)
		w.kstr("userName", userName)
		if session != nil {
			w.kobj("sessionContext")
			w.kobj("sessionIssuer")
			w.endObj()
			w.kobj("webIdFederationData")
			w.endObj()
			w.attrs(*session)
			w.endObj()
		}
		if invokedBy != "" {
			w.kstr("invokedBy", invokedBy)
		}
	})
	return id
}

// roleSession describes a session of an IAM role.
type roleSession struct {
	account    string
	roleID     string // AROA...
	roleName   string
	rolePath   string // "/" or "/aws-reserved/sso.amazonaws.com/"
	name       string // role session name
	key        string // ASIA...
	attrs      sessionAttrs
	webIDIdP   string // webIdFederationData.federatedProvider, for OIDC sessions
	sourceID   string // sourceIdentity
	invokedBy  string
	ec2        bool // instance-profile credentials (ec2RoleDelivery)
	console    bool
	onBehalfOf *identityCenterUser
}

func (s *roleSession) roleARN() string {
	return "arn:aws:iam::" + s.account + ":role" + s.rolePath + s.roleName
}

func (s *roleSession) sessionARN() string {
	return "arn:aws:sts::" + s.account + ":assumed-role/" + s.roleName + "/" + s.name
}

// assumedRoleIdentity is a call made with a role session's credentials.
func assumedRoleIdentity(s *roleSession) *identity {
	id := &identity{typ: "AssumedRole", account: s.account, key: s.key, console: s.console}
	id.json = render(func(w *jsonw) {
		w.kstr("type", "AssumedRole")
		w.kstr("principalId", s.roleID+":"+s.name)
		w.kstr("arn", s.sessionARN())
		w.kstr("accountId", s.account)
		w.kstr("accessKeyId", s.key)
		w.kobj("sessionContext")
		w.kobj("sessionIssuer")
		w.kstr("type", "Role")
		w.kstr("principalId", s.roleID)
		w.kstr("arn", s.roleARN())
		w.kstr("accountId", s.account)
		w.kstr("userName", s.roleName)
		w.endObj()
		w.kobj("webIdFederationData")
		if s.webIDIdP != "" {
			w.kstr("federatedProvider", s.webIDIdP)
			w.kobj("attributes")
			w.endObj()
		}
		w.endObj()
		w.attrs(s.attrs)
		if s.sourceID != "" {
			w.kstr("sourceIdentity", s.sourceID)
		}
		if s.ec2 {
			w.kstr("ec2RoleDelivery", "2.0")
		}
		w.endObj()
		if s.invokedBy != "" {
			w.kstr("invokedBy", s.invokedBy)
		}
	})
	return id
}

// rootIdentity is a call made as the account's root user. A console
// session has a temporary key and a sessionContext.
func rootIdentity(account, principalID, key string, session *sessionAttrs) *identity {
	id := &identity{typ: "Root", account: account, key: key, console: session != nil}
	id.json = render(func(w *jsonw) {
		w.kstr("type", "Root")
		w.kstr("principalId", account)
		w.kstr("arn", "arn:aws:iam::"+account+":root")
		w.kstr("accountId", account)
		w.kstr("accessKeyId", key)
		if session != nil {
			w.kobj("sessionContext")
			w.kobj("sessionIssuer")
			w.endObj()
			w.kobj("webIdFederationData")
			w.endObj()
			w.attrs(*session)
			w.endObj()
		}
	})
	return id
}

// federatedUserIdentity is a call made with GetFederationToken
// credentials; the sessionIssuer is the IAM user that asked for them.
func federatedUserIdentity(account, issuerID, issuerName, name, key string, a sessionAttrs) *identity {
	id := &identity{typ: "FederatedUser", account: account, key: key}
	id.json = render(func(w *jsonw) {
		w.kstr("type", "FederatedUser")
		w.kstr("principalId", account+":"+name)
		w.kstr("arn", "arn:aws:sts::"+account+":federated-user/"+name)
		w.kstr("accountId", account)
		w.kstr("accessKeyId", key)
		w.kobj("sessionContext")
		w.kobj("sessionIssuer")
		w.kstr("type", "IAMUser")
		w.kstr("principalId", issuerID)
		w.kstr("arn", "arn:aws:iam::"+account+":user/"+issuerName)
		w.kstr("accountId", account)
		w.kstr("userName", issuerName)
		w.endObj()
		w.kobj("webIdFederationData")
		w.endObj()
		w.attrs(a)
		w.endObj()
	})
	return id
}

// awsServiceIdentity is a call an AWS service made on its own account's
// behalf, typically sts:AssumeRole of a service role.
func awsServiceIdentity(service string) *identity {
	return &identity{typ: "AWSService", json: render(func(w *jsonw) {
		w.kstr("type", "AWSService")
		w.kstr("invokedBy", service)
	})}
}

// awsAccountIdentity is a call made from another account: CloudTrail in
// the callee's account shows only that account and the caller's
// principal id.
func awsAccountIdentity(account, principalID string) *identity {
	return &identity{typ: "AWSAccount", account: account, json: render(func(w *jsonw) {
		w.kstr("type", "AWSAccount")
		w.kstr("principalId", principalID)
		w.kstr("accountId", account)
	})}
}

// identityCenterUser is a user of an IAM Identity Center instance.
type identityCenterUser struct {
	userID   string
	storeARN string
	name     string // sign-in user name, e.g. an e-mail address
}

// identityCenterUserIdentity is a call made on behalf of an Identity
// Center user with a bearer token (portal, sign-in, Q).
func identityCenterUserIdentity(account string, u *identityCenterUser, credentialID string) *identity {
	return &identity{typ: "IdentityCenterUser", account: account, json: render(func(w *jsonw) {
		w.kstr("type", "IdentityCenterUser")
		w.kstr("accountId", account)
		w.kobj("onBehalfOf")
		w.kstr("userId", u.userID)
		w.kstr("identityStoreArn", u.storeARN)
		w.endObj()
		w.kstr("credentialId", credentialID)
	})}
}

// webIdentityUserIdentity is the caller of AssumeRoleWithWebIdentity.
func webIdentityUserIdentity(provider, audience, subject string) *identity {
	return &identity{typ: "WebIdentityUser", json: render(func(w *jsonw) {
		w.kstr("type", "WebIdentityUser")
		w.kstr("principalId", provider+":"+audience+":"+subject)
		w.kstr("userName", subject)
		w.kstr("identityProvider", provider)
	})}
}

// samlUserIdentity is the caller of AssumeRoleWithSAML.
func samlUserIdentity(nameQualifier, subject string) *identity {
	return &identity{typ: "SAMLUser", json: render(func(w *jsonw) {
		w.kstr("type", "SAMLUser")
		w.kstr("principalId", nameQualifier+":"+subject)
		w.kstr("userName", subject)
		w.kstr("identityProvider", nameQualifier)
	})}
}

// internalIdentity has no type: AWS acting inside the account (key
// rotation, service events).
func internalIdentity(account, invokedBy string) *identity {
	return &identity{account: account, json: render(func(w *jsonw) {
		w.kstr("accountId", account)
		w.kstr("invokedBy", invokedBy)
	})}
}
