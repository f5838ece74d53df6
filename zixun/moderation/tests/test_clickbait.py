"""The 标题党 score: clear titles both ways, one reason per signal, title–body consistency,
folded variants, edge cases, the penalty, and the labelled set the bench reads. The titles
here are invented (the data set's titles may not be copied into the repository)."""

import csv
import gzip
from collections import Counter
from pathlib import Path

import pytest
from django.utils.translation import override

from zixun.moderation.clickbait import (
    PENALTY_MAX,
    THRESHOLD,
    Clickbait,
    clickbait_score,
    penalty,
)

LABELS = Path(__file__).resolve().parents[3] / "bench" / "data" / "clickbait_labels.tsv"
FILES = {"tnews_titles.jsonl.gz", "thucnews_titles.jsonl.gz"}


def codes(result: Clickbait) -> set[str]:
    return {reason.code for reason in result.reasons}


def reason(result: Clickbait, code: str):
    return next(reason for reason in result.reasons if reason.code == code)


@pytest.mark.parametrize(
    "title",
    [
        "震惊！他退休后只做了一件事，全村人都沉默了",
        "这种水果千万别空腹吃，很多人还不知道",
        "史上最省油的开法，看完你就知道了！！",
        "婆婆来家里住了三天，临走时我打开柜子愣住了……",
        "又一国家宣布站队，结果竟然是这样",
        "手机这个开关赶紧关掉，你的隐私正在泄露",
    ],
)
def test_clickbait_titles_reach_the_threshold(title):
    result = clickbait_score(title)
    assert result.is_clickbait
    assert result.score >= THRESHOLD
    assert result.reasons


@pytest.mark.parametrize(
    "title",
    [
        "暴雨致两县停电，三千人连夜转移",
        "市教育局公布2024年中考招生计划",
        "新手买车选手动挡还是自动挡？",
        "某队三分险胜晋级决赛，你怎么看？",
        "2023年上半年销量前十的轿车",
        "北汽这个牌子的车怎么样？",
        "新航线开通！本市直飞新加坡",
    ],
)
def test_plain_titles_stay_below_the_threshold(title):
    result = clickbait_score(title)
    assert not result.is_clickbait
    assert result.score < THRESHOLD


@pytest.mark.parametrize(
    ("title", "code", "word"),
    [
        ("震惊全城的一场雨", "exaggeration", "震惊"),
        ("这座小城的夜景太美了", "exaggeration", "太美了"),
        ("史上最长的假期来了", "exaggeration", "史上最"),
        ("老人捡到的钱包里竟然装着一封信", "withheld", "竟然"),
        ("小区停水三天的原因找到了", "withheld", "原因"),
        ("这3种习惯正在伤害颈椎", "withheld", "这3种"),
        ("邻居的新车停了一夜，第二天...", "withheld", "..."),
        ("看哭了，一位母亲的来信", "shock", "看哭"),
        ("刚刚，市区地铁新线开通", "shock", "刚刚"),
        ("巨坑！二手房交易的陷阱", "shock", "巨坑"),
        ("票价又涨了？！", "punctuation", "?!"),
        ("春天来了!!", "punctuation", "!!"),
        ("你的手机该换电池了", "second_person", "你"),
        ("老王考了驾照，儿子却不让他开车", "twist", "却"),
        ("搬家那天我在旧箱子里找到了日记", "first_person", "我"),
    ],
)
def test_each_signal_gives_its_reason_and_words(title, code, word):
    result = clickbait_score(title)
    assert code in codes(result)
    found = reason(result, code)
    assert word in found.words
    assert 0 < found.weight < 1


def test_reasons_read_in_chinese_with_their_words():
    result = clickbait_score("震惊！史上最大的西瓜")
    with override("zh-hans"):
        text = str(reason(result, "exaggeration"))
    assert text == "夸张用语：震惊、史上最"


def test_reasons_combine_as_a_noisy_or():
    result = clickbait_score("震惊！这家店竟然不收钱")
    keep = 1.0
    for found in result.reasons:
        keep *= 1 - found.weight
    assert result.score == pytest.approx(1 - keep, abs=1e-3)
    assert result.score > max(found.weight for found in result.reasons)
    assert 0 <= result.score < 1


def test_one_weak_cue_is_not_enough_but_two_are():
    assert not clickbait_score("你的社保卡可以这样用吗？").is_clickbait  # a plain question
    assert not clickbait_score("你的社保卡有新用途").is_clickbait
    assert clickbait_score("你的社保卡有新用途！").is_clickbait


def test_demonstratives_in_a_plain_question_point_back_and_hide_nothing():
    assert "withheld" not in codes(clickbait_score("如何评价甲乙丙这三款手机？"))
    assert "withheld" in codes(clickbait_score("这三款手机，一款比一款便宜"))


