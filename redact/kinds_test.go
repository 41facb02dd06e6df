package redact

import (
	"strings"
	"testing"
)

// kindTests are rows of the corpus's kinds written here with other values
// and other phrasing than the corpus has: what must be hidden and what must
// be kept, by Mask and by Identity alike.
var kindTests = []struct {
	kind, text string
	hide, keep []string
}{
	{"phone-plain", "幸福路的下水道堵了，有事打我手机18673104582。", []string{"18673104582"}, []string{"幸福路"}},
	{"phone-plain", "反映人 15111223344 希望回电", []string{"15111223344"}, nil},
	{"phone-spaces", "我的电话 186 7310 4582 白天都在", []string{"186 7310 4582"}, nil},
	{"phone-spaces", "联系 1867 310 4582", []string{"1867 310 4582"}, nil},
	{"phone-dashes", "电话186-7310-4582，谢谢", []string{"186-7310-4582"}, nil},
	{"phone-dashes", "手机：1867—310—4582", []string{"1867—310—4582"}, nil},
	{"phone-dots", "号码186.7310.4582", []string{"186.7310.4582"}, nil},
	{"phone-dots", "打186·7310·4582找我", []string{"186·7310·4582"}, nil},
	{"phone-dots", "电话186。7310。4582", []string{"186。7310。4582"}, nil},
	{"phone-split-words", "号码186，7310，4582", []string{"186，7310，4582"}, nil},
	{"phone-math-digits", "电话¹⁸⁶⁷³¹⁰⁴⁵⁸²", []string{"¹⁸⁶⁷³¹⁰⁴⁵⁸²"}, nil},
	{"phone-math-digits", "电话1️⃣8️⃣6️⃣7310 4582", []string{"1️⃣8️⃣6️⃣7310 4582"}, nil},
	{"phone-slashes", "电话：186／7310／4582", []string{"186／7310／4582"}, nil},
	{"phone-slashes", "联系方式158\\0731\\2468", []string{"158\\0731\\2468"}, nil},
	{"phone-fullwidth-digits", "手机１８６７３１０４５８２，路灯坏了", []string{"１８６７３１０４５８２"}, []string{"路灯坏了"}},
	{"phone-fullwidth-space", "电话 186　7310　4582 谢谢", []string{"186　7310　4582"}, nil},
	{"phone-fullwidth-space", "１５１　１２２３　３４４５", []string{"１５１　１２２３　３４４５"}, nil},
	{"phone-zero-width", "联系13\u200b97\u200c41\u200d25\u20608\u200b63", []string{"13\u200b97\u200c41\u200d25\u20608\u200b63"}, nil},
	{"phone-zero-width", "手机1\ufeff8\u00ad6 7310 4582", []string{"1\ufeff8\u00ad6 7310 4582"}, nil},
	{"phone-math-digits", "电话𝟭𝟴𝟲𝟳𝟯𝟭𝟬𝟰𝟱𝟴𝟮", []string{"𝟭𝟴𝟲𝟳𝟯𝟭𝟬𝟰𝟱𝟴𝟮"}, nil},
	{"phone-math-digits", "电话𝟷𝟾𝟼 𝟽𝟹𝟷𝟶 𝟺𝟻𝟾𝟸", []string{"𝟷𝟾𝟼 𝟽𝟹𝟷𝟶 𝟺𝟻𝟾𝟸"}, nil},
	{"phone-math-digits", "电话①⑧⑥⑦③①⓪④⑤⑧②", []string{"①⑧⑥⑦③①⓪④⑤⑧②"}, nil},
	{"phone-cn-numerals", "我手机一八六七三一零四五八二", []string{"一八六七三一零四五八二"}, nil},
	{"phone-cn-numerals", "电话壹捌陆柒叁壹零肆伍捌贰", []string{"壹捌陆柒叁壹零肆伍捌贰"}, nil},
	{"phone-cn-numerals", "联系：一五八 零七三一 二四六八", []string{"一五八 零七三一 二四六八"}, nil},
	{"phone-cn-numerals", "号码186七三一〇4582", []string{"186七三一〇4582"}, nil},
	{"phone-yao", "电话幺八六七三幺洞四五八二", []string{"幺八六七三幺洞四五八二"}, nil},
	{"phone-yao", "幺五幺-幺二二三-三四四五", []string{"幺五幺-幺二二三-三四四五"}, nil},
	{"phone-split-words", "手机号前三位是186，后面八位是73104582。", []string{"186", "73104582"}, nil},
	{"phone-split-words", "我号码186开头，尾号是7310 4582", []string{"186开头", "7310 4582"}, nil},
	{"phone-split-words", "电话前7位1867310，后4位4582", []string{"1867310", "后4位4582"}, nil},
	{"phone-split-words", "号码一八六，七三一零，四五八二", []string{"一八六", "七三一零", "四五八二"}, nil},
	{"phone-intl-prefix", "电话+86-186-7310-4582", []string{"+86-186-7310-4582"}, nil},
	{"phone-intl-prefix", "(+86)18673104582", []string{"18673104582"}, nil},
	{"phone-intl-prefix", "＋８６ １８６７３１０４５８２", []string{"＋８６ １８６７３１０４５８２"}, nil},
	{"phone-brackets", "电话(186)7310-4582", []string{"(186)7310-4582"}, nil},
	{"phone-brackets", "【186】【7310】【4582】", []string{"【186】【7310】【4582】"}, nil},
	{"landline-area", "家里电话0731-8456 2391没人接", []string{"0731-8456 2391"}, nil},
	{"landline-area", "座机（0731）84562391", []string{"（0731）84562391"}, nil},
	{"landline-area", "电话010-65521234", []string{"010-65521234"}, nil},
	{"landline-words", "家里电话是八二三五一六四七，区号零七三一", []string{"八二三五一六四七"}, nil},
	{"landline-words", "区号0731，座机号码84562391", []string{"84562391"}, nil},
	{"landline-words", "座机：6688123", []string{"6688123"}, nil},
	{"id-x-suffix", "身份证号码：43011119920614302x。", []string{"43011119920614302x"}, nil},
	{"id-x-suffix", "证件号３７０１０２１９８８０５０５１２３Ｘ", []string{"３７０１０２１９８８０５０５１２３Ｘ"}, nil},
	{"id-separators", "身份证430111-19920614-302X", []string{"430111-19920614-302X"}, nil},
	{"id-separators", "身份证4301 1119 9206 1430 2X", []string{"4301 1119 9206 1430 2X"}, nil},
	{"id-separators", "身份证号 210102.19900307.4518", []string{"210102.19900307.4518"}, nil},
	{"id-15", "老身份证号370102880505123还能用吗", []string{"370102880505123"}, nil},
	{"id-15", "身份证 370102 880505 123", []string{"370102 880505 123"}, nil},
	{"name-no-leadin", "张伟说小区门口的路灯坏了一个月。", []string{"张伟"}, []string{"路灯"}},
	{"name-no-leadin", "去年找李强修的空调，现在又坏了。", []string{"李强"}, nil},
	{"name-no-leadin", "邻居赵大海家天天在楼道里堆杂物。", []string{"赵大海"}, nil},
	{"name-no-leadin", "陈静和我在同一家公司上班，工资被拖欠。", []string{"陈静"}, nil},
	{"name-no-leadin", "我和同事周磊去办社保卡，窗口说系统坏了。", []string{"周磊"}, nil},
	{"name-no-leadin", "业主刘桂兰反映楼上漏水。", []string{"刘桂兰"}, nil},
	{"name-no-leadin", "昨天徐丽丽来我家说物业要涨价。", []string{"徐丽丽"}, nil},
	{"name-no-leadin", "黄志强在小区门口摆摊占道。", []string{"黄志强"}, nil},
	{"name-no-leadin", "上次来处理的是社区的蒋丽，她说会再来。", []string{"蒋丽"}, []string{"社区"}},
	{"name-no-leadin", "老板娘汤红梅不给退押金。", []string{"汤红梅"}, nil},
	{"name-no-leadin", "姚明远和他老婆天天吵架。", []string{"姚明远"}, nil},
	{"name-no-leadin", "我和冉小龙合租的房子被房东强行换锁。", []string{"冉小龙"}, nil},
	{"name-leadin", "联系人：万家乐", []string{"万家乐"}, nil},
	{"name-leadin", "举报人：曾凡平 2026年3月1日", []string{"曾凡平"}, []string{"2026年3月1日"}},
	{"name-leadin", "我叫罗秀英，家住东风村。", []string{"罗秀英"}, []string{"东风村"}},
	{"name-leadin", "姓名：郭子豪 反映：路面塌陷", []string{"郭子豪"}, nil},
	{"name-leadin", "本人姓谭，在菜市场卖菜。", []string{"本人姓谭"}, []string{"菜市场"}},
	{"name-with-title", "有事请找楼上的孙阿姨。", []string{"孙阿姨"}, nil},
	{"name-with-title", "小区保安周师傅每天晚上喝酒。", []string{"周师傅"}, nil},
	{"name-with-title", "培训班的郑丽老师收了钱不退。", []string{"郑丽"}, nil},
	{"name-with-title", "老李说他家的水表被人换了。", []string{"老李"}, nil},
	{"name-with-title", "班主任覃老师体罚学生。", []string{"覃老师"}, nil},
	{"name-no-leadin", "联系我家老伴黎桂英就行。", []string{"黎桂英"}, nil},
	{"negative-only", "村支书黄建军和县教育局彭局长都来过。", nil, []string{"县教育局彭局长"}},
	{"name-compound-surname", "司马光明说他家门口的树被砍了。", []string{"司马光明"}, nil},
	{"name-compound-surname", "我和诸葛亮亮一起去的社区。", []string{"诸葛亮亮"}, []string{"社区"}},
	{"name-minority-dot", "买买提·艾力反映他的烤肉店被罚款了。", []string{"买买提·艾力"}, nil},
	{"name-minority-dot", "邻居阿依古丽・吐尔逊家的狗咬人。", []string{"阿依古丽・吐尔逊"}, nil},
	{"wechat-vx", "有照片，加我vx zhangwei_88", []string{"zhangwei_88"}, nil},
	{"wechat-vx", "VX号：Lisi2019，请联系", []string{"Lisi2019"}, nil},
	{"wechat-vx", "微信号 wxid_a1b2c3d4e5", []string{"wxid_a1b2c3d4e5"}, nil},
	{"wechat-vxin-homophone", "有视频，v信：hm_20240101", []string{"hm_20240101"}, nil},
	{"wechat-vxin-homophone", "威信 zhao-lei-77 可以联系", []string{"zhao-lei-77"}, nil},
	{"wechat-slang", "绿泡泡：xiaoyu_0520，私聊", []string{"xiaoyu_0520"}, nil},
	{"qq", "我的QQ：2854730196", []string{"2854730196"}, nil},
	{"qq", "扣扣号 5520131", []string{"5520131"}, nil},
	{"email", "材料发我邮箱 wang.li-88@sina.com.cn 就行", []string{"wang.li-88@sina.com.cn"}, nil},
	{"email", "邮箱ｚｈａｎｇ＠１２６．ｃｏｍ", []string{"ｚｈａｎｇ＠１２６．ｃｏｍ"}, nil},
	{"email", "发到zhangsan#qq.com（#换成@）", []string{"zhangsan#qq.com"}, nil},
	{"email", "邮箱 lisi艾特163.com", []string{"lisi艾特163.com"}, nil},
	{"landline-area", "向区住建局咨询过，他们让我留电话0731-84562391", []string{"0731-84562391"}, []string{"区住建局"}},
	{"bank-card", "银行卡号6228 4804 0256 4890 018，工资没到账", []string{"6228 4804 0256 4890 018"}, nil},
	{"bank-card", "卡号：6228-4804-0256-4890", []string{"6228-4804-0256-4890"}, nil},
	{"bank-card", "打到6228480402564890018这张卡上了", []string{"6228480402564890018"}, nil},
	{"plate", "车牌京N·12345的车天天堵门", []string{"京N·12345"}, nil},
	{"plate", "一辆沪a 88b88的黑色轿车", []string{"沪a 88b88"}, nil},
	{"plate", "我的电动车苏E-D12345被拖走了", []string{"苏E-D12345"}, nil},
	{"address-room", "我住翠苑小区12幢3单元602，楼上漏水", []string{"12幢3单元602"}, []string{"翠苑小区"}},
	{"address-room", "家住B座1203，空调外机太吵", []string{"B座1203"}, nil},
	{"address-room", "我家是18楼1803房", []string{"18楼1803"}, nil},
	{"address-room", "住在丽景花园8-1-702的业主", []string{"8-1-702"}, []string{"丽景花园"}},
	{"address-building-floor", "我住9栋7楼，电梯坏了", []string{"9栋7楼"}, nil},
	{"address-building-floor", "我家在三栋五楼，楼道灯不亮", []string{"三栋五楼"}, nil},
	{"address-own-home-number", "我家在建设路45号，门口的下水道堵了", []string{"45号"}, []string{"建设路"}},
	{"address-own-home-number", "家住五一路18号，隔壁饭店油烟扰民", []string{"18号"}, []string{"五一路"}},
	{"mixed", "我是刘建华，手机一八六 七三一零 四五八二，住在翠苑小区12栋2单元301", []string{"刘建华", "一八六 七三一零 四五八二", "2单元301"}, []string{"翠苑小区"}},
	{"mixed", "联系人：孙丽，vx：sunli_1990，邮箱sunli@163.com", []string{"孙丽", "sunli_1990", "sunli@163.com"}, nil},
	{"negative-only", "共拖欠工资12,800元，涉及35名工人，2026年1月至今。", nil, []string{"12,800元", "35名", "2026年1月"}},
	{"negative-only", "拨打12315和12345都没人管，110也打了。", nil, []string{"12315", "12345", "110"}},
	{"negative-only", "工单编号20260302000567，回复说已办结。", nil, []string{"20260302000567"}},
	{"negative-only", "路灯编号SL-2231到SL-2240全部不亮。", nil, []string{"SL-2231", "SL-2240"}},
	{"negative-only", "12路和306路公交车站牌被撞坏。", nil, []string{"12路", "306路"}},
	{"negative-only", "派出所王所长和社区刘书记都来看过。", nil, []string{"派出所王所长", "社区刘书记"}},
	{"negative-only", "张亮麻辣烫和李宁专卖店门口堆满了垃圾。", nil, []string{"张亮麻辣烫", "李宁专卖店"}},
	{"negative-only", "刘家坪村和黄兴南路口都积水。", nil, []string{"刘家坪村", "黄兴南路"}},
	{"negative-only", "市政务服务中心公布的咨询电话0731-88665544打不通。", nil, []string{"0731-88665544"}},
	{"negative-only", "中山路25号那家面馆把油倒进下水道。", nil, []string{"中山路25号"}},
	{"negative-only", "市图书馆3楼的空调坏了，B1层停车场漏水。", nil, []string{"3楼的空调", "B1层"}},
	{"negative-only", "的士湘A·T5821拒载，出租车湘A·T1234绕路。", nil, []string{"湘A·T5821", "湘A·T1234"}},
	{"negative-only", "2026.03.02起调价，每吨3.5元，7:30开门。", nil, []string{"2026.03.02", "3.5元", "7:30"}},
	{"negative-only", "统一社会信用代码91430104MA4R2X7K3N的公司", nil, []string{"91430104MA4R2X7K3N"}},
	{"negative-only", "客服热线400-123-4567一直占线。", nil, []string{"400-123-4567"}},
	{"negative-only", "共有200多户居民，两室一厅的房子漏水。", nil, []string{"200多户", "两室一厅"}},
	{"negative-only", "高新区的文明城市创建工作", nil, []string{"高新区", "文明城市"}},
	{"negative-only", "让群众沐浴到党的阳光，周边居民都说好。", nil, []string{"党的阳光", "周边居民"}},
	{"negative-only", "江小白酒业和万达广场门口乱停车，白沙井的沟堵了。", nil, []string{"江小白酒业", "万达广场", "白沙井"}},
	{"negative-only", "订单号20260301123456789，快递单号SF1234567890123。", nil, []string{"20260301123456789", "SF1234567890123"}},
	{"negative-only", "办公室电话0731-84562391（区城管局）", nil, []string{"0731-84562391"}},
	{"address-own-home-number", "门牌号码：建设路128号", []string{"128号"}, []string{"建设路"}},
}

