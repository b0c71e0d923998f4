"""Generate a deterministic, realistic content hub for benchmarks.

    python bench/generate.py N OUTDIR [--seed 1]

Writes site.yaml (menus, segments, channels), 3 personas, 6 campaigns, 4 pages, a few images in
static/ and N Chinese articles of 1,200–2,000 characters. Every article has ## headings, a list,
links to other generated articles and to pages, a table, a fenced code block, an image, tags,
and ends in a ``::: cta`` block. Sentences are drawn from word pools with a generator seeded per
article, so articles differ (ORIG001 stays quiet) and the same N and seed give the same files.

The hub builds with no errors and checks clean with ``--now 2026-11-23``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys

MARKER = ".bench-hub"  # OUTDIR holds a generated hub that may be replaced
NOW = dt.date(2026, 11, 23)
FIRST_DAY = dt.date(2021, 1, 1)

# ----------------------------------------------------------------------------- word pools

PEOPLE = ["小贝", "阿糖", "王师傅", "李店长", "张老师", "陈姐", "刘哥", "周阿姨", "吴师傅", "赵同学", "孙老板",
          "钱小姐", "郑先生", "黄奶奶", "林妈妈", "何爸爸", "马学徒", "胡主厨", "朱姐姐", "高叔叔", "罗师兄",
          "梁小妹", "宋大厨", "谢老师", "韩阿姨", "唐师傅", "冯店员", "邓妈妈", "曹小哥", "彭老板"]
PLACES = ["合肥旗舰店", "石家庄新店", "成都春熙店", "后厨", "开放厨房", "中央工厂", "裱花间", "冷库", "门店柜台",
          "社区团购点", "写字楼快闪店", "商场中庭", "地铁站口", "大学城门店", "高铁站店", "滨湖新店", "老城区店",
          "河西店", "天府店", "包河店", "蜀山店", "长安店", "裕华店", "锦江店", "武侯店", "青羊店"]
TIMES = ["清晨五点", "早上七点", "上午十点", "午后", "傍晚", "周六下午", "周日上午", "每天打烊前", "上周三",
         "这个月初", "节前一周", "去年冬天", "今年春天", "立秋那天", "国庆假期", "入冬以后", "下雨的早晨",
         "开业第一天", "月底盘点时", "周五晚上", "凌晨三点", "午饭过后", "放学时间", "下班高峰"]
ADVERBS = ["悄悄地", "认真地", "反复", "慢慢", "一口气", "小心翼翼地", "第一次", "又一次", "耐心地", "提前",
           "顺手", "特意", "仔细", "轻轻", "稳稳地", "偷偷", "干脆", "连夜", "专门", "一点点"]
VERBS = ["揉好了", "烤出了", "试吃了", "调整了", "记录了", "挑选了", "包装了", "改良了", "分享了", "准备了",
         "称量了", "发酵了", "整形了", "切开了", "冷藏了", "复烤了", "装饰了", "打发了", "过筛了", "熬煮了",
         "尝遍了", "比较了", "拍下了", "端出了", "送走了", "迎来了", "算清了", "换掉了"]
FOODS = ["黄油可颂", "全麦吐司", "碱水结", "巧克力布朗尼", "抹茶千层", "草莓奶油蛋糕", "肉松小贝", "蛋黄酥",
         "芝士贝果", "法式长棍", "红豆面包", "椰蓉餐包", "史多伦", "潘娜托尼", "肉桂卷", "提拉米苏", "葡式蛋挞",
         "海盐卷", "菠萝包", "手撕面包", "黑森林蛋糕", "月饼礼盒", "藤椒贝果", "桂花糕", "杏仁瓦片", "玛德琳",
         "费南雪", "司康", "泡芙塔", "蜂蜜蛋糕", "乳酪条", "核桃软欧", "南瓜吐司", "紫薯卷", "山药糕"]
TEXTURES = ["外皮酥脆", "内里柔软", "奶香浓郁", "甜度刚好", "层次分明", "口感绵密", "麦香十足", "带点咸味",
            "入口即化", "嚼劲十足", "果香清新", "焦糖味明显", "油而不腻", "湿润扎实", "轻盈蓬松", "香气持久",
            "回甘明显", "颜色金黄", "气孔均匀", "切面漂亮"]
FEELINGS = ["大家都很满意", "孩子们抢着要", "老顾客连夸三遍", "师傅们松了口气", "我们还想再改改",
            "店里一上午就卖空了", "有人专程来买第二次", "排队排到了门外", "试吃盘很快见底", "同事说像小时候的味道",
            "留言区热闹起来", "外卖订单翻了一倍", "隔壁店也来取经", "新学徒记了满满一页", "连挑剔的主厨都点头"]
NUMBERS = ["三", "五", "七", "八", "十二", "十五", "二十", "三十六", "四十八", "六十", "九十", "一百二十"]
UNITS = ["克黄油", "克面粉", "分钟", "度炉温", "个小时", "只模具", "份样品", "位顾客", "盒礼盒", "张订单"]
CONNECT = ["后来", "其实", "说实话", "没想到", "慢慢地", "于是", "结果", "不过", "所以", "最后", "另外", "顺便说一句"]
TIPS = ["面团要盖保鲜膜", "黄油要冷藏到位", "烤盘要提前预热", "糖粉最后再筛", "鸡蛋要放到室温", "模具要抹薄油",
        "出炉后先放凉", "奶油要打到七分发", "酵母不能碰到盐", "切面包用锯齿刀", "冷冻前要分装", "复烤时喷点水",
        "面粉要选高筋", "淡奶油要冰过", "巧克力隔水融化", "果酱别放太满"]
HEADINGS = ["准备材料", "动手步骤", "店里的故事", "小贝的笔记", "常见问题", "保存方法", "搭配建议", "门店信息",
            "师傅的话", "顾客反馈", "这次的改进", "下一步计划", "价格说明", "配送须知", "试吃记录", "选购指南"]
TAGS = ["烘焙", "面包", "蛋糕", "可颂", "亲子", "活动", "门店", "新品", "节日", "礼盒", "配送", "会员", "早餐",
        "下午茶", "甜品", "教程", "保存", "健康", "低糖", "全麦", "故事", "师傅", "合肥", "河北", "成都", "冬季",
        "夏季", "中秋", "圣诞", "春节", "咖啡", "外卖", "团购", "试吃", "课程", "食材", "工具", "包装", "售后", "福利"]
ALPHABET = ("甜心烘焙麦香酥软奶油黄金蜜糖桂花栗子杏仁核桃红枣枸杞芝麻花生椰子柠檬青柚蓝莓草莓树莓芒果橙皮荔枝龙眼"
            "山楂乌梅玫瑰茉莉抹茶可可焦糖海盐黑糖红糖冰糖蜂蜜枫糖香草肉桂豆蔻丁香八角藤椒花椒辣椒胡椒生姜葱香")


def words(rng: random.Random, k: int) -> str:
    """An invented product name: characters drawn from a large alphabet (keeps articles apart)."""
    return "".join(rng.choice(ALPHABET) for _ in range(k))


def sentence(rng: random.Random) -> str:
    """One Chinese sentence of roughly 15–60 characters."""
    form = rng.randrange(8)
    if form == 0:
        s = f"{rng.choice(TIMES)}，{rng.choice(PEOPLE)}在{rng.choice(PLACES)}{rng.choice(ADVERBS)}{rng.choice(VERBS)}{rng.choice(NUMBERS)}份{rng.choice(FOODS)}"
    elif form == 1:
        s = f"这款{words(rng, 2)}{rng.choice(FOODS)}{rng.choice(TEXTURES)}，{rng.choice(TEXTURES)}，{rng.choice(FEELINGS)}"
    elif form == 2:
        s = f"{rng.choice(CONNECT)}，{rng.choice(PEOPLE)}提醒大家{rng.choice(TIPS)}，{rng.choice(TIPS)}"
    elif form == 3:
        s = f"我们用了{rng.choice(NUMBERS)}{rng.choice(UNITS)}和{rng.choice(NUMBERS)}{rng.choice(UNITS)}，做出来的{rng.choice(FOODS)}{rng.choice(TEXTURES)}"
    elif form == 4:
        s = f"{rng.choice(PLACES)}的{rng.choice(PEOPLE)}说，{words(rng, 3)}口味的{rng.choice(FOODS)}最适合{rng.choice(TIMES)}来一块"
    elif form == 5:
        s = f"{rng.choice(TIMES)}{rng.choice(FEELINGS)}，{rng.choice(CONNECT)}{rng.choice(PEOPLE)}{rng.choice(ADVERBS)}{rng.choice(VERBS)}配方"
    elif form == 6:
        s = f"第{rng.randint(2, 99)}批{words(rng, 2)}{rng.choice(FOODS)}出炉时{rng.choice(TEXTURES)}，编号{rng.randint(1000, 9999)}的订单{rng.choice(FEELINGS)}"
    else:
        s = f"如果你也想试试，记得{rng.choice(TIPS)}，再{rng.choice(ADVERBS)}{rng.choice(VERBS)}{words(rng, 2)}馅料"
    return s + rng.choice("。。。！")


def paragraph(rng: random.Random, n: int) -> str:
    return "".join(sentence(rng) for _ in range(n))


# ----------------------------------------------------------------------------- site files

SITE_YAML = """\
title: 甜心烘焙·基准站
base_url: https://bench.example.com/
language: zh-CN
timezone: Asia/Shanghai
default_persona: xiaobei
menus:
  - name: 最新
    url: /
  - name: 活动
    items:
{campaign_items}
      - {{name: 全部活动, url: /campaigns/}}
  - name: 服务
    service: true
    items:
      - {{name: 门店查询, page: stores}}
      - {{name: 订单查询, page: orders}}
      - {{name: 联系我们, page: contact}}
      - {{name: 关于我们, page: about}}
