from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from zixun.accounts.models import User
from zixun.audit.services import audit_record
from zixun.channels.models import Channel
from zixun.core.counters import counted_row_set
from zixun.core.errors import ServiceError
from zixun.core.images import ImageError, image_format_sniff, image_process
from zixun.core.moderation import moderation_backend
from zixun.core.search import search_backend
from zixun.core.sitecache import site_version_bump
from zixun.creators.credentials import PDF_SIGNATURE, pdf_is_inert
from zixun.creators.idcard import (
    IdNumberError,
    id_number_fingerprint,
    id_number_mask,
    id_number_validate,
)
from zixun.creators.models import Application, ApplicationAttempt, Creator, Follow
from zixun.events.services import Kind, event_record

# Avatars are shown at most 88 px wide; 240 px covers screens of up to 2.7x density.
AVATAR_SIDE = 240
CREATOR_NAME_INVALID = _("账号名称须为 1–30 个字符")
APPLICATION_BLOCKED = _("%(field)s含有“%(rule)s”词库中的违规内容，请修改")
SUSPEND_REASON_REQUIRED = _("请写明封禁理由")
SUSPEND_UNTIL_PAST = _("封禁结束时间须晚于现在")
EDITORS_ONLY = _("只有编辑可以这样做")


class CreatorError(ServiceError):
    pass


def creator_get_or_create(
    *,
    name: str,
    verification_label: str = "",
    account_type: str = Creator.AccountType.MEDIA,
    bio: str = "",
) -> Creator:
    """The account called ``name``, created with these details if it does not exist yet."""
    name = name.strip()
    if not 1 <= len(name) <= 30:
        raise CreatorError(CREATOR_NAME_INVALID)
    if account_type not in Creator.AccountType.values:
        account_type = Creator.AccountType.OTHER
    creator, created = Creator.objects.get_or_create(
        name=name,
        defaults={
            "verification_label": verification_label[:40],
            "account_type": account_type,
            "bio": bio[:300],
        },
    )
    if created:
        _index_account(creator.pk)
    return creator


def _index_account(creator_id: int) -> None:
    """After the commit, the account's name becomes searchable (by name and pinyin)."""
    transaction.on_commit(partial(search_backend().index_creators, creator_ids=[creator_id]))


@transaction.atomic
def creator_followers_recount(*, creator_ids: Iterable[int] | None = None) -> int:
    """Recompute 关注度 (follower counts) from the follow rows; returns how many accounts changed."""
    followers = (
        Follow.objects.filter(creator=OuterRef("pk"))
        .order_by()
        .values("creator")
        .annotate(n=Count("pk"))
        .values("n")
    )
    creators = Creator.objects.all()
    if creator_ids is not None:
        creators = creators.filter(pk__in=list(creator_ids))
    list(creators.select_for_update().order_by("pk").values_list("pk", flat=True))
    stale = creators.annotate(actual=Coalesce(Subquery(followers), 0)).exclude(
        follower_count=F("actual")
    )
    return Creator.objects.filter(pk__in=stale.values("pk")).update(
        follower_count=Coalesce(Subquery(followers), 0), updated_at=timezone.now()
    )


@transaction.atomic
def creator_article_counts_set(
    *, counts: dict[int, int], creator_ids: Iterable[int] | None = None
) -> int:
    """Set 文章数, which the articles app computes and owns: ``counts`` for the accounts
    in it, 0 for the other accounts of ``creator_ids`` (every account when None).
    Returns how many accounts changed."""
    creators = Creator.objects.select_for_update().order_by("pk")
    if creator_ids is not None:
        creators = creators.filter(pk__in=list(creator_ids))
    changed = 0
    now = timezone.now()
    for pk, current in creators.values_list("pk", "article_count"):
        wanted = counts.get(pk, 0)
        if wanted != current:
            Creator.objects.filter(pk=pk).update(article_count=wanted, updated_at=now)
            changed += 1
    return changed


# 申请入驻 ------------------------------------------------------------------------------------

