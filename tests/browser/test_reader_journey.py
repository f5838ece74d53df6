"""The reader journey in a real Chromium: a reader with a verified email signs in, opens an
article, follows its account (关注), likes it (点赞) and favourites it (收藏) without a page
reload, writes a 跟贴 and replies to it, copies the share link (分享), then finds the
followed account's articles in the follow feed (/feed/) and the article in 我的收藏 and
阅读记录 (/me/). Finally the rows and the counters in the database agree."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.channels.services import channel_defaults_ensure
from zixun.creators.models import Creator, Follow
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.models import Comment, Favorite, Like, Reading, Share

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "xiaohong@example.com"
USERNAME = "xiaohong"
PASSWORD = "Chun-feng-2024-du"
FOLLOWED = "晨读财经"
OTHER = "夜航体育"
COMMENT = "数据很扎实，期待下一篇关于房贷利率的分析。"
REPLY = "补充一句：文中的图表也很清楚。"
TIMEOUT = 10_000  # ms: every wait in this test is for one local request
MARKER = "still-the-same-page"


def reader_context(browser: Browser, base: str) -> tuple[BrowserContext, Page]:
    """A person's browser. Headless Chromium says "HeadlessChrome" in its user agent, which
    the view counter rightly takes for a bot (viewcount.BOT_AGENTS); a person's Chromium
    says "Chrome", so the reading is counted and lands in the history."""
    major = browser.version.split(".", 1)[0]
    user_agent = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36"
    )
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True,
        user_agent=user_agent,
    )  # fmt: skip
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    context.set_default_timeout(TIMEOUT)
    return context, context.new_page()


def make_creator(name: str, titles: list[str], channel_slug: str) -> tuple[Creator, list[Article]]:
    creator = CreatorFactory(name=name, verification_label=f"{name}官方账号")
    articles = [
        ArticleFactory(creator=creator, channel=channel(channel_slug), title=title)
        for title in titles
    ]
    Creator.objects.filter(pk=creator.pk).update(article_count=len(articles))
    return creator, articles


def make_reader(username: str, email: str, password: str):  # type: ignore[no-untyped-def]
    from allauth.account.models import EmailAddress

    from zixun.accounts.models import User

    user = User.objects.create_user(username=username, email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def count_of(page: Page, selector: str) -> int:
    return int(page.locator(selector).inner_text().strip())


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.readerJourneyMarker") == MARKER, "the page reloaded"


def test_reader_journey(browser, live_server, artifacts):
    channel_defaults_ensure()  # a transactional test starts from an empty database
    base = live_server.url
    followed, followed_articles = make_creator(
        FOLLOWED, ["一季度居民存款增长放缓", "房贷利率再创新低", "消费券带动了多少消费"], "money"
    )
    other, other_articles = make_creator(
        OTHER, ["中超第五轮：升班马爆冷取胜", "马拉松报名人数创纪录"], "sports"
    )
    article = followed_articles[1]
    # Another reader already follows the account and likes the article, so the counts
    # start above zero and the rows match them.
    earlier = make_reader("laoli", "laoli@example.com", "Lao-li-2024-kan")
    Follow.objects.create(user=earlier, creator=followed)
    Creator.objects.filter(pk=followed.pk).update(follower_count=1)
    Like.objects.create(user=earlier, article=article)
    Article.objects.filter(pk=article.pk).update(like_count=1)
    # Ids repeat between transactional tests, and the view dedup keys and rate-limit windows
    # are keyed by them; they start empty because the suite clears the whole cache and this
    # process's dedup memo before every test (the _clear_cache fixture in conftest.py).
    reader = make_reader(USERNAME, EMAIL, PASSWORD)

    context, page = reader_context(browser, base)
    try:
        # a. Sign in with the verified email.
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_login", EMAIL)
        page.fill("#id_password", PASSWORD)
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
        expect(page.locator(".topbar-tools .user-name")).to_have_text(USERNAME)

        # b. Open the article.
        article_url = f"{base}/article/{article.pk}/"
        page.goto(article_url)
        expect(page.locator("h1#article-title")).to_have_text(article.title)
        page.evaluate(f"window.readerJourneyMarker = {MARKER!r}")

        # c. 关注 on the author card: the button flips and 关注度 goes 1 → 2, no reload.
        card = page.locator(".author-card")
        expect(card.locator("h2")).to_have_text(FOLLOWED)
        follow = card.locator("button.follow-button")
        followers = card.locator(".author-stats .followers")
        expect(follow).to_have_text("+ 关注")
        expect(follow).to_have_attribute("aria-pressed", "false")
        expect(followers).to_have_text("1")
        # The button calls the API with the session and the page's CSRF token.
        with page.expect_response(
            lambda r: "/api/v1/me/follows/" in r.url and r.request.method == "PUT"
        ) as answer:
            follow.click()
        assert answer.value.status == 200
        expect(follow).to_have_text("已关注")
        expect(follow).to_have_attribute("aria-pressed", "true")
        expect(followers).to_have_text("2")
        assert_not_reloaded(page)

        # d. 点赞: count 1 → 2, aria-pressed, no reload.
        like = page.locator("form[data-toggle=like] button")
        expect(like).to_have_attribute("aria-pressed", "false")
        expect(like.locator(".count")).to_have_text("1")
        like.click()
        expect(like).to_have_attribute("aria-pressed", "true")
        expect(like).to_have_class(re.compile(r"\bis-on\b"))
        expect(like.locator(".count")).to_have_text("2")
        assert_not_reloaded(page)

        # e. 收藏: count 0 → 1, no reload.
        favorite = page.locator("form[data-toggle=favorite] button")
        expect(favorite.locator(".count")).to_have_text("0")
        favorite.click()
        expect(favorite).to_have_attribute("aria-pressed", "true")
        expect(favorite.locator(".count")).to_have_text("1")
        assert_not_reloaded(page)

        # f. 跟贴: the form posts and comes back to the article with the comment on it.
        comments = page.locator("#comments")
        expect(comments.locator("ol.comment-list")).to_contain_text("还没有跟贴")
        page.fill("#comment-body", COMMENT)
        comments.locator("form.comment-form button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("跟贴已发布")
        mine = page.locator("ol.comment-list > li.comment", has_text=COMMENT)
        expect(mine).to_have_count(1)
        expect(mine.locator(":scope > .comment-meta strong")).to_have_text(USERNAME)
        expect(page.locator("#comments-title .count")).to_have_text("1")
        # The state of the toggles survives the reload: it comes from the rows.
        expect(follow).to_have_text("已关注")
        expect(like).to_have_attribute("aria-pressed", "true")
        expect(favorite).to_have_attribute("aria-pressed", "true")

        # g. 回复: open the comment's tools, write in the reply form.
        tools = mine.locator(":scope > details.comment-tools")
        tools.locator(":scope > summary").click()
        expect(tools).to_have_attribute("open", "")
        reply_form = tools.locator("form:has(input[name=parent])")
        reply_form.locator("textarea[name=body]").fill(REPLY)
        reply_form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("跟贴已发布")
        reply = mine.locator(":scope > ol.reply-list > li.comment")
        expect(reply).to_have_count(1)
        expect(reply.locator(".comment-body")).to_have_text(REPLY)
        expect(page.locator("#comments-title .count")).to_have_text("2")

        # h. 分享: open the menu and copy the link; the share is counted on the page.
        page.evaluate(f"window.readerJourneyMarker = {MARKER!r}")
        shares_before = count_of(page, ".share-count")
        page.locator(".share-menu > summary").click()
        link = page.locator("#share-link")
        expect(link).to_be_visible()
        assert link.input_value() == f"{article_url}?src=link"
        copy = page.locator("button.copy-button")
        copy.click()
        expect(copy).to_have_text("已复制")
        expect(page.locator(".share-count")).to_have_text(str(shares_before + 1))
        assert page.evaluate("navigator.clipboard.readText()") == f"{article_url}?src=link"
        assert_not_reloaded(page)
        page.locator(".share-menu > summary").click()  # close it again for the screenshot
        page.screenshot(path=str(artifacts / "reader-article.png"), full_page=True)

        # i. The follow feed: the followed account's articles, not the other account's.
        page.locator(".topbar-tools a[href='/feed/']").click()
        page.wait_for_url(f"{base}/feed/")
        expect(page.locator("h1.page-title")).to_have_text("关注")
        feed = page.locator("main ul.article-list > li.article-item h3 a")
        expect(feed).to_have_text([a.title for a in reversed(followed_articles)])  # newest first
        main = page.locator("main")
        for other_article in other_articles:
            expect(main).not_to_contain_text(other_article.title)
        expect(main).not_to_contain_text(OTHER)
        page.screenshot(path=str(artifacts / "reader-feed.png"), full_page=True)

        # j. 我的收藏 lists the favourited article.
        page.locator(".user-menu summary").click()  # the account menu
        page.locator(".topbar-tools a[href='/me/']").click()
        page.wait_for_url(f"{base}/me/")
        page.locator("main a[href='/me/favorites/']").click()
        page.wait_for_url(f"{base}/me/favorites/")
        rows = page.locator("main table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("a", has_text=article.title)).to_have_attribute(
            "href", f"/article/{article.pk}/"
        )
        expect(rows.first).to_contain_text(FOLLOWED)

        # k. 阅读记录 lists the article read. Views are buffered and written every
        # ZIXUN_VIEW_FLUSH_SECONDS; the live server runs in this process, so flush now.
        from zixun.engagement.viewcount import view_buffer

        view_buffer.flush()
        page.locator(".breadcrumb a[href='/me/']").click()
        page.locator("main a[href='/me/history/']").click()
        page.wait_for_url(f"{base}/me/history/")
        rows = page.locator("main table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("a")).to_have_text([article.title, FOLLOWED])
    finally:
        context.close()

    # l. The rows and the counters agree.
    article.refresh_from_db()
    followed.refresh_from_db()
    other.refresh_from_db()
    assert Follow.objects.filter(user=reader, creator=followed).count() == 1
    assert not Follow.objects.filter(user=reader, creator=other).exists()
    assert followed.follower_count == Follow.objects.filter(creator=followed).count() == 2
    assert other.follower_count == Follow.objects.filter(creator=other).count() == 0
    assert Like.objects.filter(user=reader, article=article).count() == 1
    assert article.like_count == Like.objects.filter(article=article).count() == 2
    assert Favorite.objects.filter(user=reader, article=article).count() == 1
    assert article.favorite_count == Favorite.objects.filter(article=article).count() == 1
    shares = Share.objects.filter(article=article)
    assert list(shares.values_list("user_id", "channel")) == [(reader.pk, "link")]
    assert article.share_count == shares.count() == 1
    top = Comment.objects.get(article=article, parent__isnull=True)
    assert (top.user_id, top.body, top.status) == (reader.pk, COMMENT, Comment.Status.VISIBLE)
    answer = Comment.objects.get(article=article, parent=top)
    assert (answer.user_id, answer.body, answer.status) == (
        reader.pk, REPLY, Comment.Status.VISIBLE,
    )  # fmt: skip
    assert top.reply_count == 1
    assert article.comment_count == 2
    # One view however often the page was loaded (deduplicated per reader), one reading.
    assert article.view_count == 1
    assert list(Reading.objects.filter(user=reader).values_list("article_id", flat=True)) == [
        article.pk
    ]
    # Nothing else was touched.
    for untouched in [*followed_articles, *other_articles]:
        if untouched.pk == article.pk:
            continue
        untouched.refresh_from_db()
        assert (untouched.like_count, untouched.favorite_count, untouched.share_count) == (0, 0, 0)
        assert untouched.comment_count == 0
