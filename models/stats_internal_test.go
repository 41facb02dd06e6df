package models

import (
	"reflect"
	"testing"
)

// TestUnitFiguresAdd checks that add sums every figure of UnitFigures, so
// that a new figure, filled by its column in a query of Stats, reaches the
// unit and the total; the names and the id are left alone.
func TestUnitFiguresAdd(t *testing.T) {
	var f, g UnitFigures
	fv, gv := reflect.ValueOf(&f).Elem(), reflect.ValueOf(&g).Elem()
	for i := 0; i < gv.NumField(); i++ {
		if gv.Field(i).Kind() == reflect.Int64 {
			fv.Field(i).SetInt(int64(i + 1))
			gv.Field(i).SetInt(100)
		}
	}
	g.DepartmentID, g.Code, g.Name = 7, "cg", "县城市管理局"
	f.add(g)
	for i := 0; i < fv.NumField(); i++ {
		name := fv.Type().Field(i).Name
		if fv.Field(i).Kind() == reflect.Int64 {
			if got, want := fv.Field(i).Int(), int64(i+1+100); got != want {
				t.Errorf("after add, %s = %d; want %d (add forgets the figure)", name, got, want)
			}
		}
	}
	if f.DepartmentID != 0 || f.Code != "" || f.Name != "" {
		t.Errorf("add copied the unit %d %q %q; want names and id left alone", f.DepartmentID, f.Code, f.Name)
	}
}
