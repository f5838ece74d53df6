"""The similarity engine of 相关推荐 (ranking/text.py, ranking/similar.py): no database."""

import gzip
import json

import pytest

from zixun.ranking.similar import MemoryIndex, Params, near_duplicate, nearest, related
from zixun.ranking.text import load_stop_words, normalize, terms

TITLES = {
    1: "嫦娥六号完成月球背面采样 科学家分析月壤",
    2: "月球背面样品运抵实验室 嫦娥六号任务圆满成功",
    3: "中超联赛第二十轮 主队主场逆转客队",
    4: "中超积分榜生变 球迷为主队逆转欢呼",
    5: "央行下调存款准备金率 股市债券市场上涨",
    6: "降准落地 股市应声上涨 券商板块领涨",
}


def build(titles=TITLES):
    index = MemoryIndex()
    for doc_id, title in titles.items():
        index.add(doc_id, terms(title))
    return index


def ids(results):
    return [doc_id for doc_id, _ in results]


def test_the_same_topic_beats_another_topic():
    index = build()
    found = ids(nearest(terms(TITLES[1]), index, k=3, exclude={1}))
    assert found[0] == 2
    assert ids(nearest(terms(TITLES[3]), index, k=1, exclude={3})) == [4]
    assert ids(nearest(terms(TITLES[5]), index, k=1, exclude={5})) == [6]


def test_scores_come_best_first():
    scores = [score for _, score in nearest(terms(TITLES[1]), build(), k=5, exclude={1})]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


def test_an_excluded_id_is_never_returned():
    index = build()
    assert 1 in ids(nearest(terms(TITLES[1]), index, k=8))  # itself, when not excluded
    for k in (1, 3, 8):
        assert 1 not in ids(nearest(terms(TITLES[1]), index, k=k, exclude={1}))
    assert 2 not in ids(nearest(terms(TITLES[1]), index, k=8, exclude={1, 2}))


def test_related_never_shows_the_article_itself_even_unexcluded():
    assert 1 not in ids(related(terms(TITLES[1]), build(), k=5))


def test_a_reprint_is_dropped_and_the_original_kept():
    titles = {
        **TITLES,
        7: "嫦娥六号完成月球背面采样！科学家分析月壤。",  # the same story, new punctuation
        8: TITLES[2],  # a reprint of 2: only the better ranked of the two may show
    }
    index = build(titles)
    assert near_duplicate(terms(TITLES[1]), terms(titles[7]))
    assert not near_duplicate(terms(TITLES[1]), terms(TITLES[2]))
    found = ids(related(terms(TITLES[1]), index, k=5, exclude={1}))
    assert 7 not in found
    assert len({2, 8} & set(found)) == 1
    # nearest, the plain ranking, still has them all
    assert {2, 7, 8} <= set(ids(nearest(terms(TITLES[1]), index, k=5, exclude={1})))


def test_related_without_diversity_is_the_nearest_order_minus_reprints():
    titles = {**TITLES, 8: TITLES[2]}
    index = build(titles)
    plain = ids(nearest(terms(TITLES[1]), index, k=5, exclude={1}))
    reprint = max(plain.index(2), plain.index(8))  # the worse ranked of the two copies
    expected = [doc_id for at, doc_id in enumerate(plain) if at != reprint]
    found = ids(related(terms(TITLES[1]), index, k=5, exclude={1}, diversity=0))
    assert found == expected[: len(found)]
    assert len(found) == len(expected)


def test_bounded_postings_keep_the_most_recent():
    index = MemoryIndex()
    for doc_id in (5, 1, 9, 3, 7):  # out of order on purpose
        index.add(doc_id, terms("火星探测器"))
    rows = index.postings(["火星"], per_term=2)["火星"]
    assert sorted(doc_id for doc_id, _ in rows) == [7, 9]
    found = ids(nearest(terms("火星探测器"), index, k=8, params=Params(per_term=2)))
    assert sorted(found) == [7, 9]


def test_remove_forgets_a_document():
    index = build()
    index.remove(2)
    index.remove(404)  # unknown: ignored
    assert index.doc_count() == len(TITLES) - 1
    assert 2 not in ids(nearest(terms(TITLES[1]), index, k=8, exclude={1}))
    assert index.vectors([2]) == {}


