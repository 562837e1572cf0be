package finzone

import "strings"

// Industry is a GB/T 4754-2017 section (one letter, "C") or division (section
// letter plus two digits, "C36"). Product filters match codes by prefix, so
// "C" covers all manufacturing and "C3" covers C30–C39.
type Industry struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	// Section is the parent section's letter; empty for a section.
	Section string `json:"section,omitempty"`
}

var industries = []Industry{
	{"A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery", ""},
	{"A01", "农业", "Agriculture", "A"}, {"A02", "林业", "Forestry", "A"}, {"A03", "畜牧业", "Animal husbandry", "A"},
	{"A04", "渔业", "Fishery", "A"}, {"A05", "农、林、牧、渔专业及辅助性活动", "Support activities for agriculture", "A"},
	{"B", "采矿业", "Mining", ""},
	{"B06", "煤炭开采和洗选业", "Coal mining and washing", "B"}, {"B07", "石油和天然气开采业", "Oil and gas extraction", "B"},
	{"B08", "黑色金属矿采选业", "Ferrous metal ore mining", "B"}, {"B09", "有色金属矿采选业", "Non-ferrous metal ore mining", "B"},
	{"B10", "非金属矿采选业", "Non-metallic mineral mining", "B"}, {"B11", "开采专业及辅助性活动", "Mining support activities", "B"},
	{"B12", "其他采矿业", "Other mining", "B"},
	{"C", "制造业", "Manufacturing", ""},
	{"C13", "农副食品加工业", "Agricultural and sideline food processing", "C"}, {"C14", "食品制造业", "Food manufacturing", "C"},
	{"C15", "酒、饮料和精制茶制造业", "Liquor, beverages and refined tea", "C"}, {"C16", "烟草制品业", "Tobacco products", "C"},
	{"C17", "纺织业", "Textiles", "C"}, {"C18", "纺织服装、服饰业", "Textile garments and apparel", "C"},
	{"C19", "皮革、毛皮、羽毛及其制品和制鞋业", "Leather, fur, feathers and footwear", "C"},
	{"C20", "木材加工和木、竹、藤、棕、草制品业", "Wood, bamboo, rattan, palm and straw products", "C"},
	{"C21", "家具制造业", "Furniture", "C"}, {"C22", "造纸和纸制品业", "Paper and paper products", "C"},
	{"C23", "印刷和记录媒介复制业", "Printing and reproduction of recorded media", "C"},
	{"C24", "文教、工美、体育和娱乐用品制造业", "Cultural, educational, arts, sports and entertainment goods", "C"},
	{"C25", "石油、煤炭及其他燃料加工业", "Petroleum, coal and other fuel processing", "C"},
	{"C26", "化学原料和化学制品制造业", "Chemical raw materials and products", "C"}, {"C27", "医药制造业", "Pharmaceuticals", "C"},
	{"C28", "化学纤维制造业", "Chemical fibres", "C"}, {"C29", "橡胶和塑料制品业", "Rubber and plastic products", "C"},
	{"C30", "非金属矿物制品业", "Non-metallic mineral products", "C"},
	{"C31", "黑色金属冶炼和压延加工业", "Ferrous metal smelting and rolling", "C"},
	{"C32", "有色金属冶炼和压延加工业", "Non-ferrous metal smelting and rolling", "C"},
	{"C33", "金属制品业", "Metal products", "C"}, {"C34", "通用设备制造业", "General-purpose machinery", "C"},
	{"C35", "专用设备制造业", "Special-purpose machinery", "C"}, {"C36", "汽车制造业", "Automobiles", "C"},
	{"C37", "铁路、船舶、航空航天和其他运输设备制造业", "Railway, ship, aerospace and other transport equipment", "C"},
	{"C38", "电气机械和器材制造业", "Electrical machinery and equipment", "C"},
	{"C39", "计算机、通信和其他电子设备制造业", "Computers, communication and other electronic equipment", "C"},
	{"C40", "仪器仪表制造业", "Instruments and meters", "C"}, {"C41", "其他制造业", "Other manufacturing", "C"},
	{"C42", "废弃资源综合利用业", "Recycling of waste resources", "C"},
	{"C43", "金属制品、机械和设备修理业", "Repair of metal products, machinery and equipment", "C"},
	{"D", "电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply", ""},
	{"D44", "电力、热力生产和供应业", "Electricity and heat supply", "D"}, {"D45", "燃气生产和供应业", "Gas supply", "D"},
	{"D46", "水的生产和供应业", "Water supply", "D"},
	{"E", "建筑业", "Construction", ""},
	{"E47", "房屋建筑业", "Building construction", "E"}, {"E48", "土木工程建筑业", "Civil engineering", "E"},
	{"E49", "建筑安装业", "Installation", "E"}, {"E50", "建筑装饰、装修和其他建筑业", "Decoration and other construction", "E"},
	{"F", "批发和零售业", "Wholesale and retail", ""},
	{"F51", "批发业", "Wholesale", "F"}, {"F52", "零售业", "Retail", "F"},
	{"G", "交通运输、仓储和邮政业", "Transport, storage and post", ""},
	{"G53", "铁路运输业", "Rail transport", "G"}, {"G54", "道路运输业", "Road transport", "G"},
	{"G55", "水上运输业", "Water transport", "G"}, {"G56", "航空运输业", "Air transport", "G"},
	{"G57", "管道运输业", "Pipeline transport", "G"}, {"G58", "多式联运和运输代理业", "Multimodal transport and agency", "G"},
	{"G59", "装卸搬运和仓储业", "Handling and warehousing", "G"}, {"G60", "邮政业", "Postal services", "G"},
	{"H", "住宿和餐饮业", "Accommodation and catering", ""},
	{"H61", "住宿业", "Accommodation", "H"}, {"H62", "餐饮业", "Catering", "H"},
	{"I", "信息传输、软件和信息技术服务业", "Information transmission, software and IT services", ""},
	{"I63", "电信、广播电视和卫星传输服务", "Telecommunications, broadcasting and satellite transmission", "I"},
	{"I64", "互联网和相关服务", "Internet and related services", "I"}, {"I65", "软件和信息技术服务业", "Software and IT services", "I"},
	{"J", "金融业", "Finance", ""},
	{"J66", "货币金融服务", "Monetary financial services", "J"}, {"J67", "资本市场服务", "Capital market services", "J"},
	{"J68", "保险业", "Insurance", "J"}, {"J69", "其他金融业", "Other financial services", "J"},
	{"K", "房地产业", "Real estate", ""}, {"K70", "房地产业", "Real estate", "K"},
	{"L", "租赁和商务服务业", "Leasing and business services", ""},
	{"L71", "租赁业", "Leasing", "L"}, {"L72", "商务服务业", "Business services", "L"},
	{"M", "科学研究和技术服务业", "Scientific research and technical services", ""},
	{"M73", "研究和试验发展", "Research and experimental development", "M"}, {"M74", "专业技术服务业", "Professional technical services", "M"},
	{"M75", "科技推广和应用服务业", "Technology promotion and application services", "M"},
	{"N", "水利、环境和公共设施管理业", "Water conservancy, environment and public facilities", ""},
	{"N76", "水利管理业", "Water conservancy management", "N"}, {"N77", "生态保护和环境治理业", "Ecological protection and environmental governance", "N"},
	{"N78", "公共设施管理业", "Public facilities management", "N"}, {"N79", "土地管理业", "Land management", "N"},
	{"O", "居民服务、修理和其他服务业", "Resident services, repair and other services", ""},
	{"O80", "居民服务业", "Resident services", "O"}, {"O81", "机动车、电子产品和日用产品修理业", "Repair of vehicles, electronics and household goods", "O"},
	{"O82", "其他服务业", "Other services", "O"},
	{"P", "教育", "Education", ""}, {"P83", "教育", "Education", "P"},
	{"Q", "卫生和社会工作", "Health and social work", ""},
	{"Q84", "卫生", "Health", "Q"}, {"Q85", "社会工作", "Social work", "Q"},
	{"R", "文化、体育和娱乐业", "Culture, sports and entertainment", ""},
	{"R86", "新闻和出版业", "News and publishing", "R"}, {"R87", "广播、电视、电影和录音制作业", "Radio, television, film and sound recording", "R"},
	{"R88", "文化艺术业", "Culture and arts", "R"}, {"R89", "体育", "Sports", "R"}, {"R90", "娱乐业", "Entertainment", "R"},
	{"S", "公共管理、社会保障和社会组织", "Public administration, social security and social organisations", ""},
	{"S91", "中国共产党机关", "Communist Party organs", "S"}, {"S92", "国家机构", "State organs", "S"},
	{"S93", "人民政协、民主党派", "CPPCC and democratic parties", "S"}, {"S94", "社会保障", "Social security", "S"},
	{"S95", "群众团体、社会团体和其他成员组织", "Mass and social organisations", "S"},
	{"S96", "基层群众自治组织", "Grassroots self-governing organisations", "S"},
	{"T", "国际组织", "International organisations", ""}, {"T97", "国际组织", "International organisations", "T"},
}

var industryByCode = func() map[string]Industry {
	m := make(map[string]Industry, len(industries))
	for _, in := range industries {
		m[in.Code] = in
	}
	return m
}()

// Industries returns the GB/T 4754-2017 sections and divisions in order.
func Industries() []Industry { return append([]Industry(nil), industries...) }

// LookupIndustry finds a section or division by code.
func LookupIndustry(code string) (Industry, bool) {
	in, ok := industryByCode[code]
	return in, ok
}

// ValidIndustryDivision reports whether code is a division such as "C36":
// enterprises and projects carry a division, not only a section.
func ValidIndustryDivision(code string) bool {
	in, ok := industryByCode[code]
	return ok && in.Section != ""
}

// ValidIndustryPrefix reports whether p can be used as a product's include or
// exclude prefix: a section letter, a section letter and one digit that starts
// some division of that section, or a whole division.
func ValidIndustryPrefix(p string) bool {
	if len(p) < 1 || len(p) > 3 {
		return false
	}
	for _, in := range industries {
		if in.Section != "" && strings.HasPrefix(in.Code, p) {
			return true
		}
	}
	return false
}
