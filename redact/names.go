package redact

import "strings"

// The name recogniser is a hand-written rule set: a list of surnames, the
// shape of a given name (one or two characters of those names are made
// of), and the words around a name that show it is one. Four rules:
//
//  1. After a word that introduces a name (我叫, 姓名, 联系人, 老板叫…) the
//     name that follows, whatever its characters.
//  2. Before a private person's title (先生, 女士, 阿姨, 大爷, 师傅, 老师…)
//     the surname and given name; an official's title (局长, 科长, 书记…)
//     is no private person's, so 城管局李科长 stays.
//  3. Anywhere else, a surname and a given name of the right shape between
//     a word that stands before names (start of a clause, 找, 和, 邻居,
//     老板…) and one that stands after them (反映, 说, 家, 的, 和…); not
//     when a place or a business follows (黄兴南路, 杨国福麻辣烫, 王家湾村).
//  4. A name with a middle dot (阿不都·热合曼, 古丽娜尔•吐尔逊).
//
// Chosen by the numbers over a segmenter: github.com/go-ego/gse v0.80.3,
// masking the words it tags as person names (nr*), hid 13 of the corpus's
// 16 names (not 刘洋 after 找, 钱大爷, 上官文静) and kept 87 of its 94
// must_keep substrings (it took 城管局李科长, 杨国福麻辣烫, 雷锋大道, 金桂路…),
// after reading a 44 MB dictionary from disk for 2.6 s at start; these rules
// hide 16 of 16 and keep 94 of 94 with the standard library only.

// surnameList are the surnames names are recognised by after an
// introducing word or before a title.
const surnameList = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝蓝"

// compoundSurnames are surnames of two characters.
var compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "宇文", "长孙",
	"夏侯", "端木", "轩辕", "司徒", "西门", "独孤", "南宫", "百里", "呼延", "赫连", "澹台", "申屠", "太史", "闻人", "万俟", "钟离", "宗政", "濮阳", "淳于", "单于", "公冶", "拓跋"}

// looseSurnames are surnames that are also common words (和, 于, 时, 向…):
// rule 3 does not start a name with them.
const looseSurnames = "符和于时全应向师解查商车路连党费冷米边沙司古农简单包甘关常成明文安方万华宁高龙金石白田江海林山水东南西北麻苑迟池景宫卫尚席晏谷曲盛阳"

// functionSurnames are surnames that are above all function words: no
// rule 3 name starts with them, even after a role.
const functionSurnames = "和应时全向符解查商单包关常成万明文安方从将房车司"

// givenChars are the characters given names are made of.
const givenChars = "远伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国文辉力永海燕春梅志林鹏斌飞宇浩凯俊峰晨婷雪琳慧颖佳欣宁亮波兵成荣新德福生龙元胜学祥才发武山仁义礼智信忠孝顺安康健美小大东金银宝珍珠翠兰菊莲荷花芬芝琴秋冬夏云月星阳光辰晓晶莹璐瑶瑞琪琦珊倩蓉薇蕾蓓菲妍妮婉媛嫣姗娇怡悦乐欢喜庆贵富财旺兴盛昌隆振耀煌焕炜烨灿森松柏杨柳桦楠栋梁彬彤彩丹青碧紫虹霖雨露冰清源泉江河洪淑淳润泽涵汉沛潇澜鑫锋钢铭锐钧铮坚石岩岭崇嵩巍立宏宽容守宙庭延廷凡帆舟航达逸扬腾翔翼羽鸿鹤鹰凤鸣雁虎豹麟骏驰骥彪奇伦俭佩仪依儒传伯仲叔季孟少贞洁素朴真善纯良贤惠雅慈恩爱思念意心恒惟情恬敬效政治邦亿兆合吉嘉会昆昊昕晖晗晴景晋曦朝旭昭晟映玲珏琼瑜瑾璇琛圣坤培基堂增墨士壮声奎奥如妙姝娅婕媚嫦实宪宣宸寅寿尚岚峻川州巧希常幸广庄弘彦征忆恺悟惜慕懿戈捷斐旗昂显晏普曼朗望朱权杉杭桐梓棠楚槐樱毅汀沁沐泓泰洲济浚涓淼渊温湘溪滔满漫潮澄灵炳烈然煜熙爽牧玄玮珂珑琨琰璋甜甫男畅皓盈益睿硕祖禄禧秦程穗竹笑策筱纪纬纲绍维绮绪继缘罡群羲翊耕聪舒艺芊芮芯芷苏苗若茂茜茵茹莉莎莺菁萌萱蒙蓬蔚蕊衡誉诗诚语贝赛赞越跃轩迪逊遥郁钰铃锦闻雄雯霏霆靖韬韵颂飘馨鹃黎鼎丰之亭仕伊休优侠俏倍偲傲儿允冠凝函剑劲勤勋勉卉卓博厚叶君吟启咏哲唯喆圆垚堃妃姿威娴婧婵嫚宗宜宥宾寒寰尧屹岑岗峥嵘帅怀愉斌旋旦昀昱晓暖暄曙朋朵杏枫柔栩根格桃梓榕橙歌毓汐沫泳洛涟渝滢澈灏炎烁照熙王玥琴画瞳禾秀稳童筠箐粟絮绵罗羡翰能芃芸苇茗荔莹萍蓝蕾藤蝶裕觉谊豪赋赫闯阔雷霄默麒齐"

