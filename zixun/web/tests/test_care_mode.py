"""关怀版 is remembered: a cookie for everyone, and the account of a reader who switches it while
signed in, so that it follows them to every browser; the page cache never serves one mode's
page to the other (docs/accessibility.md, ADR 0007, ADR 0012)."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from zixun.accounts.models import User
from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.web.modes import A11Y_COOKIE, CARE_COOKIE

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # UserFactory's
CARE_PAGE = 'class="care"'  # on <html>


def switch(client, state, *, mode="care", next_url="/"):
    return client.get(reverse("web:mode-set", args=[mode, state]) + f"?next={next_url}")


def browser(user=None):
    """A new browser: no cookies, signed in as ``user`` when given."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def is_care(html):
    return CARE_PAGE in html.split("<head>", 1)[0]


def test_a_visitors_choice_is_kept_in_a_cookie():
    # given a visitor
    client = browser()
    # when they turn 关怀版 on
    response = switch(client, "on")
    # then the cookie keeps it and every page comes in 关怀版, with the way out on top
    assert response.cookies[CARE_COOKIE].value == "1"
    html = page(client, "/")
    assert is_care(html)
    assert '<body class="care ' in html
    assert 'class="care-exit"' in html
    # when they turn it off, then the cookie goes
    assert switch(client, "off").cookies[CARE_COOKIE].value == ""
    assert not is_care(page(client, "/"))


def test_a_signed_in_readers_choice_is_stored_on_the_account():
    # given a signed-in reader who has never chosen
    reader = UserFactory()
    assert reader.care_mode is None
    client = browser(reader)
    # when they turn 关怀版 on, then the account and the cookie say so
    assert switch(client, "on").cookies[CARE_COOKIE].value == "1"
    reader.refresh_from_db()
    assert reader.care_mode is True
    # when they turn it off, then too
    switch(client, "off")
    reader.refresh_from_db()
    assert reader.care_mode is False


def test_the_accessibility_aids_stay_a_cookie():
    reader = UserFactory()
    switch(browser(reader), "on", mode="a11y")
    reader.refresh_from_db()
    assert reader.care_mode is None


def test_another_browser_signed_in_as_the_reader_comes_in_care_mode():
    # given a reader who turned 关怀版 on in one browser
    reader = UserFactory()
    switch(browser(reader), "on")
    # when they open the site signed in on another browser, which has no care cookie
    other = browser(reader)
    assert CARE_COOKIE not in other.cookies
    response = other.get("/")
    # then the first page is in 关怀版, and the browser is given the cookie as well
    assert is_care(response.content.decode())
    assert response.cookies[CARE_COOKIE].value == "1"
    assert is_care(page(other, ArticleFactory().get_absolute_url()))


def test_signing_in_brings_care_mode_and_signing_out_keeps_it():
    # given a reader whose account says 关怀版, and a browser that has never seen it
    reader = UserFactory(care_mode=True)
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    client = browser()
    assert not is_care(page(client, "/"))
    # when they sign in
    response = client.post(reverse("account_login"), {"login": reader.email, "password": PASSWORD})
    # then the browser gets the cookie with the sign-in, and keeps it after signing out
    assert response.status_code == 302
    assert response.cookies[CARE_COOKIE].value == "1"
    assert is_care(page(client, "/"))
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
    assert is_care(page(client, "/"))


def test_the_accounts_choice_wins_over_the_browsers_cookie():
    # given a reader who turned 关怀版 off, on a browser whose cookie still says on
    reader = UserFactory(care_mode=False)
    client = browser(reader)
    client.cookies[CARE_COOKIE] = "1"
    # when they open a page, then it is the normal page and the browser's cookie goes
    response = client.get("/")
    assert not is_care(response.content.decode())
    assert response.cookies[CARE_COOKIE].value == ""


def test_a_reader_who_never_chose_follows_the_cookie():
    reader = UserFactory()
    client = browser(reader)
    client.cookies[CARE_COOKIE] = "1"
    response = client.get("/")
    assert is_care(response.content.decode())
    assert CARE_COOKIE not in response.cookies  # nothing to bring in line


@pytest.mark.parametrize("first", ["care", "plain"])
def test_the_page_cache_never_serves_one_modes_page_to_the_other(first):
    # given a cached article page and two signed-in readers on browsers without the cookie,
    # one whose account says 关怀版 and one who never chose
    url = ArticleFactory().get_absolute_url()
    care_reader, plain_reader = UserFactory(care_mode=True), UserFactory()
    care_browser, plain_browser = browser(care_reader), browser(plain_reader)
    visitor, care_visitor = browser(), browser()
    care_visitor.cookies[CARE_COOKIE] = "1"
    readers = [(care_browser, True), (plain_browser, False)]
    if first == "plain":
        readers.reverse()
    # when each opens the page in turn, twice (the second time from the cache), then each
    # gets their own mode's page: the account's choice is part of the cache key
    for _ in range(2):
        for client, care in readers:
            client.cookies.pop(CARE_COOKIE, None)  # as on its first page
            assert is_care(page(client, url)) is care
        # and visitors get theirs from the anonymous cache, by their cookie
        assert not is_care(page(visitor, url))
        assert is_care(page(care_visitor, url))


def test_care_mode_changes_no_data_but_the_preference():
    # given a reader with the accessibility aids on and an article
    reader = UserFactory()
    article = ArticleFactory()
    client = browser(reader)
    client.cookies[A11Y_COOKIE] = "1"
    plain = page(client, article.get_absolute_url())
    # when they switch 关怀版 on, then the page has the same article and blocks
    switch(client, "on")
    care = page(client, article.get_absolute_url())
    assert article.title in plain
    assert article.title in care
    assert is_care(care)
    assert '<body class="care a11y">' in care
    assert User.objects.filter(pk=reader.pk, care_mode=True).exists()


def test_a_visitors_page_from_the_cache_does_not_read_the_session():
    # given a visitor's article page in the page cache
    url = ArticleFactory().get_absolute_url()
    client = browser()
    client.get(url)
    # when it is served from the cache, then the session was not read for the care mode
    # (the page says Vary: Cookie anyway, for the language and mode cookies)
    assert not client.get(url).wsgi_request.session.accessed
