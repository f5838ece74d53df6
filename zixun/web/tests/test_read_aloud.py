"""朗读 (read-aloud) on the article page (issue 13, point 2): the served HTML.

The controls are the same HTML for every reader (the page is cached) and hidden: readaloud.js
shows them, or the no-voice message, in a browser that can speak (tests/browser/test_read_aloud.py).
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NO_VOICE = "此浏览器没有中文语音，无法朗读。可以在系统设置里安装中文语音。"


def read_aloud_block(page: str) -> str:
    match = re.search(
        r"<div class=\"read-aloud\"[^>]*>.*?<p class=\"ra-novoice\".*?</p>\s*</div>",
        page,
        re.DOTALL,
    )
    assert match, "no read-aloud block"
    return match.group(0)


def opening_tag(html: str, marker: str) -> str:
    match = re.search(rf"<[a-z]+[^>]*{marker}[^>]*>", html)
    assert match, marker
    return match.group(0)


def test_the_article_page_serves_hidden_controls_with_their_script_and_stylesheet(client):
    # given a published article
    article = ArticleFactory()
    # when an anonymous reader opens it
    page = client.get(article.get_absolute_url()).content.decode()
    # then the page loads the read-aloud script (deferred, from 'self') and stylesheet
    assert re.search(r'<script src="/static/web/readaloud\.js" defer></script>', page)
    assert re.search(r'<link rel="stylesheet" href="/static/web/readaloud\.css">', page)
    # and the block, its controls and the no-voice message are all served hidden
    block = read_aloud_block(page)
    assert " hidden" in opening_tag(block, "data-read-aloud")
    assert " hidden" in opening_tag(block, "data-ra-controls")
    assert " hidden" in opening_tag(block, "data-ra-novoice")
    # with the play button, the stop button, the four speeds (1× pressed) and a status line
    assert 'data-ra="play"' in block
    assert 'data-ra="stop"' in block
    rates = re.findall(r'data-rate="([\d.]+)" aria-pressed="(true|false)"', block)
    assert rates == [("0.75", "false"), ("1", "true"), ("1.25", "false"), ("1.5", "false")]
    assert 'role="status"' in block
    assert all('type="button"' in b for b in re.findall(r"<button[^>]*>", block))
    # and the messages the script shows come from the page, in the reader's language
    assert NO_VOICE in block
    assert 'data-msg-reading="正在朗读第 {n} 句，共 {total} 句"' in block
    # the block sits before the body, which it reads
    assert page.index("data-read-aloud") < page.index('class="article-body"')


def test_the_controls_are_the_same_for_every_reader():
    # given an article
    article = ArticleFactory()
    url = article.get_absolute_url()
    # when an anonymous reader and a signed-in one open it
    anonymous = Client().get(url).content.decode()
    reader = Client()
    reader.force_login(UserFactory())
    signed_in = reader.get(url).content.decode()
    # then both get the same read-aloud block (nothing per reader: the page is cached)
    assert read_aloud_block(anonymous) == read_aloud_block(signed_in)


def test_care_mode_gets_the_same_controls(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    normal = client.get(url).content.decode()
    client.get(reverse("web:mode-set", args=["care", "on"]) + f"?next={url}")
    care = client.get(url).content.decode()
    assert '<body class="care' in care
    assert read_aloud_block(care) == read_aloud_block(normal)


def test_the_page_keeps_its_csp_and_has_no_inline_script(client):
    # given an article
    article = ArticleFactory()
    # when it is served
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    # then the policy is the site's, unchanged: scripts from 'self' only
    assert response["Content-Security-Policy"] == settings.ZIXUN_CSP
    assert "script-src 'self';" in response["Content-Security-Policy"]
    # and every script is an external file (the JSON-LD block is data, which browsers never
    # run), with no inline handlers or javascript: URLs
    code = re.compile(
        r"<script\b(?![^>]*type=\"application/ld\+json\")[^>]*>(.*?)</script>", re.DOTALL
    )
    scripts = code.findall(page)
    assert scripts
    assert all(body.strip() == "" for body in scripts)
    tags = re.findall(r"<script\b(?![^>]*type=\"application/ld\+json\")[^>]*>", page)
    assert all(" src=" in tag for tag in tags)
    assert page.count('type="application/ld+json"') == 1
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert "javascript:" not in page