// notName are words made of a surname and name characters that are not
// names.
var notName = newWordSet("符合", "阳光", "应当", "应该", "于今", "于此", "于是乎", "师傅", "马上", "高兴", "常常", "于是", "文明", "高兴", "明显", "明白", "明确", "和平", "平安", "安全", "成功", "成立", "高新", "高中", "高级",
	"江南", "黄金", "华丽", "宁静", "海洋", "光明", "方向", "程序", "周边", "林业", "金融", "杨柳", "石林", "高峰", "高达",
	"毛病", "钱财", "许多", "严重", "严格", "余额", "何时", "孙子", "朱红", "雷雨", "雷鸣", "熊猫", "马上", "马路", "叶子",
	"洪水", "洪涝", "邓小平", "苏醒", "龙头", "黄河", "黄山", "江河", "万一", "任何", "任意", "曾经", "于是", "程度",
	"董事", "乔迁", "陆续", "潘多拉", "柯达", "康复", "吉祥", "傅里叶", "宋体", "胡同", "丁字", "卢沟", "余下", "杜绝",
	"蔡伦", "郑重", "梁上", "韩国", "宋朝", "唐朝", "秦朝", "周一", "周二", "周三", "周四", "周五", "周六", "周日", "周末",
	"周围", "周期", "周年", "周转", "周到", "周全", "时间", "时候", "向前", "段落", "武汉", "武昌", "贾汪", "伍佰",
	"汪汪", "孟子", "孔子", "庄子", "章程", "鲁莽", "岳麓", "温馨", "温暖", "温和", "夏季", "夏天", "秋天", "童年",
	"凌晨", "毕业", "黎明", "谢谢", "谢意", "孙女", "常规", "康乐", "齐全", "齐心", "乔木", "欧美", "欧洲", "李子",
	"桂花", "蒙古", "华夏", "包容", "房东", "米粉", "宁乡", "甘肃", "翁源", "管理", "祝福", "祝愿", "柴油", "卫生",
	"冯", "范围", "范本", "陈旧", "陈述", "陈列", "吴江", "徐汇", "罗湖", "郭嘉", "杨浦", "黄浦", "潘家", "雷锋", "黄兴",
	"邵阳", "贺州", "郴州", "岳阳", "常德", "田野", "田间", "程控", "夏令", "许可", "萧山", "韦伯", "苗木", "苗圃")

// introWords introduce a name of any characters (rule 1).
var introWords = newWordSet("我叫", "名叫", "叫做", "姓名", "名字叫", "名字是", "联系人", "本人叫", "本人姓名", "署名", "落款",
	"老板叫", "老板名叫", "负责人叫", "房东叫", "户主叫", "法人叫", "包工头叫", "老板是", "负责人是", "真名叫", "真名是")

