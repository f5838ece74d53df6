"""Put XSS payloads into every user-controlled field through the site's own views, API and
import command, and list the pages that show them (issue #16).

Each person has their own ``Client``, as each has a browser. Few objects carry many
payloads each (``packed``), so the page count stays small. A field that refuses a value
(too long, invalid) is counted as refused; the page that answered the refusal, which often
echoes the value back in the form, is kept for the DOM check too.

Used by tests/security/test_xss_server.py (every payload × every field, no browser),
tests/browser/test_xss_replay.py (a bounded set of pages in Chromium) and bench/xss.py (the
long replay: each payload on its own page).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from tests.security.xss_payloads import packed

PASSWORD = "Qing-shan-2024-lv"
MEDIA = {"account_type": "media"}
ARTICLE_BODY_LEAD = "这是一篇用于安全测试的文章。"
TITLE_MAX, SUMMARY_MAX, TAG_MAX, MAX_TAGS = 120, 200, 20, 10
ALT_MAX, NAME_MAX, INTRO_MAX, OPERATOR_MAX, LABEL_MAX = 200, 30, 300, 30, 40
COMMENT_CHUNK = 1800  # under ZIXUN_COMMENT_MAX_CHARS (2000)
REPORT_CHUNK = 450
REFLECTED_CHUNK = 200  # search queries, share parameters: several payloads a request
# The Markdown forms each body payload is written in: as text, as a link and an image target.
BODY_FORMS = ("{}", "[链接]({})", "![图]({})")


_ERROR_MESSAGE = re.compile(
    r'<li class="message error">(.*?)</li>|class="errorlist[^"]*"><li>(.*?)</li>'
)


@dataclass(frozen=True)
class Page:
    """A page to check: fetched later by ``who`` (a GET), or already answered (``html``)."""

    field: str
    who: str
    path: str
    html: str | None = None
    follow: bool = False  # a list: its next pages (rel="next") are checked too


@dataclass
class Site:
    clients: dict[str, Client]
    account_id: int
    channel_id: int
    pages: list[Page] = field(default_factory=list)
    stored: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    articles: list[int] = field(default_factory=list)
    comments: list[int] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    redirects: list[str] = field(default_factory=list)  # redirects that leave the site
    _people: int = 0

    def show(
        self, field_name: str, path: str, who: str = "visitor", *, follow: bool = False
    ) -> None:
        page = Page(field_name, who, path, follow=follow)
        if page not in self.pages:
            self.pages.append(page)

    def answered(self, field_name: str, who: str, path: str, html: str) -> None:
        self.pages.append(Page(field_name, who, path, html))
        for found in _ERROR_MESSAGE.findall(html):
            self.reasons[f"{field_name}: {''.join(found)}"] += 1


def leaves_site(location: str) -> bool:
    """Whether a redirect goes to another site or runs a script (not a path of ours)."""
    cleaned = re.sub(r"[\x00-\x20]", "", location).replace("\\", "/")
    parts = urlsplit(cleaned)
    return bool(parts.scheme or parts.netloc) or cleaned.startswith("//")


def limits_forget() -> None:
    """Empty the shared cache (rate limits and view dedup), as a minute passing would."""
    caches["shared"].clear()


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def id_number(serial: int) -> str:
    """A valid (checksummed) Chinese ID number, different for each serial."""
    first17 = (
        f"1101051990{1 + serial // 1000 % 12:02d}{1 + serial // 12000 % 28:02d}{serial % 1000:03d}"
    )
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def _user(username: str, *, role: str = "reader") -> Client:
    from allauth.account.models import EmailAddress

    from zixun.accounts.models import User

    email = f"{username}@example.com"
    user = User.objects.create_user(username=username, email=email, password=PASSWORD, role=role)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    return client


def site_setup() -> Site:
    """An editor, a creator (member of a trusted account), a reader and a visitor."""
    from zixun.accounts.models import User
    from zixun.channels.models import Channel
    from zixun.channels.services import channel_defaults_ensure
    from zixun.creators.models import Creator

    channel_defaults_ensure()
    channel = Channel.objects.order_by("pk").first()
    assert channel is not None
    clients = {
        "editor": _user("xss_editor", role="editor"),
        "creator": _user("xss_creator"),
        "reader": _user("xss_reader"),
        "visitor": Client(),
    }
    account = Creator.objects.create(
        name="安全测试号", bio="测试", verification_label="测试", is_trusted=True,
        account_type=Creator.AccountType.MEDIA,
    )  # fmt: skip
    account.members.add(User.objects.get(username="xss_creator"))
    return Site(clients=clients, account_id=account.pk, channel_id=channel.pk)


# Articles ------------------------------------------------------------------------------------


def _published(site: Site, article_id: int) -> bool:
    """Approve it as the editor when screening held it; True once it is live."""
    from zixun.articles.models import Article

    article = Article.objects.get(pk=article_id)
    if article.status == Article.Status.PENDING:
        limits_forget()
        site.clients["editor"].post(
            reverse("web:editor-article", args=[article_id]), {"action": "approve"}
        )
        article.refresh_from_db()
    return article.status == Article.Status.PUBLISHED


def article_write(
    site: Site, *, title: str, body: str, summary: str = "", tags: Sequence[str] = (),
    fields: Sequence[str] = ("title", "body", "summary", "tags"),
) -> int | None:  # fmt: skip
    """Write and submit an article in the studio (the creator's browser); its id once live."""
    creator = site.clients["creator"]
    limits_forget()
    response = creator.post(reverse("web:studio-new"), {"creator": site.account_id})
    match = re.fullmatch(r"/studio/articles/(\d+)/", response.get("Location", ""))
    assert match, (response.status_code, response.content[:500])
    article_id = int(match.group(1))
    edit = reverse("web:studio-article", args=[article_id])
    form = {
        "title": title, "channel": site.channel_id, "tags": "，".join(tags), "summary": summary,
        "body_source": body, "action": "submit",
    }  # fmt: skip
    response = creator.post(edit, form)
    if response.status_code != 302:
        for name in fields:
            site.refused[name] += 1
        site.answered("studio form (refused)", "creator", edit, response.content.decode())
        return None
    if not _published(site, article_id):
        for name in fields:
            site.refused[name] += 1
        return None
    for name in fields:
        site.stored[name] += 1
    site.articles.append(article_id)
    for name in fields:
        site.show(name, f"/article/{article_id}/")
    site.show("studio editor", edit, "creator")
    site.show("revisions", reverse("web:revisions", args=[article_id]), "creator")
    site.show("editor review", reverse("web:editor-article", args=[article_id]), "editor")
    return article_id


def articles_plain(site: Site, count: int = 4) -> None:
    """A few live articles without payloads, for the fields that go on articles."""
    for number in range(count):
        article_write(site, title=f"普通文章 {number + 1}", body=ARTICLE_BODY_LEAD, fields=())


def text_storable(payloads: Sequence[str]) -> list[str]:
    """The payloads a text column can hold: on PostgreSQL, none with a NUL. The forms refuse
    a NUL (Django's ProhibitNullCharactersValidator); the comment and report posts, the API
    and the import do not, and PostgreSQL then fails with a 500 (reported in issue #16;
    ``test_a_nul_in_a_comment_or_report_is_refused``), so they get the others only."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return list(payloads)
    return [p for p in payloads if "\x00" not in p]


def nul_last(payloads: Sequence[str]) -> list[str]:
    """The payloads with a NUL character last: forms refuse a value holding one, so they go
    together instead of taking a whole pack of other payloads down with them."""
    return [p for p in payloads if "\x00" not in p] + [p for p in payloads if "\x00" in p]


def body_markdown(payloads: Iterable[str]) -> str:
    """One paragraph per payload and form, between blank lines."""
    parts = [ARTICLE_BODY_LEAD]
    for text in payloads:
        parts.extend(form.format(text) for form in BODY_FORMS)
    return "\n\n".join(parts)


def chunks(payloads: Sequence[str], size: int) -> list[list[str]]:
    """Runs of ``size`` payloads; those with a NUL in runs of their own (see nul_last)."""
    clean = [p for p in payloads if "\x00" not in p]
    nul = [p for p in payloads if "\x00" in p]
    return [part[i : i + size] for part in (clean, nul) for i in range(0, len(part), size)]


def articles_bodies(site: Site, payloads: Sequence[str], *, per_article: int = 50) -> None:
    for start, chunk in enumerate(chunks(payloads, per_article)):
        article_write(
            site, title=f"正文测试 {start + 1}", body=body_markdown(chunk),
            fields=("body",),
        )  # fmt: skip


def articles_short_fields(site: Site, payloads: Sequence[str], *, every: int = 1) -> None:
    """Titles, summaries and tags, packed to their limits, in the studio; every ``every``-th
    article only (the import writes them all more cheaply)."""
    payloads = nul_last(payloads)
    titles = packed(payloads, limit=TITLE_MAX)
    summaries = packed(payloads, limit=SUMMARY_MAX)
    tags = [
        tag.replace(",", "、").replace("，", "、")
        for tag in packed(payloads, limit=TAG_MAX, separator="")
    ]
    tag_sets = [tags[i : i + MAX_TAGS] for i in range(0, len(tags), MAX_TAGS)]
    count = max(len(titles), len(summaries), len(tag_sets))
    for index in range(0, count, every):
        title = titles[index] if index < len(titles) else f"摘要与标签测试 {index}"
        summary = summaries[index] if index < len(summaries) else ""
        tag_set = tag_sets[index] if index < len(tag_sets) else []
        fields = [
            name for name, present in
            (("title", index < len(titles)), ("summary", bool(summary)), ("tags", bool(tag_set)))
            if present
        ]  # fmt: skip
        article_write(site, title=title, body=ARTICLE_BODY_LEAD, summary=summary, tags=tag_set,
                      fields=fields)  # fmt: skip
    for name in ("title", "summary", "tags"):
        site.show(name, reverse("web:account", args=[site.account_id]))
        site.show(name, reverse("web:home"))


# Comments and replies ------------------------------------------------------------------------


def comments_write(site: Site, payloads: Sequence[str]) -> None:
    """跟贴 and 回复 from the reader, packed, spread over the articles already live."""
    from zixun.engagement.models import Comment

    assert site.articles, "write the articles first"
    reader = site.clients["reader"]
    values = packed(nul_last(text_storable(payloads)), limit=COMMENT_CHUNK, separator="\n")
    for index, value in enumerate(values):
        # Even: a 跟贴 on the next article; odd: a 回复 to the 跟贴 just written.
        article_id = site.articles[index // 2 % len(site.articles)]
        parent = (
            Comment.objects.filter(article_id=article_id, parent=None, status="visible")
            .order_by("-pk")
            .first()
        )
        name = "reply" if index % 2 and parent else "comment"
        data = {"body": value}
        if name == "reply" and parent is not None:
            data["parent"] = str(parent.pk)
        limits_forget()
        response = reader.post(reverse("web:comment-create", args=[article_id]), data)
        if response.status_code != 302:
            site.refused[name] += 1
            site.answered(f"{name} (refused)", "reader", "", response.content.decode())
            continue
        comment = Comment.objects.filter(user__username="xss_reader").order_by("-pk").first()
        assert comment is not None
        if comment.status == Comment.Status.PENDING:
            limits_forget()
            site.clients["editor"].post(
                reverse("web:editor-comment", args=[comment.pk]), {"action": "approve"}
            )
            comment.refresh_from_db()
        if comment.status != Comment.Status.VISIBLE:
            site.refused[name] += 1
            continue
        site.stored[name] += 1
        site.comments.append(comment.pk)
        site.show(name, f"/article/{article_id}/")
        site.show(name, reverse("web:comments", args=[article_id]))
        site.show(name, reverse("web:comment-thread", args=[comment.parent_id or comment.pk]))
        site.show(name, reverse("me:comments"), "reader")


# Accounts (申请入驻) ---------------------------------------------------------------------------


def applications_write(site: Site, payloads: Sequence[str]) -> None:
    """Account names, introductions (bios), operator names and verification labels."""
    from zixun.creators.models import Application

    payloads = nul_last(payloads)
    names = packed(payloads, limit=NAME_MAX)
    intros = packed(payloads, limit=INTRO_MAX)
    operators = packed(payloads, limit=OPERATOR_MAX)
    labels = packed(payloads, limit=LABEL_MAX)
    count = len(intros)  # every bio; the shorter fields a spread of the corpus (all: import)
    for index in range(count):
        names_at = index * len(names) // count
        site._people += 1
        username = f"xss_applicant{site._people}"
        applicant = _user(username)
        site.clients[username] = applicant
        name = names[names_at]
        data = {
            "account_type": "personal",
            "account_name": name,
            "introduction": intros[index],
            "channel": site.channel_id,
            "operator_name": operators[index * len(operators) // count],
            "id_number": id_number(site._people),
        }
        limits_forget()
        response = applicant.post(reverse("web:apply"), data)
        fields = ["account name", "bio", "operator name"]
        if response.status_code != 302:
            for item in fields:
                site.refused[item] += 1
            site.answered(
                "application form (refused)", username, "/apply/", response.content.decode()
            )
            continue
        application = Application.objects.get(applicant__username=username)
        review = reverse("web:editor-application", args=[application.pk])
        site.show("application", review, "editor")
        if index < 3:
            site.show("application", reverse("web:studio"), username)
        label = labels[index * len(labels) // count]
        limits_forget()
        response = site.clients["editor"].post(
            review, {"action": "approve", "verification_label": label}
        )
        application.refresh_from_db()
        if application.status != Application.Status.APPROVED or application.creator is None:
            for item in fields:
                site.refused[item] += 1
            if response.status_code != 302:
                site.answered(
                    "application review (refused)", "editor", review, response.content.decode()
                )
            continue
        for item in fields:
            site.stored[item] += 1
        if label:
            site.stored["verification label"] += 1
        account = reverse("web:account", args=[application.creator.pk])
        for item in (*fields, "verification label"):
            site.show(item, account)
        site.show("account name", reverse("web:editor"), "editor")


# Images: alt text and file names -------------------------------------------------------------


def images_upload(site: Site, payloads: Sequence[str], *, limit: int | None = None) -> None:
    """Upload images whose alt text and file name are payloads; use one as a cover."""
    from zixun.articles.models import Image

    creator = site.clients["creator"]
    alts = packed(payloads, limit=ALT_MAX)
    names = [text.replace("/", "∕") for text in payloads]  # a file name holds no "/"
    count = max(len(alts), len(names)) if limit is None else limit
    image = png()
    for index in range(count):
        alt = alts[index % len(alts)]
        name = (names[index % len(names)] + ".png")[-250:]
        limits_forget()
        response = creator.post(
            reverse("web:studio-image-upload"),
            {"creator": site.account_id, "alt": alt, "next": "/studio/",
             "image": SimpleUploadedFile(name, image, "image/png")},
            HTTP_ACCEPT="application/json",
        )  # fmt: skip
        answer = response.content.decode()
        if not response["Content-Type"].startswith("application/json"):
            site.answered("image upload answer", "creator", "/studio/images/", answer)
        if response.status_code != 200:
            site.refused["image alt"] += 1
            continue
        site.stored["image alt"] += 1
        site.stored["upload file name"] += 1  # stored under a name of our own, never shown
    # The newest image with a payload alt becomes an article's cover (cover_alt).
    latest = Image.objects.filter(creator_id=site.account_id).order_by("-pk")
    for position, image_row in enumerate(latest[:5]):
        article_id = _article_with_cover(site, image_row.pk, position)
        if article_id:
            site.show("image alt", f"/article/{article_id}/")
    site.show("image alt", reverse("web:account", args=[site.account_id]))
    site.show("image alt", reverse("web:home"))


def _article_with_cover(site: Site, image_id: int, position: int) -> int | None:
    creator = site.clients["creator"]
    limits_forget()
    response = creator.post(reverse("web:studio-new"), {"creator": site.account_id})
    article_id = int(response["Location"].strip("/").rsplit("/", 1)[-1])
    edit = reverse("web:studio-article", args=[article_id])
    creator.post(edit, {
        "title": f"封面测试 {position}", "channel": site.channel_id, "body_source": ARTICLE_BODY_LEAD,
        "cover_image": image_id, "action": "submit",
    })  # fmt: skip
    return article_id if _published(site, article_id) else None


# Search, share, sign-up and other reflected input --------------------------------------------


def reflected(site: Site, payloads: Sequence[str]) -> None:
    """Search queries, share parameters, ?src=, next= and sign-up names: answered pages."""
    visitor = site.clients["visitor"]
    article_id = site.articles[0]
    payloads = packed(payloads, limit=REFLECTED_CHUNK)
    for text in payloads:
        # A query with a NUL is refused before any view (NulRefusalMiddleware, a 400 tested on
        # its own); without it the rest of the payload reaches the pages.
        text = text.replace("\x00", "")
        query = urlencode({"q": text})
        site.show("search query", f"{reverse('web:search')}?{query}")
        limits_forget()
        suggest = visitor.get(f"{reverse('web:search-suggest')}?{query}")
        if not suggest["Content-Type"].startswith("application/json"):
            site.answered("search suggest", "visitor", "/search/suggest/", suggest.content.decode())
        site.show("share parameter", f"/article/{article_id}/?{urlencode({'src': text})}")
    for text in payloads:
        limits_forget()
        response = visitor.post(
            reverse("web:share", args=[article_id]), {"channel": text, "next": text}
        )
        # The answer is a redirect to our own page, never to the script in ``next``.
        location = response.get("Location", "")
        if leaves_site(location):
            site.redirects.append(f"share next={text!r} -> {location!r}")
        response = visitor.post(
            f"/api/v1/articles/{article_id}/shares", json.dumps({"channel": text}),
            content_type="application/json",
        )  # fmt: skip
        if response.status_code >= 400:
            site.refused["share parameter"] += 1
        else:
            site.stored["share parameter"] += 1


def signups(site: Site, payloads: Sequence[str]) -> None:
    """User names through the sign-up form: refused or stored, the answer is checked."""
    from zixun.accounts.models import User

    visitor = Client()
    for index, text in enumerate(packed(payloads, limit=150)):
        limits_forget()
        email = f"xss{index}@example.com"
        response = visitor.post(reverse("account_signup"), {
            "email": email, "username": text[:150], "password1": PASSWORD, "password2": PASSWORD,
        })  # fmt: skip
        if User.objects.filter(email=email).exists():
            site.stored["user name"] += 1
            visitor = Client()
        else:
            site.refused["user name"] += 1
            site.answered("sign-up form (refused)", "visitor", "/accounts/signup/",
                          response.content.decode())  # fmt: skip


def reports_write(site: Site, payloads: Sequence[str]) -> None:
    """举报 details, shown to editors in the report queue."""
    reader = site.clients["reader"]
    values = packed(nul_last(text_storable(payloads)), limit=REPORT_CHUNK, separator="\n")
    for index, value in enumerate(values):
        article_id = site.articles[index % len(site.articles)]
        if index and index % len(site.articles) == 0:  # one report an article a reader
            site._people += 1
            reader = _user(f"xss_reporter{site._people}")
        limits_forget()
        response = reader.post(
            reverse("web:report", args=["article", article_id]),
            {"reason": "other", "details": value},
        )
        if response.status_code in (301, 302):
            site.stored["report details"] += 1
        else:
            site.refused["report details"] += 1
            site.answered("report form (refused)", "reader", "", response.content.decode())
    site.show("report details", reverse("web:editor-reports"), "editor")
    from zixun.moderation.models import Case

    for case in Case.objects.order_by("pk"):
        site.show("report details", reverse("web:editor-case", args=[case.pk]), "editor")


# API bodies (/api/v1/me/...) -----------------------------------------------------------------


def api_write(site: Site, payloads: Sequence[str]) -> None:
    """Articles (Markdown body, title, summary, tags) and comments through the API: every
    payload in a body and a comment; a spread of titles, summaries and tags (the studio and
    the import write every payload into those)."""
    from zixun.accounts.models import User
    from zixun.api.tokens import token_create_for_account, token_create_personal
    from zixun.creators.models import Creator

    creator_user = User.objects.get(username="xss_creator")
    account = Creator.objects.get(pk=site.account_id)
    account_token = token_create_for_account(
        creator=account, by=creator_user, name="xss", scopes=["articles:create", "articles:publish"],
        expires_at=None,
    ).secret  # fmt: skip
    reader_token = token_create_personal(
        user=User.objects.get(username="xss_reader"), name="xss", scopes=["comments:create"],
        expires_at=None,
    ).secret  # fmt: skip
    api = Client()
    payloads = nul_last(text_storable(payloads))
    titles = packed(payloads, limit=TITLE_MAX)
    summaries = packed(payloads, limit=SUMMARY_MAX)
    tags = packed(payloads, limit=TAG_MAX, separator="")
    bodies = [body_markdown(payloads[i : i + 50]) for i in range(0, len(payloads), 50)]
    for index, body in enumerate(bodies):
        at = index * len(titles) // len(bodies)
        payload = {
            "title": titles[at], "body_markdown": body,
            "summary": summaries[at * len(summaries) // len(titles)],
            "tags": tags[at * MAX_TAGS % len(tags) :][:MAX_TAGS], "channel_id": site.channel_id,
        }  # fmt: skip
        limits_forget()
        response = api.post("/api/v1/me/articles", json.dumps(payload),
                            content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {account_token}")  # fmt: skip
        if response.status_code != 201:
            site.refused["API article"] += 1
            continue
        article_id = response.json()["id"]
        limits_forget()
        api.post(f"/api/v1/me/articles/{article_id}/submit", content_type="application/json",
                 HTTP_AUTHORIZATION=f"Bearer {account_token}")  # fmt: skip
        if _published(site, article_id):
            site.stored["API article"] += 1
            site.show("API article", f"/article/{article_id}/")
        else:
            site.refused["API article"] += 1
    for index, value in enumerate(packed(payloads, limit=COMMENT_CHUNK, separator="\n")):
        limits_forget()
        response = api.post("/api/v1/me/comments", json.dumps({
            "article_id": site.articles[index % len(site.articles)], "body": value,
        }), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {reader_token}")  # fmt: skip
        if response.status_code == 201:
            site.stored["API comment"] += 1
        else:
            site.refused["API comment"] += 1
    for article_id in site.articles:
        site.show("API comment", reverse("web:comments", args=[article_id]))


# The HTML import (zixun import-articles) -----------------------------------------------------


def import_write(
    site: Site, payloads: Sequence[str], *, per_article: int = 50, every: int = 8
) -> None:
    """JSON Lines through ``manage.py articles_import``: HTML bodies (``per_article`` payloads
    each) and every payload in titles, summaries, tags, account names, account labels and
    source URLs. The channel's list pages show every title, summary and account name; the
    article and account pages of the bodies, of the tags and of every ``every``-th record
    are checked too (the long replay opens them all)."""
    from zixun.articles.models import Article

    payloads = nul_last(text_storable(payloads))
    bodies = chunks(payloads, per_article)
    # Source URLs: every payload that could be one (shown as the 来源 link), refused unless
    # http(s); their records carry nothing else.
    urls = [p for p in payloads if not any(c in p for c in "<> \n")]
    titles = packed(payloads, limit=TITLE_MAX)
    summaries = packed(payloads, limit=SUMMARY_MAX)
    tags = packed(payloads, limit=TAG_MAX, separator="")
    names = packed(payloads, limit=NAME_MAX)
    labels = packed(payloads, limit=LABEL_MAX)
    count = max(len(bodies), len(titles), len(names), len(labels))
    records = []
    for index in range(count):
        chunk = bodies[index] if index < len(bodies) else []
        body = "<p>导入正文</p>" + "".join(f"<p>{text}</p>" for text in chunk)
        body += "".join(f'<p><a href="{text}">链接</a><img src="{text}" alt="{text}"></p>'
                        for text in chunk if '"' not in text)  # fmt: skip
        records.append({
            "id": f"xss-{index}", "body": body,
            "title": titles[index] if index < len(titles) else f"导入测试 {index}",
            "summary": summaries[index] if index < len(summaries) else "",
            "tags": tags[index * MAX_TAGS : (index + 1) * MAX_TAGS],
            "published_at": "2026-01-01T08:00:00+08:00",
            "account": names[index] if index < len(names) else "导入测试号",
            "account_label": labels[index] if index < len(labels) else "",
            "source": titles[index % len(titles)][:100],
            "url": "https://example.com/x",
        })  # fmt: skip
    for index, url in enumerate(urls):
        records.append({
            "id": f"xss-url-{index}", "title": f"来源测试 {index}", "body": "来源测试",
            "published_at": "2026-01-01T08:00:00+08:00", "account": "来源测试号", "url": url,
        })  # fmt: skip
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "xss.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
        errors = io.StringIO()
        call_command("articles_import", str(path), "--no-progress", stdout=io.StringIO(),
                     stderr=errors)  # fmt: skip
    for line in errors.getvalue().splitlines():
        if line.strip():
            site.reasons["import: " + line.split(": ", 1)[-1]] += 1
    imported = list(
        Article.objects.filter(external_id__startswith="xss-").select_related("channel")
    )
    site.stored["import"] = len(imported)
    site.refused["import"] = len(records) - len(imported)
    tagged = -(-len(tags) // MAX_TAGS)
    for article in imported:
        number = str(article.external_id).removeprefix("xss-")
        index = int(number) if number.isdigit() else 0  # the URL records: all checked
        if index < len(bodies) or index < tagged or index % every == 0:
            site.show("import", f"/article/{article.pk}/")
            site.show("import", reverse("web:account", args=[article.creator_id]))
    for slug in sorted({article.channel.slug for article in imported}):
        site.show("import", reverse("web:channel", args=[slug]), follow=True)


# The pages -----------------------------------------------------------------------------------


def site_wide_pages(site: Site) -> None:
    """Lists that show many titles, names and tags at once."""
    for path in (reverse("web:home"), reverse("web:hot"), reverse("web:editor"),
                 reverse("web:studio"), "/feed/", "/me/", "/me/comments/"):  # fmt: skip
        who = (
            "editor" if path.startswith("/editor") else "creator" if "studio" in path else "reader"
        )
        site.show("lists", path, who)


_NEXT = re.compile(r'<a href="([^"]*)" rel="next">')


def next_page(html: str, path: str) -> str | None:
    """The list's next page (its rel="next" link), on the same path."""
    match = _NEXT.search(html)
    if match is None:
        return None
    target = match.group(1).replace("&amp;", "&")
    return target if target.startswith("/") else path.split("?")[0] + target
