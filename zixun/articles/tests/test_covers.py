"""``media_url`` gives the storage's own URL for every name, the short way or the usual."""

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import override_settings

from zixun.articles.covers import cover_of, media_url

NAMES = [
    "covers/2026/12/a1b2c3-320.webp",
    "covers/2026/12/封面 图片-960.jpg",
    "covers/100%/x?y#z.png",
    "covers/a:b;c,d&e=f+g$h@i.png",
    "covers/it's (1) ~*!.png",
    'covers/"quoted"<tag>.png',
    "covers/emoji-😀.png",
    "/leading/slash.png",
    "a/../b.png",
    "./here.png",
    ".hidden/x.png",
    "back\\slash.png",
    "",
]


@pytest.fixture
def file_system_storage(tmp_path):
    """The production storage (the tests' settings keep files in memory)."""
    backend = "django.core.files.storage.FileSystemStorage"
    with override_settings(STORAGES={"default": {"BACKEND": backend}}, MEDIA_ROOT=tmp_path):
        assert isinstance(default_storage, FileSystemStorage)
        yield


@pytest.mark.parametrize("name", NAMES)
def test_media_url_is_the_storage_url(file_system_storage, name):
    assert media_url(name) == default_storage.url(name)


@pytest.mark.parametrize("base", ["https://cdn.example.com/m/", "//static.example.org/", "/"])
def test_media_url_follows_a_changed_media_url(file_system_storage, base):
    with override_settings(MEDIA_URL=base):
        for name in NAMES:
            assert media_url(name) == default_storage.url(name), name


def test_another_storage_is_asked_for_its_url():  # the tests' InMemoryStorage
    for name in NAMES[:3]:
        assert media_url(name) == default_storage.url(name)


def test_a_cover_lists_its_renditions_narrowest_first(file_system_storage):
    cover = cover_of(
        name="covers/x.jpg", width=2000, height=1000, alt="",
        renditions={"960": "covers/x-960.jpg", "320": "covers/x-320.jpg", "blur": "covers/b.jpg"},
    )  # fmt: skip
    assert cover is not None
    assert cover.src == default_storage.url("covers/x-320.jpg")
    assert cover.srcset == ", ".join(
        f"{default_storage.url(n)} {w}w"
        for n, w in [("covers/x-320.jpg", 320), ("covers/x-960.jpg", 960), ("covers/x.jpg", 2000)]
    )
    assert (cover.width, cover.height) == (320, 160)
