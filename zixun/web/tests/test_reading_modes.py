"""繁體 and dark or light pages: switched by a cookie, rendered on the server, cached per
variant and never mixed with another variant (docs/accessibility.md)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.sitecache import site_version_bump
from zixun.creators.tests.factories import CreatorFactory
from zixun.search.engine import index_accounts
from zixun.web.modes import SCRIPT_COOKIE, THEME_COOKIE, Modes
from zixun.web.pagecache import page_cache_forget, page_cache_key
from zixun.web.script import html_to_hant, text_to_hant

pytestmark = pytest.mark.django_db


def switch(client, mode, state, next_url="/"):
    return client.get(reverse("web:mode-set", args=[mode, state]) + f"?next={next_url}")


def head(html):
    return html.split("<head>", 1)[0]


# Conversion


def test_text_and_the_attributes_people_read_are_converted():
    html = (
        '<p title="关注">热榜 发布</p><img alt="头发" src="/media/头发.png">'
        '<input type="text" name="q" value="热榜" placeholder="搜索热榜" aria-label="搜索">'
    )
    out = html_to_hant(html)
    assert '<p title="關注">熱榜 發佈</p>' in out
    assert 'alt="頭髮" src="/media/头发.png"' in out  # an address stays as it is
    assert 'value="热榜"' in out  # what the form sends back is unchanged
    assert 'placeholder="搜索熱榜" aria-label="搜索"' in out


def test_what_goes_back_to_the_server_and_code_stay_as_they_are():
    html = (
        "<textarea name=body>后来的头发</textarea>"
        "<script>var s = '头发';</script><style>.x::after{content:'头发'}</style>"
        "<!-- 头发 --><!--keep--><a>简体</a><!--/keep--><b>简体</b>"
    )
    out = html_to_hant(html)
    assert "<textarea name=body>后来的头发</textarea>" in out
    assert "var s = '头发';" in out
    assert "content:'头发'" in out
    assert "<!-- 头发 -->" in out
    assert "<!--keep--><a>简体</a><!--/keep--><b>簡體</b>" in out


def test_a_page_without_chinese_is_returned_as_it_is():
    html = "<p>Hello, <b>world</b></p>"
    assert html_to_hant(html) is html
    assert text_to_hant("abc") == "abc"


def test_broken_markup_and_a_stray_separator_do_not_break_the_conversion():
    html = '<p a="1>热榜<b>\x1f头发</b><textarea>头发'  # unclosed quote, tag and textarea
    out = html_to_hant(html)
    assert "頭髮" in out


# Pages


def test_a_reader_who_chooses_traditional_gets_every_page_in_traditional():
    client = Client()
    article = ArticleFactory(title="关于发展乡村旅游的后续报道", body_html="<p>头发和面条。</p>")
    response = switch(client, "script", "hant", article.get_absolute_url())
    assert response.cookies[SCRIPT_COOKIE].value == "hant"
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'lang="zh-Hant"' in head(html)
    assert "關於發展鄉村旅遊的後續報道" in html
    assert "頭髮和麪條" in html or "頭髮和面條" in html
    # the way back reads 简体 in any mode
    assert ">简体</a>" in html
    # and back
    assert switch(client, "script", "hans").cookies[SCRIPT_COOKIE].value == ""
    html = client.get(article.get_absolute_url()).content.decode()
    assert "关于发展乡村旅游的后续报道" in html
    assert 'lang="zh-CN"' in head(html)


def test_each_variant_is_cached_apart_and_an_edit_reaches_both(settings):
    settings.ZIXUN_PAGE_CACHE_SECONDS = 300
    cache.clear()
    article = ArticleFactory(title="后来的发展")
    simplified, traditional = Client(), Client()
    traditional.cookies[SCRIPT_COOKIE] = "hant"
    url = article.get_absolute_url()
    for _round in range(2):  # a miss, then a hit
        assert "後來的發展" in traditional.get(url).content.decode()
        assert "后来的发展" in simplified.get(url).content.decode()
    Article.objects.filter(pk=article.pk).update(title="后来的头发")
    site_version_bump()  # as every publish, edit and takedown does
    assert "後來的頭髮" in traditional.get(url).content.decode()
    assert "后来的头发" in simplified.get(url).content.decode()


def test_a_signed_in_readers_page_is_converted_with_their_parts(settings):
    settings.ZIXUN_PAGE_CACHE_SECONDS = 300
    cache.clear()
    reader = UserFactory()
    article = ArticleFactory(title="后来的发展")
    client = Client()
    client.force_login(reader)
    client.cookies[SCRIPT_COOKIE] = "hant"
    for _round in range(2):
        html = client.get(article.get_absolute_url()).content.decode()
        assert "後來的發展" in html
        assert "+ 關注" in html  # the follow button, filled in for this reader
        assert reader.username in html


def test_forms_keep_their_values_in_traditional():
    reader = UserFactory()
    client = Client()
    client.force_login(reader)
    client.cookies[SCRIPT_COOKIE] = "hant"
    html = client.get("/search/?q=" + "头发").content.decode()
    assert 'value="头发"' in html


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_chosen_colour_scheme_is_on_the_page_and_cached_apart(settings, theme):
    settings.ZIXUN_PAGE_CACHE_SECONDS = 300
    cache.clear()
    plain, chosen = Client(), Client()
    assert switch(chosen, "theme", theme).cookies[THEME_COOKIE].value == theme
    for _round in range(2):
        assert f'class="theme-{theme}"' in head(chosen.get("/").content.decode())
        html = plain.get("/").content.decode()
        assert "theme-" not in head(html)
        assert 'content="light dark"' in html  # follows the system
    # back to the system's setting
    assert switch(chosen, "theme", "auto").cookies[THEME_COOKIE].value == ""


def test_care_and_dark_combine():
    client = Client()
    switch(client, "care", "on")
    switch(client, "theme", "dark")
    assert 'class="care theme-dark"' in head(client.get("/").content.decode())


@pytest.mark.parametrize(
    ("mode", "state"), [("theme", "blue"), ("script", "on"), ("care", "hant"), ("font", "on")]
)
def test_an_unknown_mode_or_state_is_not_found(mode, state):
    assert switch(Client(), mode, state).status_code == 404


def test_a_forged_cookie_value_counts_as_none():
    client = Client()
    client.cookies[THEME_COOKIE] = '"><script>'
    client.cookies[SCRIPT_COOKIE] = "klingon"
    html = client.get("/").content.decode()
    assert "theme-" not in head(html)
    assert 'lang="zh-CN"' in head(html)


def test_forgetting_a_page_drops_every_variant(settings, rf):
    settings.ZIXUN_PAGE_CACHE_SECONDS = 300
    cache.clear()
    url = ArticleFactory(title="后来").get_absolute_url()
    requests = []
    for theme in ("", "dark", "light"):
        for hant in (False, True):
            cookies = {THEME_COOKIE: theme, SCRIPT_COOKIE: "hant" if hant else ""}
            client = Client()
            client.cookies.load(cookies)
            assert client.get(url).status_code == 200
            request = rf.get(url)
            request.COOKIES = cookies
            requests.append(request)
    with translation.override(settings.LANGUAGE_CODE):
        keys = {page_cache_key(request) for request in requests}
        assert len(keys) == 6
        assert all(cache.get(key) is not None for key in keys)
        page_cache_forget(requests[0], url)
        assert all(cache.get(key) is None for key in keys)
    assert len(set(Modes.all_keys())) == 24


# The conformance page


@pytest.mark.parametrize(
    ("contact", "link"),
    [
        ("a11y@news.example.cn", 'href="mailto:a11y@news.example.cn"'),
        ("https://news.example.cn/help", 'href="https://news.example.cn/help"'),
        ("javascript:alert(1)//@x", None),
        ("", None),
    ],
)
def test_the_conformance_page_says_what_is_met_and_where_to_report(settings, contact, link):
    settings.ZIXUN_ACCESSIBILITY_CONTACT = contact
    html = Client().get(reverse("web:accessibility")).content.decode()
    for part in ("WCAG 2.1", "GB/T 37668", "适老化", 'id="checks"', 'id="limits"', "繁體"):
        assert part in html
    if link:
        assert link in html
    else:
        assert "还没有设置无障碍反馈的联系方式" in html
        assert "javascript:" not in html


def test_a_traditional_page_says_so_in_its_headers():
    client = Client()
    client.cookies[SCRIPT_COOKIE] = "hant"
    assert client.get("/").headers["Content-Language"] == "zh-Hant"
    assert Client().get("/").headers["Content-Language"] == "zh-hans"


def test_what_a_pages_script_shows_is_converted_too():
    client = Client()
    client.cookies[SCRIPT_COOKIE] = "hant"
    index_accounts([CreatorFactory(name="后来的发展").pk])
    url = reverse("web:search-suggest") + "?q=" + "后来"
    simplified = Client().get(url).json()["items"]  # the 简体 reader's suggestions
    assert [item["text"] for item in simplified] == ["后来的发展"]
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["items"] == [{**simplified[0], "text": "後來的發展"}]