def test_discussion_prompts_are_not_second_person_bait():
    assert "second_person" not in codes(clickbait_score("某队三分险胜，你怎么看？"))
    assert "second_person" not in codes(clickbait_score("我市新建三所学校"))
    assert "first_person" not in codes(clickbait_score("我国新发射一颗卫星"))


def test_a_title_whose_words_are_missing_from_the_body_is_inconsistent():
    title = "新能源汽车电池寿命大幅提升"
    body = "本市今天举行了春季运动会，共有两千名中小学生参加了田径和球类比赛。"
    result = clickbait_score(title, body)
    found = reason(result, "inconsistency")
    assert "电池" in found.words
    assert result.is_clickbait  # nothing of the title in the body is enough on its own
    assert "inconsistency" not in codes(clickbait_score(title))  # no body, no comparison


def test_a_title_whose_words_are_in_the_body_is_consistent():
    title = "新能源汽车电池寿命大幅提升"
    body = "研究团队表示，新型电池让新能源汽车的电池寿命大幅提升，可循环三千次以上。"
    result = clickbait_score(title, body)
    assert "inconsistency" not in codes(result)
    assert result.score == 0


def test_a_short_body_or_title_says_nothing_about_consistency():
    assert "inconsistency" not in codes(clickbait_score("新能源汽车电池寿命", "正文待写"))
    body = "本市今天举行了春季运动会，共有两千名中小学生参加了田径和球类比赛。"
    assert "inconsistency" not in codes(clickbait_score("电池", body))


def test_body_comparison_is_folded_too():
    title = "新能源汽车电池寿命大幅提升"
    body = "研究團隊表示，新型電池讓新能源汽車的電池壽命大幅提升，可循環三千次以上。"
    assert "inconsistency" not in codes(clickbait_score(title, body))


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("震驚！他退休後只做了一件事", "震惊!他退休后只做了一件事"),
        ("史上最長的假期，你絕對想不到", "史上最长的假期,你绝对想不到"),
        ("票價又漲了？！", "票价又涨了?!"),
        ("ＶＩＰ會員竟然免費了！！", "vip会员竟然免费了!!"),
    ],
)
def test_traditional_and_full_width_variants_score_as_the_plain_title(variant, plain):
    folded, simple = clickbait_score(variant), clickbait_score(plain)
    assert folded.score == simple.score > 0
    assert codes(folded) == codes(simple)


@pytest.mark.parametrize("title", ["", "   ", "\u3000", "——", "《》", "·"])
def test_empty_and_symbol_titles_score_zero(title):
    result = clickbait_score(title)
    assert result == Clickbait(score=0.0, reasons=(), is_clickbait=False)


def test_a_title_of_exclamation_marks_is_excess_punctuation():
    result = clickbait_score("！！！")
    assert codes(result) == {"punctuation"}
    assert result.is_clickbait


def test_penalty_is_one_for_clean_titles_and_bounded_for_clickbait():
    assert penalty(0.0) == 1.0
    assert penalty(1.0) == pytest.approx(1 - PENALTY_MAX)
    assert penalty(-3.0) == 1.0
    assert penalty(7.0) == pytest.approx(1 - PENALTY_MAX)
    assert penalty(0.2) > penalty(0.6)
    assert 0 < 1 - PENALTY_MAX < 1
    score = clickbait_score("震惊！他退休后只做了一件事，全村人都沉默了").score
    assert 1 - PENALTY_MAX < penalty(score) < 1


def read_labels():
    with LABELS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_the_labelled_set_is_large_with_both_classes_in_both_splits():
    rows = read_labels()
    assert len(rows) >= 300
    assert set(rows[0]) == {"file", "line", "label", "split", "picked"}
    assert "title" not in rows[0]  # references only: the titles may not be redistributed
    counts = Counter((row["split"], row["label"]) for row in rows)
    assert set(counts) == {("dev", "0"), ("dev", "1"), ("test", "0"), ("test", "1")}
    for split in ("dev", "test"):
        share = counts[split, "1"] / (counts[split, "0"] + counts[split, "1"])
        assert 0.25 <= share <= 0.6
    assert {row["file"] for row in rows} <= FILES
    assert {row["picked"] for row in rows} == {"random", "pattern", "reading"}
    keys = [(row["file"], int(row["line"])) for row in rows]
    assert len(set(keys)) == len(keys)
    assert all(line >= 1 for _, line in keys)


@pytest.mark.shared_data
def test_the_labelled_references_point_at_titles(shared_dir):
    folder = shared_dir / "data" / "cn_news_titles"
    if not folder.is_dir():
        pytest.skip(f"the title sets are not at {folder}")
    wanted: dict[str, set[int]] = {}
    for row in read_labels():
        wanted.setdefault(row["file"], set()).add(int(row["line"]))
    for file, lines in wanted.items():
        with gzip.open(folder / file, "rt", encoding="utf-8") as records:
            total = sum(1 for _ in records)
        assert max(lines) <= total, file
