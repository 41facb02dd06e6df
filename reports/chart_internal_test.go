package reports

import (
	"strings"
	"testing"
)

// TestChartTextHasGlyphs: every character the weekly chart writes (its
// title, legend and labels, all in Chinese) has a glyph at its size; none
// is drawn as "?".
func TestChartTextHasGlyphs(t *testing.T) {
	texts := map[int][]string{
		chartTitle: {"2026年第47周  各单位回复率、按期率、满意率（%）"},
		chartScale: append(chartSeries[:], "目标 90% / 85%", "无数据", "无单位", "!CG", "100.0", "0%"),
	}
	for scale, ss := range texts {
		for _, s := range ss {
			for _, r := range strings.ToUpper(s) {
				if _, ok := chartHan(r, scale); ok {
					continue
				}
				if _, ok := chartFont[r]; !ok {
					t.Errorf("%q at scale %d: no glyph for %q", s, scale, r)
				}
			}
		}
	}
	for _, s := range chartSeries {
		for _, r := range s {
			if r < 0x4e00 {
				t.Errorf("chart legend %q is not in Chinese", s)
			}
		}
	}
}
