"""Parts of the article page built outside the template engine for a cheaper page-cache miss
(ADR 0018): the same markup as the template tags and files they stand for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from zixun.articles.selectors import ArticleCard
from zixun.web.templatetags import icons
from zixun.web.templatetags.cards import card_list

MOMENTS = [
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 12, 31, 16, 59, 59, 123456, tzinfo=UTC),  # the next day in Shanghai
    datetime(2027, 7, 9, 23, 0, tzinfo=UTC),
]


def _card(moment: datetime) -> ArticleCard:
    return ArticleCard(id=7, title="标题 <b>", creator_name="账号", creator_id=3,
                       published_at=moment, url="/a/7/", creator_url="/u/3/")  # fmt: skip


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/St_Johns"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_cards_time_is_what_the_date_filter_writes(zone, moment):
    with timezone.override(zone):
        html = card_list([_card(moment)])
        local = timezone.localtime(moment)
        assert f'<time datetime="{date_format(local, "c")}">' in html
        assert f">{date_format(local, 'm-d H:i')}</time>" in html
    assert "标题 &lt;b&gt;" in html


@pytest.mark.parametrize("name", ["like", "favorite", "comment", "share", "unknown"])
def test_an_icon_is_the_file_rendered_for_its_name(name, settings):
    settings.DEBUG = False
    icons._RENDERED.clear()
    expected = render_to_string("web/_icon.html", {"name": name})
    tag = Template("{% load icons %}{% icon name %}|{% icon name %}")
    assert tag.render(Context({"name": name})) == f"{expected}|{expected}"
    assert (name in icons._RENDERED) is True
    if name != "unknown":
        assert expected.startswith("<svg")


def test_with_debug_on_an_icon_is_rendered_each_time(settings):
    settings.DEBUG = True
    icons._RENDERED.clear()
    Template('{% load icons %}{% icon "like" %}').render(Context())
    assert icons._RENDERED == {}


def _storage(tmp_path):
    import json

    from zixun.web.staticstorage import StaticStorage

    (tmp_path / "staticfiles.json").write_text(json.dumps({
        "version": "1.1", "hash": "x",
        "paths": {"web/site.css": "web/site.0123abcd.css", "web/a b.js": "web/a b.89ef.js"},
    }))  # fmt: skip
    return StaticStorage(location=str(tmp_path), base_url="/static/")


def test_a_static_url_is_the_manifests_and_is_worked_out_once(tmp_path, settings):
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    settings.DEBUG = False
    storage = _storage(tmp_path)
    plain = CompressedManifestStaticFilesStorage(location=str(tmp_path), base_url="/static/")
    for name in ("web/site.css", "web/a b.js", "web/site.css"):
        assert storage.url(name) == plain.url(name)
    assert storage.url("web/site.css") == "/static/web/site.0123abcd.css"
    storage.hashed_files["web/site.css"] = "web/site.ffff.css"  # not read again
    assert storage.url("web/site.css") == "/static/web/site.0123abcd.css"
    assert storage.url("web/site.css", force=True) == "/static/web/site.ffff.css"


def test_a_name_missing_from_the_manifest_still_fails_every_time(tmp_path, settings):
    settings.DEBUG = False
    storage = _storage(tmp_path)
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("web/missing.css")
