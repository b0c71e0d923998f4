"""`site-gen init DIR` (a new hub that builds clean with --strict) and `site-gen new KIND NAME`.

Both refuse to overwrite anything, print what they wrote, and return an exit code; a problem the
user can fix is a UsageError (exit 2). The files are text templates in the site's language, so
that an editor reads them as examples.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sys
from zoneinfo import ZoneInfo

import yaml

from . import __version__
from .config import UsageError
from .slugs import slugify

GITIGNORE = ("/public/", "/.site-gen-cache/")

TEXT = {
    "zh-CN": {
        "body": "在这里写正文。第一段会作为摘要，显示在文章列表和分享卡片里。",
        "page_body": "在这里写页面内容。",
        "cta": "[查看更多文章](/)",
        "campaign_summary": "一句话介绍这个活动。",
        "cta_preheat": "预约活动提醒", "cta_live": "立即报名", "cta_recap": "查看活动回顾",
        "bio": "一句话介绍{name}。",
        "inherit": "# 行动号召跟随活动阶段自动切换（现在是「{text}」）；要自定义，在正文末尾加 ::: cta 块",
        "channels": "# channels: [store-counter]   # 需要渠道二维码时填写 site.yaml 里的渠道",
    },
    "en": {
        "body": "Write the article here. The first paragraph is its summary in lists and share cards.",
        "page_body": "Write the page here.",
        "cta": "[See more articles](/)",
        "campaign_summary": "One sentence about this campaign.",
        "cta_preheat": "Book a reminder", "cta_live": "Sign up now", "cta_recap": "See the recap",
        "bio": "One sentence about {name}.",
        "inherit": "# the action follows the campaign's phase (now: \"{text}\"); end the body with a ::: cta block "
                   "to choose your own",
        "channels": "# channels: [store-counter]   # QR codes for channels listed in site.yaml",
    },
}


def _scalar(text: str) -> str:
    """A YAML scalar that reads back as exactly ``text`` (quoted only when it must be)."""
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok and text.strip() == text and text else json.dumps(text, ensure_ascii=False)


def _write_new(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as fh:  # "x": never overwrite
        fh.write(text)


# ------------------------------------------------------------------------------------------ init


def hub_files(today: dt.date) -> dict[str, str]:
    """The files of a new hub (zh-CN), dated from ``today``: it builds with no errors and no warnings."""
    day = today.isoformat()
    preheat, starts, ends = today, today + dt.timedelta(days=7), today + dt.timedelta(days=37)
    return {
        "site.yaml": """\
# 站点设置，字段说明见 site-gen 的 docs/editor-guide.md
title: 我的品牌
base_url: https://hub.example.com/   # 改成站点的正式地址：菜单、二维码、订阅和站点地图都用它
language: zh-CN
timezone: Asia/Shanghai
default_persona: xiaoyu
menus:                               # 公众号自定义菜单，也是网页底部的标签栏（最多 3 个，每个最多 5 项）
  - name: 最新
    url: /
  - name: 活动
    items:
      - {name: 新店开业, campaign: grand-opening}
      - {name: 全部活动, url: /campaigns/}
  - name: 服务
    service: true
    items:
      - {name: 联系我们, page: contact}
# segments:                          # 粉丝分组；填了 wechat_tag_id 的分组会导出个性化菜单
#   vip: {name: 老顾客, wechat_tag_id: 100}
channels:                            # 线下/线上触点：每个活动的渠道二维码
  store-counter: {name: 门店柜台}
  parcel: {name: 快递包裹}
""",
        "content/personas/xiaoyu.yaml": """\
name: 小鱼
bio: 品牌的店长助理，店里有新鲜事，第一个告诉你。
voice:
  address: 你
  avoid:
    您: 你
    尊敬的用户: null
  max_sentence_chars: 60
palette: {primary: "#c2410c", accent: "#ffc914", background: "#fffaf3"}
signature: —— 小鱼
""",
        "content/campaigns/grand-opening.yaml": f"""\
title: 新店开业
summary: 新店开业第一周，到店就有小惊喜。
persona: xiaoyu
preheat: {preheat.isoformat()}                # 预热开始
starts: {starts.isoformat()}                 # 活动开始
ends: {ends.isoformat()}                   # 活动结束（含当天），之后进入回顾
cta:                                 # 每个阶段的行动号召；活动文章没有自己的行动时沿用它
  preheat: {{text: 预约开业提醒, url: /campaigns/grand-opening/, kind: book}}
  live: {{text: 查看开业福利, url: /campaigns/grand-opening/, kind: link}}
  recap: {{text: 查看更多活动, url: /campaigns/, kind: link}}
channels: [store-counter, parcel]
""",
        f"content/articles/{day}-hello.md": f"""\
