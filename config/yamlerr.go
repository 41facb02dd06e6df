package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The YAML decoder reports problems in Go's words ("field timezon not found
// in type config.Config", "cannot unmarshal !!str `abc` into int"). An
// operator editing config.yaml needs the key as written in the file, its
// line, what was expected and, for a misspelt key, the nearest valid one.

var (
	reUnknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	reWrongType    = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")
	reSyntax       = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// explainYAML rewrites a decoding error of src in an operator's words, one
// problem per clause, joined with "; ".
func explainYAML(src []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if m := reSyntax.FindStringSubmatch(err.Error()); m != nil {
			return fmt.Errorf("line %s: not valid YAML: %s", m[1], m[2])
		}
		return fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var root yaml.Node
	_ = yaml.Unmarshal(src, &root) // the same bytes decoded once already
	var out []string
	for _, e := range te.Errors {
		out = append(out, explainOne(&root, e))
	}
	return errors.New(strings.Join(out, "; "))
}

func explainOne(root *yaml.Node, e string) string {
	if m := reUnknownField.FindStringSubmatch(e); m != nil {
		line, _ := strconv.Atoi(m[1])
		key := m[2]
		path := keyPath(root, line, key)
		if path == "" {
			path = key
		}
		msg := fmt.Sprintf("line %d: %s is not a setting", line, path)
		valid := yamlKeys(m[3])
		if near := nearest(key, valid); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", strings.TrimSuffix(path, key)+near)
		} else if len(valid) > 0 && len(valid) <= 12 {
			msg += " (valid here: " + strings.Join(valid, ", ") + ")"
		}
		return msg
	}
	if m := reWrongType.FindStringSubmatch(e); m != nil {
		line, _ := strconv.Atoi(m[1])
		where := valuePath(root, line)
		if where == "" {
			where = "the value"
		}
		return fmt.Sprintf("line %d: %s is %q, %s", line, where, m[3], wantedType(m[4]))
	}
	return strings.TrimSpace(e)
}

// wantedType says in words what a Go type of the config expects.
func wantedType(goType string) string {
	switch goType {
	case "int", "int64", "int32", "uint", "uint64":
		return "want a whole number"
	case "float64", "float32":
		return "want a number"
	case "bool":
		return "want true or false"
	case "string":
		return "want text"
	}
	if strings.HasPrefix(goType, "[]") {
		return "want a list"
	}
	if strings.HasPrefix(goType, "map[") {
		return "want keys and values"
	}
	if t := findType(goType); t != nil && t.Kind() == reflect.Struct {
		return "want a section of settings (key: value lines indented under it)"
	}
	return "want a value of another kind"
}

// keyPath returns the dotted path of the mapping key named key on line.
func keyPath(n *yaml.Node, line int, key string) string {
	return findSetting(n, func(k, _ *yaml.Node) bool { return k != nil && k.Line == line && k.Value == key })
}

// valuePath returns the path of the setting whose value starts on line.
func valuePath(n *yaml.Node, line int) string {
	return findSetting(n, func(k, v *yaml.Node) bool { return v.Line == line && (k != nil || v.Kind == yaml.ScalarNode) })
}

// findSetting walks the document depth first, the settings inside a
// section before the section itself, and returns the path (a.b[2].c) of the
// first setting match accepts: a mapping's key and value, or a list item
// (key nil); "" when none does.
func findSetting(n *yaml.Node, match func(key, value *yaml.Node) bool) string {
	var walk func(n *yaml.Node, prefix string) string
	walk = func(n *yaml.Node, prefix string) string {
		visit := func(k, v *yaml.Node, p string) string {
			if r := walk(v, p); r != "" {
				return r
			}
			if match(k, v) {
				return p
			}
			return ""
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if p := walk(c, prefix); p != "" {
					return p
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if r := visit(n.Content[i], n.Content[i+1], join(prefix, n.Content[i].Value)); r != "" {
					return r
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if r := visit(nil, c, fmt.Sprintf("%s[%d]", prefix, i)); r != "" {
					return r
				}
			}
		}
		return ""
	}
	return walk(n, "")
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// findType finds the struct type of the config tree that Go names name
// (e.g. "config.Server").
func findType(name string) reflect.Type {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type) reflect.Type
	walk = func(t reflect.Type) reflect.Type {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return nil
		}
		seen[t] = true
		if t.String() == name {
			return t
		}
		for i := range t.NumField() {
			if r := walk(t.Field(i).Type); r != nil {
				return r
			}
		}
		return nil
	}
	return walk(reflect.TypeOf(Config{}))
}

// yamlKeys lists the keys a section of the type named name accepts.
func yamlKeys(name string) []string {
	t := findType(name)
	if t == nil {
		return nil
	}
	var keys []string
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			k, opts, _ := strings.Cut(tag, ",")
			if k == "-" || !f.IsExported() {
				continue
			}
			if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
				add(f.Type)
				continue
			}
			if k == "" {
				k = strings.ToLower(f.Name)
			}
			keys = append(keys, k)
		}
	}
	add(t)
	slices.Sort(keys)
	return keys
}

// nearest returns the valid key closest to key by edit distance, if it is
// close enough to be a slip of the keyboard.
func nearest(key string, valid []string) string {
	best, bestD := "", 0
	for _, v := range valid {
		d := editDistance(key, v)
		if best == "" || d < bestD {
			best, bestD = v, d
		}
	}
	if best == "" || bestD > max(1, len([]rune(key))/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
