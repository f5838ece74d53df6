"""Reprint and near-duplicate detection (moderation/fingerprint.py): no database."""

import gzip
import json
import os
import random
import subprocess
import sys

import opencc
import pytest

from zixun.moderation import fingerprint as fpmod
from zixun.moderation.fingerprint import (
    BANDS,
    FINGERPRINT_UNREADABLE,
    SWAPS_MAX,
    THRESHOLD,
    Fingerprint,
    MemoryIndex,
    band_keys,
    compare,
    fingerprint,
    is_near_duplicate,
    similarity,
)

ORIGINAL = """央视网消息：记者今天从市交通运输局获悉，本市地铁十二号线将于6月28日上午9时正式开通运营。这条线路全长41.6公里，共设车站31座，其中换乘站14座，连接起城市东西两端的多个居住区和产业园区。
市交通运输局局长张建华介绍，十二号线采用全自动运行系统，最高运行时速为100公里，高峰时段行车间隔将缩短至2分30秒。开通初期，全线将投入运营列车56列，日均运力预计可达120万人次。
为方便市民出行，十二号线沿线同步新建和调整公交线路23条，并在11座车站周边增设共享单车停放点。开通当天，市民可使用交通卡、手机扫码等多种方式乘车。
据了解，十二号线工程于2019年开工建设，累计投入建设资金约580亿元。线路开通后，从城东的龙湖站到城西的凤鸣山站，全程用时将由原来的1小时40分钟缩短至58分钟。"""

SAME_TOPIC = """央视网消息：为应对暑期出行高峰，本市地铁运营公司今天宣布，自7月1日起地铁一号线和三号线将延长夜间运营时间，末班车发车时间推迟至23时30分。
运营公司副总经理王丽萍表示，暑期以来地铁日均客流已超过900万人次，其中夜间时段客流增长明显，不少乘客反映末班车过早，延长运营时间正是为了回应市民的期待。
与此同时，运营公司还将在周末加开一号线区间车，并在人流密集的市中心站、体育中心站增派志愿者，引导乘客有序进出站。乘客可通过官方应用查询实时拥挤度，合理安排出行。"""

PRICES_MAY = """国家统计局今天发布数据，5月份全国居民消费价格同比上涨0.3%，环比下降0.1%。其中，城市上涨0.4%，农村上涨0.1%；食品价格下降2.1%，非食品价格上涨0.9%。1至5月平均，全国居民消费价格比去年同期上涨0.2%。
5月份，全国工业生产者出厂价格同比下降1.4%，环比下降0.2%；工业生产者购进价格同比下降1.9%，环比下降0.3%。国家统计局城市司首席统计师董莉娟表示，5月份消费市场运行总体平稳。
附注：居民消费价格指数是度量居民生活消费品和服务价格水平随着时间变动的相对数，综合反映居民购买的生活消费品和服务价格水平的变动情况；工业生产者出厂价格指数反映工业企业产品第一次出售时的出厂价格的变化趋势和变动幅度。"""

PRICES_JUNE = """国家统计局今天发布数据，6月份全国居民消费价格同比上涨0.2%，环比下降0.2%。其中，城市上涨0.3%，农村下降0.2%；食品价格下降3.2%，非食品价格上涨0.8%。1至6月平均，全国居民消费价格比去年同期上涨0.1%。
6月份，全国工业生产者出厂价格同比下降2.6%，环比下降0.4%；工业生产者购进价格同比下降3.3%，环比下降0.5%。国家统计局城市司首席统计师董莉娟表示，6月份消费市场运行总体平稳。
附注：居民消费价格指数是度量居民生活消费品和服务价格水平随着时间变动的相对数，综合反映居民购买的生活消费品和服务价格水平的变动情况；工业生产者出厂价格指数反映工业企业产品第一次出售时的出厂价格的变化趋势和变动幅度。"""

LEAD = "来源：城市晚报\n本文转载自“城市生活”公众号\n"
TAIL = "\n责任编辑：李明\n声明：本文转载自网络，版权归原作者所有，如有侵权请联系删除。"
AD = "关注公众号「城市生活」，回复“地铁”免费领取出行攻略！"


S2T = opencc.OpenCC("s2t")


def traditional(text):
    return S2T.convert(text)


def reordered(text):
    return "\n".join(reversed(text.split("\n")))


def with_ad(text):
    paragraphs = text.split("\n")
    return "\n".join([*paragraphs[:2], AD, *paragraphs[2:]])


def cut(text):
    return "\n".join(text.split("\n")[:3])


COPIES = {
    "繁體": traditional(ORIGINAL),
    "reordered": reordered(ORIGINAL),
    "lead and tail lines": LEAD + ORIGINAL + TAIL,
    "an inserted ad": with_ad(ORIGINAL),
    "a paragraph cut": cut(ORIGINAL),
    "all of them": traditional(LEAD + with_ad(reordered(cut(ORIGINAL))) + TAIL),
}


def fp(text):
    result = fingerprint(text)
    assert result is not None
    return result


@pytest.mark.parametrize("edit", COPIES)
def test_an_edited_copy_is_a_near_duplicate(edit):
    original, copy = fp(ORIGINAL), fp(COPIES[edit])
    assert is_near_duplicate(original, copy)
    assert is_near_duplicate(copy, original)


def test_a_different_story_on_the_same_topic_is_not():
    comparison = compare(fp(ORIGINAL), fp(SAME_TOPIC))
    assert comparison.similarity < 0.1
    assert not comparison.near_duplicate


