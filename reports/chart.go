package reports

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	"minsheng/models"
)

// The weekly chart: the three rates of every unit as horizontal bars, drawn
// with the standard image packages. Go ships no font with Chinese glyphs, so
// the text is set in a small bitmap font of digits, capital letters and a
// few signs, and the few Chinese characters of the title and the legend
// come as bitmaps (chart_zh.go, generated from Noto Sans CJK by
// chart_zh_gen.go). Units are labelled with their codes (the message that
// goes with it has the legend code → name).
//
//go:generate go run chart_zh_gen.go

// ChartRow is one unit of the rates chart.
type ChartRow struct {
	// Code labels the row; it is drawn in capitals.
	Code string
	// Rates are the reply, on-time and satisfaction rates, in that order.
	Rates [3]models.Rate
	// Below marks a unit under target: its label is drawn in red with a "!".
	Below bool
}

// Chart is what RatesChart draws.
type Chart struct {
	// Title is drawn at the top: letters (as capitals), digits, - . : / % ( )
	// and the Chinese characters of chart_zh.go.
	Title string
	Rows  []ChartRow
	// Targets are drawn as dashed red lines (fractions, e.g. 0.9).
	Targets []float64
}

// Series names of the chart, as drawn in its legend.
var chartSeries = [3]string{"回复率", "按期率", "满意率"}

// Layout of the chart, in pixels.
const (
	chartWidth   = 960
	chartMargin  = 24
	chartScale   = 2 // text is the 5×7 font at twice its size
	chartTitle   = 3 // the title at three times
	chartBar     = 14
	chartBarGap  = 3
	chartRowPad  = 10
	chartMaxCode = 10 // characters of a unit code shown
	chartValueW  = 84 // room right of a full bar for its value
)

// Palette indexes.
const (
	cWhite = iota
	cText
	cGrid
	cAxis
	cBand
	cNone
	cRed
	cSeries // three series colours from here
)

var chartPalette = color.Palette{
	color.RGBA{0xff, 0xff, 0xff, 0xff}, // background
	color.RGBA{0x33, 0x33, 0x33, 0xff}, // text
	color.RGBA{0xe3, 0xe6, 0xea, 0xff}, // grid
	color.RGBA{0x99, 0x9f, 0xa6, 0xff}, // axis
	color.RGBA{0xf5, 0xf7, 0xfa, 0xff}, // every other row
	color.RGBA{0xc4, 0xc8, 0xcc, 0xff}, // no data
	color.RGBA{0xd9, 0x36, 0x3e, 0xff}, // target, under target
	color.RGBA{0x2f, 0x6f, 0xd6, 0xff}, // reply: blue
	color.RGBA{0x2e, 0xa8, 0x6b, 0xff}, // on time: green
	color.RGBA{0xf0, 0x9a, 0x2a, 0xff}, // satisfied: orange
}

