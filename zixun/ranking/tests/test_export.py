import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.export import pseudonym
from zixun.ranking.foryou import foryou
from zixun.ranking.mind import behaviors_read, news_read
from zixun.ranking.personal import personal_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic():
    """Three readers each shown 为你推荐 twice, opening one item of each list."""
    now = timezone.now()
    articles = [ArticleFactory(title=f"第{n}篇\t文章", published_at=now - timedelta(hours=n))
                for n in range(6)]  # fmt: skip
    readers = [UserFactory() for _ in range(3)]
    for reader in readers:
        for _ in range(2):
            feed = foryou(user=reader, size=4)
            opened = feed.items[-1].card.id
            event_record(Event.Kind.VIEW, user_id=reader.pk, article_id=opened)
            personal_ingest()
    return readers, articles


def test_the_export_is_mind_format_pseudonymous_and_round_trips(traffic, tmp_path, capsys):
    readers, articles = traffic
    call_command("behaviors_export", "--out", str(tmp_path), "--no-progress")
    behaviors = list(behaviors_read(tmp_path / "behaviors.tsv"))
    assert len(behaviors) == 6
    assert {b.user_id for b in behaviors} == {pseudonym(r.pk) for r in readers}
    text = (tmp_path / "behaviors.tsv").read_text(encoding="utf-8")
    assert all(f"\t{r.pk}\t" not in text for r in readers)
    assert all(sum(b.labels) == 1 for b in behaviors)
    second = [b for b in behaviors if b.history]
    assert second  # the second list of each reader comes after a view: it has a history
    news = news_read([tmp_path / "news.tsv"])
    assert news[f"N{articles[0].pk}"].title == "第0篇 文章"  # no tab inside a column
    figures = tmp_path / "figures.json"
    call_command("ranking_eval", "--behaviors", str(tmp_path / "behaviors.tsv"),
                 "--news", str(tmp_path / "news.tsv"), "--json", str(figures),
                 "--resamples", "20")  # fmt: skip
    methods = {m["name"] for m in json.loads(figures.read_text(encoding="utf-8"))["methods"]}
    assert methods == {"random", "popularity", "recency", "zixun"}


def test_the_export_refuses_bad_options(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match="不是文件夹"):
        call_command("behaviors_export", "--out", str(tmp_path / "file"))
    with pytest.raises(CommandError, match="日期应写作"):
        call_command("behaviors_export", "--out", str(tmp_path), "--since", "30/11/2026")


def test_the_pseudonym_is_stable_and_not_the_id():
    assert pseudonym(7) == pseudonym(7)
    assert pseudonym(7) != pseudonym(8)
    assert pseudonym(7)[1:] != "7"