def test_a_template_filled_with_other_numbers_is_not():
    """The wording is shared (similarity above the threshold, the note word for word), the
    figures are not: the same slots (…份全国…, 上涨…%) hold other numbers."""
    comparison = compare(fp(PRICES_MAY), fp(PRICES_JUNE))
    assert comparison.similarity >= THRESHOLD
    assert comparison.fact_swaps is not None
    assert comparison.fact_swaps > SWAPS_MAX
    assert not comparison.near_duplicate
    assert not is_near_duplicate(fp(PRICES_MAY), fp(PRICES_JUNE))
    assert is_near_duplicate(fp(PRICES_MAY), fp(LEAD + PRICES_MAY))


def test_the_evidence_shows_a_cut_copy_contained_in_the_original():
    comparison = compare(fp(ORIGINAL), fp(cut(ORIGINAL)))
    assert comparison.similarity < 0.95
    assert comparison.containment > 0.9
    assert comparison.fact_agreement == 1.0
    assert comparison.fact_swaps == 0.0
    assert comparison == compare(fp(cut(ORIGINAL)), fp(ORIGINAL))


def test_html_markup_is_dropped():
    html = "<div><p>" + ORIGINAL.replace("\n", "</p><p>") + "</p><script>var a=1;</script></div>"
    assert similarity(fp(html), fp(ORIGINAL)) == 1.0
    assert is_near_duplicate(fp(html), fp(ORIGINAL))


def test_too_short_texts_have_no_fingerprint():
    assert fingerprint("") is None
    assert fingerprint("本市地铁十二号线将于6月28日正式开通运营。") is None
    assert fingerprint("，。！？" * 100) is None  # punctuation does not count
    assert fingerprint(ORIGINAL[:120]) is not None


def test_bytes_round_trip():
    original = fp(ORIGINAL)
    data = original.to_bytes()
    again = Fingerprint.from_bytes(data)
    assert again == original
    assert again.to_bytes() == data
    assert band_keys(again) == band_keys(original)
    assert compare(again, fp(COPIES["繁體"])) == compare(original, fp(COPIES["繁體"]))


@pytest.mark.parametrize("damage", ["empty", "short", "another version", "truncated"])
def test_unreadable_bytes_are_refused(damage):
    data = fp(ORIGINAL).to_bytes()
    data = {
        "empty": b"",
        "short": data[:10],
        "another version": bytes([fpmod.VERSION + 1]) + data[1:],
        "truncated": data[:-1],
    }[damage]
    with pytest.raises(ValueError, match=FINGERPRINT_UNREADABLE):
        Fingerprint.from_bytes(data)


def test_band_keys_are_signed_64_bit_integers_one_per_band():
    keys = band_keys(fp(ORIGINAL))
    assert len(keys) == len(set(keys)) == BANDS
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert any(key < 0 for key in keys)


def test_the_same_text_gives_the_same_bytes():
    assert fp(ORIGINAL).to_bytes() == fp(ORIGINAL).to_bytes()
    assert similarity(fp(ORIGINAL), fp(ORIGINAL)) == 1.0


def test_another_process_gives_the_same_fingerprint_and_band_keys():
    """Nothing depends on Python's per-process hash() seed."""
    script = (
        "import sys; from zixun.moderation.fingerprint import fingerprint, band_keys; "
        "fp = fingerprint(sys.stdin.read()); print(fp.to_bytes().hex()); print(band_keys(fp))"
    )
    completed = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", script],
        input=ORIGINAL, capture_output=True, text=True, check=True, timeout=120,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )  # fmt: skip
    hex_bytes, keys = completed.stdout.splitlines()
    assert hex_bytes == fp(ORIGINAL).to_bytes().hex()
    assert keys == str(band_keys(fp(ORIGINAL)))


def test_the_index_returns_the_original_first():
    index = MemoryIndex()
    index.add(1, fp(ORIGINAL))
    index.add(2, fp(SAME_TOPIC))
    index.add(3, fp(PRICES_MAY))
    index.add(4, fp(COPIES["a paragraph cut"]))
    found = index.query(fp(COPIES["繁體"]))
    assert [doc_id for doc_id, _ in found] == [1, 4]
    assert found[0][1] > found[1][1]
    assert index.query(fp(PRICES_JUNE)) == []
    assert index.query(fp(ORIGINAL), exclude={1}) == [(4, similarity(fp(ORIGINAL), fp(cut(ORIGINAL))))]  # fmt: skip


def test_the_index_forgets_and_replaces():
    index = MemoryIndex()
    index.add(1, fp(ORIGINAL))
    index.add(1, fp(SAME_TOPIC))  # replaced
    assert len(index) == 1
    assert index.query(fp(ORIGINAL)) == []
    index.remove(1)
    index.remove(99)  # unknown: ignored
    assert 1 not in index
    assert index.bucket_sizes() == []


@pytest.mark.shared_data
def test_edited_copies_of_real_articles_are_found_and_others_are_not(shared_dir):
    path = shared_dir / "data" / "cn_news_cctv_xwlb" / "articles.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"the CCTV corpus is not at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        bodies = [json.loads(line)["body"] for _, line in zip(range(3000), lines, strict=False)]
    bodies = [body for body in bodies if len(body) >= 300 and body.count("\n") >= 2][:300]
    rng = random.Random(14)
    index = MemoryIndex()
    for doc_id, body in enumerate(bodies):
        index.add(doc_id, fp(body))
    found = 0
    for doc_id, body in enumerate(bodies):
        paragraphs = body.split("\n")
        rng.shuffle(paragraphs)
        kept = paragraphs[: max(2, round(len(paragraphs) * 0.8))]
        copy = traditional(LEAD + "\n".join([*kept[:1], AD, *kept[1:]]) + TAIL)
        matches = [match for match, _ in index.query(fp(copy))]
        found += doc_id in matches
        assert len(set(matches) - {doc_id}) <= 1  # the odd template twin at most
    assert found / len(bodies) >= 0.95
