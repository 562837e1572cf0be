package demo

import (
	"strings"

	"finzone"
)

// clusterSpec is a real county characteristic industry: the county, the
// leading GB/T 4754 division and the cluster's name.
type clusterSpec struct {
	county, industry, name, nameEN string
}

// clusterSpecs are drawn from northern Anhui (wanbei), the Dabie Mountain
// area and the south, so reports show every grouping.
var clusterSpecs = []clusterSpec{
	{"341221", "C13", "临泉县农副产品加工产业集群", "Linquan agricultural product processing cluster"},
	{"341282", "C42", "界首市再生资源循环利用产业集群", "Jieshou recycled resources cluster"},
	{"341222", "C27", "太和县医药产业集群", "Taihe pharmaceutical cluster"},
	{"341321", "C13", "砀山县水果加工产业集群", "Dangshan fruit processing cluster"},
	{"341126", "C30", "凤阳县硅基新材料产业集群", "Fengyang silicon-based materials cluster"},
	{"341125", "C26", "定远县盐化工产业集群", "Dingyuan salt chemical cluster"},
	{"341522", "C31", "霍邱县铁基新材料产业集群", "Huoqiu iron-based materials cluster"},
	{"341524", "C15", "金寨县茶产业集群", "Jinzhai tea cluster"},
	{"340828", "C15", "岳西县茶叶加工产业集群", "Yuexi tea processing cluster"},
	{"341881", "C36", "宁国市汽车零部件产业集群", "Ningguo auto parts cluster"},
	{"341181", "C40", "天长市仪器仪表产业集群", "Tianchang instruments cluster"},
	{"340281", "C38", "无为市电线电缆产业集群", "Wuwei wire and cable cluster"},
	{"341882", "C39", "广德市电子电路产业集群", "Guangde electronic circuits cluster"},
	{"340881", "C29", "桐城市塑料包装产业集群", "Tongcheng plastic packaging cluster"},
	{"341622", "C17", "蒙城县纺织产业集群", "Mengcheng textile cluster"},
	{"341525", "C27", "霍山县中药材精深加工产业集群", "Huoshan herbal medicine processing cluster"},
}

// GenerateClusters returns the first n of the built-in real clusters (at most
// 16).
func GenerateClusters(n int) []finzone.Cluster {
	n = min(n, len(clusterSpecs))
	out := make([]finzone.Cluster, n)
	for i := range out {
		s := clusterSpecs[i]
		out[i] = finzone.Cluster{ID: ClusterID(i), Name: s.name, NameEN: s.nameEN, CountyCode: s.county, LeadingIndustry: s.industry}
	}
	return out
}

// shortPlace drops the administrative suffix: 临泉县 → 临泉, 阜阳市 → 阜阳.
func shortPlace(name string) string {
	for _, suf := range []string{"县", "市", "区"} {
		if s, ok := strings.CutSuffix(name, suf); ok && len([]rune(s)) >= 2 {
			return s
		}
	}
	return name
}

func regionName(code string) string {
	r, ok := finzone.LookupRegion(code)
	if !ok {
		panic("demo: unknown region " + code)
	}
	return r.Name
}

func cityOf(code string) string {
	r, _ := finzone.LookupRegion(code)
	return r.CityCode
}

// cities lists the 16 city codes; counties lists county-level divisions.
var cities, counties = func() (c, k []string) {
	for _, r := range finzone.Regions() {
		switch r.Kind {
		case finzone.RegionCity:
			c = append(c, r.Code)
		case finzone.RegionCounty:
			k = append(k, r.Code)
		}
	}
	return c, k
}()
