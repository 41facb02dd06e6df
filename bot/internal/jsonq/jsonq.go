// Package jsonq reads fields of the JSON objects the platform fakes receive,
// decoded into maps with their numbers kept as json.Number.
package jsonq

import "encoding/json"

// Str returns the string at path in m: a string as it is, a number as
// written, "" for anything else or a missing step.
func Str(m map[string]any, path ...string) string {
	var v any = m
	for _, k := range path {
		mm, isMap := v.(map[string]any)
		if !isMap {
			return ""
		}
		v = mm[k]
	}
	switch s := v.(type) {
	case string:
		return s
	case json.Number:
		return s.String()
	}
	return ""
}
