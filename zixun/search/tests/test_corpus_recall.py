"""#11's "done when", checked on real text: the demo corpus (the first articles of the CCTV set in
``../shared/data``, imported the way ``make demo`` does) is searched for words of every article,
in 简体 and in 繁體, and each article must be among what is found. Skipped when the data is absent."""

import random
import re

import opencc
import pytest

from zixun.articles.models import Article
from zixun.core.search import SearchQuery, search_backend
from zixun.demo.loading import demo_load_corpora
from zixun.search.engine import current_segmenter
from zixun.search.text import clean, fold

pytestmark = pytest.mark.django_db

ARTICLES = 120
WORDS_PER_ARTICLE = 4
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def _quiet(name: str, total: int):  # the import's progress, not printed here
    return lambda done: None


def _found(text: str, article_id: int) -> bool:
    """Walks every page of the newest-first results, as a reader paging on would."""
    after = ""
    for _ in range(ARTICLES):
        results = search_backend().query(
            SearchQuery(text=text, order="newest", size=50, after=after)
        )
        if any(hit.article_id == article_id for hit in results.hits):
            return True
        if not results.next_cursor:
            return False
        after = results.next_cursor
    return False


@pytest.fixture
def demo_corpus(shared_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the import indexes after each commit
        stats = demo_load_corpora(shared_dir, limit=ARTICLES, progress=_quiet)
    assert sum(s.created for s in stats.values()) == ARTICLES
    return list(Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk"))


def test_any_word_of_any_demo_article_finds_it_in_either_script(demo_corpus):
    seg = current_segmenter()
    to_traditional = opencc.OpenCC("s2t")
    rng = random.Random(11)
    missed, tried = [], 0
    for article in demo_corpus:
        # the words a reader sees in the article, as the segmenter cuts its text (precise mode)
        words = sorted({w for field in (article.title, article.body_text)
                        for w in seg.cut(clean(fold(field))) if _CJK_WORD.match(w)})  # fmt: skip
        assert words, article.title
        for word in rng.sample(words, min(WORDS_PER_ARTICLE, len(words))):
            for text in (word, to_traditional.convert(word)):
                tried += 1
                if not _found(text, article.pk):
                    missed.append((text, article.title))
    assert tried >= ARTICLES * 2
    assert missed == []


def test_the_title_of_any_demo_article_finds_it_first_in_relevance_order(demo_corpus):
    rng = random.Random(12)
    for article in rng.sample(demo_corpus, 30):
        hits = search_backend().query(SearchQuery(text=article.title)).hits
        # the article, or another of the same title (the corpus repeats some, e.g. 国际联播快讯)
        same_title = Article.objects.filter(title=article.title).values_list("pk", flat=True)
        assert hits, article.title
        assert hits[0].article_id in same_title, article.title
