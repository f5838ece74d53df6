import pytest
from django.test import override_settings

from zixun.articles.services.publishing import article_after_change_task
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.search import NullSearchBackend, SearchQuery, SearchResults, search_backend

pytestmark = pytest.mark.django_db

INDEXED: list[list[int]] = []


class RecordingBackend(NullSearchBackend):
    def index(self, *, article_ids):
        INDEXED.append(list(article_ids))


@override_settings(ZIXUN_SEARCH_BACKEND="zixun.core.search.NullSearchBackend")
def test_the_null_backend_turns_search_off():
    assert isinstance(search_backend(), NullSearchBackend)
    assert search_backend().query(SearchQuery(text="援疆")) == SearchResults()


@override_settings(ZIXUN_SEARCH_BACKEND=f"{__name__}.RecordingBackend")
def test_the_pipeline_indexes_each_changed_article_through_the_interface():
    # given an article, when its after-change task runs
    article = ArticleFactory()
    INDEXED.clear()
    article_after_change_task.call(article_id=article.pk)
    # then the configured backend was asked to index it
    assert [[article.pk]] == INDEXED
