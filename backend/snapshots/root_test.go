package snapshots

import (
	"errors"
	"testing"

	"borgdesk/backend/fault"
)

func TestRoot(t *testing.T) {
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
		got, err := Root(tc.in)
		if got != tc.want || (err != nil) != tc.err || (err != nil && !errors.Is(err, fault.ErrInvalid)) {
			t.Errorf("Root(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}