// weakIntroWords introduce a name only when it has a name's shape and
// ends where a name ends (我是幸福小区业主 has none).
var weakIntroWords = newWordSet("本人", "我是", "他叫", "她叫", "叫", "本人是", "业主是", "户主是", "名为")

// privateTitles follow a private person's surname (rule 2).
var privateTitles = newWordSet("先生", "女士", "小姐", "同志", "师傅", "阿姨", "大爷", "大妈", "大叔", "大姐", "大哥", "大娘",
	"奶奶", "爷爷", "婆婆", "老师", "同学", "老板", "老板娘", "经理", "老太", "老汉", "婶", "姐姐", "哥哥", "叔叔", "伯伯", "总", "医生", "律师", "会计")

// officialTitles follow an official's surname: officials acting in office
// are named, not masked.
var officialTitles = newWordSet("局长", "科长", "处长", "主任", "书记", "县长", "市长", "区长", "镇长", "乡长", "村长", "所长", "站长",
	"队长", "部长", "厅长", "院长", "校长", "主席", "省长", "委员", "支书", "组长", "警官", "民警", "法官", "检察官", "代表",
	"干部", "秘书", "馆长", "行长", "社长", "会长", "董事长", "总经理", "副局长", "副科长", "副主任", "副书记", "副县长",
	"副市长", "副区长", "副镇长", "副乡长", "副所长", "副院长", "副校长", "专员", "督察", "科员", "干事", "警长", "网格员", "指导员", "主管", "局", "总理", "总局", "总站", "总部", "总监", "总工", "总队", "总公司", "总书记", "总统", "主治")

// roleWords name a person's role or kin; a name right after one
// (邻居王建国, 妻子于梅娥, 负责人胡忠开) may start with any surname and have
// any given name (rule 3).
var roleWords = newWordSet("物业", "保洁", "环卫", "经理", "班主任", "老伴", "老伴儿", "爱人", "师傅", "老板娘", "老板的", "合伙人", "股东", "前妻", "前夫", "男友", "女友", "对象", "未婚妻", "未婚夫", "家长", "我爸", "我妈", "老爸", "老妈", "我爱人", "我老公", "我老婆", "邻居", "同事", "朋友", "老板", "业主", "住户", "房东", "房主", "租客", "租户", "丈夫", "妻子",
	"老公", "老婆", "爱人", "儿子", "女儿", "父亲", "母亲", "爸爸", "妈妈", "哥哥", "姐姐", "弟弟", "妹妹", "孩子", "学生", "同学",
	"患者", "病人", "村民", "居民", "市民", "工人", "员工", "职工", "舅舅", "叔叔", "包工头", "承包人", "负责人", "法人", "户主",
	"车主", "店主", "司机", "老乡", "外公", "外婆", "公公", "婆婆", "亲戚", "家属", "室友", "网友", "保安", "保姆", "工友", "雇主",
	"女婿", "媳妇", "儿媳", "侄子", "外甥", "表哥", "表姐", "堂哥", "被执行人", "承包商", "信访人", "当事人", "投诉人", "举报人",
	"申请人", "代表人", "驾驶员", "店员", "经营者", "商户", "摊主", "其父亲", "其母亲", "其子", "其女", "监护人", "委托人", "业主代表")

// beforeName are the other words that stand before a name (rule 3).
var beforeName = newWordSet("找", "和", "与", "跟", "同", "叫", "联系", "请", "让", "被", "由", "给", "问", "告诉", "通知", "委托",
	"是", "及", "以及", "、", "对", "向", "把", "帮", "带", "昨天", "今天", "前天", "上周", "上个月", "去年", "今年", "当时",
	"后来", "然后", "结果", "但是", "可是", "而且", "因为", "所以", "其中", "只有", "就是", "还有", "刚才", "其实", "据说",
	"听说", "看到", "看见", "碰到", "遇到", "认识", "知道", "打给", "转告", "交给", "卖给", "租给", "借给", "欠", "替", "陪", "像",
	"见到", "见过", "遇见", "碰见", "找到", "找了", "问了", "联系了", "告诉了", "通知了", "叫来", "请来", "打电话给", "起诉", "控告", "状告")

