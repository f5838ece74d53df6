"""The keyword filter engine (zixun/moderation/keywords.py): no database."""

import gzip
import json
import random
import time

import pytest

from zixun.moderation.keywords import (
    BLOCKED_DOMAIN,
    BLOCKED_DOMAIN_LABEL,
    BLOCKED_MESSAGE,
    KEYWORD_EMPTY,
    MASK,
    REVIEW_MESSAGE,
    TSV_BAD_HEADER,
    Action,
    Filter,
    Rule,
    domains_from_file,
    is_blank,
    load_allowlist,
    normalise,
    normalise_domain,
    rules_from_tsv,
)

RULES = [
    Rule("法轮功", "反动", Action.BLOCK),
    Rule("QQ", "广告", Action.REVIEW),
    Rule("网络", "广告", Action.REVIEW),
    Rule("蠢货", "辱骂", Action.MASK),
    Rule("SB", "辱骂", Action.MASK),
    Rule("198964", "反动", Action.BLOCK),
    Rule("调教", "色情", Action.REVIEW),
]
DOMAINS = ["evil.com", "WWW.Bad.CN", "http://spam.example.org:81/path"]


@pytest.fixture(scope="module")
def screen():
    return Filter(RULES, blocked_domains=DOMAINS)


def words(verdict):
    return [hit.word for hit in verdict.hits]


@pytest.mark.parametrize(
    "text",
    [
        "法轮功",
        "法 轮 功",
        "法-轮*功",
        "法。轮。功",  # spelled out: a separator between every character
        "法\u200b轮\u200d功",  # zero-width space and joiner
        "法輪功",  # 繁體
        "法\u3000輪\u3000功",  # ideographic spaces
        "练😀法😀轮😀功",  # emoji between the characters
    ],
)
def test_matching_ignores_spaces_symbols_zero_width_and_traditional(screen, text):
    verdict = screen.check(f"他们说{text}好")
    assert verdict.action == "block"
    assert words(verdict) == ["法轮功"]
    hit = verdict.hits[0]
    assert f"他们说{text}好"[hit.start : hit.end] == text[text.index("法") :]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ＱＱ音乐", True),  # full width, then a CJK neighbour
        ("加我qq12345", True),  # digits after letters do not continue the run
        ("加我Q.Q号", True),
        ("a qq b", True),
        ("aqqb", False),  # inside a longer run of letters
        ("aq\u200bqb", False),  # a zero-width character does not end the run
        ("1989641", False),  # inside a longer number
        ("198964", True),
        ("1.9.8.9.6.4", True),  # spelled out
        ("19.89.64", False),  # reads as numbers: a point between digits ends a match
    ],
)
def test_ascii_keywords_respect_the_runs_around_them(screen, text, found):
    assert bool(screen.check(text).hits) is found


def test_a_match_does_not_run_across_clause_punctuation_by_accident(screen):
    assert screen.check("习近平强调，教育是国之大计").action == "allow"  # 调，教
    assert screen.check("他在调教").action == "review"
    numbers = Filter([Rule("64", "反动", Action.BLOCK)])
    assert numbers.check("增长的贡献率达到64.6%").action == "allow"
    assert numbers.check("比分是6.4").action == "allow"
    assert numbers.check("64名成员").action == "block"
    # a word written with punctuation matches as written
    written = Filter([Rule("考试,答案", "作弊", Action.REVIEW)])
    assert written.check("出售考试,答案").action == "review"


def test_an_allow_word_equal_to_a_keyword_switches_it_off():
    screen = Filter(RULES, allow=["網絡"])  # normalised like keywords: 繁 = 简
    assert screen.check("网络安全和网络诈骗").action == "allow"
    assert screen.check("加我QQ").action == "review"


def test_a_match_inside_an_allow_word_is_ignored_elsewhere_it_stands():
    screen = Filter(RULES, allow=["网络安全"])
    assert screen.check("网络安全").action == "allow"
    assert screen.check("網絡 安全").action == "allow"
    verdict = screen.check("网络安全和网络诈骗")
    assert verdict.action == "review"
    assert [(hit.start, hit.end) for hit in verdict.hits] == [(5, 7)]