APPLICATION_PENDING_EXISTS = _("你已有一份申请在审核中")
APPLICATION_TOO_MANY = _("申请次数已达上限（%(limit)s 次）")
APPLICATION_ID_TAKEN = _("该身份证号已开通账号或有申请在审核中")
APPLICATION_NAME_TAKEN = _("账号名称已被使用")
APPLICATION_FIELD_REQUIRED = _("请填写%(name)s")
APPLICATION_TOO_LONG = _("%(name)s不能超过 %(limit)s 个字符")
APPLICATION_CREDENTIALS_REQUIRED = _("媒体、企业、政务账号须上传资质证明")
APPLICATION_CREDENTIALS_INVALID = _("资质证明须为 PDF 或图片，不超过 %(limit)s MB")
APPLICATION_CREDENTIALS_ACTIVE = _(
    "资质证明 PDF 含有脚本、附件或无法检查的内容，请另存为普通 PDF 或上传图片"
)
APPLICATION_SUSPENDED = _("你运营的账号已被停用，停用期间不能申请入驻")
APPLICATION_NOT_PENDING = _("这份申请已审核过")
APPLICATION_REASON_REQUIRED = _("请写明未通过的理由")
APPLICATION_CHANNEL_INVALID = _("请选择一个领域")
APPLICATION_EDITORS_ONLY = _("只有编辑可以审核申请")
FIELD_ACCOUNT_TYPE = _("账号类型")
FIELD_ACCOUNT_NAME = _("账号名称")
FIELD_INTRODUCTION = _("简介")
FIELD_OPERATOR = _("运营者姓名")
NEEDS_CREDENTIALS = {
    Creator.AccountType.MEDIA,
    Creator.AccountType.ENTERPRISE,
    Creator.AccountType.GOVERNMENT,
}


class ApplicationError(ServiceError):
    pass


@dataclass(frozen=True)
class ApplicationInput:
    account_type: str
    account_name: str
    introduction: str
    channel_id: int | None
    operator_name: str
    id_number: str
    avatar: bytes | None = None
    credentials: bytes | None = None
    credentials_name: str = ""


def _required(value: str, name: Promise, limit: int) -> str:
    value = " ".join(value.split())
    if not value:
        raise ApplicationError(APPLICATION_FIELD_REQUIRED, name=name)
    if len(value) > limit:
        raise ApplicationError(APPLICATION_TOO_LONG, name=name, limit=limit)
    return value


def _credentials_checked(data: bytes) -> None:
    """The cheap checks of a credentials file: its size and type by content, and for a PDF
    the scan for active content (``credentials.py``). An image is decoded later."""
    limit = settings.ZIXUN_UPLOAD_MAX_BYTES // (1024 * 1024)
    if len(data) > settings.ZIXUN_UPLOAD_MAX_BYTES:
        raise ApplicationError(APPLICATION_CREDENTIALS_INVALID, limit=limit)
    if data.startswith(PDF_SIGNATURE):
        if not pdf_is_inert(data):
            raise ApplicationError(APPLICATION_CREDENTIALS_ACTIVE)
        return
    if not image_format_sniff(data):
        raise ApplicationError(APPLICATION_CREDENTIALS_INVALID, limit=limit)


def _credentials_file(data: bytes) -> ContentFile[bytes]:
    """What is stored: the PDF as uploaded (checked inert), or the image re-encoded, which
    drops its metadata (EXIF, GPS) and anything appended to it."""
    if data.startswith(PDF_SIGNATURE):
        return ContentFile(data, name="credentials.pdf")
    try:
        processed = image_process(data, widths=())
    except ImageError as error:
        limit = settings.ZIXUN_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ApplicationError(APPLICATION_CREDENTIALS_INVALID, limit=limit) from error
    original = processed.original
    return ContentFile(original.content, name=f"credentials.{original.extension}")


