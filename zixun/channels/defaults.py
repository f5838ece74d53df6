"""The channels a new site starts with, and how imported categories map to them."""

from __future__ import annotations

# (slug, name, English name, highlighted as 要闻, 态度原创 category)
DEFAULT_CHANNELS: list[tuple[str, str, str, bool, bool]] = [
    ("news", "头条", "Headlines", True, False),
    ("world", "国际", "World", False, False),
    ("sports", "体育", "Sports", True, False),
    ("ent", "娱乐", "Entertainment", True, False),
    ("money", "财经", "Finance", True, False),
    ("tech", "科技", "Technology", True, False),
    ("auto", "汽车", "Autos", True, False),
    ("health", "健康", "Health", False, True),
    ("mobile", "手机", "Mobile", False, True),
    ("digi", "数码", "Digital", False, True),
    ("fashion", "时尚", "Fashion", False, True),
    ("art", "艺术", "Art", False, True),
    ("edu", "教育", "Education", False, False),
    ("travel", "旅游", "Travel", False, False),
    ("war", "军事", "Military", False, False),
    ("house", "房产", "Property", False, False),
    ("game", "游戏", "Games", False, False),
    ("culture", "文化", "Culture", False, False),
]

# The channel that takes an imported article whose category maps nowhere.
FALLBACK_CHANNEL_SLUG = "news"

# Source categories (as the data sets label them) that are not channel names.
# A channel's own name or slug always maps to itself and needs no entry here.
# docs/import.md documents this table; ZIXUN_CATEGORY_MAP_FILE or
# `zixun import-articles --category-map FILE` adds to it or overrides it.
CATEGORY_MAP: dict[str, str] = {
    # CCTV 新闻联播 topic tags
    "国际资讯": "world",
    "国际新闻": "world",
    "大国外交": "world",
    "中国经济": "money",
    "科技成就": "tech",
    "全运会": "sports",
    "军队建设": "war",
    "民生": "news",
    "人民领袖": "news",
    "中国领导人": "news",
    "人大政协": "news",
    "新时代": "news",
    "部委发声": "news",
    "央视评论": "news",
    "中办·国办": "news",
    "乡村振兴": "news",
    "扶贫行动": "news",
    "总台动态": "culture",
    "先进·楷模": "news",
    "从严治党": "news",
    "十九大": "news",
    "法治建设": "news",
    # Toutiao / Sina channel labels
    "股票": "money",
    "证券": "money",
    "电竞": "game",
    "社会": "news",
    "时政": "news",
    "民生故事": "news",
    "农业": "news",
    "家居": "house",
    "星座": "fashion",
}
