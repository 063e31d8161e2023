package tailor_test

import (
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
)

func TestEventKey(t *testing.T) {
	base := tailor.Event{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), EventID: "3fcfb182-98f8-4744-bd45-10a395ab61cb",
		Account: "111122223333", Region: "us-east-1", EventSource: "iam.amazonaws.com", EventName: "CreateUser",
		Principal: "arn:aws:iam::111122223333:user/Alice",
	}
	k, ok := base.Key()
	if !ok {
		t.Fatal("no key for an event with an id")
	}
	// A copy differs only in what the key leaves out.
	cp := base
	cp.Principal, cp.UserAgent, cp.Resources = "other", "agent", []string{"arn:x"}
	if k2, _ := cp.Key(); k2 != k {
		t.Error("a copy has another key")
	}
	for name, change := range map[string]func(*tailor.Event){
		"id":      func(e *tailor.Event) { e.EventID = "3fcfb182-98f8-4744-bd45-10a395ab61cc" },
		"time":    func(e *tailor.Event) { e.Time = e.Time.Add(time.Second) },
		"account": func(e *tailor.Event) { e.Account = "111122223334" },
		"region":  func(e *tailor.Event) { e.Region = "us-east-2" },
		"source":  func(e *tailor.Event) { e.EventSource = "sts.amazonaws.com" },
		"name":    func(e *tailor.Event) { e.EventName = "DeleteUser" },
		"shifted": func(e *tailor.Event) { e.Account, e.Region = "111122223333u", "s-east-1" },
	} {
		e := base
		change(&e)
		if k2, _ := e.Key(); k2 == k {
			t.Errorf("%s: another event has the same key", name)
		}
	}
	noID := base
	noID.EventID = ""
	if _, ok := noID.Key(); ok {
		t.Error("an event without an id has a key")
	}
	if n := testing.AllocsPerRun(100, func() { base.Key() }); n != 0 {
		t.Errorf("Key allocates %v times", n)
	}
}
