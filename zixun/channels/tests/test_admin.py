"""A channel saved in the admin starts a new site version, so that the menu, the 要闻 and
态度原创 blocks and every cached page are rebuilt with it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.channels.models import Channel
from zixun.core.sitecache import site_version_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    """A client signed in as a superuser, for the admin."""
    client.force_login(EditorFactory(is_staff=True, is_superuser=True))
    return client


def form(channel, **changes):
    """The change form's fields as they stand, with ``changes``; a ticked box posts "on"."""
    data = {name: getattr(channel, name) for name in ["slug", "name", "name_en", "position"]}
    flags = ["is_active", "is_highlighted", "is_original_category"]
    data.update({name: "on" for name in flags if getattr(channel, name)})
    return {**data, **changes}


def highlights(html):
    """The 频道要闻 grid of the home page."""
    match = re.search(r'<section[^>]*aria-labelledby="hl-title"[^>]*>(.*?)</section>', html, re.S)
    assert match, "no 频道要闻 on the page"
    return match.group(1)


def test_saving_a_channel_starts_a_new_site_version(staff_client):
    # given
    sports = Channel.objects.get(slug="sports")
    before = site_version_get()
    # when
    response = staff_client.post(
        reverse("admin:channels_channel_change", args=[sports.pk]), form(sports, name="运动")
    )
    # then
    assert response.status_code == 302
    assert Channel.objects.get(pk=sports.pk).name == "运动"
    assert site_version_get() != before


def test_a_renamed_channel_shows_on_the_cached_pages_at_once(staff_client):
    # given: an anonymous reader's home page, cached with the channel menu in it
    reader = Client()
    url = reverse("web:home")
    assert ">体育</a>" in reader.get(url).content.decode()
    # when: an admin renames 体育
    sports = Channel.objects.get(slug="sports")
    staff_client.post(
        reverse("admin:channels_channel_change", args=[sports.pk]), form(sports, name="运动")
    )
    # then: the next view of the page is rebuilt with the new name
    html = reader.get(url).content.decode()
    assert ">运动</a>" in html
    assert ">体育</a>" not in html


def test_a_highlight_switched_on_in_the_list_shows_its_block_at_once(staff_client):
    # given: a 要闻 block per highlighted channel, cached on an anonymous reader's page
    reader = Client()
    ArticleFactory(channel=Channel.objects.get(slug="edu"), title="教育频道的新文章")
    url = reverse("web:home")
    edu = reverse("web:channel", args=["edu"])
    assert edu not in highlights(reader.get(url).content.decode())
    # when: an admin ticks 教育 as highlighted in the channel list (list_editable)
    channels = list(Channel.objects.order_by("position", "id"))
    data = {
        "form-TOTAL_FORMS": str(len(channels)),
        "form-INITIAL_FORMS": str(len(channels)),
        "_save": "保存",
    }
    for i, channel in enumerate(channels):
        data[f"form-{i}-id"] = str(channel.pk)
        data[f"form-{i}-position"] = str(channel.position)
        for flag in ("is_active", "is_highlighted", "is_original_category"):
            if getattr(channel, flag) or (channel.slug == "edu" and flag == "is_highlighted"):
                data[f"form-{i}-{flag}"] = "on"
    response = staff_client.post(reverse("admin:channels_channel_changelist"), data)
    # then
    assert response.status_code == 302
    assert Channel.objects.get(slug="edu").is_highlighted
    block = highlights(reader.get(url).content.decode())
    assert edu in block
    assert "教育频道的新文章" in block