def _avatar_file(data: bytes) -> ContentFile[bytes]:
    """The avatar cropped square and scaled down once, at upload: it is shown at 56 and 88
    px (twice that on dense screens), and never stretched."""
    try:
        avatar = image_process(data, widths=(), square=AVATAR_SIDE)
    except ImageError as error:
        raise ApplicationError(error.message, **error.params) from error
    return ContentFile(avatar.original.content, name=f"avatar.{avatar.original.extension}")


@dataclass(frozen=True)
class _Checked:
    name: str
    introduction: str
    operator: str
    channel: Channel
    id_number_masked: str
    fingerprint: str


def _application_checked(
    *, applicant: User, data: ApplicationInput, counted: bool = False
) -> _Checked:
    """Every rule that costs no decoding, in the order an applicant can act on them.
    Runs inside the caller's transaction, with the applicant's row locked. ``counted``:
    this submission's attempt is already recorded (and its files already checked)."""
    mine = Application.objects.filter(applicant=applicant)
    if mine.filter(status=Application.Status.PENDING).exists():
        raise ApplicationError(APPLICATION_PENDING_EXISTS)
    if Creator.objects.filter(members=applicant, is_suspended=True).exists():
        raise ApplicationError(APPLICATION_SUSPENDED)
    limit = settings.ZIXUN_APPLY_MAX_ATTEMPTS
    if ApplicationAttempt.objects.filter(applicant=applicant).count() - counted >= limit:
        raise ApplicationError(APPLICATION_TOO_MANY, limit=limit)
    if data.account_type not in Creator.AccountType.values:
        raise ApplicationError(APPLICATION_FIELD_REQUIRED, name=FIELD_ACCOUNT_TYPE)
    name = _required(data.account_name, FIELD_ACCOUNT_NAME, 30)
    introduction = _required(data.introduction, FIELD_INTRODUCTION, 300)
    introduction = _screened(name, introduction)
    operator = _required(data.operator_name, FIELD_OPERATOR, 30)
    channel = Channel.objects.filter(pk=data.channel_id or 0, is_active=True).first()
    if channel is None:
        raise ApplicationError(APPLICATION_CHANNEL_INVALID)
    try:
        id_number = id_number_validate(data.id_number)
    except IdNumberError as error:
        raise ApplicationError(error.message, **error.params) from error
    fingerprint = id_number_fingerprint(id_number, key=settings.SECRET_KEY)
    live = [Application.Status.PENDING, Application.Status.APPROVED]
    taken = Application.objects.filter(id_fingerprint=fingerprint, status__in=live).count()
    if taken >= settings.ZIXUN_ACCOUNTS_PER_ID:
        raise ApplicationError(APPLICATION_ID_TAKEN)
    name_taken = (
        Creator.objects.filter(name=name).exists()
        or Application.objects.filter(account_name=name, status=Application.Status.PENDING).exists()
    )
    if name_taken:
        raise ApplicationError(APPLICATION_NAME_TAKEN)
    if data.account_type in NEEDS_CREDENTIALS and not data.credentials:
        raise ApplicationError(APPLICATION_CREDENTIALS_REQUIRED)
    if not counted and data.avatar and len(data.avatar) > settings.ZIXUN_UPLOAD_MAX_BYTES:
        # The same refusal image_process gives, before the attempt is counted.
        _avatar_file(data.avatar)
    if not counted and data.credentials:
        _credentials_checked(data.credentials)
    return _Checked(
        name=name,
        introduction=introduction,
        operator=operator,
        channel=channel,
        id_number_masked=id_number_mask(id_number),
        fingerprint=fingerprint,
    )


def _screened(name: str, introduction: str) -> str:
    """The keyword filter over an account's name and introduction (every application is
    reviewed anyway): a name is refused for any match (a name is never shown masked), an
    introduction for a blocked word; masked words in it are stored as ＊."""
    backend = moderation_backend()
    verdict = backend.screen(name, field="name")
    if verdict.action in {"block", "mask"}:
        raise ApplicationError(APPLICATION_BLOCKED, field=FIELD_ACCOUNT_NAME, rule=verdict.rule)
    verdict = backend.screen(introduction, field="bio")
    if verdict.action == "block":
        raise ApplicationError(APPLICATION_BLOCKED, field=FIELD_INTRODUCTION, rule=verdict.rule)
    return verdict.text if verdict.action == "mask" else introduction


