package service

import (
	"encoding/json"
	"reflect"
	"testing"

	"borgdesk/backend/archives"
)

// The service's FileComparison is the archives room's, copied field by
// field: a field the room adds must reach the window too.
func TestFileComparisonCopiesEveryField(t *testing.T) {
	var c archives.FileComparison
	fill(t, reflect.ValueOf(&c).Elem())
	want, _ := json.Marshal(c)
	got, _ := json.Marshal(fileComparison(c))
	if string(got) != string(want) {
		t.Errorf("fileComparison = %s\nwant            %s", got, want)
	}
	if n, m := reflect.TypeOf(FileComparison{}).NumField(), reflect.TypeOf(c).NumField(); n != m {
		t.Errorf("service.FileComparison has %d fields, archives.FileComparison %d", n, m)
	}
}

// fill sets every field of v to a value that is not its zero.
func fill(t *testing.T, v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Struct:
			fill(t, f)
		default:
			t.Fatalf("fill: field %s is a %s; teach fill about it", v.Type().Field(i).Name, f.Kind())
		}
	}
}
