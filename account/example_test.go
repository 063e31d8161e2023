package account_test

import (
	"fmt"
	"log"
	"time"

	"github.com/tailor-sec/tailor/account"
)

func ExampleSnapshot_PolicySet() {
	snap, err := account.LoadFile("testdata/principals.json")
	if err != nil {
		log.Fatal(err)
	}
	p, err := snap.Principal("dana")
	if err != nil {
		log.Fatal(err)
	}
	set := snap.PolicySet(p)
	for _, d := range set.Identity {
		if d.Missing {
			fmt.Printf("%s: MISSING, permissions unknown\n", d.Source)
			continue
		}
		fmt.Printf("%s: %d bytes\n", d.Source, len(d.Document))
	}
	fmt.Println(set.Boundary.Source)
	fmt.Println("groups not in the snapshot:", set.MissingGroups)
	fmt.Println("complete:", set.Complete())
	// Output:
	// inline policy "dana-inline": 99 bytes
	// managed policy "shared" (v1): 95 bytes
	// inline policy "admins-inline" via group "admins": 114 bytes
	// AWS managed policy "AdministratorAccess" via group "admins": MISSING, permissions unknown
	// managed policy "shared" (v1) via group "admins": 95 bytes
	// permissions boundary, managed policy "bound" (v2)
	// groups not in the snapshot: [ghost-group]
	// complete: false
}

// Was an action used since the start of the year? IAM's report of alice,
// as the AWS CLI printed it, answers for the actions and services it
// tracks; s3:GetObject is a data-plane action IAM does not track.
func ExampleLastAccessed_Action() {
	files, err := account.LoadLastAccessed("testdata/last-accessed/dir/user/alice.json")
	if err != nil {
		log.Fatal(err)
	}
	alice := files[0].Report
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, action := range []string{"s3:GetBucketLocation", "s3:ListAllMyBuckets", "s3:GetObject"} {
		fmt.Println(action, alice.Action(action).Since(since))
	}
	fmt.Println("cloudformation", alice.Service("cloudformation").Since(since))
	// Output:
	// s3:GetBucketLocation seen
	// s3:ListAllMyBuckets not seen
	// s3:GetObject unknown
	// cloudformation not seen
}