def test_the_default_filter_keeps_cctv_phrases_but_not_the_words_alone():
    # keywords from the shared lists that fired on ordinary CCTV news inside longer phrases:
    # straddling words (制度性|交易, 出口|交付: the word rule) or held by the allow-list
    rules = [
        Rule("性交", "色情词库", Action.REVIEW),
        Rule("口交", "色情词库", Action.REVIEW),
        Rule("法会", "反动词库", Action.REVIEW),
    ]
    screen = Filter(rules, allow=load_allowlist())
    assert screen.check("降低制度性交易成本").action == "allow"
    assert screen.check("目前已出口交付70多架").action == "allow"
    assert screen.check("香港特区立法会今天开会").action == "allow"  # 立法会: the allow-list
    assert screen.check("性交").action == "review"
    assert screen.check("口交").action == "review"
    assert screen.check("他们举办法会").action == "review"


SHORT_RULES = [
    Rule("入联", "反动", Action.REVIEW),
    Rule("法正", "反动", Action.REVIEW),
    Rule("客服", "广告", Action.REVIEW),
    Rule("台独", "反动", Action.REVIEW),
    Rule("发轮", "反动", Action.REVIEW),
    Rule("薄熙", "贪腐", Action.REVIEW),
    Rule("性奴", "色情", Action.REVIEW),
    Rule("自杀", "民生", Action.REVIEW),
    Rule("全套", "色情", Action.REVIEW),
    Rule("民抗议", "民生", Action.REVIEW),
]


@pytest.fixture(scope="module")
def short_screen():
    return Filter(SHORT_RULES)


@pytest.mark.parametrize(
    "text",
    [
        "两套系统已经进入联调阶段",  # 进入|联调
        "这个办法正式实施以来",  # 办法|正式
        "景区游客服务中心今天开放",  # 游客|服务
        "他接受总台独家专访时说",  # 总台|独家
        "企业自主研发轮胎模具",  # 研发|轮胎
    ],
)
def test_a_short_keyword_that_straddles_two_words_is_no_match(short_screen, text):
    assert short_screen.check(text).action == "allow"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("有人鼓吹台湾入联", "入联"),  # a word of its own
        ("请联系客服退款", "客服"),
        ("坚决反对台独分裂活动", "台独"),
        ("薄熙来案今天宣判", "薄熙"),  # begins a longer word
        ("她们被当作性奴隶", "性奴"),
        ("袭击者随后自杀身亡", "自杀"),
        ("包括全套服务", "全套"),
        ("他買了一個安全套", "全套"),  # ends a longer word
    ],
)
def test_a_short_keyword_that_is_a_word_or_begins_or_ends_one_matches(short_screen, text, word):
    assert words(short_screen.check(text)) == [word]


@pytest.mark.parametrize(
    ("plain", "variants", "action"),
    [
        (
            "有人鼓吹台湾入联",
            ["有人鼓吹台湾入 联", "有人鼓吹台灣入聯", "有人鼓吹台湾入-联！"],
            "review",
        ),
        ("联系客服", ["联系 客 服", "聯繫客服", "联系客\u200b服"], "review"),
        ("进入联调", ["进入 联调", "進入聯調", "进入联 调", "进入*联*调"], "allow"),
    ],
)
def test_the_word_rule_judges_evasive_spellings_like_the_plain_one(
    short_screen, plain, variants, action
):
    # segmentation works on the normalised text: spaces, symbols, 繁體 and zero-width
    # characters neither hide a keyword nor make a word boundary
    assert short_screen.check(plain).action == action
    for text in variants:
        assert short_screen.check(text).action == action, text


def test_clause_punctuation_and_line_breaks_are_word_boundaries(short_screen):
    assert short_screen.check("双方进入联调").action == "allow"
    assert short_screen.check("双方进入联\n调").action == "review"  # 进入|联 at the line's end
    assert short_screen.check("双方进入联 调").action == "allow"  # a space is no boundary