def application_submit(*, applicant: User, data: ApplicationInput) -> Application:
    """File an application (申请入驻); every rule a careless or hostile applicant meets
    gets its own message, and nothing is stored unless all of them pass.

    Three steps: the cheap checks, which end by counting the attempt (committed on its
    own); the decoding of the avatar and of an image credentials file, outside any
    transaction or lock; then the checks again and the save. A submission refused for its
    files has used an attempt, so it cannot be replayed to make the server decode for free.
    """
    with transaction.atomic():
        # Lock the applicant's row so that two quick submissions cannot both pass the limits.
        User.objects.select_for_update().filter(pk=applicant.pk).first()
        _application_checked(applicant=applicant, data=data)
        ApplicationAttempt.objects.create(applicant=applicant)
    avatar = _avatar_file(data.avatar) if data.avatar else None
    credentials = _credentials_file(data.credentials) if data.credentials else None
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=applicant.pk).first()
        # Another submission may have been filed while the files were decoded.
        checked = _application_checked(applicant=applicant, data=data, counted=True)
        application = Application(
            applicant=applicant,
            account_type=data.account_type,
            account_name=checked.name,
            introduction=checked.introduction,
            channel=checked.channel,
            operator_name=checked.operator,
            id_number_masked=checked.id_number_masked,
            id_fingerprint=checked.fingerprint,
        )
        if avatar is not None:
            application.avatar.save(avatar.name or "avatar", avatar, save=False)
        if credentials is not None:
            application.credentials.save(credentials.name or "credentials", credentials, save=False)
        application.save()
        audit_record(
            actor=applicant, action="application.submit", target=application,
            to_state=Application.Status.PENDING,
        )  # fmt: skip
    return application


def _default_label(application: Application) -> str:
    if application.account_type == Creator.AccountType.PERSONAL:
        return f"{application.channel.name}领域创作者"
    return f"{application.account_name}官方资讯号"


@transaction.atomic
def application_approve(
    *, application: Application, by: User, verification_label: str = ""
) -> Creator:
    """Open the account: the applicant becomes its first member."""
    if not by.is_editor:
        raise PermissionDenied(APPLICATION_EDITORS_ONLY)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.PENDING:
        raise ApplicationError(APPLICATION_NOT_PENDING)
    if Creator.objects.filter(name=application.account_name).exists():
        raise ApplicationError(APPLICATION_NAME_TAKEN)
    creator = Creator.objects.create(
        name=application.account_name,
        bio=application.introduction,
        account_type=application.account_type,
        verification_label=(verification_label.strip() or _default_label(application))[:40],
    )
    if application.avatar:
        with application.avatar.open("rb") as avatar:
            creator.avatar.save(application.avatar.name.rsplit("/", 1)[-1], avatar, save=True)
    creator.members.add(application.applicant)
    application.status = Application.Status.APPROVED
    application.reviewed_by = by
    application.reviewed_at = timezone.now()
    application.creator = creator
    application.save()
    audit_record(
        actor=by, action="application.approve", target=application,
        from_state=Application.Status.PENDING, to_state=Application.Status.APPROVED,
        data={"creator_id": creator.pk},
    )  # fmt: skip
    _index_account(creator.pk)
    return creator


@transaction.atomic
def application_reject(*, application: Application, by: User, reason: str) -> Application:
    if not by.is_editor:
        raise PermissionDenied(APPLICATION_EDITORS_ONLY)
    if not reason.strip():
        raise ApplicationError(APPLICATION_REASON_REQUIRED)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.PENDING:
        raise ApplicationError(APPLICATION_NOT_PENDING)
    application.status = Application.Status.REJECTED
    application.reject_reason = reason.strip()
    application.reviewed_by = by
    application.reviewed_at = timezone.now()
    application.save()
    audit_record(
        actor=by, action="application.reject", target=application,
        from_state=Application.Status.PENDING, to_state=Application.Status.REJECTED,
        reason=application.reject_reason,
    )  # fmt: skip
    return application


