import json

import pytest

from zixun.channels.models import Channel
from zixun.channels.selectors import (
    BAD_MAP_FILE,
    UNKNOWN_CHANNEL,
    channel_get_active,
    channel_list_nav,
    channel_resolver,
)
from zixun.core.testing import exactly

pytestmark = pytest.mark.django_db


def slug_of(resolve, category):
    return resolve(category).slug


@pytest.mark.parametrize(
    ("category", "slug"),
    [
        ("体育", "sports"),  # a channel's own name
        ("sports", "sports"),  # a channel's own slug
        (" 财经\n", "money"),  # surrounding space is ignored
        ("国际资讯", "world"),  # the built-in map: CCTV topic tags
        ("科技成就", "tech"),
        ("股票", "money"),  # the built-in map: portal channel labels
        ("电竞", "game"),
        ("家居", "house"),
    ],
)
def test_resolver_maps_names_slugs_and_the_built_in_categories(category, slug):
    assert slug_of(channel_resolver(), category) == slug


@pytest.mark.parametrize("category", ["从没见过的分类", "", "Sports", "体 育"])
def test_resolver_sends_anything_else_to_the_fallback_channel(category):
    assert slug_of(channel_resolver(), category) == "news"


def test_extra_entries_override_the_built_in_map():
    resolve = channel_resolver(extra={"股票": "tech", "新能源": "汽车"})
    assert slug_of(resolve, "股票") == "tech"
    assert slug_of(resolve, "新能源") == "auto"  # a target may be a channel's name
    assert slug_of(resolve, "证券") == "money"  # the rest of the built-in map stays


def test_the_category_map_file_adds_entries_and_extra_wins_over_it(settings, tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"新能源": "auto", "股票": "tech"}), encoding="utf-8")
    settings.ZIXUN_CATEGORY_MAP_FILE = str(path)
    resolve = channel_resolver(extra={"股票": "edu"})
    assert slug_of(resolve, "新能源") == "auto"
    assert slug_of(resolve, "股票") == "edu"


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"股票": 3}'])
def test_a_bad_category_map_file_is_refused(settings, tmp_path, content):
    path = tmp_path / "map.json"
    path.write_text(content, encoding="utf-8")
    settings.ZIXUN_CATEGORY_MAP_FILE = str(path)
    with pytest.raises(ValueError, match=exactly(BAD_MAP_FILE)):
        channel_resolver()


def test_a_map_naming_an_unknown_channel_is_refused():
    with pytest.raises(ValueError, match=exactly(UNKNOWN_CHANNEL, slug="nope")):
        channel_resolver(extra={"股票": "nope"})


def test_a_built_in_entry_for_a_removed_channel_goes_to_the_fallback():
    Channel.objects.filter(slug="game").delete()
    assert slug_of(channel_resolver(), "电竞") == "news"


def test_without_the_fallback_channel_the_first_channel_takes_the_rest():
    Channel.objects.filter(slug="news").delete()
    Channel.objects.filter(slug="edu").update(position=0)
    resolve = channel_resolver()
    assert slug_of(resolve, "从没见过的分类") == "edu"
    assert slug_of(resolve, "民生") == "edu"  # its built-in target is gone too


def test_without_any_channel_the_resolver_cannot_be_built():
    Channel.objects.all().delete()
    with pytest.raises(ValueError, match=exactly(UNKNOWN_CHANNEL, slug="news")):
        channel_resolver()


def test_the_resolver_reads_the_channels_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        resolve = channel_resolver()
        [resolve(category) for category in ("体育", "股票", "未知", "world")]


def test_nav_lists_the_active_channels_in_menu_order(django_assert_num_queries):
    # given: an editor hid two channels and moved two others
    Channel.objects.filter(slug__in=["war", "house"]).update(is_active=False)
    Channel.objects.filter(slug="culture").update(position=1)
    Channel.objects.filter(slug="news").update(position=999)
    # when
    with django_assert_num_queries(1):
        nav = channel_list_nav()
    # then: by position, then by id for equal positions
    expected = list(
        Channel.objects.filter(is_active=True)
        .order_by("position", "id")
        .values_list("slug", flat=True)
    )
    assert [c.slug for c in nav] == expected
    assert len(nav) == 16
    assert nav[0].slug == "culture"
    assert nav[-1].slug == "news"
    assert {"war", "house"}.isdisjoint(c.slug for c in nav)


def test_nav_breaks_equal_positions_by_creation_order():
    Channel.objects.update(position=5)
    nav = channel_list_nav()
    assert [c.pk for c in nav] == sorted(c.pk for c in nav)


def test_get_active_finds_an_active_channel_by_slug():
    sports = channel_get_active(slug="sports")
    assert sports is not None
    assert (sports.slug, sports.name) == ("sports", "体育")


@pytest.mark.parametrize("slug", ["nope", "体育", "", "SPORTS"])
def test_get_active_is_none_for_an_unknown_slug(slug):
    assert channel_get_active(slug=slug) is None


def test_get_active_is_none_for_a_hidden_channel():
    Channel.objects.filter(slug="war").update(is_active=False)
    assert channel_get_active(slug="war") is None
