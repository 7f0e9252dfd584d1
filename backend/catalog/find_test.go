package catalog

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestFindPlainWordMatchesPartOfNames(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	_, err := c.Index(ctx, Meta{Server: "s1", Name: "a1", Time: time.Unix(1000, 0)}, items(
		dir("etc/nginx"), file("etc/nginx/nginx.conf", 120), file("etc/nginx/mime.types", 5),
		file("home/u/Nginx-Old.conf", 7), file("home/u/notes.txt", 1), file("srv/a_b%c", 2)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, pattern string
		want          []string
	}{
		{"a word finds names containing it, any case", "nginx", []string{"etc/nginx", "etc/nginx/nginx.conf", "home/u/Nginx-Old.conf"}},
		{"upper case finds lower case", "NGINX.CONF", []string{"etc/nginx/nginx.conf"}},
		{"the middle of a name", "ime.ty", []string{"etc/nginx/mime.types"}},
		{"an exact name still matches", "notes.txt", []string{"home/u/notes.txt"}},
		{"LIKE characters are literal", "a_b%", []string{"srv/a_b%c"}},
		{"_ is not a wildcard", "a%b", nil},
		{"a glob stays a glob on the whole name", "*.conf", []string{"etc/nginx/nginx.conf", "home/u/Nginx-Old.conf"}},
		{"a glob is case-sensitive and anchored", "nginx*", []string{"etc/nginx", "etc/nginx/nginx.conf"}},
		{"a path without glob names the file exactly", "nginx/nginx.conf", []string{"etc/nginx/nginx.conf"}},
		{"a path does not match part of a name", "nginx/nginx.co", nil},
		{"nothing", "zzz", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := c.Find(ctx, tc.pattern, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Path)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("Find(%q) = %q; want %q", tc.pattern, got, tc.want)
			}
		})
	}
}

func TestFindLimitKeepsClosestNames(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	_, err := c.Index(ctx, Meta{Server: "s1", Name: "a1", Time: time.Unix(1000, 0)}, items(
		file("a/conf-backup-long", 1), file("a/my.conf.d", 1), file("a/conf", 1), file("a/Conf", 1)))
	if err != nil {
		t.Fatal(err)
	}
	hits, err := c.Find(ctx, "conf", "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].Path != "a/Conf" || hits[1].Path != "a/conf" {
		t.Fatalf("Find(conf, limit 2) = %+v; want a/Conf and a/conf (the exact names)", hits)
	}
}
