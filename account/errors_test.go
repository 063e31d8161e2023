package account

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseErrorMessage(t *testing.T) {
	tests := []struct {
		err  *ParseError
		want string
	}{
		{&ParseError{Path: "a.json", Line: 3, Column: 7, Err: ErrSyntax}, "a.json:3:7: account: syntax error"},
		{&ParseError{Path: "a.json", Field: "Policies[2]", Err: ErrDocument}, "a.json: Policies[2]: account: malformed policy document"},
		{&ParseError{Path: "-", Line: 1, Column: 1, Field: "x", Err: fmt.Errorf("%w: more", ErrFormat)}, "-:1:1: x: account: unexpected input format: more"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, errors.Unwrap(tt.err)) {
			t.Errorf("%v does not unwrap", tt.err)
		}
	}
}

func TestAccessDeniedError(t *testing.T) {
	sdk := errors.New("api error AccessDenied: User: x is not authorized")
	err := fmt.Errorf("account: get policy: %w", &AccessDeniedError{Action: "iam:GetPolicy", Err: sdk})
	if !errors.Is(err, ErrAccessDenied) || !errors.Is(err, sdk) {
		t.Errorf("%v does not wrap both ErrAccessDenied and the SDK error", err)
	}
	var ad *AccessDeniedError
	if !errors.As(err, &ad) || ad.Action != "iam:GetPolicy" {
		t.Errorf("errors.As = %+v", ad)
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncd\n\nef")
	tests := []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {4, 2, 2}, {6, 3, 1}, {7, 4, 1}, {8, 4, 2}, {-5, 1, 1}, {100, 4, 3}}
	for _, tt := range tests {
		if l, c := position(data, tt.off); l != tt.line || c != tt.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}
