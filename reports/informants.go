package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"minsheng/models"
)

// informantSectionMax caps the weekly summary's section on the information
// officers, so that it fits one group message beside the other notes; the
// units left out are counted.
const informantSectionMax = 1500

// informantSection is the weekly summary's lines on the information
// officers' weekly duty (舆情信息员) in week: the totals, then one line per
// unit with each officer's 舆情 and 报平安, the units with officers who
// filed nothing first. Empty when the deployment has no officers.
// Officers are named: they are officials reporting as part of their job,
// not citizens.
func (w *Weekly) informantSection(ctx context.Context, week models.Period) (string, error) {
	fs, err := w.Store.InformantDuty(ctx, week)
	if err != nil || len(fs) == 0 {
		return "", err
	}
	type unit struct {
		name                    string
		reports, safe, officers int64
		silent                  int
		who                     []string
	}
	var units []*unit
	byName := map[string]*unit{}
	var total unit
	for _, f := range fs {
		name := f.Unit
		if name == "" {
			name = "（未填单位）"
		}
		u := byName[name]
		if u == nil {
			u = &unit{name: name}
			byName[name] = u
			units = append(units, u)
		}
		var did []string
		if f.Reports > 0 {
			did = append(did, fmt.Sprintf("舆情%d", f.Reports))
		}
		if f.Safe > 0 {
			did = append(did, fmt.Sprintf("报平安%d", f.Safe))
		}
		if f.Silent() {
			did = append(did, "未报送")
			u.silent++
			total.silent++
		}
		u.who = append(u.who, f.Name+" "+strings.Join(did, "、"))
		u.reports, u.safe, u.officers = u.reports+f.Reports, u.safe+f.Safe, u.officers+1
		total.reports, total.safe, total.officers = total.reports+f.Reports, total.safe+f.Safe, total.officers+1
	}
	// The units with silent officers first, most silent first.
	sort.SliceStable(units, func(i, j int) bool { return units[i].silent > units[j].silent })

	var b strings.Builder
	fmt.Fprintf(&b, "\n**信息员报送**：信息员 %d 名，报送舆情 %d 条，报平安 %d 次，未报送 %d 名。\n",
		total.officers, total.reports, total.safe, total.silent)
	for i, u := range units {
		line := fmt.Sprintf("- %s：舆情 %d 条，报平安 %d 次，未报送 %d 名（%s）\n", u.name, u.reports, u.safe, u.silent, strings.Join(u.who, "，"))
		if b.Len()+len(line) > informantSectionMax {
			fmt.Fprintf(&b, "- 另有 %d 个单位未列出。\n", len(units)-i)
			break
		}
		b.WriteString(line)
	}
	return b.String(), nil
}