---
title: 你好，我是小鱼
date: {day}
tags: [品牌故事]
---

你好，我是小鱼，品牌的店长助理。以后店里的新品、活动和小知识，都会先写在这里。

## 在这里能看到什么

- 每周的新品和限定款
- 门店活动的报名入口
- 买到之后怎么保存、怎么吃最好

有想看的内容，可以在公众号里留言告诉我。

::: cta link
[查看正在进行的活动](/campaigns/)
:::
""",
        f"content/articles/{day}-grand-opening-preview.md": f"""\
---
title: 新店开业倒计时
date: {day}
campaign: grand-opening              # 行动号召跟随活动阶段自动切换：预热时预约提醒，开业后查看福利
tags: [活动]
---

新店下周就要开门了。开业第一周，每位到店的朋友都能领到一份小点心。

## 开业这一周

- 每天上午十点开门
- 新品八折试吃
- 带朋友来，两个人都有小礼物

先预约开业提醒，开门那天我们会在公众号里通知你。
""",
        "content/pages/contact.md": """\
---
title: 联系我们
---

客服时间：每天 9:00–21:00。

- 电话：400-000-0000（请改成你的客服电话）
- 地址：请写上门店地址

::: cta call
[拨打客服电话](tel:4000000000)
:::
""",
        ".github/workflows/publish.yml": f"""\
# 每次推送到 main：检查并构建站点，全部通过（--strict：警告也算失败）才同步到对象存储。
# 对象存储可以是 AWS S3，或任何 S3 兼容的存储（阿里云 OSS、腾讯云 COS、Cloudflare R2）。
# 在仓库的 Settings → Secrets and variables → Actions 里设置：
#   secrets:   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
#   variables: BUCKET（桶名）, AWS_REGION, S3_ENDPOINT（非 AWS 的 S3 兼容存储才需要，如 https://cos.ap-shanghai.myqcloud.com）
name: publish

on:
  push:
    branches: [main]
  schedule:
    - cron: "0 * * * *"              # 每小时重建：定时发布的文章和活动阶段按时上线
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: publish
  cancel-in-progress: false

jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install site-gen
        run: python -m pip install "site-gen=={__version__}"
      - name: Restore the parse cache (unchanged articles are not parsed again)
        uses: actions/cache@v4
        with:
          path: .site-gen-cache
          key: site-gen-${{{{ github.sha }}}}
          restore-keys: site-gen-
      - name: Check and build
        run: site-gen build --strict --format github
      - name: Sync public/ to the bucket
        env:
          AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
          AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
          AWS_DEFAULT_REGION: ${{{{ vars.AWS_REGION }}}}
          BUCKET: ${{{{ vars.BUCKET }}}}
          S3_ENDPOINT: ${{{{ vars.S3_ENDPOINT }}}}
        run: |
          # fingerprinted assets first (immutable), then everything else (revalidated), deleting what is gone
          aws s3 sync public/assets/ "s3://$BUCKET/assets/" ${{S3_ENDPOINT:+--endpoint-url "$S3_ENDPOINT"}} \\
            --cache-control "public, max-age=31536000, immutable"
          aws s3 sync public/ "s3://$BUCKET/" ${{S3_ENDPOINT:+--endpoint-url "$S3_ENDPOINT"}} \\
            --delete --exclude "assets/*" --cache-control "public, max-age=0, must-revalidate"
