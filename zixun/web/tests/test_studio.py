import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article, Image
from zixun.articles.selectors import STUDIO_PAGE
from zixun.articles.services import drafts, publishing, review
from zixun.articles.services.checks import ArticleInput
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.core.pagination import INVALID_CURSOR
from zixun.core.testing import link_walk
from zixun.creators.models import Application
from zixun.creators.tests.test_applications import id_number

pytestmark = pytest.mark.django_db


def jpeg(size=(800, 600)):
    buffer = io.BytesIO()
    exif = PILImage.Exif()
    exif[0x010F] = "SecretCameraMaker"
    PILImage.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def draft(creator, writer):
    return drafts.article_create(
        creator=creator, by=writer,
        data=ArticleInput(title="草稿标题", body_source="正文", channel_id=channel("news").pk),
    )  # fmt: skip


def form_data(**changes):
    data = {
        "title": "一篇新文章",
        "channel": channel("tech").pk,
        "tags": "科技，手机",
        "summary": "",
        "body_source": "## 小标题\n\n第一段。",
    }
    data.update(changes)
    return data


def test_studio_needs_sign_in(client, draft):
    response = client.get(reverse("web:studio-article", args=[draft.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_another_creators_draft_is_404_everywhere(client, draft):
    client.force_login(UserFactory())
    for name in ("web:studio-article", "web:studio-preview"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("web:studio-article", args=[draft.pk]), form_data()).status_code == 404
    )
    assert (
        client.post(reverse("web:studio-autosave", args=[draft.pk]), form_data()).status_code == 404
    )
    assert client.post(reverse("web:studio-new"), {"creator": draft.creator_id}).status_code == 404
    draft.refresh_from_db()
    assert draft.title == "草稿标题"


def test_save_submit_and_see_the_status(client, writer, draft):
    client.force_login(writer)
    url = reverse("web:studio-article", args=[draft.pk])
    response = client.post(url, {**form_data(), "action": "save"}, follow=True)
    assert "草稿已保存" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.title, draft.channel.slug, draft.tags) == ("一篇新文章", "tech", ["科技", "手机"])
    response = client.post(url, {**form_data(), "action": "submit"}, follow=True)
    assert "已提交审核" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.PENDING


def test_a_10000_character_title_gets_a_message_and_keeps_the_draft(client, writer, draft):
    client.force_login(writer)
    response = client.post(
        reverse("web:studio-article", args=[draft.pk]),
        {**form_data(title="长" * 10_000), "action": "save"},
    )
    assert response.status_code == 400
    assert "标题不能超过 120 个字符" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "草稿标题"


def test_a_schedule_in_the_past_gets_a_message(client, writer, draft):
    client.force_login(writer)
    response = client.post(
        reverse("web:studio-article", args=[draft.pk]),
        {**form_data(), "action": "submit", "scheduled_at": "2020-01-01T08:00"},
    )
    assert response.status_code == 400
    assert "定时发布时间须晚于现在" in response.content.decode()


def test_autosave_saves_drafts_only(client, writer, draft):
    client.force_login(writer)
    url = reverse("web:studio-autosave", args=[draft.pk])
    response = client.post(url, form_data(title="自动保存的标题"))
    assert response.json()["ok"] is True
    draft.refresh_from_db()
    assert draft.title == "自动保存的标题"
    Article.objects.filter(pk=draft.pk).update(
        status=Article.Status.PUBLISHED, published_at=draft.created_at
    )
    assert client.post(url, form_data(title="不该覆盖")).status_code == 409
    draft.refresh_from_db()
    assert draft.title == "自动保存的标题"


def test_live_preview_is_sanitized(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("web:studio-markdown-preview"),
        {"body_source": "## 好\n\n<script>alert(1)</script>[x](javascript:alert(1))"},
    )
    html = response.content.decode()
    assert "<h2>好</h2>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html


def test_image_upload_strips_exif_and_makes_renditions(client, writer, creator):
    client.force_login(writer)
    response = client.post(
        reverse("web:studio-image-upload"),
        {
            "creator": creator.pk,
            "alt": "蓝色的示意图",
            "image": ContentFile(jpeg(), name="photo.jpg"),
        },
        HTTP_ACCEPT="application/json",
    )
    data = response.json()
    assert data["ok"] is True
    assert data["markdown"] == f"![蓝色的示意图]({data['url']})"
    image = Image.objects.get()
    stored = image.file.read()
    assert b"SecretCameraMaker" not in stored
    assert set(image.renditions) == {"320"}
    assert (image.width, image.height) == (800, 600)


@pytest.mark.parametrize(
    ("payload", "name", "alt", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.svg", "图", "图片"),
        (b"<?php system($_GET['c']); ?>", "shell.jpg", "图", "图片"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "truncated.jpg", "图", "图片"),
        (None, "big.jpg", "图", "MB"),
        (None, "photo.jpg", "   ", "替代文字"),
    ],
)
def test_hostile_uploads_are_refused_with_a_message(
    client, writer, creator, settings, payload, name, alt, message
):
    client.force_login(writer)
    if name == "big.jpg":
        settings.ZIXUN_UPLOAD_MAX_BYTES = 1000
    response = client.post(
        reverse("web:studio-image-upload"),
        {"creator": creator.pk, "alt": alt, "image": ContentFile(payload or jpeg(), name=name)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Image.objects.exists()


def test_uploading_to_another_account_is_404(client, creator):
    client.force_login(UserFactory())
    response = client.post(
        reverse("web:studio-image-upload"),
        {"creator": creator.pk, "alt": "图", "image": ContentFile(jpeg(), name="a.jpg")},
    )
    assert response.status_code == 404


def test_uploads_are_rate_limited(client, writer, creator):
    client.force_login(writer)
    codes = [
        client.post(reverse("web:studio-image-upload"), {"creator": creator.pk}).status_code
        for _ in range(22)
    ]
    assert codes[-1] == 429
    response = client.post(reverse("web:studio-image-upload"), {"creator": creator.pk})
    assert "操作太频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_editor_pages_do_not_exist_for_readers(client, writer):
    client.force_login(writer)
    assert client.get(reverse("web:editor")).status_code == 404
    assert client.get(reverse("web:editor-article", args=[1])).status_code == 404


def test_credentials_are_only_for_editors(client, writer):
    from zixun.creators.services import ApplicationInput, application_submit

    application = application_submit(
        applicant=writer,
        data=ApplicationInput(
            account_type="media", account_name="晨江日报", introduction="日报", operator_name="王",
            channel_id=channel("news").pk, id_number=id_number(), credentials=b"%PDF-1.4 secret",
        ),
    )  # fmt: skip
    url = reverse("web:editor-credentials", args=[application.pk])
    client.force_login(writer)
    assert client.get(url).status_code == 404
    client.force_login(EditorFactory())
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 secret"
    assert "attachment" in response["Content-Disposition"]


def test_apply_form_files_an_application(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("web:apply"),
        {
            "account_type": "personal", "account_name": "林间笔记", "introduction": "数码评测",
            "channel": channel("digi").pk, "operator_name": "林一", "id_number": id_number(),
        },
        follow=True,
    )  # fmt: skip
    assert "申请已提交" in response.content.decode()
    assert Application.objects.get().account_name == "林间笔记"
    again = client.post(
        reverse("web:apply"),
        {"account_type": "personal", "account_name": "再来", "introduction": "x",
         "channel": channel("digi").pk, "operator_name": "林一", "id_number": id_number()},
    )  # fmt: skip
    assert again.status_code == 400
    assert "审核中" in again.content.decode()


def test_editor_approves_an_article_from_the_queue(client, writer, draft):
    drafts.article_save_draft(
        article=draft, by=writer,
        data=ArticleInput(title="待审", body_source="正文", channel_id=channel("news").pk),
    )  # fmt: skip
    review.article_submit(article=draft, by=writer)
    client.force_login(EditorFactory())
    assert "待审" in client.get(reverse("web:editor")).content.decode()
    response = client.post(reverse("web:editor-article", args=[draft.pk]), {"action": "approve"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_signed_in_readers_bypass_the_page_cache(client, writer):
    article = ArticleFactory()
    anonymous = client.get(article.get_absolute_url()).content.decode()
    assert "登录" in anonymous
    client.force_login(writer)
    signed_in = client.get(article.get_absolute_url()).content.decode()
    assert writer.username in signed_in
    assert "创作中心" in signed_in


def test_revision_history_is_public_for_published_articles(client, writer, creator):
    creator.is_trusted = True
    creator.save()
    article = drafts.article_create(
        creator=creator, by=writer,
        data=ArticleInput(title="初版", body_source="初版正文", channel_id=channel("news").pk),
    )  # fmt: skip
    article = review.article_submit(article=article, by=writer)
    drafts.article_revise(
        article=article, by=writer, note="更正数字",
        data=ArticleInput(title="修订版", body_source="修订正文", channel_id=channel("news").pk),
    )  # fmt: skip
    page = client.get(article.get_absolute_url()).content.decode()
    assert "更新于" in page
    history = client.get(reverse("web:revisions", args=[article.pk])).content.decode()
    assert "初版" in history
    assert "修订版" in history
    assert "更正数字" in history


def test_revisions_hidden_by_a_takedown_are_only_for_members_and_editors(client, writer, creator):
    # given: a trusted account's article, taken down, lifted, corrected and published again
    creator.is_trusted = True
    creator.save()
    article = drafts.article_create(
        creator=creator, by=writer,
        data=ArticleInput(title="谣言版", body_source="不实的说法", channel_id=channel("news").pk),
    )  # fmt: skip
    article = review.article_submit(article=article, by=writer)
    editor = EditorFactory()
    publishing.article_unpublish(article=article, by=editor, reason="不实信息")
    url = reverse("web:revisions", args=[article.pk])
    # while taken down, the history is a 404 for readers
    assert client.get(url).status_code == 404
    publishing.article_takedown_lift(article=article, by=editor)
    review.article_save_and_submit(
        article=article, by=writer,
        data=ArticleInput(title="更正版", body_source="核实后的说法", channel_id=channel("news").pk),
    )  # fmt: skip
    # then: readers see only what was published after the takedown
    public = client.get(url).content.decode()
    assert "更正版" in public
    assert "不实的说法" not in public
    assert "谣言版" not in public
    # and the account's members and editors see every revision, the hidden one marked
    for user in (writer, editor):
        client.force_login(user)
        history = client.get(url).content.decode()
        assert "不实的说法" in history
        assert "已下架，读者不可见" in history


def test_an_editor_takes_down_and_lifts_an_article_the_creator_sees_why(client, writer, creator):
    # given: a published article of a trusted account
    creator.is_trusted = True
    creator.save()
    article = ArticleFactory(creator=creator, title="被下架的文章")
    editor = Client()
    editor.force_login(EditorFactory())
    page = reverse("web:editor-article", args=[article.pk])
    # when: an editor takes it down with a reason
    response = editor.post(page, {"action": "unpublish", "reason": "标题党"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.TAKEN_DOWN
    assert "解除下架" in editor.get(page).content.decode()
    # then: the creator sees it and why, and cannot submit it again from the studio
    client.force_login(writer)
    home = client.get(reverse("web:studio")).content.decode()
    assert "已下架" in home
    assert "标题党" in home
    edit = client.get(reverse("web:studio-article", args=[article.pk])).content.decode()
    assert "标题党" in edit
    assert 'value="submit"' not in edit
    response = client.post(
        reverse("web:studio-article", args=[article.pk]), {**form_data(), "action": "submit"}
    )
    assert response.status_code == 400
    article.refresh_from_db()
    assert article.status == Article.Status.TAKEN_DOWN
    # when: the editor lifts it, it is offline and the creator may resubmit
    assert editor.post(page, {"action": "lift", "reason": "申诉成立"}).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED


@pytest.mark.parametrize(
    "scheduled_at",
    ["2020-01-01T08:00", "不是时间"],  # refused by the service, and by the form
)
def test_a_refused_resubmit_leaves_a_pending_article_in_review(client, writer, draft, scheduled_at):
    # given an article waiting for review
    review.article_submit(article=draft, by=writer)
    client.force_login(writer)
    # when the creator edits it and submits with a bad schedule
    response = client.post(
        reverse("web:studio-article", args=[draft.pk]),
        {**form_data(title="改过的标题"), "action": "submit", "scheduled_at": scheduled_at},
    )
    # then the submit is refused and the save with it: still pending, still the old text
    assert response.status_code == 400
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (Article.Status.PENDING, "草稿标题")


# Paging the studio and the review queues (keyset on id, ?after=) -----------------------------


def test_studio_pages_with_an_after_cursor(client, writer, creator):
    made = ArticleFactory.create_batch(STUDIO_PAGE + 2, creator=creator, title="文章")
    for n, article in enumerate(made):
        Article.objects.filter(pk=article.pk).update(title=f"第{n:02d}篇")
    client.force_login(writer)
    pages = link_walk(client, reverse("web:studio"))
    assert len(pages) == 2
    assert "第31篇" in pages[0]
    assert "第02篇" in pages[0]
    assert "第01篇" not in pages[0]
    assert "第01篇" in pages[1]
    assert "第00篇" in pages[1]
    assert "回到第一页" in pages[1]


@pytest.mark.parametrize("query", ["?before=12", "?after=12", "?after=%%%", "?page=2"])
def test_studio_answers_a_bad_or_old_style_cursor_with_a_400(client, writer, creator, query):
    client.force_login(writer)
    response = client.get(reverse("web:studio") + query)
    assert response.status_code == 400
    assert str(INVALID_CURSOR) in response.content.decode()


def test_editor_queues_page_from_the_editor_home(client):
    made = ArticleFactory.create_batch(
        STUDIO_PAGE + 1, status=Article.Status.PENDING, published_at=None
    )
    Article.objects.filter(pk=made[0].pk).update(title="等得最久的")
    Article.objects.filter(pk=made[-1].pk).update(title="最后提交的")
    client.force_login(EditorFactory())
    home = client.get(reverse("web:editor")).content.decode()
    assert "等得最久的" in home
    assert "最后提交的" not in home
    assert f"{STUDIO_PAGE}+" in home  # the count says there are more
    pages = link_walk(client, reverse("web:editor"))
    assert len(pages) == 2
    assert reverse("web:editor-pending") + "?after=" in home
    assert "最后提交的" in pages[1]
    assert "等得最久的" not in pages[1]


def test_the_deleted_queue_pages_too(client):
    ArticleFactory.create_batch(2, deleted_at=timezone.now())
    client.force_login(EditorFactory())
    response = client.get(reverse("web:editor-deleted"))
    assert response.status_code == 200
    assert "已删除（可恢复）" in response.content.decode()


@pytest.mark.parametrize("name", ["web:editor-pending", "web:editor-deleted"])
def test_editor_queue_pages_do_not_exist_for_readers_and_refuse_bad_cursors(client, writer, name):
    client.force_login(writer)
    assert client.get(reverse(name)).status_code == 404
    client.force_login(EditorFactory())
    assert client.get(reverse(name) + "?after=nonsense").status_code == 400


@pytest.mark.parametrize(
    ("name", "budget"),
    # the session and the user, then one query per list (the studio also lists the
    # accounts and the applications, the editor's home every queue and the audit log)
    [("web:studio", 5), ("web:editor-pending", 3), ("web:editor-deleted", 3), ("web:editor", 8)],
)
def test_studio_and_queue_pages_keep_their_query_budget_whatever_the_rows(
    client, writer, creator, name, budget
):
    def add_rows(n):
        ArticleFactory.create_batch(n, creator=creator)
        ArticleFactory.create_batch(
            n, creator=creator, status=Article.Status.PENDING, published_at=None
        )
        ArticleFactory.create_batch(n, creator=creator, deleted_at=timezone.now())

    def queries():
        client.get(reverse(name))  # warm the block caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    writer.role = writer.Role.EDITOR
    writer.save()
    client.force_login(writer)
    add_rows(2)
    few = queries()
    add_rows(STUDIO_PAGE)
    assert queries() == few <= budget


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("zh-hans", "身份证号校验位不符，请核对"),
        ("en", "The check digit does not match; check the number"),
    ],
)
def test_a_bad_id_number_is_shown_on_the_apply_form_in_the_readers_language(
    client, writer, settings, language, shown
):
    # given: a reader who chose the language, with a mistyped ID number (wrong check digit)
    client.force_login(writer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    right = id_number()
    typo = right[:-1] + ("0" if right[-1] != "0" else "1")
    # when
    response = client.post(
        reverse("web:apply"),
        {"account_type": "personal", "account_name": "林间笔记", "introduction": "数码评测",
         "channel": channel("digi").pk, "operator_name": "林一", "id_number": typo},
    )  # fmt: skip
    # then: the form comes back with the message and nothing is filed
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", "正文不能为空"), ("en", "The body cannot be empty")]
)
def test_an_empty_body_is_shown_in_the_studio_in_the_readers_language(
    client, writer, draft, settings, language, shown
):
    client.force_login(writer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("web:studio-article", args=[draft.pk]),
        {**form_data(body_source="  \n"), "action": "submit"},
    )
    assert response.status_code == 400
    assert shown in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.body_source) == (Article.Status.DRAFT, "正文")


def test_an_applications_avatar_is_only_for_the_applicant_and_editors(client, writer):
    # given: a pending application with an avatar
    from zixun.creators.services import ApplicationInput, application_submit

    avatar = io.BytesIO()
    PILImage.new("RGB", (64, 64), (200, 30, 30)).save(avatar, "PNG")
    application = application_submit(
        applicant=writer,
        data=ApplicationInput(
            account_type="personal", account_name="林间笔记", introduction="数码评测",
            operator_name="王", channel_id=channel("news").pk, id_number=id_number(),
            avatar=avatar.getvalue(),
        ),
    )  # fmt: skip
    url = reverse("web:apply-avatar", args=[application.pk])
    # then: not in the public media, and 404 for anonymous readers and other users
    from django.core.files.storage import default_storage

    from zixun.creators.models import private_storage

    assert private_storage().exists(application.avatar.name)
    assert not default_storage.exists(application.avatar.name)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    # and the applicant and editors get the image
    for user in (writer, EditorFactory()):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
        assert "no-store" in response["Cache-Control"]


def test_studio_home_shows_each_articles_counts_and_the_totals(client, writer, draft):
    Article.objects.filter(pk=draft.pk).update(
        view_count=1234, like_count=56, comment_count=7, share_count=89
    )
    client.force_login(writer)
    html = client.get(reverse("web:studio")).content.decode()
    for count in ("1234", "56", "89"):
        assert f">{count}<" in html
    assert 'class="studio-totals"' in html


def test_a_long_title_keeps_its_full_text_in_a_title_attribute(client, writer, draft):
    title = "长" * 120
    Article.objects.filter(pk=draft.pk).update(title=title)
    client.force_login(writer)
    html = client.get(reverse("web:studio")).content.decode()
    assert f'title="{title}"' in html


def test_opening_write_and_leaving_leaves_no_empty_draft(client, writer, creator):
    client.force_login(writer)
    first = client.post(reverse("web:studio-new"), {"creator": creator.pk})
    again = client.post(reverse("web:studio-new"), {"creator": creator.pk})
    assert first["Location"] == again["Location"]  # the empty draft is opened again
    assert Article.objects.filter(creator=creator).count() == 1
    assert "（无标题）" not in client.get(reverse("web:studio")).content.decode()


def test_the_history_is_in_words(client, writer, draft):
    client.force_login(writer)
    client.post(reverse("web:studio-article", args=[draft.pk]), {**form_data(), "action": "submit"})
    html = client.get(reverse("web:studio-article", args=[draft.pk])).content.decode()
    assert "提交审核" in html
    assert "新建草稿" in html
    assert "article.submit" not in html