# 关注 ----------------------------------------------------------------------------------------


class FollowError(ServiceError):
    pass


FOLLOW_UNAVAILABLE = _("账号不存在或已被停用")
FOLLOW_SELF = _("不能关注自己运营的账号")


def _follow_toggle(*, user: User, creator_id: int, on: bool) -> int:
    """Follow or unfollow; the follower count moves only when the row really changes."""
    creator = Creator.objects.filter(pk=creator_id).first()
    if creator is None or (on and creator.is_suspended):
        raise FollowError(FOLLOW_UNAVAILABLE)
    if on and creator.members.filter(pk=user.pk).exists():
        raise FollowError(FOLLOW_SELF)
    return counted_row_set(
        on=on,
        rows=Follow.objects.all(),
        values={"user": user, "creator": creator},
        move=partial(_follower_count_add, creator_id, user.pk),
    )


def _follower_count_add(creator_id: int, user_id: int, delta: int) -> int:
    creators = Creator.objects.filter(pk=creator_id)
    if delta:
        creators.update(follower_count=F("follower_count") + delta)
        kind = Kind.FOLLOW if delta > 0 else Kind.UNFOLLOW
        event_record(kind, user_id=user_id, creator_id=creator_id)
    value: int = creators.values_list("follower_count", flat=True).get()
    return value


def creator_follow(*, user: User, creator_id: int) -> int:
    return _follow_toggle(user=user, creator_id=creator_id, on=True)


def creator_unfollow(*, user: User, creator_id: int) -> int:
    return _follow_toggle(user=user, creator_id=creator_id, on=False)


# When a user leaves (注销): called by the privacy app, in its transaction -----------------------


def follows_release(*, user: User) -> int:
    """Delete the user's follows and set the follower counts they touched from the rows that
    remain (so the counters end equal to the rows, even if they had drifted); returns how
    many follows went. The accounts are locked first: a concurrent follow either
    committed before the lock (and is counted) or moves its counter afterwards."""
    followed = Follow.objects.filter(user=user).values("creator_id")
    creators = Creator.objects.filter(pk__in=followed)
    list(creators.select_for_update().order_by("pk").values_list("pk", flat=True))
    others = (
        Follow.objects.filter(creator=OuterRef("pk"))
        .exclude(user=user)
        .order_by()
        .values("creator")
        .annotate(n=Count("pk"))
        .values("n")
    )
    creators.update(follower_count=Coalesce(Subquery(others), 0))
    deleted, _ = Follow.objects.filter(user=user).delete()
    return deleted