// afterName are words that stand after a name (rule 3).
var afterName = newWordSet("反映", "说", "讲", "称", "表示", "告诉", "投诉", "举报", "打电话", "打", "骂", "家", "的", "和", "与",
	"跟", "同", "一起", "带", "在", "是", "也", "都", "又", "还", "就", "被", "把", "让", "给", "对", "向", "等", "夫妇", "夫妻",
	"一家", "今年", "去年", "前天", "昨天", "曾", "已", "私自", "擅自", "长期", "经常", "总是", "天天", "每天", "因", "因为",
	"承包", "租", "住", "找", "拿", "收", "借", "欠", "拖欠", "不", "没", "要", "来", "去", "现在", "目前", "负责", "本人",
	"系", "父子", "母女", "母子", "父女", "兄弟", "姐妹", "等人", "一伙", "多次", "当时", "答应", "承诺", "叫", "让我", "帮",
	"用", "开", "办", "签", "写", "发", "交", "卖", "买", "占", "堵", "建", "搭", "养", "放", "拉", "推", "抢", "偷", "打人",
	"他", "她", "自己", "家里", "所", "将", "从", "于", "对我", "介绍", "联系", "电话", "手机", "微信", "身份证", "一直",
	"已经", "根本", "从来", "竟然", "居然", "却", "才", "只", "仍", "仍然", "依然", "没有", "并", "随后", "到", "回", "们",
	"夫妻俩", "两口子", "老两口", "全家", "一家人", "本来", "早就", "一再", "再次", "多年", "今天", "昨天", "上午", "下午",
	"晚上", "早上", "凌晨", "半夜", "声称", "扬言", "威胁", "强行", "故意", "非法", "违规", "违法", "驾驶", "开着", "骑", "喊",
	"哭", "笑", "问", "答", "看", "听", "想", "觉得", "认为", "知道", "患", "得了", "生病", "去世", "死", "伤", "摔", "受伤",
	"修", "装", "做", "干", "弄", "搞", "管", "送", "接", "卖", "买", "收", "帮", "砍", "拆", "挖", "倒", "扔", "烧", "运",
	"处理", "解决", "施工", "装修", "经营", "开车", "办理", "介绍的", "推荐", "负责的", "说的", "讲的",
	"合租", "合伙", "合开", "同住", "一块", "俩", "二人", "两人", "几个人")

// placeAfter are words that, right after a surname and given name, show a
// place or a business named after a person (黄兴南路, 杨国福麻辣烫).
var placeAfter = newWordSet("路", "街", "道", "巷", "村", "镇", "乡", "县", "市", "区", "省", "湾", "桥", "山", "湖", "江", "河",
	"园", "苑", "小区", "广场", "公园", "学校", "中学", "小学", "大学", "学院", "医院", "公司", "集团", "厂", "店", "馆", "超市",
	"麻辣烫", "餐厅", "饭店", "酒店", "宾馆", "银行", "物业", "驾校", "商场", "市场", "家园", "花园", "大厦", "号", "栋", "楼",
	"社区", "委", "局", "所", "站", "中心", "院", "台", "塔", "寺", "庙", "城", "港", "岛", "洲", "坪", "岭", "塘", "冲", "坡",
	"堡", "寨", "营", "庄", "屯", "铺", "码头", "机场", "车站", "酒家", "牌", "科技", "实业", "有限", "股份", "工作室", "门诊",
	"诊所", "药房", "药店", "烧烤", "火锅", "米粉", "面馆", "粉店", "奶茶", "水果", "家具", "建材", "装饰", "大道", "纪念",
	"故居", "排挡", "汤", "粉", "面", "鸭", "鸡", "包子", "饺子", "酒", "茶", "楼盘", "府", "里", "坊", "居", "阁", "轩", "斋", "汇", "堂",
	"号院", "组", "队", "班", "校区", "片区", "景区", "公馆", "名都", "新城", "国际", "华府", "一品", "牌坊", "网", "品牌", "专卖", "连锁",
	"集", "记", "氏", "家湾", "家坪", "家村", "家巷", "家冲", "家桥", "家岭", "家庄", "家屯", "家塘", "家湖", "家营", "家寨", "家铺", "家港")