// RatesChart draws c as a paletted image (small as a PNG).
func RatesChart(c Chart) *image.Paletted {
	codeW := chartTextWidth("MMMM", chartScale) // at least room for four characters
	for _, r := range c.Rows {
		if w := chartTextWidth(chartCode(r.Code, r.Below), chartScale); w > codeW {
			codeW = w
		}
	}
	rowH := 3*chartBar + 2*chartBarGap + 2*chartRowPad
	plotX := chartMargin + codeW + 16
	plotW := chartWidth - plotX - chartValueW - chartMargin
	titleH := chartGlyphH * chartTitle
	legendY := chartMargin + titleH + 18
	plotY := legendY + chartGlyphH*chartScale + 30
	n := max(len(c.Rows), 1)
	plotH := n * rowH
	height := plotY + plotH + 12 + chartGlyphH*chartScale + chartMargin

	img := image.NewPaletted(image.Rect(0, 0, chartWidth, height), chartPalette)
	// Title.
	chartText(img, chartMargin, chartMargin, strings.ToUpper(c.Title), chartTitle, cText)
	// Legend: a swatch and a name per series, then the target line.
	x := chartMargin
	for i, name := range chartSeries {
		chartFill(img, x, legendY, x+chartGlyphH*chartScale, legendY+chartGlyphH*chartScale, uint8(cSeries+i))
		x += chartGlyphH*chartScale + 8
		chartText(img, x, legendY, name, chartScale, cText)
		x += chartTextWidth(name, chartScale) + 28
	}
	if len(c.Targets) > 0 {
		mid := legendY + chartGlyphH*chartScale/2
		chartDashH(img, x, x+36, mid-1, cRed)
		chartDashH(img, x, x+36, mid, cRed)
		x += 44
		chartText(img, x, legendY, "目标 "+targetsLabel(c.Targets), chartScale, cText)
	}

	// Grid every 10%, labelled every 20%.
	xAt := func(v float64) int { return plotX + int(v*float64(plotW)+0.5) }
	for i := 0; i <= 10; i++ {
		gx := xAt(float64(i) / 10)
		col := uint8(cGrid)
		if i == 0 {
			col = cAxis
		}
		chartFill(img, gx, plotY-4, gx+1, plotY+plotH, col)
		if i%2 == 0 {
			l := fmt.Sprintf("%d%%", i*10)
			chartText(img, gx-chartTextWidth(l, chartScale)/2, plotY+plotH+12, l, chartScale, cAxis)
		}
	}
	if len(c.Rows) == 0 {
		chartText(img, plotX+12, plotY+rowH/2-chartGlyphH, "无单位", chartScale, cNone)
	}
	// Value labels go on last, on a patch of their row's background, so that
	// a target line never runs through them.
	type label struct {
		x, y int
		s    string
		col  uint8
		bg   uint8
	}
	var labels []label
	for i, r := range c.Rows {
		top := plotY + i*rowH
		bg := uint8(cWhite)
		if i%2 == 1 {
			bg = cBand
			chartFill(img, 0, top, chartWidth, top+rowH, cBand)
			// Keep the grid visible over the band.
			for g := 0; g <= 10; g++ {
				gx := xAt(float64(g) / 10)
				col := uint8(cGrid)
				if g == 0 {
					col = cAxis
				}
				chartFill(img, gx, top, gx+1, top+rowH, col)
			}
		}
		labelCol := uint8(cText)
		if r.Below {
			labelCol = cRed
		}
		code := chartCode(r.Code, r.Below)
		chartText(img, plotX-16-chartTextWidth(code, chartScale), top+rowH/2-chartGlyphH*chartScale/2, code, chartScale, labelCol)
		for s, rate := range r.Rates {
			y := top + chartRowPad + s*(chartBar+chartBarGap)
			if !rate.Defined() {
				chartFill(img, plotX+1, y, plotX+5, y+chartBar, cNone)
				labels = append(labels, label{plotX + 12, y + (chartBar-chartGlyphH*chartScale)/2 + 1, "无数据", cNone, bg})
				continue
			}
			v := min(max(rate.Value(), 0), 1)
			end := xAt(v)
			if end > plotX+1 {
				chartFill(img, plotX+1, y, end, y+chartBar, uint8(cSeries+s))
			}
			labels = append(labels, label{max(end, plotX+1) + 6, y + (chartBar-chartGlyphH*chartScale)/2 + 1,
				strings.TrimSuffix(rate.String(), "%"), cText, bg})
		}
	}
	for _, t := range c.Targets {
		if t <= 0 || t > 1 {
			continue
		}
		tx := xAt(t)
		chartDashV(img, tx-1, plotY-4, plotY+plotH, cRed)
		chartDashV(img, tx, plotY-4, plotY+plotH, cRed)
	}
	for _, l := range labels {
		chartFill(img, l.x-3, l.y-2, l.x+chartTextWidth(l.s, chartScale)+3, l.y+chartGlyphH*chartScale+2, l.bg)
		chartText(img, l.x, l.y, l.s, chartScale, l.col)
	}
	return img
}

// targetsLabel lists the targets as percentages: "90%" or "90% / 85%".
func targetsLabel(ts []float64) string {
	var parts []string
	seen := map[string]bool{}
	for _, t := range ts {
		p := fmtTarget(t)
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " / ")
}

// chartCode is a row's label: the code in capitals, cut, with "!" if below.
func chartCode(code string, below bool) string {
	c := strings.ToUpper(code)
	if r := []rune(c); len(r) > chartMaxCode {
		c = string(r[:chartMaxCode-1]) + "."
	}
	if below {
		c = "!" + c
	}
	return c
}