def memberships_release(*, user: User) -> tuple[list[int], list[int]]:
    """Remove the user from every account they run; returns (those accounts, the ones
    left without any member, for editors to handle)."""
    memberships = list(Creator.objects.filter(members=user).values_list("pk", flat=True))
    user.creators.clear()
    orphaned = list(
        Creator.objects.filter(pk__in=memberships, members__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return memberships, orphaned


def _delete_files(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def applications_delete(*, user: User) -> int:
    """Applications hold the applicant's identity (masked ID, operator name, credentials):
    they go with the account, files included (after the commit). Their audit entries stay."""
    applications = list(Application.objects.filter(applicant=user))
    for field in ("avatar", "credentials"):
        files = [getattr(a, field) for a in applications if getattr(a, field)]
        if files:
            names = [file.name for file in files]
            transaction.on_commit(partial(_delete_files, files[0].storage, names))
    deleted, _ = Application.objects.filter(applicant=user).delete()
    return deleted


# 封禁 (suspension) -----------------------------------------------------------------------------


@transaction.atomic
def creator_suspend(*, creator: Creator, by: User, reason: str, until: datetime | None) -> Creator:
    """Suspend an account (its members publish and comment nothing, nobody can follow it)
    until ``until`` (None: until lifted). A suspension for a period ends by itself:
    ``creator_suspensions_end`` (a task at ``until`` and the worker's sweep)."""
    if not by.is_editor:
        raise PermissionDenied(EDITORS_ONLY)
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise CreatorError(SUSPEND_REASON_REQUIRED)
    if until is not None and until <= timezone.now():
        raise CreatorError(SUSPEND_UNTIL_PAST)
    creator = Creator.objects.select_for_update().get(pk=creator.pk)
    previous = "suspended" if creator.is_suspended else "active"
    creator.is_suspended, creator.suspended_until, creator.suspension_reason = True, until, reason
    creator.save(
        update_fields=["is_suspended", "suspended_until", "suspension_reason", "updated_at"]
    )
    audit_record(actor=by, action="creator.suspend", target=creator, from_state=previous,
                 to_state="suspended", reason=reason,
                 data={"until": until.isoformat() if until else None})  # fmt: skip
    if until is not None:
        transaction.on_commit(partial(_enqueue_suspension_end, when=until, creator_id=creator.pk))
    transaction.on_commit(partial(_index_account, creator.pk))
    return creator


@transaction.atomic
def creator_unsuspend(*, creator: Creator, by: User | None, reason: str = "") -> bool:
    """Lift a suspension (an editor, an upheld appeal, or the end of its period: ``by`` None)."""
    if by is not None and not by.is_editor:
        raise PermissionDenied(EDITORS_ONLY)
    creator = Creator.objects.select_for_update().get(pk=creator.pk)
    if not creator.is_suspended:
        return False
    creator.is_suspended, creator.suspended_until, creator.suspension_reason = False, None, ""
    creator.save(
        update_fields=["is_suspended", "suspended_until", "suspension_reason", "updated_at"]
    )
    audit_record(actor=by, action="creator.unsuspend", target=creator, from_state="suspended",
                 to_state="active", reason=reason)  # fmt: skip
    transaction.on_commit(partial(_index_account, creator.pk))
    return True


def creator_suspensions_end() -> int:
    """End every suspension whose period is over; returns how many (idempotent)."""
    due = Creator.objects.filter(is_suspended=True, suspended_until__lte=timezone.now())
    return sum(creator_unsuspend(creator=c, by=None, reason="period over") for c in due)


def _enqueue_suspension_end(*, when: datetime, creator_id: int) -> None:
    from django_tasks import default_task_backend

    if default_task_backend.supports_defer:
        creator_suspension_end_task.using(run_after=when).enqueue(creator_id=creator_id)


@task()
def creator_suspension_end_task(*, creator_id: int) -> bool:
    """Lift the account's suspension if its period is over (a later change of ``until`` wins)."""
    creator = Creator.objects.filter(
        pk=creator_id, is_suspended=True, suspended_until__lte=timezone.now()
    ).first()
    return creator is not None and creator_unsuspend(creator=creator, by=None, reason="period over")


# RSS 全文 (feeds) ------------------------------------------------------------------------------

MEMBERS_ONLY = _("只有账号成员可以这样做")


@transaction.atomic
def creator_feed_full_text_set(*, creator: Creator, by: User, on: bool) -> bool:
    """Whether the account's articles go into RSS and Atom feeds in full (全文) or as their
    summary; a member's choice. Returns whether it changed. The cached feeds are rebuilt on
    their next read (a new site version)."""
    creator = Creator.objects.select_for_update().get(pk=creator.pk)
    if not creator.members.filter(pk=by.pk).exists():
        raise PermissionDenied(MEMBERS_ONLY)
    if creator.feed_full_text == on:
        return False
    creator.feed_full_text = on
    creator.save(update_fields=["feed_full_text", "updated_at"])
    state = {True: "full_text", False: "summary"}
    audit_record(actor=by, action="creator.feed_full_text", target=creator,
                 from_state=state[not on], to_state=state[on])  # fmt: skip
    transaction.on_commit(site_version_bump)
    return True