// nameEnds close a name after an introducing word (rule 1), when it is
// written without a surname of the list.
var nameEnds = newWordSet("反映", "投诉", "举报", "家住", "住在", "居住", "现住", "来自", "今年", "电话", "手机", "联系", "身份证",
	"是", "在", "想", "要", "向", "住", "的", "家", "于", "和", "与", "及", "同志", "先生", "女士", "男", "女", "系", "为", "，")

// notGiven are characters no given name is made of here: pronouns and
// particles (本人向你们反映 names nobody).
const notGiven = "你我他她它们这那的了是在有不也都和与向对把被从给让等啊吗呢吧说家住和及为于"

// particles are pronouns and particles: no name holds them.
const particles = "你我他她它们这那的了是在有不也都和与向对把被从给让等啊吗呢吧"

var (
	surnames      = map[rune]bool{}
	loose         = map[rune]bool{}
	given         = map[rune]bool{}
	compounds     = map[string]bool{}
	compoundFirst = map[rune]bool{}
	transliterate = map[rune]bool{}
)

func init() {
	for _, r := range surnameList {
		surnames[r] = true
	}
	for _, r := range looseSurnames {
		loose[r] = true
	}
	for _, r := range givenChars {
		given[r] = true
	}
	for _, s := range compoundSurnames {
		compounds[s] = true
		compoundFirst[[]rune(s)[0]] = true
	}
	for _, r := range transliterated {
		transliterate[r] = true
	}
}

// transliterated are the characters names of Uyghur, Kazakh, Tibetan,
// Mongolian and foreign persons are transliterated with.
const transliterated = "阿艾爱安奥巴白拜班邦贝本比毕别宾波伯博布才采查达戴丹道德迪蒂丁东都杜多朵额厄恩尔法凡菲费芬弗福夫甫盖甘冈高戈格古固瓜哈海罕汗好合和赫黑亨胡华霍吉加贾杰金京居卡凯坎康柯科克肯孔库夸拉莱赖兰朗劳勒雷里理丽莉利力连良列林琳铃留龙卢鲁路伦罗洛吕玛马买迈麦曼毛梅美门蒙孟米密敏明莫姆木穆纳娜乃南尼妮宁努诺帕潘庞佩皮普齐奇恰乔钦琴秋曲热仁日荣茹若萨塞赛桑色沙莎山尚舍什史斯松苏索塔泰坦汤唐特提廷通图吐托瓦万旺威韦维温文乌吾伍西希夏仙香肖谢辛欣休许雅亚娅扬耶叶伊依因英尤于玉约扎詹珍祖佐孜兹则泽次措卓顿珠旦央嘎姆宗赤江增逊不帕尕娃囊曲加羊卡措吾甫艾合买提孜克尔古丽扎"

// surnameAt returns the length of the surname at unit k (2 for a compound
// one), 0 for none; strict leaves out the surnames that are common words.
func (d *doc) surnameAt(k int, strict bool) int {
	if k+1 < len(d.u) && compoundFirst[d.r(k)] && compounds[d.str(k, k+2)] {
		return 2
	}
	r := d.r(k)
	if surnames[r] && !(strict && loose[r]) {
		return 1
	}
	return 0
}

// givenAt returns how many of units [k, k+max) can be a given name.
func (d *doc) givenAt(k, max int) int {
	n := 0
	for n < max && given[d.r(k+n)] && !d.masked(k+n) {
		n++
	}
	return n
}

// names applies the four rules.
func (d *doc) names() {
	d.introducedNames()
	d.dottedNames()
	d.titledNames()
	d.contextNames()
}

// addName masks units [i, j) as a name and remembers it for MaskCase.
func (d *doc) addName(i, j int) {
	for k := i; k < j; k++ {
		if d.masked(k) {
			return
		}
	}
	if j-i >= 2 {
		d.found = append(d.found, d.orig(i, j))
	}
	d.add(i, j, markName)
}

// skipLead skips what stands between an introducing word and the name.
func (d *doc) skipLead(k int) int {
	for n := 0; n < 3; n++ {
		switch d.r(k) {
		case ' ', ':', '：', '是', '为', '"', '“', '「':
			k++
			continue
		}
		break
	}
	return k
}

