"""Chinese text of the demo's social mentions, written by templates: a body by topic and tone, then what each
platform adds around it (titles, #hashtags#, @mentions, emoji, links, line breaks).

Everything here was written for growthmart's demo; no text is copied from anywhere. Draws come from the caller's
`random.Random` (composing tens of thousands of posts from numpy's generator one draw at a time is slow). Some bodies carry ASCII
double quotes, commas and line breaks on purpose: a landing file must keep them intact.
"""

from __future__ import annotations

import random

TONES = ("positive", "neutral", "negative")
TOPICS = ("product", "service", "logistics", "price", "general")

# (topic, tone) → bodies; slots: {kw} brand keyword, {item} product, {days}, {minutes}, {price}, {price2},
# {courier}, {city}, {n}.
BODIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("product", "positive"): (
        "用{kw}买的{item}快一个月了，质量真的可以，做工比想象中精致",
        "{kw}家的{item}回购第三次了，一如既往的稳定",
        "没想到{kw}的{item}这么好用，已经安利给室友了",
        "{item}到手，细节很用心，包装也高级，{kw}这次没让我失望",
        "一开始不抱希望，结果{kw}这款{item}一点也不差，比大牌还顺手",
        "{kw}的{item}颜值和质量都在线，{n}个朋友问我要链接",
    ),
    ("product", "neutral"): (
        "{kw}的{item}和别家的比起来怎么样？有没有用过的说说",
        "在{kw}下单了{item}，等到了再来反馈",
        "{item}在{kw}和品牌旗舰店都有卖，规格好像不太一样",
        "第一次在{kw}买{item}，中规中矩吧，没什么惊喜也没什么毛病",
        "求问{kw}的{item}是自营的吗，还是第三方商家",
    ),
    ("product", "negative"): (
        "{kw}买的{item}用了{days}天就坏了，质量真的不太行",
        "{item}收到就有明显划痕，{kw}的品控是不是该管管了",
        "对{kw}的{item}有点失望，和详情页描述差太多",
        "别买{kw}的{item}！味道很大，放了{days}天还散不掉",
        '说是"正品保障"，结果{item}做工一看就不对，{kw}你们自己看看',
        "呵呵，{kw}的{item}质量真是“好”到让我无语",
    ),
    ("service", "positive"): (
        "{kw}的客服小姐姐太耐心了，问了半天都没有不耐烦",
        "退换货很顺利，{kw}售后当天就处理了，点赞",
        "{kw}客服响应好快，问题{minutes}分钟就解决了",
    ),
    ("service", "neutral"): (
        "有人知道{kw}的人工客服入口在哪吗？APP里一直没找到",
        "{kw}的会员日具体是哪天，有没有人科普一下",
        "问了{kw}客服，说{days}个工作日内给答复，先等等看",
    ),
    ("service", "negative"): (
        "{kw}客服机器人只会复制粘贴，转人工排了{minutes}分钟",
        "申请退款{days}天了还没处理，{kw}到底管不管",
        "{kw}售后踢皮球，商家说找平台，平台说找商家",
        "投诉了三次{kw}都没人回复，服务真的不太好",
    ),
    ("logistics", "positive"): (
        "{kw}发货真快，昨晚下单今天就到了，{courier}给力",
        "{courier}送货上门，{kw}包装很严实，一点没压坏",
        "{kw}次日达名不虚传，{city}这边第二天就收到了",
    ),
    ("logistics", "neutral"): (
        "{kw}的订单显示已发货，物流信息还没更新",
        "{kw}一般发什么快递？{city}能到吗",
        "在{kw}买的东西走的{courier}，预计{days}天到",
    ),
    ("logistics", "negative"): (
        "下单{days}天了{kw}还没发货，说好的48小时呢",
        "{courier}把{kw}的包裹放驿站也不打电话，差点丢了",
        "{kw}的快递盒都压扁了，里面的{item}也磕坏了",
    ),
    ("price", "positive"): (
        "{kw}这波活动价{price}元，比别家便宜不少，冲了",
        "{kw}领券后才{price}元，性价比绝了",
        "对比了一圈还是{kw}最划算，{item}到手价{price}",
    ),
    ("price", "neutral"): (
        "{kw}的{item}现在{price}元，等大促会不会更便宜？",
        "{kw}和别家的{item}价格差不多，纠结买哪家",
        "{kw}的满减规则有点复杂，谁能算一下{price}元的东西怎么凑单",
    ),
    ("price", "negative"): (
        "刚在{kw}买完{item}第二天就降价了，差了好几十，气死",
        "{kw}先涨价再打折，{price}元的东西标原价{price2}，套路太深",
        "{kw}的东西越来越贵了，{item}卖{price}元也太离谱",
    ),
    ("general", "positive"): (
        "{kw}的新人礼包挺实在的，推荐给刚注册的朋友",
        "今年用得最多的购物APP就是{kw}了，省心",
    ),
    ("general", "neutral"): (
        "{kw}开启新一轮会员日活动，{n}款好物限时特价",
        "{kw}宣布与{courier}合作，{city}地区支持当日达",
        "整理了一下{kw}这个月的活动日历，需要的自取",
    ),
    ("general", "negative"): (
        "{kw}的APP越更新越难用，广告弹窗关都关不掉",
        "卸载{kw}了，推送太多，一天能发{n}条",
    ),
}

