import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.engagement.models import Reading
from zixun.engagement.viewcount import is_bot, view_buffer, view_record

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36"


@pytest.fixture(autouse=True)
def _empty_buffer():
    view_buffer.flush()
    yield
    view_buffer.flush()


@pytest.mark.parametrize(
    "agent",
    ["Googlebot/2.1", "Baiduspider", "curl/8.0", "python-requests/2.32", "", "HeadlessChrome/120"],
)
def test_bots_are_not_counted(agent):
    assert is_bot(agent)
    assert view_record(article_id=1, user_id=None, client="1.2.3.4", user_agent=agent) is False


def test_a_reader_counts_once_per_window():
    article = ArticleFactory()
    assert view_record(article_id=article.pk, user_id=None, client="1.2.3.4", user_agent=BROWSER)
    assert not view_record(
        article_id=article.pk, user_id=None, client="1.2.3.4", user_agent=BROWSER
    )
    assert view_record(article_id=article.pk, user_id=None, client="5.6.7.8", user_agent=BROWSER)
    assert view_buffer.pending() == 2
    assert view_buffer.flush() == 2
    article.refresh_from_db()
    assert article.view_count == 2


def test_the_article_page_never_writes_on_a_view(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    for agent in (BROWSER, BROWSER + " other"):
        with CaptureQueriesContext(connection) as queries:
            client.get(url, HTTP_USER_AGENT=agent)
        writes = [
            q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        ]
        assert writes == []
    assert view_buffer.pending() == 2
    view_buffer.flush()
    article.refresh_from_db()
    assert article.view_count == 2


def test_signed_in_reads_become_history(client, writer):
    first, second = ArticleFactory(), ArticleFactory()
    client.force_login(writer)
    for article in (first, second, first):
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    view_buffer.flush()
    assert set(Reading.objects.filter(user=writer).values_list("article_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Article.objects.get(pk=first.pk).view_count == 1  # the second read is in the window


def test_missing_articles_count_nothing(client):
    client.get(reverse("web:article", args=[10**9]), HTTP_USER_AGENT=BROWSER)
    assert view_buffer.pending() == 0


def test_discard_waits_for_a_flush_under_way_and_drops_what_is_buffered():
    article = ArticleFactory()
    view_buffer.add(article_id=article.pk, user_id=None)
    discarded = threading.Event()
    with view_buffer._flushing:  # a flush under way
        threading.Thread(target=lambda: (view_buffer.discard(), discarded.set())).start()
        assert not discarded.wait(0.3)  # it waits for the flush
    assert discarded.wait(5)
    assert view_buffer.pending() == 0
    assert view_buffer.flush() == 0
