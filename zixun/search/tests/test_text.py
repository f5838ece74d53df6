"""Folding, segmentation, query parsing, highlighting and pinyin, without a database."""

from zixun.search.text import (
    QUERY_MAX_CLAUSES,
    Segmenter,
    clean,
    document_terms,
    fold,
    fold_mapped,
    highlight,
    pinyin_keys,
    query_parse,
)

SEG = Segmenter()


def words(query):
    return [clause.words for clause in query_parse(query, SEG).clauses]


def test_folding_happens_before_segmentation_both_ways():
    assert fold("中國農業發展銀行ＡＢＣ") == "中国农业发展银行abc"
    assert words("中國農業發展銀行") == words("中国农业发展银行") == [("中国",), ("农业发展银行",)]


def test_search_mode_documents_hold_sub_words():
    terms = document_terms("中国农业发展银行待处理的援疆干部", SEG).split()
    assert {"农业", "银行", "处理", "待处理", "农业发展银行"} <= set(terms)


def test_unjoined_characters_are_a_phrase_so_order_matters():
    assert words("援疆") == [("援", "疆")]
    assert words("疆援") == [("疆", "援")]


def test_operators_quotes_emoji_and_sql_are_plain_text():
    assert words('"AND (OR* 援疆 NEAR') == [("and",), ("or",), ("援", "疆"), ("near",)]
    assert words("😀😀") == []
    assert words("") == []
    assert words("'; DROP TABLE search_fts; --") == [("drop",), ("table",), ("search",), ("fts",)]
    assert len(query_parse("新闻 " * 5000, SEG).clauses) <= QUERY_MAX_CLAUSES
    assert len(query_parse("甲乙丙丁" * 3000, SEG).text) <= 100


def test_latin_letters_and_digits_are_split_apart():
    assert clean("iphone15 pro") == "iphone 15 pro"
    assert words("iPhone15") == [("iphone",), ("15",)]


def test_stop_words_are_dropped_unless_alone():
    assert [c.words for c in query_parse("的 援疆", SEG, stop_words=frozenset({"的"})).clauses] == [
        ("援", "疆")
    ]
    assert [c.words for c in query_parse("的", SEG, stop_words=frozenset({"的"})).clauses] == [
        ("的",)
    ]


def test_highlight_marks_the_original_characters_in_mixed_text():
    text = "香港的中國農業發展銀行與ＡＢＣ銀行在援疆"
    marked = highlight(text, query_parse("农业发展银行 abc 援疆", SEG))
    assert (
        marked == "香港的中國<mark>農業發展銀行</mark>與<mark>ＡＢＣ</mark>銀行在<mark>援疆</mark>"
    )


def test_highlight_offsets_hold_when_folding_changes_the_length():
    text = "㈱公司 iPhone15发布，<b>援疆</b>"  # ㈱ folds to three characters
    folded, starts = fold_mapped(text)
    assert folded.startswith("(株)公司")
    assert starts[3] == 1
    marked = highlight(text, query_parse("公司 援疆", SEG))
    assert marked == "㈱<mark>公司</mark> iPhone15发布，&lt;b&gt;<mark>援疆</mark>&lt;/b&gt;"


def test_snippet_is_a_window_around_the_matches():
    text = "甲" * 300 + "援疆" + "乙" * 300
    marked = highlight(text, query_parse("援疆", SEG), window=60)
    assert marked.startswith("…")
    assert marked.endswith("…")
    assert "<mark>援疆</mark>" in marked
    assert len(marked.replace("<mark>", "").replace("</mark>", "")) <= 62


def test_an_added_word_segments_as_one():
    seg = Segmenter(["援疆"])
    assert [c.words for c in query_parse("援疆", seg).clauses] == [("援疆",)]
    assert "援疆" in document_terms("援疆干部", seg).split()


def test_pinyin_keys_of_account_names():
    assert pinyin_keys("金台资讯") == ("jintaizixun", "jtzx")
    assert pinyin_keys("金臺資訊") == ("jintaizixun", "jtzx")
    assert pinyin_keys("ABC新闻2") == ("abcxinwen2", "abcxw2")