# The product-quality incident (tools/demo/mentions.py): what people write once it starts.
INCIDENT_ITEM = "儿童保温杯"
INCIDENT_TAG = "{kw}保温杯掉漆"
INCIDENT_BODIES: dict[str, tuple[str, ...]] = {
    "negative": (
        "避雷！{kw}自营的儿童保温杯内胆涂层掉了，孩子用了一周才发现",
        "我家的也是！{kw}那批保温杯内壁掉漆，已经申请退货了",
        "{kw}儿童保温杯涂层脱落，孩子喝进去怎么办？在线等，挺急的",
        "看到好多人说{kw}保温杯掉漆，赶紧去看了一下我家的，果然也有",
        "{kw}能不能给个说法？儿童用品出这种质量问题太吓人了",
        "已经投诉到12315了，{kw}的儿童保温杯问题必须给个交代",
        '同款同批次，内胆一刷就掉渣，客服还说"属于正常现象"，{kw}赶紧召回吧',
    ),
    "neutral": (
        "{kw}回应儿童保温杯涂层问题：已下架同批次产品，支持无理由退换",
        "关于{kw}保温杯掉漆的事，目前知道的情况整理一下",
        "有没有懂行的说说，{kw}这批保温杯内胆涂层掉了到底有没有害",
    ),
    "positive": ("{kw}这次处理还算快，保温杯退款当天就到账了",),
}

ITEMS = ("保温杯", "防晒霜", "蓝牙耳机", "空气炸锅", "面膜", "帆布包", "咖啡豆", "收纳箱", "洗面奶", "充电宝")
COURIERS = ("顺丰", "京东物流", "中通", "圆通", "韵达", "极兔")
CITIES = ("北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "长沙", "郑州")
EMOJI = {
    "positive": ("👍", "😍", "✨", "💯", "🥰", "🎉"),
    "neutral": ("🤔", "👀", "📦", "🙋"),
    "negative": ("😡", "😤", "💢", "🙄", "😭", "😱"),
}
WEIBO_EMOTES = {
    "positive": ("[赞]", "[哈哈]", "[心]"),
    "neutral": ("[思考]", "[吃瓜]"),
    "negative": ("[怒]", "[泪]", "[吐]"),
}
TAGS = {
    "positive": ("好物分享", "{kw}种草", "平价好物", "开箱"),
    "neutral": ("购物攻略", "{kw}", "省钱攻略"),
    "negative": ("避雷", "消费维权", "{kw}售后"),
}
GENERIC_TAGS = ("购物分享", "生活好物", "真实测评", "日常记录")
XHS_TITLES = {
    "positive": ("真心推荐", "无限回购", "好物分享"),
    "neutral": ("求助", "有人了解吗", "记录一下"),
    "negative": ("避雷", "踩坑了", "劝退"),
}
ALNUM = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(n))


def body(rng: random.Random, topic: str, tone: str, kw: str, incident: bool = False) -> str:
    """One sentence about `kw` on `topic` in `tone` (an incident post when `incident`)."""
    template = rng.choice(INCIDENT_BODIES[tone] if incident else BODIES[(topic, tone)])
    price = rng.randrange(19, 400)
    return template.format(
        kw=kw,
        item=rng.choice(ITEMS),
        days=rng.randrange(2, 15),
        minutes=rng.randrange(5, 60),
        price=price,
        price2=price + rng.randrange(20, 200),
        courier=rng.choice(COURIERS),
        city=rng.choice(CITIES),
        n=rng.randrange(3, 30),
    )


def compose(
    rng: random.Random,
    platform: str,
    topic: str,
    tone: str,
    kw: str,
    handle: str,
    incident: bool = False,
) -> str:
    """A post on `platform` about keyword `kw`, as its users write there; `handle` is the brand's account
    (for @mentions)."""
    text = body(rng, topic, tone, kw, incident)
    tag = (INCIDENT_TAG if incident else rng.choice(TAGS[tone])).format(kw=kw)
    emoji = rng.choice(EMOJI[tone]) if rng.random() < 0.6 else ""
    if platform == "weibo":
        emote = rng.choice(WEIBO_EMOTES[tone]) if rng.random() < 0.5 else emoji
        at = f" @{handle}" if rng.random() < 0.35 else ""
        link = f" http://t.cn/A6{_token(rng, 6)}" if rng.random() < 0.15 else ""
        return f"#{tag}# {text}{emote}{at}{link}"
    if platform == "xiaohongshu":
        title = rng.choice(XHS_TITLES[tone])
        return f"{title}｜{kw}{emoji}\n{text}{emoji}\n#{tag}[话题]# #{rng.choice(GENERIC_TAGS)}[话题]#"
    if platform == "douyin":
        at = f" @{handle}" if rng.random() < 0.3 else ""
        return f"{text}{emoji} #{tag} #{rng.choice(GENERIC_TAGS)}{at}"
    if platform == "zhihu":
        opening = rng.choice(("谢邀。", "利益相关：普通用户，非广告。", "说说我自己的经历。"))
        more = "\n\n补充：" + body(rng, topic, tone, kw, incident) if rng.random() < 0.5 else ""
        link = (
            f"\n参考：https://zhuanlan.zhihu.com/p/{rng.randrange(10**8, 10**9)}"
            if rng.random() < 0.1
            else ""
        )
        return f"{opening}{text}。{more}{link}"
    if platform == "bilibili":
        return (
            f"【{rng.choice(('测评', '开箱', '吐槽', '真实体验'))}】{text} [doge]"
            if rng.random() < 0.3
            else f"【{tag}】{text}"
        )
    if platform == "wechat":
        link = f"\n阅读原文：https://mp.weixin.qq.com/s/{_token(rng, 22)}" if rng.random() < 0.3 else ""
        return f"{rng.choice(('深度', '观察', '消费提示', '好物'))}｜{text}{link}"
    raise ValueError(f"unknown platform {platform!r}")
