package s3

import "testing"

func TestEscapeKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/31/x_20240131T0005Z_a.json.gz", "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/31/x_20240131T0005Z_a.json.gz"},
		{"a b/c+d=e&f.gz", "a%20b/c%2Bd%3De%26f.gz"},
		{"100%.gz", "100%25.gz"},
		{"~x_y-z.", "~x_y-z."},
		{"ünï", "%C3%BCn%C3%AF"},
		{" ", "%20"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := escapeKey(tt.key); got != tt.want {
			t.Errorf("escapeKey(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestSigV4Scheme(t *testing.T) {
	tests := []struct {
		name       string
		schemes    any
		wantName   string
		wantRegion string
		wantOK     bool
	}{
		{name: "none", schemes: nil, wantName: "s3", wantOK: true},
		{name: "sigv4", schemes: []any{map[string]any{"name": "sigv4", "signingName": "s3", "signingRegion": "eu-west-1"}},
			wantName: "s3", wantRegion: "eu-west-1", wantOK: true},
		{name: "sigv4-outposts", schemes: []any{map[string]any{"name": "sigv4", "signingName": "s3-outposts"}},
			wantName: "s3-outposts", wantOK: true},
		{name: "sigv4a", schemes: []any{map[string]any{"name": "sigv4a", "signingName": "s3"}}},
		{name: "express", schemes: []any{map[string]any{"name": "sigv4-s3express", "signingName": "s3express"}}},
		{name: "malformed", schemes: []any{"sigv4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, region, ok := sigV4Scheme(tt.schemes)
			if name != tt.wantName || region != tt.wantRegion || ok != tt.wantOK {
				t.Errorf("sigV4Scheme = %q, %q, %v; want %q, %q, %v", name, region, ok, tt.wantName, tt.wantRegion, tt.wantOK)
			}
		})
	}
}
