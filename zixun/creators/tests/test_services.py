import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from zixun.core.testing import exactly
from zixun.creators.models import Creator, Follow
from zixun.creators.services import (
    CREATOR_NAME_INVALID,
    CreatorError,
    creator_followers_recount,
    creator_get_or_create,
)
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_follower_recount_rebuilds_the_counter_from_rows():
    # given two follows and a drifted counter, and an account that is right
    creator, other = CreatorFactory(), CreatorFactory()
    for n in range(2):
        Follow.objects.create(
            user=get_user_model().objects.create(username=f"r{n}"), creator=creator
        )
    Creator.objects.filter(pk=creator.pk).update(follower_count=7)
    # when recounted, then only the drifted account changes, to the rows
    assert creator_followers_recount() == 1
    creator.refresh_from_db()
    other.refresh_from_db()
    assert (creator.follower_count, other.follower_count) == (2, 0)
    assert creator_followers_recount(creator_ids=[creator.pk]) == 0


def test_get_or_create_keeps_the_existing_account():
    first = creator_get_or_create(name=" 金台资讯 ", verification_label="人民网官方网易号")
    again = creator_get_or_create(name="金台资讯", verification_label="别的标签")
    assert again.pk == first.pk
    assert again.verification_label == "人民网官方网易号"


@pytest.mark.parametrize("name", ["", "   ", "名" * 31])
def test_account_names_are_checked(name):
    with pytest.raises(CreatorError, match=exactly(CREATOR_NAME_INVALID)):
        creator_get_or_create(name=name)


def test_unknown_account_type_becomes_other():
    assert creator_get_or_create(name="某号", account_type="alien").account_type == "other"


def test_a_reader_follows_an_account_once():
    creator = CreatorFactory()
    user = get_user_model().objects.create(username="reader")
    Follow.objects.create(user=user, creator=creator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=user, creator=creator)