// EncodePNG encodes img as a compressed PNG.
func EncodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return b.Bytes(), nil
}

func chartFill(img *image.Paletted, x0, y0, x1, y1 int, c uint8) {
	r := image.Rect(x0, y0, x1, y1).Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = c
		}
	}
}

func chartDashV(img *image.Paletted, x, y0, y1 int, c uint8) {
	for y := y0; y < y1; y += 10 {
		chartFill(img, x, y, x+1, min(y+6, y1), c)
	}
}

func chartDashH(img *image.Paletted, x0, x1, y int, c uint8) {
	for x := x0; x < x1; x += 10 {
		chartFill(img, x, y, min(x+6, x1), y+1, c)
	}
}

// The bitmap font: 5×7 glyphs, one column of space between characters.
const (
	chartGlyphW = 5
	chartGlyphH = 7
)

// chartTextWidth is the width of s drawn at scale.
func chartTextWidth(s string, scale int) int {
	w := 0
	for _, r := range strings.ToUpper(s) {
		w += chartAdvance(r, scale)
	}
	return max(w-scale, 0)
}

// chartHan is the bitmap of a Chinese character at scale (drawn 1:1), if
// chart_zh.go has it.
func chartHan(r rune, scale int) ([]string, bool) {
	g, ok := chartHanzi[chartGlyphH*scale][r]
	return g, ok
}

// chartAdvance is how far the pen moves after r at scale.
func chartAdvance(r rune, scale int) int {
	if g, ok := chartHan(r, scale); ok {
		return len(g[0]) + scale
	}
	return (chartGlyphW + 1) * scale
}

// chartText draws s with its top left corner at (x, y); letters are drawn as
// capitals and characters without a glyph as "?".
func chartText(img *image.Paletted, x, y int, s string, scale int, c uint8) {
	for _, r := range strings.ToUpper(s) {
		if g, ok := chartHan(r, scale); ok {
			for gy, line := range g {
				for gx, px := range line {
					if px == '#' {
						chartFill(img, x+gx, y+gy, x+gx+1, y+gy+1, c)
					}
				}
			}
			x += chartAdvance(r, scale)
			continue
		}
		g, ok := chartFont[r]
		if !ok {
			g = chartFont['?']
		}
		for gy, line := range g {
			for gx, px := range line {
				if px == '#' {
					chartFill(img, x+gx*scale, y+gy*scale, x+(gx+1)*scale, y+(gy+1)*scale, c)
				}
			}
		}
		x += chartAdvance(r, scale)
	}
}

var chartFont = map[rune][chartGlyphH]string{
	' ': {".....", ".....", ".....", ".....", ".....", ".....", "....."},
	'0': {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
	'1': {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},
	'2': {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},
	'3': {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."},
	'4': {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},
	'5': {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
	'6': {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},
	'7': {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},
	'8': {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
	'9': {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},
	'A': {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
	'B': {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."},
	'C': {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."},
	'D': {"###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."},
	'E': {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
	'F': {"#####", "#....", "#....", "####.", "#....", "#....", "#...."},
	'G': {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"},
	'H': {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
	'I': {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."},
	'J': {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."},
	'K': {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"},
	'L': {"#....", "#....", "#....", "#....", "#....", "#....", "#####"},
	'M': {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"},
	'N': {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"},
	'O': {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
	'P': {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},
	'Q': {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"},
	'R': {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"},
	'S': {".####", "#....", "#....", ".###.", "....#", "....#", "####."},
	'T': {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
	'U': {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
	'V': {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."},
	'W': {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."},
	'X': {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"},
	'Y': {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."},
	'Z': {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"},
	'%': {"##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"},
	'-': {".....", ".....", ".....", "#####", ".....", ".....", "....."},
	'_': {".....", ".....", ".....", ".....", ".....", ".....", "#####"},
	'.': {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."},
	':': {".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."},
	'/': {".....", "....#", "...#.", "..#..", ".#...", "#....", "....."},
	'(': {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."},
	')': {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."},
	'=': {".....", ".....", "#####", ".....", "#####", ".....", "....."},
	'!': {"..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."},
	'?': {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."},
}
