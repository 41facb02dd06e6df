package jsonq

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestStr(t *testing.T) {
	d := json.NewDecoder(bytes.NewReader([]byte(`{"a":"x","n":1000002,"o":{"b":"y","c":[1]},"t":true}`)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path []string
		want string
	}{
		{[]string{"a"}, "x"},
		{[]string{"n"}, "1000002"},
		{[]string{"o", "b"}, "y"},
		{[]string{"o", "c"}, ""},
		{[]string{"t"}, ""},
		{[]string{"a", "b"}, ""},
		{[]string{"missing"}, ""},
	} {
		if got := Str(m, tc.path...); got != tc.want {
			t.Errorf("Str(%v) = %q; want %q", tc.path, got, tc.want)
		}
	}
}
