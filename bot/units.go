package bot

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"minsheng/models"
)

// findUnit resolves what a dispatcher typed for a unit: its code, its name,
// one of its everyday short names (Settings.UnitAliases: 城管, 住建 …) or a
// part of its name that fits one unit only. When nothing fits, notFound is
// the sentence to answer with: it names what was typed (as role, e.g.
// "协办单位") and lists the valid units.
func (b *Bot) findUnit(tx *models.Tx, typed, role string) (d *models.Department, notFound string, err error) {
	name := strings.TrimSpace(typed)
	if code, ok := b.Settings.UnitAliases[name]; ok {
		name = code
	}
	d, err = tx.FindDepartment(name)
	if !errors.Is(err, models.ErrNotFound) {
		return d, "", err
	}
	units, err := tx.ActiveDepartments()
	if err != nil {
		return nil, "", err
	}
	return nil, fmt.Sprintf("找不到%s“%s”。可用的单位：%s。", role, typed, b.unitList(units)), nil
}

// shortName is the shortest of a unit's everyday short names, "" without
// one.
func (b *Bot) shortName(code string) string {
	best := ""
	for a, c := range b.Settings.UnitAliases {
		if c == code && (best == "" || len([]rune(a)) < len([]rune(best)) || (len([]rune(a)) == len([]rune(best)) && a < best)) {
			best = a
		}
	}
	return best
}

// unitList names every unit with what a dispatcher may type for it:
// 县城市管理局（城管、cg）.
func (b *Bot) unitList(units []models.Department) string {
	aliases := map[string][]string{}
	for a, code := range b.Settings.UnitAliases {
		aliases[code] = append(aliases[code], a)
	}
	var parts []string
	for _, u := range units {
		short := aliases[u.Code]
		slices.Sort(short)
		parts = append(parts, fmt.Sprintf("%s（%s）", u.Name, strings.Join(append(short, u.Code), "、")))
	}
	return strings.Join(parts, "；")
}