segments:
  hefei:
    name: 合肥
    wechat_tag_id: 101
    menus:
      - name: 最新
        url: /
      - name: 合肥
        segment: hefei
      - name: 服务
        service: true
        items:
          - {{name: 门店查询, page: stores}}
          - {{name: 联系我们, page: contact}}
  hebei: {{name: 河北, wechat_tag_id: 102}}
  xinan: {{name: 西南, wechat_tag_id: 103}}
channels:
  store-counter: {{name: 门店柜台}}
  parcel: {{name: 快递包裹}}
  ecommerce-service: {{name: 电商客服}}
checks:
  cta:
    verbs: [报名, 预约, 购买, 领取, 查看]
"""

PERSONAS = {
    "xiaobei": """\
name: 小贝
avatar: /images/bench-0.svg
bio: 甜心烘焙的店长助理，每天清晨五点进后厨。
voice:
  address: 你
  avoid: {您: 你, 尊敬的用户: null, 亲爱的客户: null}
  max_sentence_chars: 90
palette: {primary: "#c2410c", accent: "#ffc914", background: "#fffaf3"}
signature: —— 小贝
""",
    "kefu": """\
name: 阿糖
avatar: /images/bench-1.svg
bio: 客服中心的阿糖，订单、配送和售后都可以问我。
voice:
  address: 你
  avoid: {宝子们: null, 绝对没问题: 我们会尽力处理}
  max_sentence_chars: 90