def test_full_width_and_half_width_give_the_same_terms():
    assert normalize("ＡＢＣ手机，２０２４年ＭＡＴＥ") == "abc手机 2024年mate"
    assert terms("华为ＭＡＴＥ６０发布（图）") == terms("华为Mate60发布(图)")
    index = MemoryIndex()
    index.add(1, terms("华为ＭＡＴＥ６０手机发布"))
    index.add(2, terms("央行降准"))
    assert ids(nearest(terms("华为mate60手机"), index, k=1)) == [1]


def test_urls_punctuation_and_stop_words_are_not_terms():
    found = terms("我们的新闻：https://example.com/a?b=1 ！！")
    assert "的" not in found
    assert "我们" not in found
    assert not any("example" in term or "http" in term for term in found)
    assert "新闻" in found


def test_empty_or_blank_text_gives_no_terms_and_no_results():
    for text in ("", "   ", "\u3000\n\t", "，。！？"):
        assert terms(text) == {}
        assert terms(text, text) == {}
    index = build()
    assert nearest({}, index) == []
    assert related({}, index) == []
    assert nearest(terms(TITLES[1]), MemoryIndex()) == []
    index.add(99, {})
    assert 99 not in ids(nearest(terms(TITLES[1]), index, k=8))


def test_body_terms_count_less_than_title_terms_and_the_term_count_is_capped():
    weights = terms("火星", "火星 月球")
    assert weights["火星"] > weights["月球"]
    long_body = "".join(f"第{i}条新闻标题内容各不相同{chr(0x4E00 + i * 7)}" for i in range(500))
    assert len(terms("标题", long_body, max_terms=40)) == 40


def test_stop_words_are_a_parameter(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# a comment\n火星\n\n", encoding="utf-8")
    stop = load_stop_words(path)
    assert stop == frozenset({"火星"})
    assert "火星" not in terms("火星探测器", stop_words=stop)


@pytest.mark.shared_data
def test_titles_find_their_own_category_on_a_slice(shared_dir):
    path = shared_dir / "data" / "cn_news_titles" / "thucnews_titles.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"the THUCNews title set is not at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(2000), lines, strict=False)]
    vectors = [terms(row["title"]) for row in rows]
    index = MemoryIndex()
    for doc_id, vector in enumerate(vectors):
        index.add(doc_id, vector)
    agree = 0.0
    for doc_id in range(0, len(rows), 4):
        found = ids(nearest(vectors[doc_id], index, k=8, exclude={doc_id}))
        assert doc_id not in found
        agree += sum(rows[j]["category"] == rows[doc_id]["category"] for j in found) / 8
    # 10 balanced categories: chance is 0.1; the full set reaches about 0.66
    assert agree / len(range(0, len(rows), 4)) > 0.45


def semantic_corpus():
    """Two topics whose titles share words only through other titles."""
    space = ["嫦娥探测器登月", "月球样品研究", "探测器发射成功", "月壤样品分析", "嫦娥月球采样"]
    market = ["股市上涨券商", "央行降准股市", "券商板块走强", "债券市场降准", "股市债券回暖"]
    return dict(enumerate(space * 3 + market * 3))


def test_term_vectors_are_learned_round_trip_and_embed_unknown_text_as_none():
    from zixun.ranking.semantic import TermVectors, learn
    from zixun.ranking.similar import stored_weights

    titles = semantic_corpus()
    model = learn([stored_weights(terms(t)) for t in titles.values()], dims=4, clusters=2)
    assert model is not None
    again = TermVectors.loads(model.dumps())
    assert again.terms == model.terms
    assert model.embed({"完全陌生的词": 1.0}) is None
    vector = model.embed(stored_weights(terms("嫦娥月球")))
    assert vector is not None
    assert abs(float((vector * vector).sum()) - 1.0) < 1e-4
    assert model.topics(vector, 2)[0] == model.topic(vector)


def test_nearest_with_term_vectors_stays_on_topic_and_excludes():
    from zixun.ranking.semantic import learn
    from zixun.ranking.similar import stored_weights

    titles = semantic_corpus()
    model = learn([stored_weights(terms(t)) for t in titles.values()], dims=4, clusters=2)
    index = MemoryIndex(model=model)
    for doc_id, title in titles.items():
        index.add(doc_id, terms(title))
    found = ids(nearest(terms(titles[0]), index, k=5, exclude={0}))
    assert 0 not in found
    assert all(doc_id < 15 for doc_id in found)  # the space titles
    index.remove(1)
    assert 1 not in ids(nearest(terms(titles[0]), index, k=14, exclude={0}))