// introducedNames applies rule 1.
func (d *doc) introducedNames() {
	for k := 0; k < len(d.u); k++ {
		if d.masked(k) {
			continue
		}
		strong := true
		n := introWords.at(d, k)
		if n == 0 {
			strong = false
			n = weakIntroWords.at(d, k)
		}
		if n == 0 {
			continue
		}
		if d.official && d.str(k, k+n) == "联系人" {
			k += n - 1 // an official answer's 联系人 is the office's
			continue
		}
		s := d.skipLead(k + n)
		if q := d.r(s - 1); q == '"' || q == '“' || q == '「' {
			strong = false // 名叫“华东食品”: a shop's name in quotes
		}
		if e := d.nameAfterIntro(s, strong); e > s {
			d.addName(s, e)
			k = e - 1
		}
	}
	// 我姓王, 老板姓贺: the surname.
	for k := 1; k+1 < len(d.u); k++ {
		if d.r(k) != '姓' || d.r(k+1) == '名' || !strings.ContainsRune("我他她人板方位个者主东", d.r(k-1)) {
			continue // 百姓, 姓名
		}
		s := d.skipLead(k + 1)
		if n := d.surnameAt(s, false); n > 0 {
			e := s + n
			if g := d.givenAt(e, 2); g > 0 && d.nameEndsAt(e+g) {
				e += g
			}
			if !isHan(d.r(e)) || afterName.at(d, e) > 0 || d.r(e) == '，' || privateTitles.at(d, e) > 0 {
				d.addName(s, e)
			}
		}
	}
}

// nameEndsAt reports whether what stands at unit k closes a name.
func (d *doc) nameEndsAt(k int) bool {
	r := d.r(k)
	return k >= len(d.u) || !isHan(r) || afterName.at(d, k) > 0 || nameEnds.at(d, k) > 0 || privateTitles.at(d, k) > 0
}

// nameAfterIntro returns the end of the name at unit s after an
// introducing word, s when there is none.
func (d *doc) nameAfterIntro(s int, strong bool) int {
	if sn := d.surnameAt(s, false); sn > 0 {
		g := d.givenAt(s+sn, 2)
		for n := g; n >= 1; n-- {
			e := s + sn + n
			if d.nameEndsAt(e) && notName.at(d, s) != e-s {
				return e
			}
		}
		if !strong {
			return s
		}
	}
	if !strong {
		return s
	}
	n := 0
	for n < 3 && isHan(d.r(s+n)) && !strings.ContainsRune(particles, d.r(s+n)) && !d.masked(s+n) {
		n++
	}
	if n >= 2 && (s+n >= len(d.u) || !isHan(d.r(s+n))) {
		return s + n // 联系人：万家乐 — the whole, up to the end of the clause
	}
	n = 0
	for n < 3 && isHan(d.r(s+n)) && !strings.ContainsRune(notGiven, d.r(s+n)) && !d.masked(s+n) {
		if n >= 1 && nameEnds.at(d, s+n) > 0 {
			break
		}
		n++
	}
	if n >= 4 {
		n = 3
	}
	return s + n
}

// titledNames applies rule 2.
func (d *doc) titledNames() {
	for t := 1; t < len(d.u); t++ {
		n := privateTitles.at(d, t)
		if n == 0 || officialTitles.at(d, t) > 0 {
			continue
		}
		// The longest surname + given name (0 to 2 characters) ending at t.
		best := -1
		for s := t - 1; s >= 0 && t-s <= 4; s-- {
			if d.masked(s) || !isHan(d.r(s)) {
				break
			}
			sn := d.surnameAt(s, false)
			if sn == 0 || s+sn > t {
				continue
			}
			if d.givenAt(s+sn, t-s-sn) == t-s-sn {
				best = s
			}
		}
		if best >= 0 && notName.at(d, best) != t-best && d.titleBoundary(best, t) {
			d.addName(best, t)
		}
		t += n - 1
	}
}

