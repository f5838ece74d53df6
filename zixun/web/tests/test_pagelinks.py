"""A cached page carries no one reader's ?src= and no other host's address (audit #8, 11)."""

import re

import pytest
from django.test import Client

from zixun.articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def canonical(page):
    return re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)


def test_a_share_source_does_not_reach_the_next_readers_links():
    # given a first visitor who came from a Weibo share
    article = ArticleFactory()
    Client().get(article.get_absolute_url(), {"src": "weibo"})
    # when the next visitor opens the article (from the same cached page)
    page = Client().get(article.get_absolute_url()).content.decode()
    # then no link in it carries the first visitor's source
    assert "src%3Dweibo" not in page
    assert "src=weibo" not in page
    assert f"?next={article.get_absolute_url()}" in page.replace("%2F", "/")


def test_links_are_built_on_the_configured_site_address(settings):
    settings.ALLOWED_HOSTS = ["news.example.cn", "evil.example"]
    settings.ZIXUN_SITE_URL = "https://news.example.cn"
    article = ArticleFactory()
    page = Client().get(article.get_absolute_url(), HTTP_HOST="evil.example").content.decode()
    assert canonical(page) == f"https://news.example.cn{article.get_absolute_url()}"
    assert "evil.example" not in page


def test_without_a_site_address_each_host_gets_its_own_page(settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    settings.ZIXUN_SITE_URL = ""
    article = ArticleFactory()
    first = Client().get(article.get_absolute_url(), HTTP_HOST="a.example").content.decode()
    second = Client().get(article.get_absolute_url(), HTTP_HOST="b.example").content.decode()
    assert canonical(first).startswith("http://a.example/")
    assert canonical(second).startswith("http://b.example/")
