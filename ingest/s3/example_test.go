package s3_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
)

// List one account's logs of one day from an organization trail, then
// read each object.
func ExampleSource_List() {
	ctx := context.Background()
	src, err := s3.New(ctx, "s3://org-trail-logs/trail", s3.Options{Profile: "audit", Region: "eu-west-1"})
	if err != nil {
		log.Fatal(err)
	}
	f := ingest.Filter{
		Accounts: []string{"111122223333"},
		Since:    time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC),
		Until:    time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
	}
	var objs []ingest.Object
	if err := src.List(ctx, f, func(o ingest.Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		log.Fatal(err)
	}
	st := src.ListStats()
	fmt.Printf("%d objects, %.1f MB selected\n", st.Selected, float64(st.SelectedBytes)/1e6)
	for _, o := range objs {
		r, err := src.Open(ctx, o)
		if err != nil {
			log.Print(err) // names the bucket and key
			continue
		}
		_, err = io.Copy(io.Discard, r) // gunzip and decode here
		r.Close()
		if err != nil {
			log.Print(err)
		}
	}
}
