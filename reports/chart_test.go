package reports_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"minsheng/models"
	"minsheng/reports"
)

func rates(a, b, c models.Rate) [3]models.Rate { return [3]models.Rate{a, b, c} }

func TestRatesChart(t *testing.T) {
	tests := []struct {
		name       string
		rows       []reports.ChartRow
		wantHeight int
	}{
		{"NoUnits", nil, 225},
		{"OneUnit", []reports.ChartRow{{Code: "cg", Rates: rates(models.Rate{Num: 9, Den: 10}, models.Rate{Num: 8, Den: 9}, models.Rate{})}}, 225},
		{"ThirtyUnits", make([]reports.ChartRow, 30), 225 + 29*68},
		{"LongCode", []reports.ChartRow{{Code: "a-very-long-unit-code_32", Below: true}}, 225},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := reports.EncodePNG(reports.RatesChart(reports.Chart{Title: "2026-W47", Rows: tt.rows, Targets: []float64{0.9}}))
			if err != nil {
				t.Fatalf("EncodePNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("the chart is not a PNG: %v", err)
			}
			if got := img.Bounds(); got.Dx() != 960 || got.Dy() != tt.wantHeight {
				t.Errorf("chart is %dx%d; want 960x%d", got.Dx(), got.Dy(), tt.wantHeight)
			}
			if len(b) > 200<<10 {
				t.Errorf("chart PNG is %d bytes; want well under WeCom's 2 MB", len(b))
			}
		})
	}
}

// TestWeeklyChartPicture writes the chart of a typical week to
// testdata/weekly-chart.png, for people to look at.
func TestWeeklyChartPicture(t *testing.T) {
	c := reports.Chart{Title: "2026年第47周  各单位回复率、按期率、满意率（%）", Targets: []float64{0.9}, Rows: []reports.ChartRow{
		{Code: "cg", Rates: rates(models.Rate{Num: 9, Den: 10}, models.Rate{Num: 8, Den: 9}, models.Rate{Num: 5, Den: 6}), Below: true},
		{Code: "hb", Rates: rates(models.Rate{}, models.Rate{}, models.Rate{})},
		{Code: "zj", Rates: rates(models.Rate{Num: 4, Den: 4}, models.Rate{Num: 4, Den: 4}, models.Rate{})},
		{Code: "jt", Rates: rates(models.Rate{Num: 7, Den: 10}, models.Rate{Num: 5, Den: 7}, models.Rate{Num: 6, Den: 7}), Below: true},
		{Code: "sl", Rates: rates(models.Rate{Num: 19, Den: 20}, models.Rate{Num: 0, Den: 19}, models.Rate{Num: 19, Den: 19})},
	}}
	b, err := reports.EncodePNG(reports.RatesChart(c))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "weekly-chart.png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
