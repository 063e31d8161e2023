package account_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
)

func TestTimeJSON(t *testing.T) {
	want := time.Date(2019, 12, 18, 19, 10, 8, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: `"2019-12-18T19:10:08Z"`, want: want},
		{in: `"2019-12-18T19:10:08+00:00"`, want: want},
		{in: `"2019-12-18 19:10:08+00:00"`, want: want},
		{in: `"2019-12-18T21:10:08+02:00"`, want: want},
		{in: `"2019-12-18T19:10:08"`, want: want},
		{in: `"2019-12-18T19:10:08.250Z"`, want: want.Add(250 * time.Millisecond)},
		{in: `"2019-12-18 19:10:08.250000+00:00"`, want: want.Add(250 * time.Millisecond)},
		{in: `1576696208`, want: want},
		{in: `null`},
		{in: `""`},
		{in: `"yesterday"`, bad: true},
		{in: `true`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got account.Time
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.bad {
				if err == nil {
					t.Fatalf("Unmarshal(%s) = %v, want error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Errorf("Unmarshal(%s) = %v, want %v", tt.in, got.Time, tt.want)
			}
		})
	}
}

func TestTimeMarshal(t *testing.T) {
	tests := []struct {
		in   account.Time
		want string
	}{
		{account.Time{Time: time.Date(2019, 12, 18, 19, 10, 8, 0, time.UTC)}, `"2019-12-18T19:10:08+00:00"`},
		{account.Time{Time: time.Date(2019, 12, 18, 21, 10, 8, 0, time.FixedZone("", 7200))}, `"2019-12-18T19:10:08+00:00"`},
		{account.Time{Time: time.Date(2019, 12, 18, 19, 10, 8, 5e8, time.UTC)}, `"2019-12-18T19:10:08.5+00:00"`},
		{account.Time{}, `null`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tt.in.Time, got, err, tt.want)
		}
	}
}