palette: {primary: "#1d5f8a", accent: "#2f9e7a", background: "#f3f8fb"}
signature: —— 阿糖
""",
    "laoshi": """\
name: 张老师
avatar: /images/bench-2.svg
bio: 烘焙课的张老师，教了十年面包。
voice:
  address: 你
  avoid: {亲爱的客户: null, 尊敬的用户: 朋友}
palette: {primary: "#6d28d9", accent: "#f59e0b", background: "#faf5ff"}
signature: —— 张老师
""",
}

PAGES = {
    "about": ("关于我们", "甜心烘焙从合肥的一家小店开始，现在在合肥、河北和西南都有门店。"),
    "contact": ("联系我们", "客服热线 400-000-0000，每天九点到二十一点在线。"),
    "stores": ("门店查询", "合肥旗舰店、石家庄新店、成都春熙店，营业时间七点到二十二点。"),
    "orders": ("订单查询", "在小程序“我的订单”里输入手机号即可查询配送进度。"),
}

CAMPAIGN_NAMES = ["春季新品", "夏日冰品", "中秋礼盒", "周末烘焙课", "冬季史多伦", "新年礼盒"]
IMAGES = 10


def campaigns(rng: random.Random) -> list[dict]:
    """Six campaigns: four ended, one live, one in pre-heat on NOW."""
    out = []
    starts = [NOW - dt.timedelta(days=d) for d in (900, 600, 400, 200, 10)] + [NOW + dt.timedelta(days=8)]
    for i, (name, start) in enumerate(zip(CAMPAIGN_NAMES, starts)):
        out.append({"id": f"campaign-{i + 1}", "title": name, "preheat": start - dt.timedelta(days=14),
                    "starts": start, "ends": start + dt.timedelta(days=30 if i != 4 else 40),
                    "persona": ("xiaobei", "kefu", "laoshi")[i % 3]})
    return out


def campaign_yaml(c: dict) -> str:
    cid = c["id"]
    return f"""\