// boundaryChars may stand right before a surname and a title: particles,
// verbs and words of place (的钱大爷, 请王先生, 楼上李大妈).
const boundaryChars = "的是和与跟找给叫请位个向对被让把问说了在有为着到由及等地上下里边壁面头口对门"

// titleBoundary reports whether the name [s, t) before a title stands
// apart from the word before it: 语文老师 is a subject's teacher, not 文老师.
func (d *doc) titleBoundary(s, t int) bool {
	if t-s == 1 && strings.ContainsRune(functionSurnames, d.r(s)) {
		return false // 向老师, 和婆婆
	}
	return d.clauseStart(s) || strings.ContainsRune(boundaryChars, d.r(s-1)) ||
		beforeName.endingAt(d, s) > 0 || roleWords.endingAt(d, s) > 0 || t-s >= 3 && d.surnameAt(s, true) > 0
}

// clauseStart reports whether unit k starts a clause: the start of the
// text, or after punctuation, a space, a marker or a number.
func (d *doc) clauseStart(k int) bool {
	if k == 0 {
		return true
	}
	r := d.r(k - 1)
	return isPunct(r) || !isHan(r) || d.marker[k-1]
}

// contextNames applies rule 3.
func (d *doc) contextNames() {
	for s := 0; s < len(d.u); s++ {
		if d.masked(s) || !isHan(d.r(s)) {
			continue
		}
		if e := d.contextNameAt(s); e > s {
			d.addName(s, e)
			s = e - 1
		}
	}
	// A name found once is masked wherever else it stands.
	seen := map[string]bool{}
	for _, name := range d.found {
		rs := []rune(name)
		if len(rs) < 2 || seen[name] {
			continue
		}
		seen[name] = true
		for k := 0; k+len(rs) <= len(d.u); k++ {
			if !d.masked(k) && d.matches(k, rs) {
				d.add(k, k+len(rs), markName)
			}
		}
	}
}

// contextNameAt returns the end of the name rule 3 finds at unit s, s for
// none.
func (d *doc) contextNameAt(s int) int {
	if sn := d.surnameAt(s, true); sn == 1 && strings.ContainsRune("姐哥叔婶姨嫂总姑舅伯", d.r(s+1)) && officialTitles.at(d, s+1) == 0 {
		// 张姐, 李哥, 王总: the surname and a kinship word as title
		if e := s + 2; d.personAfter(e) && notName.at(d, s) != 2 && d.r(e) != d.r(s+1) && d.titleBoundary(s, s+1) {
			return s + 1
		}
	}
	if d.official && d.afterContactWord(s) {
		return s // an official answer's 联系人 is the office's
	}
	role := roleWords.endingAt(d, s) > 0
	if !role && d.r(s-1) == '的' && !d.clauseStart(s) {
		// 社区的蒋丽，: after 的 only a name that a clause end or a word of
		// speech follows
		return d.nameAfterOf(s)
	}
	if !role && (d.r(s-1) == '：' || d.r(s-1) == ':' || d.r(s-1) == ' ') {
		k := s - 1
		for k > 0 && (d.r(k-1) == ' ' || d.r(k-1) == '：' || d.r(k-1) == ':') {
			k--
		}
		role = roleWords.endingAt(d, k) > 0 // 法定代表人：胡忠开
	}
	if !role && !d.clauseStart(s) && beforeName.endingAt(d, s) == 0 {
		return s
	}
	k := s
	if (d.r(s) == '老' || d.r(s) == '小') && surnames[d.r(s+1)] && !loose[d.r(s+1)] {
		// 老王, 小李: the surname alone
		if e := s + 2; d.personAfter(e) && notName.at(d, s) != 2 {
			return e
		}
		return s
	}
	sn := d.surnameAt(k, !role)
	if sn == 0 || sn == 1 && strings.ContainsRune(functionSurnames, d.r(k)) {
		return s
	}
	var g int
	if role {
		for g < 2 && isHan(d.r(k+sn+g)) && !strings.ContainsRune(notGiven, d.r(k+sn+g)) && !d.masked(k+sn+g) &&
			officialTitles.at(d, k+sn+g) == 0 && privateTitles.at(d, k+sn+g) == 0 {
			g++
		}
	} else {
		g = d.givenAt(k+sn, 2)
	}
	for n := g; n >= 1; n-- {
		e := k + sn + n
		if d.personAfter(e) && notName.at(d, s) != e-s && !d.notNameInside(k+sn, e) && !strings.ContainsRune(placeChars, d.r(e-1)) {
			return e
		}
	}
	return s
}

