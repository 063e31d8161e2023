package account_test

import (
	"fmt"
	"log"

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
