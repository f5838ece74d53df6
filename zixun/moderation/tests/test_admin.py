"""Editors keep the keyword lists in the admin: every change goes through the services
(audited) and is in force at the next screen, without a restart."""

import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory
from zixun.audit.models import AuditEntry
from zixun.core.moderation import moderation_backend
from zixun.moderation.models import AllowWord, BlockedDomain, Case, Word, WordList

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory(is_staff=True, is_superuser=True))
    return client


def screen(text):
    return moderation_backend().screen(text, field="comment")


def test_a_list_made_in_the_admin_screens_at_once_and_is_audited(editor_client):
    response = editor_client.post(reverse("admin:moderation_wordlist_add"), {
        "name": "涉赌", "action": "block", "is_active": "on", "note": "",
        "add_words": "网络赌场\n 百家乐 \n\n", "remove_words": "",
    })  # fmt: skip
    assert response.status_code == 302
    listed = WordList.objects.get()
    assert sorted(Word.objects.values_list("word", flat=True)) == ["百家乐", "网络赌场"]
    assert screen("来玩百 家 乐").action == "block"
    assert screen("来玩百 家 乐").rule == "涉赌"
    # switched off: allowed again at the next screen
    editor_client.post(reverse("admin:moderation_wordlist_change", args=[listed.pk]), {
        "name": "涉赌", "action": "block", "note": "", "add_words": "", "remove_words": "百家乐",
    })  # fmt: skip
    assert screen("来玩百家乐").action == "allow"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"wordlist.create", "wordlist.words_add", "wordlist.change", "wordlist.words_remove"} <= actions  # fmt: skip


def test_a_bad_word_in_the_admin_gives_a_message_and_stores_no_words(editor_client):
    response = editor_client.post(reverse("admin:moderation_wordlist_add"), {
        "name": "测试", "action": "review", "is_active": "on", "note": "",
        "add_words": "正常\n！！！", "remove_words": "",
    }, follow=True)  # fmt: skip
    assert "！！！" in response.content.decode()
    assert not Word.objects.exists()


def test_allow_words_and_domains_go_through_the_services(editor_client):
    editor_client.post(
        reverse("admin:moderation_allowword_add"), {"word": "招聘", "note": "新闻常用"}
    )
    assert AllowWord.objects.get().note == "新闻常用"
    editor_client.post(reverse("admin:moderation_blockeddomain_add"), {"domain": "WWW.Bad.example"})
    assert BlockedDomain.objects.get().domain == "bad.example"
    assert screen("看 https://x.bad.example/a").action == "block"
    domain = BlockedDomain.objects.get()
    editor_client.post(
        reverse("admin:moderation_blockeddomain_delete", args=[domain.pk]), {"post": "yes"}
    )
    assert screen("看 https://x.bad.example/a").action == "allow"
    assert AuditEntry.objects.filter(action="domains.change").count() == 2


def test_cases_are_read_only_in_the_admin(editor_client):
    assert editor_client.get(reverse("admin:moderation_case_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:moderation_case_add")).status_code == 403
    assert not Case.objects.exists()