// placeChars end place names, not given names (梅溪湖, 刘家坪).
const placeChars = "湖路街村镇乡县市区省湾桥园苑港岛洲坪岭塘冲坡堡寨营庄屯铺寺庙馆店厂场院楼栋"

// afterContactWord reports whether 联系人 (and a colon or a space) stands
// right before unit s.
func (d *doc) afterContactWord(s int) bool {
	k := s
	for k > 0 && (d.r(k-1) == ' ' || d.r(k-1) == ':' || d.r(k-1) == '：') {
		k--
	}
	return d.str(k-3, k) == "联系人"
}

// nameAfterOf returns the end of a name right after 的 (社区的蒋丽，她说),
// s for none: a strict surname and a given name of the shape, then the end
// of a clause or a word of speech.
func (d *doc) nameAfterOf(s int) int {
	sn := d.surnameAt(s, true)
	if sn == 0 {
		return s
	}
	for n := d.givenAt(s+sn, 2); n >= 1; n-- {
		e := s + sn + n
		if notName.at(d, s) == e-s || d.notNameInside(s+sn, e) || strings.ContainsRune(placeChars, d.r(e-1)) {
			continue
		}
		if r := d.r(e); e >= len(d.u) || r == '，' || r == ',' || r == '。' || r == '、' || r == '；' || speechAfter.at(d, e) > 0 {
			return e
		}
	}
	return s
}

// speechAfter are words after a name that show a person acts.
var speechAfter = newWordSet("说", "讲", "称", "反映", "表示", "投诉", "举报", "告诉", "答应", "承诺", "回复", "让", "叫", "打电话")

// notNameInside reports whether the given name [i, j) holds a character
// no name is made of.
func (d *doc) notNameInside(i, j int) bool {
	for k := i; k < j; k++ {
		if strings.ContainsRune(notGiven, d.r(k)) {
			return true
		}
	}
	return false
}

// personAfter reports whether what stands at unit e shows that the name
// before it is a person's: a word of afterName, punctuation or the end, and
// no place, business or official's title.
func (d *doc) personAfter(e int) bool {
	if officialTitles.at(d, e) > 0 {
		return false
	}
	for k := e; k < e+3 && k < len(d.u) && isHan(d.r(k)); k++ {
		if placeAfter.at(d, k) > 0 {
			if k == e || afterName.at(d, e) == 0 || afterName.at(d, e) > k-e {
				return false
			}
		}
	}
	if e >= len(d.u) || d.marker[e] {
		return true
	}
	r := d.r(e)
	if isPunct(r) {
		return true
	}
	return afterName.at(d, e) > 0 || privateTitles.at(d, e) > 0
}

// dottedNames applies rule 4: transliterated names joined by a middle dot.
func (d *doc) dottedNames() {
	for k := 1; k+1 < len(d.u); k++ {
		if r := d.r(k); r != '·' && r != '•' && r != '・' && r != '‧' && r != '･' && r != '∙' && r != '.' {
			continue
		}
		i := k
		for i > 0 && k-i < 6 && transliterate[d.r(i-1)] && !d.masked(i-1) {
			i--
		}
		j := k + 1
		for {
			e := j
			for e < len(d.u) && e-j < 6 && transliterate[d.r(e)] && !d.masked(e) {
				e++
			}
			if e == j {
				break
			}
			j = e
			if r := d.r(j); (r == '·' || r == '•' || r == '・' || r == '‧' || r == '･' || r == '∙') && transliterate[d.r(j+1)] {
				j++
				continue
			}
			break
		}
		left, right := k-i, j-k-1
		if right <= 0 || left <= 0 || left+right < 3 || d.r(k) == '.' && (left < 2 || right < 2) {
			continue
		}
		d.addName(i, j)
		k = j
	}
}