def test_longer_and_latin_keywords_are_not_held_to_words(short_screen):
    assert short_screen.check("当地人民抗议物价上涨").action == "review"  # 人民|抗议: 3 characters
    screen = Filter([Rule("QQ", "广告", Action.REVIEW), Rule("a片", "色情", Action.REVIEW)])
    assert screen.check("加我QQ号").action == "review"
    assert screen.check("看a片").action == "review"


def test_a_straddling_match_of_a_block_rule_is_held_not_refused_nor_dropped():
    screen = Filter([Rule("买枪", "涉枪涉爆", Action.BLOCK), Rule("入联", "反动", Action.BLOCK)])
    assert screen.check("我要买枪").action == "block"
    assert screen.check("我要买枪支").action == "block"  # 买|枪支: begins at a word boundary
    spread = screen.check("网上购买枪支")  # 购买|枪支: a contraction spread over two words
    assert (spread.action, spread.rule, words(spread)) == ("review", "涉枪涉爆", ["买枪"])
    assert [hit.action for hit in spread.hits] == [Action.REVIEW]
    assert spread.message == str(REVIEW_MESSAGE) % {"rule": "涉枪涉爆"}
    assert screen.check("两套系统已经进入联调阶段").action == "review"
    assert screen.check("有人鼓吹台湾入联").action == "block"


def test_a_straddling_mask_match_is_not_masked():
    screen = Filter([Rule("客服", "广告", Action.MASK)])
    assert screen.check("联系客服").text == "联系＊＊"
    assert screen.check("游客服务中心").action == "allow"


def test_the_text_is_segmented_only_when_a_short_keyword_matched(short_screen, monkeypatch):
    from zixun.moderation import keywords

    segmenter = keywords._segmenter()
    cut = []

    class Counting:
        def tokenize(self, text, mode, hmm):
            cut.append(text)
            return segmenter.tokenize(text, mode, hmm)

    monkeypatch.setattr(keywords, "_segmenter", Counting)
    assert short_screen.check("当地人民抗议物价上涨，没有别的").action == "review"
    assert short_screen.check("没有关键词的一段新闻").action == "allow"
    assert cut == []
    # three short keywords in each of 50 clauses: each clause is segmented once, alone
    clause = "进入联调和游客服务以及办法正式"
    assert short_screen.check("。".join([clause] * 50)).action == "allow"
    assert cut == [clause] * 50


def test_the_allow_list_file_has_comments_and_ordinary_words():
    allow = load_allowlist()
    assert {"网络", "招聘", "兼职"} <= allow
    assert not any(word.startswith("#") for word in allow)
    assert all(normalise(word) for word in allow)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("你这个蠢货！", "你这个＊＊！"),
        ("你這個蠢貨！", "你這個＊＊！"),  # 繁體
        ("你是ＳＢ吧", "你是＊＊吧"),  # full width
        ("ﬁ①蠢 貨", "ﬁ①＊ ＊"),  # characters that fold to other lengths before the word
        ("蠢货\n蠢-货", "＊＊\n＊＊＊"),  # line breaks and spaces inside a match are kept
    ],
)
def test_masking_replaces_the_original_characters(screen, text, masked):
    verdict = screen.check(text)
    assert verdict.action == "mask"
    assert verdict.text == masked
    assert verdict.rule == "辱骂"
    assert verdict.message == ""
    assert all(MASK not in text[hit.start : hit.end] for hit in verdict.hits)


def test_the_strongest_action_wins(screen):
    masked_only = screen.check("蠢货")
    assert (masked_only.action, masked_only.rule) == ("mask", "辱骂")
    reviewed = screen.check("蠢货，加我QQ")
    assert (reviewed.action, reviewed.rule) == ("review", "广告")
    assert reviewed.text == "蠢货，加我QQ"  # held text is kept as written
    assert reviewed.message == str(REVIEW_MESSAGE) % {"rule": "广告"}
    blocked = screen.check("蠢货，加我QQ，法轮功")
    assert (blocked.action, blocked.rule) == ("block", "反动")
    assert blocked.text == "蠢货，加我QQ，法轮功"
    assert blocked.message == str(BLOCKED_MESSAGE) % {"rule": "反动"}
    assert "反动" in blocked.message
    assert [hit.action for hit in blocked.hits] == [Action.MASK, Action.REVIEW, Action.BLOCK]


