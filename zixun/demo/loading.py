"""What ``make demo`` loads: the starter content always; the reference article and
the shared Chinese corpus when ../shared is present. Every step is an idempotent
import, so an interrupted load resumes by running it again."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from zixun.articles.importing import (
    ImportStats,
    articles_import,
    articles_import_lines,
    count_lines,
    open_lines,
)
from zixun.articles.models import Article
from zixun.articles.services.images import article_illustrate
from zixun.core.sitecache import site_version_bump
from zixun.creators.models import Creator
from zixun.creators.services import creator_get_or_create
from zixun.demo.artwork import COVER_SIZE, FIGURE_SIZE, illustration
from zixun.demo.reference import (
    REFERENCE_ACCOUNT,
    REFERENCE_FILE,
    REFERENCE_ID,
    REFERENCE_LABEL,
    reference_record,
)

STARTER_DIR = Path(__file__).resolve().parent / "starter"
CCTV_CORPUS = "data/cn_news_cctv_xwlb/articles.jsonl.gz"
# The reference account (金台资讯) reposts the corpus's poverty-alleviation and
# rural stories, so that its 往期回顾 and account page show real articles; the
# rest stay with their source account (央视网). The source is kept either way.
REPOSTED_CATEGORIES = {"扶贫行动", "乡村振兴", "民生"}

Progress = Callable[[str, int], Callable[[int], None]]


def demo_load_starter() -> ImportStats:
    accounts = json.loads((STARTER_DIR / "accounts.json").read_text(encoding="utf-8"))
    for account in accounts:
        creator_get_or_create(
            name=account["name"],
            verification_label=account.get("label", ""),
            account_type=account.get("account_type", "personal"),
            bio=account.get("bio", ""),
        )
    stats = articles_import(STARTER_DIR / "articles.jsonl")
    if demo_illustrate_starter():
        site_version_bump()
    return stats


# Every FIGURE_EVERY-th starter article also gets a picture in its body.
FIGURE_EVERY = 3


def demo_illustrate_starter() -> int:
    """Give each starter article without a cover an illustration drawn here (see artwork),
    and every third one a second picture in its body; returns how many were illustrated.
    Each article is one transaction: an interrupted run resumes with the next one."""
    starter = (
        Article.objects.filter(external_id__startswith="starter-", cover_image="")
        .select_related("creator", "channel")
        .order_by("external_id")
    )
    done = 0
    for article in starter:
        key = article.external_id or str(article.pk)
        category = article.channel.name
        cover = illustration(key=key, category=category, size=COVER_SIZE)
        figure = None
        number = key.rsplit("-", 1)[-1]
        if number.isdigit() and int(number) % FIGURE_EVERY == 0:
            figure = illustration(key=f"{key}:figure", category=category, size=FIGURE_SIZE)
        article_illustrate(article=article, cover=cover, figure=figure)
        done += 1
    return done


def demo_load_reference(shared: Path) -> ImportStats | None:
    path = shared / "reference" / REFERENCE_FILE
    if not path.is_file():
        return None
    creator_get_or_create(
        name=REFERENCE_ACCOUNT,
        verification_label=REFERENCE_LABEL,
        account_type="media",
        bio="人民网旗下资讯账号，传递权威声音。",
    )
    line = json.dumps(reference_record(path), ensure_ascii=False)
    stats = articles_import_lines([line])
    with transaction.atomic():
        # Pin it to the top of the home page, once; editors may unpin it later.
        Article.objects.filter(external_id=REFERENCE_ID, pinned_at__isnull=True).update(
            pinned_at=timezone.now()
        )
    site_version_bump()
    return stats


def _reposted(lines: Iterable[str], *, account: str) -> Iterator[str]:
    """The corpus lines, with the reposted categories assigned to ``account``."""
    for line in lines:
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            yield line  # the importer reports it with its line number
            continue
        if isinstance(data, dict) and data.get("category") in REPOSTED_CATEGORIES:
            data["account"] = account
            line = json.dumps(data, ensure_ascii=False)
        yield line


def demo_load_corpora(
    shared: Path, *, limit: int | None, progress: Progress
) -> dict[str, ImportStats]:
    path = shared / CCTV_CORPUS
    if not path.is_file():
        return {}
    total = count_lines(path) if limit is None else min(limit, count_lines(path))
    with open_lines(path) as lines:
        if Creator.objects.filter(name=REFERENCE_ACCOUNT).exists():
            lines = _reposted(lines, account=REFERENCE_ACCOUNT)  # type: ignore[assignment]
        stats = articles_import_lines(lines, limit=limit, on_progress=progress(path.name, total))
    return {CCTV_CORPUS: stats}


def reference_article_id() -> int | None:
    return Article.objects.filter(external_id=REFERENCE_ID).values_list("id", flat=True).first()


# People to try the studio and the review queues with -----------------------------------------

DEMO_PEOPLE = [
    # (username, role, account they write for or "")
    ("editor", "editor", ""),
    ("chenjiang", "reader", "晨江晚报"),
]


def demo_email(username: str) -> str:
    """The sign-in email of a demo person (a reserved domain: no mail leaves)."""
    return f"{username}@demo.zixun.invalid"


def demo_load_people(*, var_dir: Path) -> list[tuple[str, str, str]]:
    """An editor and a creator member, with random passwords kept in var/demo-people.txt,
    one line each: user name, sign-in email, password.

    Returns (username, email, password) for each, so that `make demo` can print them.
    """
    from allauth.account.models import EmailAddress

    from zixun.accounts.models import User

    path = var_dir / "demo-people.txt"
    known: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 2:  # "name email password", or "name password" (older files)
                known[fields[0]] = fields[-1]
    people = []
    for username, role, account in DEMO_PEOPLE:
        email = demo_email(username)
        user = User.objects.filter(username=username).first()
        if user is None or username not in known:
            known[username] = secrets.token_urlsafe(9)
            user = user or User(username=username, email=email, role=role)
            user.set_password(known[username])
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if account:
            creator = Creator.objects.filter(name=account).first()
            if creator is not None:
                creator.members.add(user)
        people.append((username, email, known[username]))
    var_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(f"{n} {demo_email(n)} {p}\n" for n, p in known.items()), encoding="utf-8"
    )
    path.chmod(0o600)
    return people


def demo_activity(*, seed: int = 7) -> int:
    """Readers' actions of the last two days on the newest articles (views, likes, shares,
    comments as events, anonymous), so that the hot list has heat; then the hot list is
    recomputed. Once only: a site that has events keeps them. Returns how many were made."""
    import random
    from datetime import timedelta

    from zixun.events.models import Event
    from zixun.events.services import events_record_many
    from zixun.ranking.hot import hot_recompute

    if Event.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
    now = timezone.now()
    ids = list(
        Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)[:120]
    )
    kinds = [(Event.Kind.VIEW, 1.0), (Event.Kind.LIKE, 0.08), (Event.Kind.SHARE, 0.03),
             (Event.Kind.FAVORITE, 0.04), (Event.Kind.COMMENT, 0.02)]  # fmt: skip
    events = []
    for rank, article_id in enumerate(rng.sample(ids, len(ids)), start=1):
        readers = int(2000 / rank**0.9)  # a few stories are read by many, most by few
        for hour in range(0, 48, 4):
            at = now - timedelta(hours=hour, minutes=rng.randrange(60))
            for kind, share in kinds:
                count = int(readers * share * rng.random() / 12)
                if count:
                    events.append(Event(kind=kind, article_id=article_id, count=count, at=at))
    with transaction.atomic():
        made = events_record_many(events)
    hot_recompute()
    return made


def demo_related(*, limit: int = 200) -> int:
    """相关推荐 for the starter articles, the reference article and the newest of the rest
    (``limit`` in all): indexed, then each list computed. The rest of a large corpus keeps
    the channel's newest until ``zixun related-rebuild``. Returns how many lists were made;
    repeating it replaces them."""
    from zixun.ranking.related import article_index, related_compute

    published = Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
    chosen = list(published.filter(external_id__startswith="starter-").values_list("id", flat=True))
    chosen += list(published.filter(external_id=REFERENCE_ID).values_list("id", flat=True))
    chosen += list(
        published.exclude(id__in=chosen)
        .order_by("-published_at")
        .values_list("id", flat=True)[: max(limit - len(chosen), 0)]
    )
    for article_id in chosen:
        article_index(article_id)
    for article_id in chosen:
        related_compute(article_id, neighbours=False, index=False)
    return len(chosen)
