package service

import (
	"errors"
	"testing"
)

func TestFlxRoot(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{"", "", false},
		{"/", "", false},
		{" /srv/pbx-test/ ", "/srv/pbx-test", false},
		{"/srv/../srv/x", "/srv/x", false},
		{"srv/x", "", true},
	} {
		got, err := flxRoot(tc.in)
		if got != tc.want || (err != nil) != tc.err || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("flxRoot(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}
