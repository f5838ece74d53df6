"""The default channels: the data migration creates them, and channel_defaults_ensure
(which it calls) fills in the missing ones without touching an editor's changes."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from zixun.channels.models import Channel
from zixun.channels.services import channel_defaults_ensure

pytestmark = pytest.mark.django_db

# The menu as a new site starts, written out here rather than read from defaults.py.
MENU = [
    ("news", "头条", "Headlines"),
    ("world", "国际", "World"),
    ("sports", "体育", "Sports"),
    ("ent", "娱乐", "Entertainment"),
    ("money", "财经", "Finance"),
    ("tech", "科技", "Technology"),
    ("auto", "汽车", "Autos"),
    ("health", "健康", "Health"),
    ("mobile", "手机", "Mobile"),
    ("digi", "数码", "Digital"),
    ("fashion", "时尚", "Fashion"),
    ("art", "艺术", "Art"),
    ("edu", "教育", "Education"),
    ("travel", "旅游", "Travel"),
    ("war", "军事", "Military"),
    ("house", "房产", "Property"),
    ("game", "游戏", "Games"),
    ("culture", "文化", "Culture"),
]
HIGHLIGHTED = {"news", "sports", "ent", "money", "tech", "auto"}  # 头条要闻, 体育要闻 …
ORIGINAL_CATEGORIES = {"health", "mobile", "digi", "fashion", "art"}  # 态度原创 tabs


def assert_default_menu():
    rows = list(
        Channel.objects.order_by("position", "id").values_list(
            "slug", "name", "name_en", "is_active", "is_highlighted", "is_original_category"
        )
    )
    assert len(rows) == 18
    assert [row[:3] for row in rows] == MENU
    assert all(row[3] for row in rows)  # every channel is in the menu
    assert {row[0] for row in rows if row[4]} == HIGHLIGHTED
    assert {row[0] for row in rows if row[5]} == ORIGINAL_CATEGORIES


def test_a_migrated_database_has_the_eighteen_default_channels():
    assert_default_menu()
    positions = list(Channel.objects.values_list("position", flat=True))
    assert len(set(positions)) == 18  # a distinct place in the menu each


def test_the_migration_creates_the_channels_with_its_historical_model():
    # given: a database without channels, and the app registry as of the migration
    Channel.objects.all().delete()
    migration = importlib.import_module("zixun.channels.migrations.0002_default_channels")
    state = MigrationLoader(connection).project_state(("channels", "0002_default_channels"))
    # when
    migration.add_default_channels(state.apps, None)
    # then
    assert_default_menu()


def test_ensure_creates_only_the_missing_channels_and_keeps_edits():
    # given: an editor renamed one channel, hid another and deleted a third
    Channel.objects.filter(slug="sports").update(name="运动", is_highlighted=False)
    Channel.objects.filter(slug="war").update(is_active=False)
    Channel.objects.filter(slug="game").delete()
    # when
    created = channel_defaults_ensure()
    # then: only the deleted one came back, as a default
    assert created == 1
    assert Channel.objects.count() == 18
    game = Channel.objects.get(slug="game")
    assert (game.name, game.is_active, game.is_highlighted) == ("游戏", True, False)
    sports = Channel.objects.get(slug="sports")
    assert (sports.name, sports.is_highlighted) == ("运动", False)
    assert not Channel.objects.get(slug="war").is_active
    assert channel_defaults_ensure() == 0
