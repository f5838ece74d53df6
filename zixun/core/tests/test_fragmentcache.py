"""The ``{% cache %}`` fragments' cache: the default cache, each read also kept in process
memory for ZIXUN_PAGE_MEMO_SECONDS (zixun/core/fragmentcache.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches
from django.template import Context, Template

from zixun.core import sitecache
from zixun.core.fragmentcache import FragmentCache
from zixun.core.sitecache import site_version_bump, site_version_get

FRAGMENT = Template("{% load cache %}{% cache 60 part version %}{{ text }}{% endcache %}")


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(sitecache.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def memo(settings):
    settings.ZIXUN_PAGE_MEMO_SECONDS = 1.0


def _render(text: str, version: int = 1) -> str:
    return FRAGMENT.render(Context({"text": text, "version": version}))


def _stored_keys() -> list[str]:
    return list(sitecache.fragment_memo._entries)


def test_the_template_tag_uses_the_fragment_cache():
    assert isinstance(caches["template_fragments"], FragmentCache)


def test_a_fragment_read_again_within_the_window_comes_from_memory(memo, clock):
    assert _render("第一版") == "第一版"
    assert _render("第二版") == "第一版"  # the cache's copy, as without the memo
    cache.clear()  # another process's doing: the shared cache lost the fragment
    clock[0] += 0.5
    assert _render("第二版") == "第一版"  # still this process's memory
    clock[0] += 0.6
    assert _render("第二版") == "第二版"  # the window is over: rendered afresh


def test_a_new_site_version_is_a_new_fragment_at_once(memo, clock):
    version = site_version_get()
    assert _render("旧", version) == "旧"
    site_version_bump()
    assert _render("新", site_version_get()) == "新"


def test_a_fragment_written_or_deleted_here_is_forgotten_here(memo, clock):
    fragments = caches["template_fragments"]
    fragments.set("k", "一")
    assert fragments.get("k") == "一"
    fragments.set("k", "二")
    assert fragments.get("k") == "二"
    fragments.delete("k")
    assert fragments.get("k") is None
    assert fragments.add("k", "三") is True
    assert fragments.get("k") == "三"
    assert fragments.has_key("k")
    fragments.clear()
    assert fragments.get("k", "无") == "无"
    assert _stored_keys() == []


def test_with_the_memo_off_every_read_goes_to_the_cache(settings, clock):
    settings.ZIXUN_PAGE_MEMO_SECONDS = 0
    assert _render("第一版") == "第一版"
    cache.clear()
    assert _render("第二版") == "第二版"
    assert _stored_keys() == []
