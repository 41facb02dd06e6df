package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalRouting(t *testing.T) {
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("id,title,received_at,detail,category\n")
	rows := [][3]string{
		{"路灯不亮", "幸福路路灯坏了", "城乡建设"}, {"拖欠工资", "公司拖欠工资三个月", "劳动和社会保障"},
		{"路灯坏了", "解放路路灯晚上不亮", "城乡建设"}, {"工资没发", "老板不发工资", "劳动和社会保障"},
		{"路灯", "路灯一直不亮", "城乡建设"}, {"欠薪", "工资拖欠半年", "劳动和社会保障"},
	}
	for i, r := range rows {
		csv.WriteString(strings.Join([]string{"1", r[0], "2026/1/" + string(rune('1'+i)) + " 10:00:00", r[1], r[2]}, ",") + "\n")
	}
	path := filepath.Join(dir, "labelled.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := evalRouting(context.Background(), &env{stdout: &out, cmd: command{name: "eval-routing"}}, []string{"-folds", "3", "-block", "2", path}); err != nil {
		t.Fatalf("eval-routing: %v", err)
	}
	for _, want := range []string{"6 reports, 2 units", "replay in the order received", "top-1", "learning curve", "3-fold cross-validation", "城乡建设"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", nil, "name one CSV file"},
		{"missing file", []string{filepath.Join(dir, "nope.csv")}, "nope.csv"},
		{"bad taxonomy", []string{"-taxonomy", path, path}, "taxonomy"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := evalRouting(context.Background(), &env{stdout: &out, cmd: command{name: "eval-routing"}}, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("eval-routing %v = %v; want an error naming %q", tt.args, err, tt.want)
			}
		})
	}
}