// TestKinds checks each row of kindTests with Mask and Identity.
func TestKinds(t *testing.T) {
	for _, tt := range kindTests {
		t.Run(tt.kind, func(t *testing.T) {
			for _, fn := range []struct {
				name string
				f    func(string, ...string) string
			}{{"Mask", Mask}, {"Identity", Identity}} {
				got := fn.f(tt.text)
				for _, h := range tt.hide {
					if strings.Contains(got, h) {
						t.Errorf("%s(%q) = %q; leaks %q", fn.name, tt.text, got, h)
					}
				}
				for _, k := range tt.keep {
					if !strings.Contains(got, k) {
						t.Errorf("%s(%q) = %q; lost %q", fn.name, tt.text, got, k)
					}
				}
			}
		})
	}
}

// BenchmarkMask masks a report of 2,000 characters with every kind of
// personal data in it.
func BenchmarkMask(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 6000 { // about 2,000 Chinese characters
		for _, tt := range kindTests {
			sb.WriteString(tt.text)
		}
	}
	text := string([]rune(sb.String())[:2000])
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Mask(text)
	}
}

// BenchmarkMaskPathological masks 2,000 characters made to be slow: a
// thousand one-digit groups, names and titles back to back.
func BenchmarkMaskPathological(b *testing.B) {
	for _, tt := range []struct{ name, text string }{
		{"digit groups", strings.Repeat("1 ", 1000)},
		{"names", strings.Repeat("王芳", 1000)},
		{"titles", strings.Repeat("王先生", 667)},
		{"numerals", strings.Repeat("一", 2000)},
		{"dots", strings.Repeat("阿·", 1000)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Mask(tt.text)
			}
		})
	}
}