title: {c["title"]}
summary: {c["title"]}活动：预热、开售和回顾都在这里。
persona: {c["persona"]}
preheat: {c["preheat"]}
starts: {c["starts"]}
ends: {c["ends"]}
cta:
  preheat: {{text: 预约开售提醒, url: /campaigns/{cid}/, kind: book}}
  live: {{text: 立即报名参加, url: /campaigns/{cid}/, kind: signup}}
  recap: {{text: 查看活动回顾, url: /campaigns/{cid}/, kind: link}}
channels: [store-counter, parcel]
segments: [hefei]
"""


def article(i: int, n: int, rng: random.Random, day: dt.date, camp: dict | None, slugs: list[str]) -> str:
    persona = ("xiaobei", "kefu", "laoshi")[rng.randrange(3)]
    tags = rng.sample(TAGS, rng.randint(2, 4))
    title = f"{rng.choice(FOODS)}{rng.choice(['的秘密', '怎么做', '上新了', '开售', '小课堂', '保存指南', '背后的故事'])}·第{i + 1}期"
    front = [f"title: {title}", f"date: {day.isoformat()}", f"persona: {persona}",
             f"tags: [{', '.join(tags)}]", f"summary: {sentence(rng)}"]
    if camp:
        front.append(f"campaign: {camp['id']}")
    if rng.random() < 0.1:
        front.append("segments: [hefei]")
    if rng.random() < 0.02:
        front.append("channels: [store-counter]")
    target = rng.randint(1200, 2000)
    body: list[str] = []
    chars = 0
    headings = rng.sample(HEADINGS, 6)

    def add(block: str, text_chars: int) -> None:
        nonlocal chars
        body.append(block)
        chars += text_chars

    first = paragraph(rng, 3)
    add(first, len(first))
    h = 0
    while chars < target:
        heading = headings[h % len(headings)] + (str(h // len(headings) + 1) if h >= len(headings) else "")
        add(f"## {heading}", len(heading))
        h += 1
        p = paragraph(rng, rng.randint(2, 4))
        add(p, len(p))
        step = h % 5
        if step == 1:
            items = [sentence(rng) for _ in range(rng.randint(3, 5))]
            add("\n".join(f"- {it}" for it in items), sum(map(len, items)))
        elif step == 2:
            rows = [f"| {words(rng, 2)}{rng.choice(FOODS)} | {rng.randint(1, 12)} 个 | {rng.randint(8, 168)} 元 |"
                    for _ in range(3)]
            add("| 品名 | 数量 | 价格 |\n|---|---|---|\n" + "\n".join(rows), 60)
        elif step == 3:
            others = [slugs[j] for j in rng.sample(range(len(slugs)), min(2, len(slugs)))] if slugs else []
            links = "、".join(f"[{rng.choice(FOODS)}的做法](/articles/{s}/)" for s in others)
            more = f"延伸阅读：{links}。" if links else ""
            line = f"{more}门店地址见[门店查询](/stores/)，配送问题请看[订单查询](/orders/)。跳回[开头](#{headings[0]})。"
            add(line, len(line) - 40)
        elif step == 4:
            code = "\n".join(f"order-{rng.randint(10000, 99999)}  qty={rng.randint(1, 9)}" for _ in range(3))
            add(f"```text\n{code}\n```", 0)
            add(f"![{rng.choice(FOODS)}](/images/bench-{rng.randrange(IMAGES)}.svg)", 0)
        else:
            p = paragraph(rng, 2)
            add(p, len(p))
    if camp is None:
        cta = "::: cta book\n[预约到店试吃](/stores/)\n:::"
    elif camp["ends"] < NOW:  # ended by the benchmark's "now": point at the recap, not a signup
        cta = f"::: cta link\n[查看活动回顾](/campaigns/{camp['id']}/)\n:::"
    else:
        cta = f"::: cta signup\n[立即报名{camp['title']}](/campaigns/{camp['id']}/)\n:::"
    body.append(cta)
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(body) + "\n"


def svg(i: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80" viewBox="0 0 120 80">'
            f'<rect width="120" height="80" fill="#{(i * 2654435761) & 0xffffff:06x}"/></svg>\n')


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def generate(n: int, out: str, seed: int = 1) -> None:
    if os.path.exists(out):
        if os.path.exists(os.path.join(out, MARKER)):
            shutil.rmtree(out)
        elif os.listdir(out):
            raise SystemExit(f"generate.py: {out} exists and is not a generated hub; choose an empty folder")
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, MARKER), f"generated by bench/generate.py {n} --seed {seed}\n")
    rng = random.Random(seed)
    camps = campaigns(rng)
    items = "\n".join(f"      - {{name: {c['title']}, campaign: {c['id']}}}" for c in camps[-4:])
    write(os.path.join(out, "site.yaml"), SITE_YAML.format(campaign_items=items))
    for pid, text in PERSONAS.items():
        write(os.path.join(out, "content", "personas", f"{pid}.yaml"), text)
    for c in camps:
        write(os.path.join(out, "content", "campaigns", f"{c['id']}.yaml"), campaign_yaml(c))
    for pid, (title, text) in PAGES.items():
        write(os.path.join(out, "content", "pages", f"{pid}.md"), f"---\ntitle: {title}\n---\n\n{text}\n")
    for i in range(IMAGES):
        write(os.path.join(out, "static", "images", f"bench-{i}.svg"), svg(i))
    span = (NOW - FIRST_DAY).days - 1
    slugs: list[str] = []
    for i in range(n):
        arng = random.Random(f"{seed}:{i}")  # per article: the same article whatever N is
        camp = camps[arng.randrange(len(camps))] if arng.random() < 0.3 else None
        if camp is not None:
            lo, hi = camp["preheat"], min(camp["ends"] + dt.timedelta(days=20), NOW - dt.timedelta(days=1))
            day = lo + dt.timedelta(days=arng.randint(0, max(0, (hi - lo).days)))
            if day >= NOW:
                camp, day = None, FIRST_DAY + dt.timedelta(days=arng.randint(0, span))
        else:
            day = FIRST_DAY + dt.timedelta(days=arng.randint(0, span))
        slug = f"bench-{i + 1:05d}"
        write(os.path.join(out, "content", "articles", f"{day.isoformat()}-{slug}.md"),
              article(i, n, arng, day, camp, slugs[-50:]))
        slugs.append(slug)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of articles")
    p.add_argument("outdir")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    generate(args.n, args.outdir, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
