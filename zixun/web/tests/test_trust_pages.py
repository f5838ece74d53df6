"""举报, the editors' report and appeal queues, notices and appeals, labels and the takedown
notice, over HTTP: what readers, creators, reporters and editors see after each step."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.engagement.services import comment_create
from zixun.moderation.models import Appeal, Case, Notice, Report
from zixun.moderation.services import label_set, report_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return EditorFactory()


@pytest.fixture
def reader():
    return UserFactory()


def report_url(kind, target_id):
    return reverse("web:report", args=[kind, target_id])


def test_every_article_comment_and_account_has_a_report_link(client, reader):
    article = ArticleFactory()
    comment = comment_create(user=reader, article_id=article.pk, body="一条跟贴")
    page = client.get(article.get_absolute_url()).content.decode()
    assert report_url("article", article.pk) in page
    assert report_url("comment", comment.pk) in page
    account = client.get(reverse("web:account", args=[article.creator_id])).content.decode()
    assert report_url("account", article.creator_id) in account


def test_reporting_needs_a_signed_in_reader(client):
    article = ArticleFactory()
    response = client.get(report_url("article", article.pk))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_report_is_filed_and_a_repeat_gets_a_clear_message(client, reader):
    article = ArticleFactory()
    client.force_login(reader)
    page = client.get(report_url("article", article.pk))
    assert page.status_code == 200
    assert "谣言不实" in page.content.decode()
    done = client.post(report_url("article", article.pk), {"reason": "rumor", "details": "假的"}, follow=True)  # fmt: skip
    assert "举报已提交" in done.content.decode()
    assert Report.objects.get().details == "假的"
    again = client.post(report_url("article", article.pk), {"reason": "spam"})
    assert again.status_code == 400
    assert "你已举报过" in again.content.decode()
    assert Case.objects.get().report_count == 1


def test_reports_of_deleted_content_and_bad_kinds(client, reader):
    client.force_login(reader)
    assert client.get(report_url("thing", 1)).status_code == 404
    gone = client.post(report_url("article", 10**9), {"reason": "spam"})
    assert gone.status_code == 400
    assert "不存在或已被删除" in gone.content.decode()
    no_reason = client.post(report_url("article", ArticleFactory().pk), {"reason": ""})
    assert no_reason.status_code == 400
    assert "请选择举报理由" in no_reason.content.decode()


def test_a_report_flood_from_one_reader_gets_429(client, reader, settings):
    settings.ZIXUN_REPORTS_PER_MINUTE = 3
    client.force_login(reader)
    articles = [ArticleFactory() for _ in range(5)]
    codes = [client.post(report_url("article", a.pk), {"reason": "spam"}).status_code for a in articles]  # fmt: skip
    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]
    assert Report.objects.count() == 3


def test_the_queue_and_a_case_are_for_editors_only(client, reader):
    client.force_login(reader)
    assert client.get(reverse("web:editor-reports")).status_code == 404
    assert client.get(reverse("web:editor-appeals")).status_code == 404


def test_from_report_to_takedown_to_appeal_over_http(client, reader, editor, creator, writer):
    article = ArticleFactory(creator=creator, title="被举报的文章")
    for someone in (reader, UserFactory()):
        report_file(reporter=someone, target_type="article", target_id=article.pk, reason="rumor")
    client.force_login(editor)
    queue = client.get(reverse("web:editor-reports")).content.decode()
    assert "被举报的文章" in queue
    assert "2 人举报" in queue
    case = Case.objects.get()
    page = client.get(reverse("web:editor-case", args=[case.pk])).content.decode()
    assert "谣言不实 ×2" in page
    bad = client.post(
        reverse("web:editor-case", args=[case.pk]), {"decision": "takedown", "reason": ""}
    )
    assert bad.status_code == 400
    client.post(
        reverse("web:editor-case", args=[case.pk]), {"decision": "takedown", "reason": "散布谣言"}
    )
    # readers get a notice in place of the article
    client.logout()
    gone = client.get(article.get_absolute_url())
    assert gone.status_code == 410
    assert "该内容已被下架" in gone.content.decode()
    assert "被举报的文章" not in gone.content.decode()
    # the reporter is told the outcome
    client.force_login(reader)
    assert "已处理（下架）" in client.get(reverse("me:notices")).content.decode()
    # the creator is told why and appeals once
    client.force_login(writer)
    notices = client.get(reverse("me:notices")).content.decode()
    assert "散布谣言" in notices
    entry = Notice.objects.get(user=writer).params["entry"]
    assert reverse("me:appeal", args=[entry]) in notices
    client.post(reverse("me:appeal", args=[entry]), {"text": "有权威来源"})
    assert Appeal.objects.get().status == "pending"
    assert (
        reverse("me:appeal", args=[entry]) not in client.get(reverse("me:notices")).content.decode()
    )
    twice = client.post(reverse("me:appeal", args=[entry]), {"text": "再来"})
    assert twice.status_code == 400
    # an editor reverses it: the article is back
    client.force_login(editor)
    appeal = Appeal.objects.get()
    assert (
        "有权威来源" in client.get(reverse("web:editor-appeal", args=[appeal.pk])).content.decode()
    )
    client.post(
        reverse("web:editor-appeal", args=[appeal.pk]), {"decision": "reverse", "reply": "恢复"}
    )
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_someone_elses_appeal_page_is_refused(client, reader, editor, creator):
    article = ArticleFactory(creator=creator)
    from zixun.moderation.services import takedown

    takedown(article=article, by=editor, reason="违规")
    entry = Notice.objects.get().params["entry"]
    client.force_login(reader)
    # another's decision looks like none at all: no title, no reason, nothing filed
    for response in (client.get(reverse("me:appeal", args=[entry])),
                     client.post(reverse("me:appeal", args=[entry]), {"text": "不服"})):  # fmt: skip
        assert response.status_code == 404
        assert article.title not in response.content.decode()
        assert "违规" not in response.content.decode()
    assert not Appeal.objects.exists()
    assert client.get(reverse("me:appeal", args=[10**9])).status_code == 404


def test_a_label_shows_on_the_article_and_on_every_list(client, editor):
    article = ArticleFactory(title="网传消息", published_at=timezone.now())
    label_set(article=article, by=editor, label="false", url="https://piyao.example/1", note="已核实为谣言")  # fmt: skip
    page = client.get(article.get_absolute_url()).content.decode()
    assert "不实信息" in page
    assert "已核实为谣言" in page
    assert "https://piyao.example/1" in page
    for url in [reverse("web:home"), reverse("web:channel", args=[article.channel.slug]),
                reverse("web:hot"), reverse("web:account", args=[article.creator_id])]:  # fmt: skip
        html = client.get(url).content.decode()
        assert re.search(r'fact-chip fact-false">不实信息</span> *<a[^>]*>网传消息', html), url


def test_editors_label_from_the_review_page(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    page = client.get(reverse("web:editor-article", args=[article.pk])).content.decode()
    assert "事实核查标注" in page
    bad = client.post(
        reverse("web:editor-label", args=[article.pk]), {"label": "disputed"}, follow=True
    )
    assert "请给出证据链接" in bad.content.decode()
    client.post(reverse("web:editor-label", args=[article.pk]),
                {"label": "disputed", "url": "https://a.example/", "note": "说法不一"})  # fmt: skip
    assert Article.objects.get(pk=article.pk).label == "disputed"


def test_the_editor_home_counts_open_reports_and_appeals(client, editor, reader):
    report_file(
        reporter=reader, target_type="article", target_id=ArticleFactory().pk, reason="spam"
    )
    client.force_login(editor)
    page = client.get(reverse("web:editor")).content.decode()
    assert reverse("web:editor-reports") in page
    assert reverse("admin:moderation_wordlist_changelist") in page


def test_the_report_queue_keeps_its_query_budget(client, editor, django_assert_max_num_queries):
    for _ in range(12):
        report_file(reporter=UserFactory(), target_type="article", target_id=ArticleFactory().pk,
                    reason="spam")  # fmt: skip
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("web:editor-reports")).status_code == 200
