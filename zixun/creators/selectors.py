from __future__ import annotations

from django.db.models import QuerySet

from zixun.accounts.models import User
from zixun.creators.models import Application, Creator


def creator_get(*, creator_id: int) -> Creator | None:
    return Creator.objects.filter(pk=creator_id).first()


def creator_list_for_member(*, user: User) -> list[Creator]:
    return list(Creator.objects.filter(members=user).order_by("id"))


def creator_suspended_for_member(*, user: User) -> Creator | None:
    """A suspended account the user is a member of, if any: its members do not comment."""
    return Creator.objects.filter(members=user, is_suspended=True).order_by("id").first()


def creator_get_for_member(*, user: User, creator_id: int) -> Creator:
    """An account the user runs (or any account, for an editor); raises Creator.DoesNotExist."""
    queryset = Creator.objects.all() if user.is_editor else Creator.objects.filter(members=user)
    return queryset.get(pk=creator_id)


def application_list_for_applicant(*, user: User) -> list[Application]:
    return list(Application.objects.filter(applicant=user).select_related("channel", "creator"))


def application_list_pending() -> QuerySet[Application]:
    """The review queue, oldest first."""
    return (
        Application.objects.filter(status=Application.Status.PENDING)
        .select_related("applicant", "channel")
        .order_by("created_at", "id")
    )


def application_get_for_review(*, user: User, application_id: int) -> Application:
    """Raises Application.DoesNotExist unless the user is an editor."""
    if not user.is_editor:
        raise Application.DoesNotExist
    return Application.objects.select_related("applicant", "channel", "creator").get(
        pk=application_id
    )


def application_get_for_applicant_or_editor(*, user: User, application_id: int) -> Application:
    """Raises Application.DoesNotExist unless the user filed it or is an editor."""
    applications = Application.objects.all()
    if not user.is_editor:
        applications = applications.filter(applicant_id=user.pk)
    return applications.get(pk=application_id)


def creator_is_followed(*, user: User, creator: Creator) -> bool:
    from zixun.creators.models import Follow

    return Follow.objects.filter(user=user, creator=creator).exists()