def test_a_word_in_several_categories_gives_a_hit_for_each():
    screen = Filter([Rule("炸药", "涉枪涉爆", Action.BLOCK), Rule("炸藥", "暴恐", Action.REVIEW)])
    verdict = screen.check("出售炸药")
    assert {(hit.category, hit.action) for hit in verdict.hits} == {
        ("涉枪涉爆", Action.BLOCK),
        ("暴恐", Action.REVIEW),
    }
    assert verdict.rule == "涉枪涉爆"


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("详情请看 www.Evil.com/abc", "www.Evil.com"),
        ("详情请看 http://a.b.evil.com/x?y=1", "a.b.evil.com"),
        ('<a href="https://bad.cn/p">链接</a>', "bad.cn"),
        ("<img src='//cdn.bad.cn/1.png'>", "cdn.bad.cn"),
        ("加群 ｅｖｉｌ．ｃｏｍ", "ｅｖｉｌ．ｃｏｍ"),  # full width
        ("加群 evil。com", "evil。com"),  # the Chinese full stop as a dot
        ('<a href="http://evil&#46;com">x</a>', "evil&#46;com"),  # an HTML entity
        ("联系 me@spam.example.org", "spam.example.org"),
        ("见evil.com.2024年", "evil.com"),
    ],
)
def test_blocked_domains_and_their_subdomains_are_refused(screen, text, host):
    verdict = screen.check(text)
    assert verdict.action == "block"
    assert verdict.rule == BLOCKED_DOMAIN
    hit = verdict.hits[0]
    assert text[hit.start : hit.end] == host
    assert str(BLOCKED_DOMAIN_LABEL) in verdict.message


@pytest.mark.parametrize(
    "text",
    [
        "增长3.5%，版本 v2.0.1",
        "附件：例.txt 与 report.pdf",
        "notevil.com 与 evil.community",  # neither is evil.com nor below it
        "www.example.com",
        "1.2.3.4",
    ],
)
def test_ordinary_text_and_other_hosts_are_not_domains(screen, text):
    assert screen.check(text).action == "allow"


def test_normalise_domain():
    assert normalise_domain("HTTP://WWW.Evil.COM:81/x") == "evil.com"
    assert normalise_domain("haoma.qq.com.baidu.com:81") == "haoma.qq.com.baidu.com"
    assert normalise_domain("not a host") == ""
    assert normalise_domain("") == ""


@pytest.mark.parametrize("text", ["", "   ", "！！！", "★☆★☆", "😀😀", "\u200b", "……——"])
def test_text_without_letters_is_allowed_and_called_blank(screen, text):
    verdict = screen.check(text)
    assert (verdict.action, verdict.text, verdict.hits, verdict.rule) == ("allow", text, (), "")
    assert is_blank(text)
    assert not is_blank("！标题！")


def test_a_keyword_or_allow_word_without_letters_is_rejected_by_name():
    with pytest.raises(ValueError, match="！？") as error:
        Filter([Rule("！？", "x", Action.BLOCK)])
    assert str(error.value) == str(KEYWORD_EMPTY) % {"word": "！？"}
    with pytest.raises(ValueError, match="★"):
        Filter(RULES, allow=["★"])


def test_rules_take_the_action_as_a_string_and_the_filter_is_immutable(screen):
    assert Rule("词", "类", "mask").action is Action.MASK
    with pytest.raises(ValueError, match="delete"):
        Rule("词", "类", "delete")
    with pytest.raises(AttributeError):
        screen.rule_count = 0
    assert screen.rule_count == len(RULES)
    assert Filter([]).check("什么都行").action == "allow"