""",
    }


def init(args) -> int:
    root = args.dir
    if os.path.isfile(os.path.join(root, "site.yaml")):
        raise UsageError(f"{root} already has a site.yaml: refusing to overwrite a site (choose a new folder, "
                         "or add content with `site-gen new`)")
    if os.path.exists(root) and not os.path.isdir(root):
        raise UsageError(f"{root} is a file, not a folder")
    files = hub_files(dt.datetime.now(ZoneInfo("Asia/Shanghai")).date())
    clashes = [rel for rel in files if os.path.exists(os.path.join(root, rel))]
    if clashes:
        raise UsageError(f"{root} already has {', '.join(clashes)}: refusing to overwrite (choose a new folder)")
    try:
        for rel, text in files.items():
            _write_new(os.path.join(root, rel), text)
        _gitignore(os.path.join(root, ".gitignore"))
    except OSError as e:
        sys.stderr.write(f"site-gen: error: cannot write {e.filename or root}: {e.strerror}\n")
        return 1
    out = sys.stdout
    out.write(f"created a new hub in {root}:\n")
    for rel in sorted([*files, ".gitignore"]):
        out.write(f"  {rel}\n")
    out.write(f"next: cd {root} && site-gen serve   (then set base_url in site.yaml and push to GitHub)\n")
    return 0


def _gitignore(path: str) -> None:
    have = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            have = fh.read().splitlines()
    missing = [line for line in GITIGNORE if line not in have]
    if missing:
        with open(path, "a", encoding="utf-8", newline="\n") as fh:
            if have and have[-1] != "":
                fh.write("\n")
            fh.write("".join(line + "\n" for line in missing))


# ------------------------------------------------------------------------------------------- new


def _known(value: str | None, known, kind: str) -> str | None:
    if value is None or value in known:
        return value
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.5)
    hint = (f"did you mean `{close[0]}`?" if close else
            f"known {kind}s: {', '.join(sorted(known))}" if known else f"there are no {kind}s yet")
    raise UsageError(f"unknown {kind} `{value}`: {hint}")


def new(args) -> int:
    from .load.site import load_site
    from .schedule import STATUS_PHASE, campaign_status

    root, kind, name = args.root, args.kind, args.name.strip()
    site, _ = load_site(root)
    if site is None:
        raise UsageError("site.yaml has errors: run `site-gen check` and fix them first")
    cfg = site.config
    text = TEXT.get(cfg.language, TEXT["zh-CN"])
    slug = slugify(name)
    if not slug:
        raise UsageError(f"cannot make a file name from `{args.name}`: use letters, digits or Chinese characters")
    if args.campaign is not None and kind != "article":
        raise UsageError("--campaign is for articles only")
    if args.persona is not None and kind == "persona":
        raise UsageError("--persona is for articles, pages and campaigns")
    persona = _known(args.persona, site.personas, "persona")
    campaign = _known(args.campaign, site.campaigns, "campaign")
    persona = persona or (cfg.default_persona if cfg.default_persona in site.personas else None)
    today = dt.datetime.now(cfg.timezone).date()
    cta_block = f"::: cta link\n{text['cta']}\n:::\n"

    if kind == "article":
        rel = f"content/articles/{today.isoformat()}-{slug}.md"
        same = next((a for a in site.articles if a.slug == slug), None)
        if same is not None:
            raise UsageError(f"the article {same.path} already has the slug `{slug}`: choose another name")
        front = [f"title: {_scalar(name)}", f"date: {today.isoformat()}"]
        front += [f"persona: {persona}"] if persona else []
        closing = cta_block
        if campaign:
            c = site.campaigns[campaign]
            action = c.ctas.get(STATUS_PHASE[campaign_status(c, today)])
            if action is not None:  # inherited, so that it flips with the campaign's phase
                front.append(f"campaign: {campaign}   {text['inherit'].format(text=action.text)}")
                closing = ""
            else:
                front.append(f"campaign: {campaign}")
        front.append("tags: []")
        body = f"---\n{chr(10).join(front)}\n---\n\n{text['body']}\n" + (f"\n{closing}" if closing else "")
    elif kind == "page":
        rel = f"content/pages/{slug}.md"
        front = [f"title: {_scalar(name)}"] + ([f"persona: {persona}"] if persona else [])
        body = f"---\n{chr(10).join(front)}\n---\n\n{text['page_body']}\n\n{cta_block}"
    elif kind == "campaign":
        rel = f"content/campaigns/{slug}.yaml"
        page = f"/campaigns/{slug}/"
        lines = [f"title: {_scalar(name)}", f"summary: {text['campaign_summary']}"]
        lines += [f"persona: {persona}"] if persona else []
        lines += [f"preheat: {today.isoformat()}", f"starts: {(today + dt.timedelta(days=7)).isoformat()}",
                  f"ends: {(today + dt.timedelta(days=37)).isoformat()}", "cta:",
                  f"  preheat: {{text: {text['cta_preheat']}, url: {page}, kind: book}}",
                  f"  live: {{text: {text['cta_live']}, url: {page}, kind: signup}}",
                  f"  recap: {{text: {text['cta_recap']}, url: {page}, kind: link}}", text["channels"]]
        body = "\n".join(lines) + "\n"
    else:  # persona
        rel = f"content/personas/{slug}.yaml"
        body = (f"name: {_scalar(name)}\nbio: {_scalar(text['bio'].format(name=name))}\nvoice:\n  address: 你\n"
                "  avoid:\n    您: 你\n  max_sentence_chars: 80\n"
                'palette: {primary: "#c2410c", accent: "#ffc914", background: "#fffaf3"}\n'
                f"signature: {_scalar('—— ' + name)}\n")
        if cfg.language == "en":
            body = body.replace("  address: 你\n  avoid:\n    您: 你\n", "  address: you\n  avoid: {}\n")

    path = os.path.normpath(os.path.join(root, rel))
    if os.path.exists(path):
        raise UsageError(f"{path} already exists: refusing to overwrite it (choose another name)")
    try:
        _write_new(path, body)
    except OSError as e:
        sys.stderr.write(f"site-gen: error: cannot write {path}: {e.strerror}\n")
        return 1
    sys.stdout.write(path + "\n")
    return 0
