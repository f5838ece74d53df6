"""The creator journey over HTTP, the same story as tests/browser/test_creator_journey.py:
sign up and confirm the email, apply (申请入驻), get approved by an editor, write in the
studio, submit, have the article approved, and find it on the home page, its channel page
and the account page, with 文章数 1."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.creators.models import Application, Creator
from zixun.creators.tests.test_applications import id_number, png

from .steps import article_ids, confirm_link, page_text

pytestmark = pytest.mark.django_db

EMAIL = "xiaoming@example.com"
USERNAME = "xiaoming"
PASSWORD = "Qiu-shui-2024-gong"
ACCOUNT = "小明科技观察"
TITLE = "国产大模型的一年：从发布会到日常工具"
BODY = "一年前，大模型还只出现在发布会上。\n\n## 从演示到工具\n\n如今它们已经成了**日常工具**。\n"


def test_creator_journey(visitor, editor, django_capture_on_commit_callbacks):
    tech = channel("tech")
    older = ArticleFactory(channel=tech, title="科技频道的旧文章")
    creator = Client()
    mail.outbox.clear()

    # a. Sign up; until the email is confirmed, the person is not signed in.
    response = creator.post(
        reverse("account_signup"),
        {"email": EMAIL, "username": USERNAME, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert creator.get(reverse("me:home")).status_code == 302  # to the sign-in page
    link = confirm_link(EMAIL)
    assert creator.get(link).status_code == 200
    assert creator.post(link).status_code == 302
    assert creator.get(reverse("me:home")).status_code == 200  # signed in by confirming
    person = User.objects.get(username=USERNAME)
    assert person.emailaddress_set.get().verified

    # b. 申请入驻 as a 个人 account with an avatar; the studio shows it pending.
    assert 'name="id_number"' in page_text(creator, reverse("web:apply"))
    number = id_number("11010519491231002")
    response = creator.post(
        reverse("web:apply"),
        {
            "account_type": Creator.AccountType.PERSONAL,
            "account_name": ACCOUNT,
            "introduction": "关注人工智能与消费电子，每周写一篇深度观察。",
            "channel": tech.pk,
            "operator_name": "王小明",
            "id_number": number,
            "avatar": SimpleUploadedFile("avatar.png", png((96, 96)), "image/png"),
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("web:studio"), 302)]
    studio = response.content.decode()
    assert "申请已提交" in studio
    assert ACCOUNT in studio
    application = Application.objects.get(applicant=person)
    assert application.status == Application.Status.PENDING
    assert application.id_number_masked == number[:3] + "*" * 11 + number[-4:]

    # c. An editor finds it in the queue, sees the masked number only, and approves it.
    queue = reverse("web:editor-application", args=[application.pk])
    assert queue in page_text(editor, reverse("web:editor"))
    review = page_text(editor, queue)
    assert application.id_number_masked in review
    assert number not in review
    response = editor.post(queue, {"action": "approve", "verification_label": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:editor")
    account = Creator.objects.get(name=ACCOUNT)
    assert list(account.members.all()) == [person]
    assert account.verification_label == "科技领域创作者"
    assert not account.is_trusted
    assert account.avatar

    # Before the article is out, a visitor has the pages in the page cache.
    home, channel_page = reverse("web:home"), reverse("web:channel", args=["tech"])
    account_page = account.get_absolute_url()
    assert article_ids(page_text(visitor, home)) == [older.pk]
    assert article_ids(page_text(visitor, channel_page)) == [older.pk]
    assert article_ids(page_text(visitor, account_page)) == []

    # d. The creator writes an article in the studio, saves it, and submits it.
    assert ACCOUNT in page_text(creator, reverse("web:studio"))
    response = creator.post(reverse("web:studio-new"), {"creator": account.pk})
    assert response.status_code == 302
    edit_url = response["Location"]
    article_id = int(re.fullmatch(r"/studio/articles/(\d+)/", edit_url).group(1))
    form = {
        "title": TITLE,
        "channel": tech.pk,
        "tags": "人工智能，大模型",
        "is_original": "on",
        "summary": "",
        "body_source": BODY,
    }
    response = creator.post(edit_url, {**form, "action": "save"}, follow=True)
    assert "草稿已保存" in response.content.decode()
    assert Article.objects.get(pk=article_id).status == Article.Status.DRAFT
    response = creator.post(edit_url, {**form, "action": "submit"}, follow=True)
    assert "已提交审核" in response.content.decode()  # a new account is not trusted
    assert Article.objects.get(pk=article_id).status == Article.Status.PENDING
    assert article_ids(page_text(visitor, home)) == [older.pk]  # not out yet

    # e. The editor approves it; the after-commit pipeline runs.
    review_url = reverse("web:editor-article", args=[article_id])
    assert review_url in page_text(editor, reverse("web:editor"))
    assert "<h2>从演示到工具</h2>" in page_text(editor, review_url)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(review_url, {"action": "approve"})
    assert response.status_code == 302
    article = Article.objects.get(pk=article_id)
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None

    # f. A visitor finds it, newest first, on the home, channel and account pages.
    assert article_ids(page_text(visitor, home)) == [article_id, older.pk]
    assert article_ids(page_text(visitor, channel_page)) == [article_id, older.pk]
    account_html = page_text(visitor, account_page)
    assert article_ids(account_html) == [article_id]
    assert re.search(r"<dt>文章数</dt><dd>1</dd>", account_html)
    assert Creator.objects.get(pk=account.pk).article_count == 1
    page = page_text(visitor, article.get_absolute_url())
    assert TITLE in page
    assert "<h2>从演示到工具</h2>" in page
    assert "<strong>日常工具</strong>" in page
    assert ACCOUNT in page
