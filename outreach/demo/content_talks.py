"""What the policy talks say: the series, theory, culture and law topics, venues, closing
remarks, how an audience was estimated and why a talk was called off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outreach.demo.dates import FESTIVALS
from outreach.models import ReachMethod, TalkKind

SERIES: list[tuple[str, str, str]] = [
    ("感党恩·听党话·跟党走", TalkKind.THEORY, "红骑兵宣讲团常态化理论宣讲和主题党课"),
    ("石榴籽宣讲", TalkKind.THEORY, "铸牢中华民族共同体意识、民族团结进步主题宣讲"),
    ("文化进万家", TalkKind.CULTURE, "节日民俗、广场文艺、书画展览等群众文化活动"),
    ("曲艺周末乐", TalkKind.CULTURE, "周末曲艺专场：二人台、好来宝、漫瀚调、晋剧、快板"),
    ("法治进社区", TalkKind.LAW, "法律顾问、人民调解员进楼院开展普法讲座和法律咨询"),
    ("银龄防骗课堂", TalkKind.LAW, "面向老年人的防范电信网络诈骗、非法集资宣传"),
]


@dataclass(frozen=True)
class Topic:
    """One kind of talk or event; ``summary`` may use {community} {compound} {venue}."""

    title: str
    summary: str
    series: str = ""
    months: tuple[int, ...] = ()  # empty: any month
    not_before: date | None = None
    outdoor: bool = False  # a square or courtyard: only from May to September in Hohhot
    other_speakers: str = ""
    evening: bool = False  # an evening show (open-air film, summer gala)
    festival: str = ""  # held in the days around this festival (see FESTIVALS)
    window: tuple[int, int] = (-6, 0)  # days before/after the festival

    def fits(self, day: date) -> bool:
        if self.festival:
            when = FESTIVALS[self.festival].get(day.year)
            return when is not None and self.window[0] <= (day - when).days <= self.window[1]
        if self.months and day.month not in self.months:
            return False
        if self.not_before and day < self.not_before:
            return False
        return not (self.outdoor and day.month not in range(5, 10))


FOURTH_PLENUM = date(2025, 10, 24)  # the day after the 二十届四中全会 closed

THEORY_TOPICS = [
    Topic(
        "学习贯彻党的二十届四中全会精神宣讲",
        "宣讲员围绕“十五五”时期经济社会发展的主要目标，结合{community}老旧小区改造、"
        "养老服务站建设等身边变化，把全会精神讲成居民听得懂的家常话。",
        series="感党恩·听党话·跟党走",
        not_before=FOURTH_PLENUM,
    ),
    Topic(
        "“十五五”规划建议解读：家门口的新变化",
        "从交通出行、教育医疗和城市更新四个方面解读规划建议，请居民说一说最盼望的变化，"
        "现场收集的意见建议列入社区议事清单。",
        not_before=FOURTH_PLENUM,
        other_speakers="区委宣讲团成员",
    ),
    Topic(
        "铸牢中华民族共同体意识主题宣讲",
        "以{community}各族居民守望相助的真实故事开篇，讲述民族团结进步创建的意义，"
        "穿插蒙汉双语问答，居民踊跃分享邻里互助的经历。",
        series="石榴籽宣讲",
    ),
    Topic(
        "民族团结进步故事会",
        "老党员讲述上世纪五六十年代各族群众共建青城的往事，青年志愿者朗读民族团结模范事迹，"
        "现场为新评选的民族团结进步示范楼栋授牌。",
        series="石榴籽宣讲",
    ),
    Topic(
        "全国两会精神进社区",
        "用数据和案例解读政府工作报告中就业、养老、托育等民生举措，"
        "对照{community}实际讲清楚政策怎样落到家门口。",
        months=(3, 4, 5),
        other_speakers="区委党校讲师",
    ),
    Topic(
        "“七一”主题党课：永远跟党走",
        "老党员讲述入党经历和北疆建设往事，带领在职党员、退休党员重温入党誓词，"
        "社区为行动不便的老党员录制了视频祝福。",
        series="感党恩·听党话·跟党走",
        months=(6, 7),
    ),
    Topic(
        "完成好“五大任务”宣讲",
        "结合呼和浩特建设国家重要能源和战略资源基地、农畜产品生产基地的新进展，"
        "讲清筑牢祖国北疆安全稳定屏障与居民日常生活的关系。",
        series="感党恩·听党话·跟党走",
    ),
    Topic(
        "北疆文化微宣讲：从敕勒川到大青山",
        "讲述“敕勒川，阴山下”的历史渊源和青城的红色足迹，邀请居民带来老照片，"
        "一起回顾{community}几十年来的变迁。",
    ),
    Topic(
        "居家养老服务政策解读",
        "讲解高龄津贴申领、居家养老服务补贴和社区助餐点就餐优惠，"
        "志愿者现场演示用手机办理养老金资格认证。",
    ),
    Topic(
        "城乡居民医保参保缴费政策宣讲",
        "讲解新一年度城乡居民医保缴费标准、缴费渠道和门诊慢特病待遇，"
        "志愿者手把手帮助老年居民在手机上完成缴费。",
        months=(9, 10, 11, 12),
    ),
    Topic(
        "稳就业惠民政策进社区",
        "解读创业担保贷款、灵活就业社保补贴和职业技能培训政策，"
        "社区同步发布辖区企业的招聘岗位信息。",
    ),
    Topic(
        "生活垃圾分类政策宣讲",
        "用实物演示四类垃圾的投放方法，讲解本市生活垃圾分类管理规定的主要要求，"
        "为居民发放分类指引卡和厨余垃圾桶。",
    ),
    Topic(
        "巩固文明城市创建成果宣讲",
        "围绕文明养犬、规范停车、不高空抛物等身边小事讲解文明城市的常态要求，"
        "现场招募楼栋文明劝导志愿者。",
    ),
    Topic(
        "节约用水与黄河流域生态保护宣讲",
        "讲解黄河流域生态保护的意义，介绍家庭节水小窍门，志愿者为居民免费检查水龙头滴漏。",
        months=(3, 4, 5, 6, 7, 8, 9),
    ),
    Topic(
        "党的创新理论“板凳宣讲”",
        "宣讲员搬着小板凳走进楼院，围坐拉家常式讲政策，"
        "用身边人讲身边事的方式讲述基层治理带来的新变化。",
        series="感党恩·听党话·跟党走",
        outdoor=True,
    ),
    Topic(
        "国庆“我和我的祖国”故事会",
        "老党员、退伍军人和退休教师讲述家国故事，青少年朗诵爱国诗篇，现场齐唱《我和我的祖国》。",
        series="感党恩·听党话·跟党走",
        months=(9, 10),
    ),
]

CULTURE_TOPICS = [
    Topic(
        "曲艺周末乐：二人台专场",
        "二人台爱好者协会的演员演出《走西口》《挂红灯》等传统剧目选段，"
        "台下的老观众跟着哼唱，现场气氛热烈。",
        series="曲艺周末乐",
        other_speakers="二人台爱好者协会演员",
    ),
    Topic(
        "曲艺周末乐：好来宝与乌力格尔专场",
        "艺人伴着四胡说唱好来宝，用蒙汉双语讲述草原故事，"
        "不少年轻居民第一次近距离感受这门非遗说唱艺术。",
        series="曲艺周末乐",
        other_speakers="区文化馆乌力格尔艺人",
    ),
    Topic(
        "曲艺周末乐：快板数来宝说新事",
        "文艺骨干把垃圾分类、防范诈骗、文明养犬编进快板和数来宝，寓教于乐，演出后开展有奖问答。",
        series="曲艺周末乐",
    ),
    Topic(
        "曲艺周末乐：晋剧票友清唱会",
        "辖区晋剧票友清唱《打金枝》等经典选段，琴师现场伴奏，老戏迷上台即兴对唱。",
        series="曲艺周末乐",
        other_speakers="青城晋剧票友协会",
    ),
    Topic(
        "曲艺周末乐：漫瀚调对唱会",
        "歌手用漫瀚调即兴对唱邻里新事，唱到社区新装的路灯和楼道扶手，引得台下阵阵掌声。",
        series="曲艺周末乐",
        outdoor=True,
    ),
    Topic(
        "迎新春写春联送福字",
        "书法志愿者现场挥毫，为居民书写春联和福字，孩子们在一旁学剪窗花，年味十足。",
        series="文化进万家",
        festival="spring",
        window=(-20, -3),
        other_speakers="青城书法家协会会员",
    ),
    Topic(
        "元宵节猜灯谜闹元宵",
        "活动室挂起两百余条灯谜，内容涵盖民俗、法律常识和社区小知识，居民猜中即可领取元宵。",
        series="文化进万家",
        festival="lantern",
        window=(-3, 0),
    ),
    Topic(
        "端午包粽子做香囊",
        "老中青三代居民一起包粽子、缝香囊，志愿者讲解端午习俗，包好的粽子送给辖区独居老人。",
        series="文化进万家",
        festival="dragon_boat",
    ),
    Topic(
        "中秋诗会：月圆青城",
        "居民朗诵咏月诗词，马头琴演奏和蒙古族长调穿插其间，最后大家围坐品月饼、话团圆。",
        series="文化进万家",
        festival="mid_autumn",
    ),
    Topic(
        "重阳敬老文艺演出",
        "社区文艺队表演舞蹈、合唱和小品，志愿者为老人测血压、理发，为八十岁以上老人送上长寿面。",
        series="文化进万家",
        festival="double_ninth",
        window=(-3, 2),
    ),
    Topic(
        "消夏广场文艺晚会",
        "社区文艺队、少儿舞蹈班和驻区单位职工同台演出，节目间隙穿插防溺水、防诈骗知识问答。",
        series="文化进万家",
        months=(7, 8),
        outdoor=True,
        evening=True,
    ),
    Topic(
        "露天电影进小区",
        "在{compound}放映国产优秀影片，映前播放防范电信诈骗宣传片，居民自带小板凳纳凉观影。",
        series="文化进万家",
        outdoor=True,
        evening=True,
    ),
    Topic(
        "安代舞广场舞展演",
        "五支居民舞蹈队轮番登场，安代舞的红绸与广场舞的扇子交相辉映，围观居民也跟着跳了起来。",
        outdoor=True,
    ),
    Topic(
        "“我们的社区”书画摄影展",
        "展出居民创作的书法、国画和摄影作品六十余幅，记录{community}楼院改造前后的变化。",
        series="文化进万家",
    ),
    Topic(
        "全民阅读分享会",
        "居民分享最近读过的一本书，社区图书角新增图书两百册，孩子们现场办理了借阅卡。",
        months=(4, 5),
    ),
    Topic(
        "非遗剪纸和皮雕体验课",
        "非遗传承人讲解蒙古族皮雕和剪纸的来历，手把手教居民完成一件小作品。",
        other_speakers="非遗传承人",
    ),
    Topic(
        "新年邻里联欢会",
        "居民自编自演歌舞、快板和小品，邻里一起包饺子、写新年愿望，迎接新年。",
        series="文化进万家",
        months=(12, 1),
    ),
    Topic(
        "马头琴音乐会",
        "马头琴演奏《万马奔腾》等曲目，演奏者讲解马头琴的构造和演奏技巧。",
        other_speakers="内蒙古艺术学院师生",
    ),
]

LAW_TOPICS = [
    Topic(
        "民法典进家庭：婚姻家庭编里的那些事",
        "律师结合案例讲解夫妻共同财产、赡养扶养义务等规定，现场解答子女抚养、财产分割等咨询。",
        series="法治进社区",
    ),
    Topic(
        "民法典讲堂：遗嘱怎样立才有效",
        "讲解自书、代书、打印、录像等遗嘱形式的要件，提醒老年人警惕以“代办遗嘱”为名的骗局。",
        series="法治进社区",
    ),
    Topic(
        "民法典与邻里相处：相邻关系和物业服务",
        "围绕楼上漏水、噪音扰民、占用公共部位等常见纠纷讲解相邻关系规则，"
        "和为贵调解员分享了几起调解成功的案例。",
        series="法治进社区",
    ),
    Topic(
        "防范电信网络诈骗宣传",
        "揭露冒充客服退款、刷单返利、虚假投资理财等高发骗局，"
        "指导居民安装国家反诈中心App并开启来电预警。",
        series="银龄防骗课堂",
        other_speakers="派出所社区民警",
    ),
    Topic(
        "守住养老钱：防范非法集资宣讲",
        "以“以房养老”“保健品投资”等案例讲解非法集资的常见套路，教老年人识别高息诱惑。",
        series="银龄防骗课堂",
    ),
    Topic(
        "宪法宣传周：学宪法讲宪法",
        "讲解宪法确立的公民基本权利和义务，组织居民诵读宪法条文，开展宪法知识有奖问答。",
        series="法治进社区",
        months=(12,),
    ),
    Topic(
        "全民国家安全教育日宣传",
        "讲解国家安全的内涵，提醒居民不随意拍摄、传播涉密场所，发现可疑情况拨打12339举报。",
        months=(4,),
    ),
    Topic(
        "远离毒品，守护健康",
        "结合国际禁毒日，讲解新型毒品的伪装形态和危害，提醒家长关注青少年交友情况。",
        months=(6,),
        other_speakers="区禁毒办工作人员",
    ),
    Topic(
        "根治欠薪：工资支付法律知识宣讲",
        "讲解保障农民工工资支付的有关规定和维权渠道，现场为务工人员提供讨薪法律咨询。",
        months=(12, 1),
    ),
    Topic(
        "暑期未成年人保护法宣讲",
        "面向家长和孩子讲解未成年人保护法中的家庭保护、网络保护要求，提醒暑期防溺水、防网络沉迷。",
        months=(7, 8),
    ),
    Topic(
        "《信访工作条例》宣讲：依法反映诉求",
        "讲解信访事项的提出、受理和办理时限，介绍街道“一站式接收、一揽子调处、全链条解决”的做法。",
    ),
    Topic(
        "“3·15”消费者权益保护讲座",
        "讲解预付卡消费、网购退换货等常见纠纷的维权方法，提醒居民保存好消费凭证。",
        months=(3,),
    ),
    Topic(
        "人民调解进楼院：小矛盾不出网格",
        "调解员讲解人民调解协议的效力和司法确认程序，现场受理两起邻里纠纷的调解申请。",
        series="法治进社区",
    ),
    Topic(
        "物业管理法规讲座：业主大会怎么开",
        "讲解业主大会、业主委员会的成立程序和专项维修资金使用的表决规则。",
        series="法治进社区",
    ),
    Topic(
        "反家庭暴力法宣传",
        "讲解人身安全保护令的申请条件和程序，介绍社区妇联的求助渠道。",
        other_speakers="街道妇联干部",
    ),
]

TALK_TAILS = {
    TalkKind.THEORY: [
        "宣讲结束后，宣讲员留下来与居民拉家常、听心声，记录意见建议{k}条。",
        "现场设置了有奖问答，居民参与热情很高。",
        "社区同步为居民发放了宣传折页和便民服务卡。",
        "不少居民表示，这样的宣讲接地气、听得懂。",
    ],
    TalkKind.CULTURE: [
        "活动由文润蓝天志愿服务队组织，志愿者负责现场秩序和老人接送。",
        "演出间隙，网格员在场边设置了诉求收集点，收集意见建议{k}条。",
        "居民纷纷表示希望这样的活动多办几场。",
        "社区同步拍摄了短视频，在社区微信群里分享。",
    ],
    TalkKind.LAW: [
        "讲座后设置了法律咨询台，律师现场解答咨询{k}件。",
        "现场发放普法宣传资料和防诈骗提示卡。",
        "对需要进一步调解的事项，调解员登记后约定上门时间。",
        "居民把讲座内容拍照转发到楼栋群，提醒家人注意防范。",
    ],
}

# A grid station seats a few dozen: only law talks (20–80 people) fit in one.
INDOOR_VENUES = {
    TalkKind.THEORY: ["{community}新时代文明实践站", "{community}党群服务中心多功能厅"],
    TalkKind.CULTURE: [
        "{community}新时代文明实践站",
        "{community}党群服务中心多功能厅",
        "{community}文化活动中心",
    ],
    TalkKind.LAW: ["{community}新时代文明实践站", "{community}党群服务中心多功能厅", "{station}"],
}
OUTDOOR_VENUES = ["{compound}中心广场", "{compound}文化小广场"]

REACH_NOTES = {
    ReachMethod.VENUE: "按场地座椅和站立区估算，座位基本坐满",
    ReachMethod.HEADCOUNT: "工作人员分区清点，开场和中场各数一次取较大值",
    ReachMethod.ONLINE: "现场约{onsite}人，社区视频号直播观看{online}人次",
}

TALK_CANCEL_REASONS = {
    "spring": "大风黄色预警，户外活动取消",
    "summer": "与防汛值班冲突，改期举行",
    "winter": "暴雪天气，活动取消",
    "any": "主讲人临时有公务，改期举行",
}
