"""RSS and Atom feeds, sitemaps, robots.txt, share cards and JSON-LD (issue 14, point 2)."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.services.publishing import article_takedown
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.audit.models import AuditEntry
from zixun.creators.models import Creator
from zixun.creators.services import creator_feed_full_text_set
from zixun.creators.tests.factories import CreatorFactory
from zixun.web import sitemaps

pytestmark = pytest.mark.django_db

SITE = "https://news.example.cn"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
OFFLINE = [
    {"status": Article.Status.DRAFT, "published_at": None},
    {"status": Article.Status.PENDING, "published_at": None},
    {"status": Article.Status.UNPUBLISHED},
    {"status": Article.Status.TAKEN_DOWN},
    {"deleted_at": timezone.now()},
]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.ZIXUN_SITE_URL = SITE


def recent(minutes=0, **fields):
    """A published article of the last hour (the hot list's cold start takes those)."""
    fields.setdefault("published_at", timezone.now() - timedelta(minutes=10 + minutes))
    return ArticleFactory(**fields)


@pytest.fixture
def world():
    """Two accounts in the 新闻 channel, one with 全文 feeds; three live articles; one
    article in every offline state."""
    full = CreatorFactory(name="全文号", feed_full_text=True)
    brief = CreatorFactory(name="摘要号")
    live = [
        recent(1, creator=full, title="全文文章", body_html='<p>全文<img src="/media/a.png" alt="图"></p>',
               summary="全文摘要", tags=["科技", "芯片"]),
        recent(2, creator=brief, title="摘要文章", body_html="<p>不应出现的正文</p>", summary="只有摘要"),
        recent(3, creator=brief, title="第三篇"),
    ]  # fmt: skip
    offline = [
        recent(4 + i, creator=brief, title=f"下线文章{i}", **f) for i, f in enumerate(OFFLINE)
    ]
    return {"full": full, "brief": brief, "live": live, "offline": offline}


def feed_urls(world):
    full = world["full"].pk
    return {
        "latest-rss": reverse("syndication:latest-rss"),
        "latest-atom": reverse("syndication:latest-atom"),
        "channel-rss": reverse("syndication:channel-rss", args=["news"]),
        "channel-atom": reverse("syndication:channel-atom", args=["news"]),
        "account-rss": reverse("syndication:account-rss", args=[full]),
        "account-atom": reverse("syndication:account-atom", args=[full]),
        "hot-rss": reverse("syndication:hot-rss"),
        "hot-atom": reverse("syndication:hot-atom"),
    }


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    ET.fromstring(response.content)  # noqa: S314 (our own response): well-formed XML
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


FEEDS = ["latest", "channel", "account", "hot"]


@pytest.mark.parametrize("name", FEEDS)
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_every_feed_parses_and_lists_only_live_articles(client, world, name, kind):
    # given the world; when a feed reader fetches the feed
    response, feed = parsed(client, feed_urls(world)[f"{name}-{kind}"])
    # then it is the format asked for, with absolute links to the live articles only
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert response["Content-Type"].startswith(f"application/{kind}+xml")
    expected = world["live"][:1] if name == "account" else world["live"]
    links = [entry.link for entry in feed.entries]
    assert sorted(links) == sorted(f"{SITE}/article/{a.pk}/" for a in expected)
    assert feed.feed.link.startswith(SITE)
    for article in world["offline"]:
        assert article.title.encode() not in response.content
    entry = next(e for e in feed.entries if e.link.endswith(f"/{world['live'][0].pk}/"))
    assert entry.title == "全文文章"
    assert entry.id == entry.link
    assert entry.author == "全文号"
    assert {tag.term for tag in entry.tags} == {channel("news").name, "科技", "芯片"}
    assert entry.published_parsed
    if kind == "atom":
        assert entry.updated_parsed


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_accounts_choice_gives_full_text_or_the_summary(client, world, kind):
    # given one account with 全文 feeds and one without
    _, feed = parsed(client, reverse(f"syndication:latest-{kind}"))
    entries = {entry.title: entry for entry in feed.entries}
    # then the full-text account's item carries the body, its images made absolute
    full = entries["全文文章"]
    assert full.summary == "全文摘要"
    assert 'src="https://news.example.cn/media/a.png"' in full.content[0].value
    # and the other account's only its summary
    brief = entries["摘要文章"]
    assert brief.summary == "只有摘要"
    assert "content" not in brief
    assert "不应出现的正文" not in json.dumps(feed)


def test_feeds_are_newest_first_and_bounded(client):
    # given more articles than a feed holds
    creator = CreatorFactory()
    articles = [recent(i, creator=creator) for i in range(35)]
    # when the account's feed is read
    _, feed = parsed(client, reverse("syndication:account-rss", args=[creator.pk]))
    # then it holds the 30 newest, newest first
    assert [e.link for e in feed.entries] == [f"{SITE}/article/{a.pk}/" for a in articles[:30]]


@pytest.mark.parametrize(
    "url",
    [
        "/channel/no-such-channel/rss.xml",
        "/channel/no-such-channel/atom.xml",
        "/account/999999/rss.xml",
        "/account/999999/atom.xml",
    ],
)
def test_an_unknown_channel_or_account_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_an_inactive_channels_feed_is_a_404(client):
    news = channel("news")
    news.is_active = False
    news.save()
    assert client.get(reverse("syndication:channel-rss", args=["news"])).status_code == 404


HOSTILE = "坏\x01标\x0b题\x1f ]]> </script> <!-- & <b>粗</b> \ufffe尾"
HOSTILE_CLEAN = "坏标题 ]]> </script> <!-- & <b>粗</b> 尾"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_hostile_title_still_gives_valid_xml(client, kind):
    # given an article whose title, tags and account name hold control characters and markup
    creator = CreatorFactory(name="号\x07名", feed_full_text=True)
    recent(creator=creator, title=HOSTILE, tags=["标\x01签"], summary="摘\x08要 ]]>",
           body_html="<p>正\x0c文 ]]&gt;</p>")  # fmt: skip
    # when its feed is read, then it parses and shows the text without what XML cannot hold
    _, feed = parsed(client, reverse(f"syndication:account-{kind}", args=[creator.pk]))
    entry = feed.entries[0]
    assert entry.title == HOSTILE_CLEAN
    assert entry.author == "号名"
    assert "标签" in {tag.term for tag in entry.tags}
    assert entry.summary == "摘要 ]]>"
    assert feed.feed.title.startswith("号名")


def test_a_feed_read_twice_costs_no_query_and_a_change_refreshes_it(
    client, world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # given the channel feed read once
    url = reverse("syndication:channel-atom", args=["news"])
    first = client.get(url)
    # when it is read again, then it comes from the cache
    with django_assert_max_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # when an editor takes an article down
    taken = world["live"][1]
    with django_capture_on_commit_callbacks(execute=True):
        article_takedown(article=taken, by=EditorFactory(), reason="违规")
    # then the feed no longer lists it
    assert taken.title not in client.get(url).content.decode()
    # and when the account switches to 全文, its articles carry their body at once
    member = UserFactory()
    world["brief"].members.add(member)
    with django_capture_on_commit_callbacks(execute=True):
        creator_feed_full_text_set(creator=world["brief"], by=member, on=True)
    _, feed = parsed(client, url)
    third = next(e for e in feed.entries if e.title == "第三篇")
    assert "第一段正文" in third.content[0].value


# The list's query, and the channel or the account; the hot list is built (five queries at
# most: interventions, state, scores, cards, the cold start's newest) unless the hot page
# built it already, then its articles are read in one query.
@pytest.mark.parametrize(
    ("name", "budget"), [("latest", 1), ("channel", 2), ("account", 2), ("hot", 6)]
)
def test_a_feed_built_afresh_makes_few_queries(
    client, world, name, budget, django_assert_max_num_queries
):
    # given many more articles (a per-item query would show)
    for i in range(20):
        recent(20 + i, creator=world["full"])
    # then building any feed takes a handful of queries whatever its length
    with django_assert_max_num_queries(budget):
        response = client.get(feed_urls(world)[f"{name}-rss"])
    assert response.status_code == 200


# Feed links in the pages --------------------------------------------------------------------


def test_the_four_pages_link_their_feeds(client, world):
    creator = world["full"]
    pages = {
        reverse("web:home"): "latest",
        reverse("web:channel", args=["news"]): "channel",
        reverse("web:account", args=[creator.pk]): "account",
        reverse("web:hot"): "hot",
    }
    urls = feed_urls(world)
    for page, name in pages.items():
        html = client.get(page).content.decode()
        head = html.split("</head>")[0]
        for kind, mime in (("rss", "application/rss+xml"), ("atom", "application/atom+xml")):
            link = re.search(rf'<link rel="alternate" type="{re.escape(mime)}"[^>]*>', head)
            assert link, (page, kind)
            assert f'href="{urls[f"{name}-{kind}"]}"' in link.group(0)


# Sitemaps -----------------------------------------------------------------------------------


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def locs(root):
    return [loc.text for loc in root.iter(f"{SM}loc")]


def test_every_published_article_is_in_exactly_one_shard(client, monkeypatch):
    # given shards of 4 ids and articles spread over several, some offline
    monkeypatch.setattr(sitemaps, "ARTICLE_SHARD", 4)
    live = [ArticleFactory() for _ in range(9)]
    offline = [ArticleFactory(**fields) for fields in OFFLINE]
    live += [ArticleFactory() for _ in range(3)]
    # when a crawler follows the index
    index = locs(xml(client, reverse("syndication:sitemap")))
    shards = [u for u in index if "/sitemap-articles-" in u]
    low, high = live[0].pk // 4, live[-1].pk // 4
    assert shards == [f"{SITE}/sitemap-articles-{k}.xml" for k in range(low, high + 1)]
    assert f"{SITE}/sitemap-pages.xml" in index
    assert f"{SITE}/sitemap-news.xml" in index
    found = []
    for shard in shards:
        root = xml(client, shard.removeprefix(SITE))
        for url in root.iter(f"{SM}url"):
            found.append(url.find(f"{SM}loc").text)
            assert url.find(f"{SM}lastmod") is not None
    # then each published article is there once, and no offline one
    assert sorted(found) == sorted(f"{SITE}/article/{a.pk}/" for a in live)
    assert not {f"{SITE}/article/{a.pk}/" for a in offline} & set(found)


def test_a_shard_outside_the_index_is_a_404(client):
    ArticleFactory()
    assert client.get("/sitemap-articles-99999.xml").status_code == 404
    assert client.get("/sitemap-articles-99999999999999999999999.xml").status_code == 404
    assert client.get("/sitemap-accounts-99999999999999999999999.xml").status_code == 404


def test_lastmod_is_the_revision_time(client):
    revised = timezone.now() - timedelta(hours=1)
    article = ArticleFactory(revised_at=revised)
    root = xml(client, f"/sitemap-articles-{article.pk // sitemaps.ARTICLE_SHARD}.xml")
    lastmod = root.find(f"{SM}url/{SM}lastmod").text
    assert lastmod == timezone.localtime(revised).isoformat(timespec="seconds")


def test_pages_and_accounts_sitemaps(client, world):
    pages = locs(xml(client, reverse("syndication:sitemap-pages")))
    assert pages[:2] == [f"{SITE}/", f"{SITE}/hot/"]
    assert f"{SITE}/channel/news/" in pages
    silent = CreatorFactory(name="没有文章的号")
    # 文章数 is a counter the publish pipeline keeps; the factory does not
    Creator.objects.filter(pk=world["full"].pk).update(article_count=1)
    accounts = []
    for shard in locs(xml(client, reverse("syndication:sitemap"))):
        if "/sitemap-accounts-" in shard:
            accounts += locs(xml(client, shard.removeprefix(SITE)))
    assert f"{SITE}/account/{world['full'].pk}/" in accounts
    assert f"{SITE}/account/{silent.pk}/" not in accounts


def test_the_news_sitemap_holds_only_the_last_two_days(client):
    # given articles of an hour, a day and three days ago, and an offline one
    now = timezone.now()
    hour = ArticleFactory(published_at=now - timedelta(hours=1), title="一小时前 & <新>")
    day = ArticleFactory(published_at=now - timedelta(days=1))
    old = ArticleFactory(published_at=now - timedelta(days=3))
    gone = ArticleFactory(published_at=now - timedelta(hours=2), status=Article.Status.TAKEN_DOWN)
    # when the news sitemap is read
    root = xml(client, reverse("syndication:sitemap-news"))
    # then it lists the two recent ones, newest first, with the news fields
    assert locs(root) == [f"{SITE}/article/{a.pk}/" for a in (hour, day)]
    assert f"/article/{old.pk}/" not in str(locs(root))
    assert f"/article/{gone.pk}/" not in str(locs(root))
    news = root.find(f"{SM}url/{NEWS}news")
    assert news.find(f"{NEWS}publication/{NEWS}name").text == "资讯"
    assert news.find(f"{NEWS}publication/{NEWS}language").text == "zh-cn"
    assert news.find(f"{NEWS}title").text == "一小时前 & <新>"
    published = news.find(f"{NEWS}publication_date").text
    assert published == timezone.localtime(hour.published_at).isoformat(timespec="seconds")


def test_sitemaps_make_few_queries(client, django_assert_max_num_queries):
    for _ in range(30):
        ArticleFactory()
    with django_assert_max_num_queries(4):
        index = locs(xml(client, reverse("syndication:sitemap")))
    shard = next(u for u in index if "/sitemap-articles-" in u).removeprefix(SITE)
    with django_assert_max_num_queries(1):  # the bounds are cached with the index
        xml(client, shard)
    with django_assert_max_num_queries(0):
        xml(client, shard)
    with django_assert_max_num_queries(1):
        xml(client, reverse("syndication:sitemap-news"))


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /studio/" in lines


# Share cards --------------------------------------------------------------------------------


def meta(html, prop):
    found = re.findall(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', html)
    return found


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_article_page_carries_a_share_card_and_news_article_json_ld(client):
    # given an article with a cover, tags and a revision
    creator = CreatorFactory(name="金台资讯")
    published = timezone.now() - timedelta(days=1)
    article = ArticleFactory(
        creator=creator, title="标题", summary="摘要", tags=["科技", "芯片"],
        cover_image="covers/2026/01/c.jpg", cover_width=1200, cover_height=800, cover_alt="封面图",
        published_at=published, revised_at=published + timedelta(hours=2),
    )  # fmt: skip
    # when its page is read
    html = client.get(article.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]
    url = f"{SITE}/article/{article.pk}/"
    # then the Open Graph and Twitter tags are there, every URL absolute
    assert f'<link rel="canonical" href="{url}">' in head
    assert meta(head, "og:type") == ["article"]
    assert meta(head, "og:title") == ["标题"]
    assert meta(head, "og:description") == ["摘要"]
    assert meta(head, "og:url") == [url]
    assert meta(head, "og:image") == [f"{SITE}/media/covers/2026/01/c.jpg"]
    assert meta(head, "og:site_name") == ["资讯"]
    assert meta(head, "og:locale") == ["zh_CN"]
    assert meta(head, "article:author") == [f"{SITE}/account/{creator.pk}/"]
    assert meta(head, "article:section") == [channel("news").name]
    assert meta(head, "article:tag") == ["科技", "芯片"]
    assert meta(head, "article:published_time") == [
        timezone.localtime(published).isoformat(timespec="seconds")
    ]
    assert meta(head, "twitter:card") == ["summary_large_image"]
    assert meta(head, "twitter:image") == [f"{SITE}/media/covers/2026/01/c.jpg"]
    # and the JSON-LD is a NewsArticle with every field
    data = json_ld(head)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "标题"
    assert data["description"] == "摘要"
    assert data["datePublished"] == timezone.localtime(published).isoformat(timespec="seconds")
    assert data["dateModified"] == timezone.localtime(article.revised_at).isoformat(
        timespec="seconds"
    )
    assert data["author"] == {
        "@type": "Organization",
        "name": "金台资讯",
        "url": f"{SITE}/account/{creator.pk}/",
    }
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "资讯"
    assert data["publisher"]["logo"]["url"].startswith(f"{SITE}/static/web/favicon")
    assert data["image"] == [f"{SITE}/media/covers/2026/01/c.jpg"]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["inLanguage"] == "zh-CN"
    assert data["articleSection"] == channel("news").name
    assert data["keywords"] == ["科技", "芯片"]


def test_a_personal_account_is_a_person_and_no_cover_is_a_summary_card(client):
    creator = CreatorFactory(account_type="personal")
    article = ArticleFactory(creator=creator)
    head = client.get(article.get_absolute_url()).content.decode().split("</head>")[0]
    assert json_ld(head)["author"]["@type"] == "Person"
    assert "image" not in json_ld(head)
    assert meta(head, "twitter:card") == ["summary"]
    assert meta(head, "og:image") == []


def test_a_title_cannot_break_out_of_the_json_ld(client):
    # given a title that tries to end the script and open a comment
    title = '</script><script>alert(1)</script><!-- "&'
    article = ArticleFactory(title=title, summary="</SCRIPT>摘要")
    # when its page is read
    html = client.get(article.get_absolute_url()).content.decode()
    # then the script holds escapes, not markup, and the JSON reads back the same title
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert ">" not in block
    assert "\\u003C/script\\u003E" in block
    data = json.loads(block)
    assert data["headline"] == title
    assert data["description"] == "</SCRIPT>摘要"
    assert "<script>alert(1)" not in html


def test_a_traditional_reader_gets_a_card_in_traditional(client):
    # given a reader who reads 繁體
    article = ArticleFactory(title="简体标题", summary="这是摘要", tags=["国际"])
    client.get(reverse("web:mode-set", args=["script", "hant"]))
    # when the page is read (twice: rendered, then from the cache)
    for _ in range(2):
        head = client.get(article.get_absolute_url()).content.decode().split("</head>")[0]
        # then the tags and the JSON-LD say the same, in 繁體
        assert meta(head, "og:title") == ["簡體標題"]
        assert meta(head, "og:locale") == ["zh_TW"]
        data = json_ld(head)
        assert data["headline"] == "簡體標題"
        assert data["description"] == "這是摘要"
        assert data["inLanguage"] == "zh-Hant"
        assert data["url"] == f"{SITE}/article/{article.pk}/"


# The studio's 全文 switch ------------------------------------------------------------------


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_member_switches_the_accounts_feeds_to_full_text_and_back():
    # given a member of an account
    member = UserFactory()
    creator = CreatorFactory()
    creator.members.add(member)
    client = signed_in(member)
    studio = client.get(reverse("web:studio")).content.decode()
    action = reverse("syndication:studio-feed", args=[creator.pk])
    assert f'action="{action}"' in studio
    # when they tick 全文 and save, then the account's feeds carry full text, audited
    response = client.post(action, {"full_text": "1"})
    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.feed_full_text is True
    entry = AuditEntry.objects.get(action="creator.feed_full_text")
    assert (entry.actor, entry.from_state, entry.to_state) == (member, "summary", "full_text")
    form = client.get(reverse("web:studio")).content.decode().split(action)[1].split("</form>")[0]
    assert '<input type="hidden" name="full_text" value="0">' in form
    assert "改为只输出摘要" in form
    # and unticking it goes back to the summary
    client.post(action, {})
    creator.refresh_from_db()
    assert creator.feed_full_text is False


def test_someone_else_cannot_switch_an_accounts_feeds():
    creator = CreatorFactory()
    action = reverse("syndication:studio-feed", args=[creator.pk])
    assert signed_in(UserFactory()).post(action, {"full_text": "1"}).status_code == 404
    assert Client().post(action, {"full_text": "1"}).status_code == 302  # to sign in
    # an editor reaches every account in the studio, but the choice is the members'
    assert signed_in(EditorFactory()).post(action, {"full_text": "1"}).status_code == 302
    creator.refresh_from_db()
    assert creator.feed_full_text is False
    assert not AuditEntry.objects.filter(action="creator.feed_full_text").exists()