def test_a_100000_rule_filter_builds_and_matches_quickly():
    draw = random.Random(5)
    letters = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]
    rules = [
        Rule("".join(draw.choices(letters, k=draw.randint(2, 6))), f"类{i % 13}", Action.MASK)
        for i in range(100_000)
    ]
    rules.append(Rule("法轮功", "反动", Action.BLOCK))
    started = time.perf_counter()
    screen = Filter(rules, allow=load_allowlist(), blocked_domains=DOMAINS)
    assert time.perf_counter() - started < 20  # about 1 s
    assert screen.rule_count == 100_001
    target = rules[12_345].word
    verdict = screen.check(f"前文{target}后文")
    assert target in words(verdict)
    assert screen.check(f"前文{target}后文，法 轮 功").action == "block"
    text = "".join(draw.choices(letters, k=20_000))
    started = time.perf_counter()
    screen.check(text)
    assert time.perf_counter() - started < 5  # about 0.1 s


@pytest.mark.parametrize(
    "text", ["a" * 200_000, "a-" * 100_000, "a." * 100_000, "法" * 100_000 + "轮功", "。" * 200_000]
)
def test_long_odd_input_does_not_blow_up(screen, text):
    started = time.perf_counter()
    screen.check(text)
    assert time.perf_counter() - started < 3


def test_rules_from_tsv(tmp_path):
    path = tmp_path / "keywords.tsv"
    path.write_text("category\tkeyword\n广告\t兼职\n\n色情\t 调教 \n广告\tQQ\n", encoding="utf-8")
    rules = rules_from_tsv(path, action_by_category={"色情": Action.BLOCK}, default=Action.REVIEW)
    assert rules == [
        Rule("兼职", "广告", Action.REVIEW),
        Rule("调教", "色情", Action.BLOCK),
        Rule("QQ", "广告", Action.REVIEW),
    ]
    path.write_text("keyword\tcategory\n兼职\t广告\n", encoding="utf-8")
    with pytest.raises(ValueError, match="category<TAB>keyword"):
        rules_from_tsv(path, action_by_category={}, default=Action.REVIEW)
    assert "category<TAB>keyword" in str(TSV_BAD_HEADER)
    path.write_text("category\tkeyword\n只有一列\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行"):
        rules_from_tsv(path, action_by_category={}, default=Action.REVIEW)


def test_domains_from_file(tmp_path):
    path = tmp_path / "domains.txt"
    path.write_text(
        "# blocked\nWWW.Evil.COM\nhttp://x.bad.cn:81/a\n\nnot a host\n", encoding="utf-8"
    )
    assert domains_from_file(path) == frozenset({"evil.com", "x.bad.cn"})


@pytest.fixture
def shared_lists(shared_dir):
    shared = shared_dir / "data" / "moderation_keywords_zh"
    if not (shared / "keywords.tsv").is_file():
        pytest.skip(f"the shared keyword lists are not at {shared}")
    return shared


@pytest.mark.shared_data
def test_the_shared_lists_load_and_ordinary_news_passes(shared_lists):
    rules = rules_from_tsv(
        shared_lists / "keywords.tsv", action_by_category={}, default=Action.REVIEW
    )
    assert len(rules) == 4500
    domains = domains_from_file(shared_lists / "blocked_domains.txt")
    assert len(domains) > 13_000
    screen = Filter(rules, allow=load_allowlist(), blocked_domains=domains)
    assert screen.check("中共中央总书记、国家主席习近平在北京主持会议").action == "allow"
    assert screen.check("网络招聘会今天举行，兼职岗位增加").action == "allow"
    assert screen.check("低价出售手 槍，加我 Q Q").action == "review"
    domain = sorted(domains)[0]
    assert screen.check(f"请访问 http://www.{domain}/").action == "block"


@pytest.mark.shared_data
def test_few_cctv_articles_are_held(shared_lists, shared_dir):
    corpus = shared_dir / "data" / "cn_news_cctv_xwlb" / "articles.jsonl.gz"
    if not corpus.is_file():
        pytest.skip(f"the CCTV corpus is not at {corpus}")
    rules = rules_from_tsv(
        shared_lists / "keywords.tsv", action_by_category={}, default=Action.REVIEW
    )
    screen = Filter(rules, allow=load_allowlist())
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(3000), lines, strict=False)]
    held = sum(screen.check(f"{row['title']}\n{row['body']}").action != "allow" for row in rows)
    # the first half of the corpus made the allow-list: about 2 % are still held (bench/keywords.py)
    assert held / len(rows) < 0.04
