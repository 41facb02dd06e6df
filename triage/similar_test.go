package triage

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

func TestPlaces(t *testing.T) {
	tests := []struct {
		text string
		want []string // Name/Key
	}{
		{"A3区潇楚南路洋湖段路面塌陷", []string{"A3区/a3区", "潇楚南路/潇楚南路", "洋湖段/洋湖段"}},
		{"洋湖段的潇楚南路有个大坑", []string{"洋湖段/洋湖段", "潇楚南路/潇楚南路"}},
		{"我们小区楼下潇楚南路口的井盖坏了", []string{"潇楚南路/潇楚南路"}},
		{"请管一下潇楚南路的大坑", []string{"潇楚南路/潇楚南路"}},
		{"A5区劳动东路魅力之城小区临街门面", []string{"A5区/a5区", "劳动东路/劳动东路", "魅力之城小区/魅力之城"}},
		{"万科魅力之城小区底层门店深夜经营", []string{"万科魅力之城小区/万科魅力之城"}},
		{"K3县的乡村卫生室", []string{"K3县/k3县"}}, // 乡村 is no village
		{"幸福小区东门的路灯坏了一周", []string{"幸福小区/幸福"}},
		{"张家村村民反映村口垃圾成堆", []string{"张家村/张家村"}},
		{"解放路的路灯不亮了", []string{"解放路/解放路"}},
		{"马路上有个坑", nil},
		{"本小区的油烟", nil},
		{"华联超市门口占道经营", []string{"华联超市/华联超市"}},
		{"ＡＢ区全角", []string{"AB区/ab区"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			for _, p := range Places(tt.text) {
				got = append(got, p.Name+"/"+p.Key)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Places(%q) = %v; want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"潇楚南路洋湖段路面塌陷", []string{"路面破损"}},
		{"洋湖段的潇楚南路有个大坑", []string{"路面破损"}},
		{"潇楚南路的路灯不亮了", []string{"路灯"}},
		{"楼下烧烤店油烟直排，半夜还吵闹", []string{"噪音", "油烟"}},
		{"请问什么时候发工资", nil},
	}
	for _, tt := range tests {
		if got := Problems(tt.text); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Problems(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name    string
		a, b    string
		similar bool
		place   string
		problem string
	}{
		{"same road, other words", "A3区潇楚南路洋湖段路面塌陷，车辆经过很危险", "洋湖段的潇楚南路有个大坑，请尽快修补", true, "潇楚南路", "路面破损"},
		{"same road, a pothole in other words", "潇楚南路坑坑洼洼，下雨天全是积水坑", "潇楚南路洋湖段路面破损严重", true, "潇楚南路", "路面破损"},
		{"same road, another problem", "潇楚南路的路灯不亮了", "潇楚南路洋湖段路面塌陷", false, "潇楚南路", ""},
		{"same problem, another road", "解放路路面塌陷", "潇楚南路路面塌陷", false, "", "路面破损"},
		{"same segment name on another road", "学士路洋湖段路面塌陷", "潇楚南路洋湖段路面塌陷", false, "", "路面破损"},
		{"a community under a developer's name", "万科魅力之城小区底层餐馆油烟扰民", "魅力之城小区楼下烧烤油烟直排", true, "万科魅力之城小区", "油烟"},
		{"same road in another district", "A3区解放路路面塌陷", "A5区解放路路面塌陷", false, "解放路", "路面破损"},
		{"no place at all", "路面塌陷很危险", "路面塌陷很危险", false, "", "路面破损"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Compare(NewProfile(tt.a), NewProfile(tt.b))
			if m.Similar() != tt.similar || m.Problem != tt.problem || (tt.place != "" && m.Place != tt.place) {
				t.Errorf("Compare(%q, %q) = %+v (similar %v); want similar %v, place %q, problem %q",
					tt.a, tt.b, m, m.Similar(), tt.similar, tt.place, tt.problem)
			}
			if r := Compare(NewProfile(tt.b), NewProfile(tt.a)); r.Similar() != m.Similar() {
				t.Errorf("Compare is not symmetric: %v one way, %v the other", m.Similar(), r.Similar())
			}
		})
	}
}

func TestKeysFindTheShortName(t *testing.T) {
	long := NewProfile("万科魅力之城小区底层门店深夜经营").Keys()
	short := NewProfile("魅力之城小区油烟扰民").Keys()
	if !slices.Contains(long, "魅力之城") || !slices.Contains(short, "魅力之城") {
		t.Errorf("Keys = %v and %v; want both to hold 魅力之城", long, short)
	}
	if k := NewProfile("A3区潇楚南路洋湖段").Keys(); strings.Join(k, " ") != "潇楚南路 洋湖段" {
		t.Errorf("Keys = %v; want the road and the segment, not the district", k)
	}
}

func TestLabel(t *testing.T) {
	var ps []Profile
	for _, s := range []string{"A3区潇楚南路洋湖段路面塌陷", "洋湖段的潇楚南路有个大坑", "潇楚南路坑洼，车胎都扎破了"} {
		ps = append(ps, NewProfile(s))
	}
	if place, problem := Label(ps); place != "潇楚南路" || problem != "路面破损" {
		t.Errorf("Label = %q, %q; want 潇楚南路, 路面破损", place, problem)
	}
}

// On real messages of a 问政 platform (hot-sample.csv), the two groups of
// messages about one place and one problem — the cooking fumes and noise of
// the shops under 魅力之城小区, and the internships 经济学院 forces on its
// students — are each held together by Similar, and nothing else is
// similar to anything.
func TestSimilarOnRealMessages(t *testing.T) {
	recs, err := csv.NewReader(sharedData(t, "hot-sample.csv")).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, need := range []string{"id", "title", "detail"} {
		if _, ok := col[need]; !ok {
			t.Fatalf("hot-sample.csv has no column %q: %v", need, recs[0])
		}
	}
	groups := map[string]string{}
	for _, id := range []string{"360100", "360101", "360102", "360103", "360104", "360105", "360106", "360107", "360108", "360109"} {
		groups[id] = "魅力之城"
	}
	for _, id := range []string{"360110", "360111", "360112", "360113", "360114"} {
		groups[id] = "经济学院"
	}
	var ids []string
	var ps []Profile
	for _, r := range recs[1:] {
		ids = append(ids, r[col["id"]])
		ps = append(ps, NewProfile(r[col["title"]]+"。"+r[col["detail"]]))
	}
	// Union-find over the similar pairs.
	parent := make([]int, len(ids))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	pairs, found := 0, 0
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			same := groups[ids[i]] != "" && groups[ids[i]] == groups[ids[j]]
			m := Compare(ps[i], ps[j])
			if same {
				pairs++
			}
			switch {
			case m.Similar() && !same:
				t.Errorf("%s and %s are taken as similar (%+v); they are about different things", ids[i], ids[j], m)
			case m.Similar():
				found++
				parent[find(i)] = find(j)
			}
		}
	}
	t.Logf("similar pairs found: %d of %d within the groups", found, pairs)
	for g := range map[string]bool{"魅力之城": true, "经济学院": true} {
		root := -1
		for i, id := range ids {
			if groups[id] != g {
				continue
			}
			if root < 0 {
				root = find(i)
			} else if find(i) != root {
				t.Errorf("%s is not linked to the rest of the %s messages", id, g)
			}
		}
	}
	var members []Profile
	for i, id := range ids {
		if groups[id] == "魅力之城" {
			members = append(members, ps[i])
		}
	}
	if place, problem := Label(members); !strings.Contains(place, "魅力之城") || problem != "油烟" {
		t.Errorf("Label of the 魅力之城 messages = %q, %q; want the community and 油烟", place, problem)
	}
}

func FuzzNewProfile(f *testing.F) {
	for _, s := range []string{"A3区潇楚南路洋湖段路面塌陷", "洋湖段的潇楚南路", "", "区", "小区小区小区", "路路路路", "\xff\xfe路"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NewProfile(s)
		for _, pl := range p.Places {
			if pl.Name == "" || pl.Key == "" || !strings.Contains(strings.Map(halfWidth, s), pl.Name) {
				t.Errorf("Places(%q) has %+v: not a part of the text", s, pl)
			}
		}
		if m := Compare(p, p); m.Score < 0 || m.Score > 1.0000001 {
			t.Errorf("Compare(p, p).Score = %v; want 0..1", m.Score)
		}
		q, err := DecodeProfile(p.Encode())
		if err != nil {
			t.Fatalf("DecodeProfile(Encode(NewProfile(%q))): %v", s, err)
		}
		if q.Encode() != p.Encode() || Compare(q, p) != Compare(p, p) {
			t.Errorf("the stored profile of %q differs: %q, %+v; want %q, %+v", s, q.Encode(), Compare(q, p), p.Encode(), Compare(p, p))
		}
	})
}
