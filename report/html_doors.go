package report

import (
	"fmt"
	"slices"

	"github.com/tailor-sec/tailor/review"
)

// htmlDoor is a resource an outside account can act on, shown on the page
// of every principal the same account can get in through: the resources
// open to a vendor beside the role it assumes.
type htmlDoor struct {
	// ID is the resource's principal id in the report, for a link.
	ID           string `json:"id"`
	ARN          string `json:"arn"`
	Name         string `json:"name"`
	ResourceType string `json:"resource_type"`
	Account      string `json:"account"`
	Vendor       string `json:"vendor,omitempty"`
	Rule         string `json:"rule"`
	Severity     string `json:"severity"`
	Title        string `json:"title"`
	FindingID    string `json:"finding_id"`
}

// htmlDoorsOf returns, by principal ARN, the resource findings that
// concern an outside account among the principal's parties. Resources
// themselves get none: their own page is the view per resource.
func htmlDoorsOf(rep *review.Report) map[string][]htmlDoor {
	byAccount := map[string][]htmlDoor{}
	for i, p := range rep.Principals {
		if p.Kind != review.KindResource {
			continue
		}
		for _, f := range p.Findings {
			if f.Account == "" {
				continue
			}
			byAccount[f.Account] = append(byAccount[f.Account], htmlDoor{
				ID: fmt.Sprintf("p%d", i), ARN: p.ARN, Name: p.Name, ResourceType: p.ResourceType,
				Account: f.Account, Vendor: f.Vendor, Rule: f.Rule, Severity: f.Severity.String(), Title: f.Title, FindingID: f.ID,
			})
		}
	}
	out := map[string][]htmlDoor{}
	for _, p := range rep.Principals {
		if p.Kind == review.KindResource {
			continue
		}
		var doors []htmlDoor
		var seen []string
		for _, pt := range p.Parties {
			if pt.Account == "" || slices.Contains(seen, pt.Account) {
				continue
			}
			seen = append(seen, pt.Account)
			doors = append(doors, byAccount[pt.Account]...)
		}
		if len(doors) > 0 {
			out[p.ARN] = doors
		}
	}
	return out
}
