package account

import (
	"encoding/json"
	"fmt"
)

// normalize rewrites every policy document in d as compact, URL-decoded JSON
// (see [NormalizeDocument]) and sets empty lists and empty RoleLastUsed
// values to nil, so that the same account read from the CLI's JSON or from
// the API compares equal. Errors are *ParseError values with the document's
// Field and no Path.
func normalize(d *AuthorizationDetails) error {
	doc := func(p *json.RawMessage, field string, args ...any) error {
		v, err := NormalizeDocument(*p)
		if err != nil {
			return &ParseError{Field: fmt.Sprintf(field, args...), Err: err}
		}
		*p = v
		return nil
	}
	inline := func(list []InlinePolicy, field string, i int) ([]InlinePolicy, error) {
		for j := range list {
			if err := doc(&list[j].PolicyDocument, field+"[%d].PolicyDocument", i, j); err != nil {
				return nil, err
			}
		}
		return nilIfEmpty(list), nil
	}
	var err error
	for i := range d.UserDetailList {
		u := &d.UserDetailList[i]
		if u.UserPolicyList, err = inline(u.UserPolicyList, "UserDetailList[%d].UserPolicyList", i); err != nil {
			return err
		}
		u.GroupList = nilIfEmpty(u.GroupList)
		u.AttachedManagedPolicies = nilIfEmpty(u.AttachedManagedPolicies)
		u.Tags = nilIfEmpty(u.Tags)
		u.PermissionsBoundary = boundaryOrNil(u.PermissionsBoundary)
	}
	for i := range d.GroupDetailList {
		g := &d.GroupDetailList[i]
		if g.GroupPolicyList, err = inline(g.GroupPolicyList, "GroupDetailList[%d].GroupPolicyList", i); err != nil {
			return err
		}
		g.AttachedManagedPolicies = nilIfEmpty(g.AttachedManagedPolicies)
	}
	for i := range d.RoleDetailList {
		r := &d.RoleDetailList[i]
		if err := doc(&r.AssumeRolePolicyDocument, "RoleDetailList[%d].AssumeRolePolicyDocument", i); err != nil {
			return err
		}
		if r.RolePolicyList, err = inline(r.RolePolicyList, "RoleDetailList[%d].RolePolicyList", i); err != nil {
			return err
		}
		r.AttachedManagedPolicies = nilIfEmpty(r.AttachedManagedPolicies)
		r.Tags = nilIfEmpty(r.Tags)
		r.PermissionsBoundary = boundaryOrNil(r.PermissionsBoundary)
		r.RoleLastUsed = lastUsedOrNil(r.RoleLastUsed)
		r.InstanceProfileList = nilIfEmpty(r.InstanceProfileList)
		for j := range r.InstanceProfileList {
			ip := &r.InstanceProfileList[j]
			ip.Tags = nilIfEmpty(ip.Tags)
			ip.Roles = nilIfEmpty(ip.Roles)
			for k := range ip.Roles {
				ir := &ip.Roles[k]
				if err := doc(&ir.AssumeRolePolicyDocument, "RoleDetailList[%d].InstanceProfileList[%d].Roles[%d].AssumeRolePolicyDocument", i, j, k); err != nil {
					return err
				}
				ir.Tags = nilIfEmpty(ir.Tags)
				ir.PermissionsBoundary = boundaryOrNil(ir.PermissionsBoundary)
				ir.RoleLastUsed = lastUsedOrNil(ir.RoleLastUsed)
			}
		}
	}
	for i := range d.Policies {
		p := &d.Policies[i]
		p.PolicyVersionList = nilIfEmpty(p.PolicyVersionList)
		for j := range p.PolicyVersionList {
			if err := doc(&p.PolicyVersionList[j].Document, "Policies[%d].PolicyVersionList[%d].Document", i, j); err != nil {
				return err
			}
		}
	}
	d.UserDetailList = nilIfEmpty(d.UserDetailList)
	d.GroupDetailList = nilIfEmpty(d.GroupDetailList)
	d.RoleDetailList = nilIfEmpty(d.RoleDetailList)
	d.Policies = nilIfEmpty(d.Policies)
	return nil
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func boundaryOrNil(b *PermissionsBoundary) *PermissionsBoundary {
	if b == nil || (b.PermissionsBoundaryARN == "" && b.PermissionsBoundaryType == "") {
		return nil
	}
	return b
}

func lastUsedOrNil(l *RoleLastUsed) *RoleLastUsed {
	if l == nil || (l.LastUsedDate.IsZero() && l.Region == "") {
		return nil
	}
	return l
}
