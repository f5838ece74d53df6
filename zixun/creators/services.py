from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zixun.accounts.models import User
from zixun.core.counters import counted_row_set
from zixun.creators.idcard import (
    IdNumberError,
    id_number_fingerprint,
    id_number_mask,
    id_number_validate,
)
from zixun.creators.models import Application, Creator, Follow
from zixun.moderation.services import audit_record

CREATOR_NAME_INVALID = "账号名称须为 1–30 个字符 / An account name has 1 to 30 characters"


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
        raise ValueError(CREATOR_NAME_INVALID)
    if account_type not in Creator.AccountType.values:
        account_type = Creator.AccountType.OTHER
    creator, _ = Creator.objects.get_or_create(
        name=name,
        defaults={
            "verification_label": verification_label[:40],
            "account_type": account_type,
            "bio": bio[:300],
        },
    )
    return creator


@transaction.atomic
def creators_recount(*, creator_ids: Iterable[int] | None = None) -> int:
    """Recompute article and follower counts from rows; returns how many accounts changed."""
    from zixun.articles.models import Article  # articles depends on creators, not back

    creators = Creator.objects.select_for_update().order_by("id")
    if creator_ids is not None:
        creators = creators.filter(id__in=list(creator_ids))
    changed = 0
    for creator in creators:
        articles = Article.objects.filter(
            creator=creator, status=Article.Status.PUBLISHED, deleted_at__isnull=True
        ).count()
        followers = Follow.objects.filter(creator=creator).count()
        if (articles, followers) != (creator.article_count, creator.follower_count):
            creator.article_count, creator.follower_count = articles, followers
            creator.save(update_fields=["article_count", "follower_count", "updated_at"])
            changed += 1
    return changed


# 申请入驻 ------------------------------------------------------------------------------------

APPLICATION_PENDING_EXISTS = "你已有一份申请在审核中 / You already have an application under review"
APPLICATION_TOO_MANY = "申请次数已达上限（{limit} 次）/ You have used all {limit} attempts"
APPLICATION_ID_TAKEN = (
    "该身份证号已开通账号或有申请在审核中 / This ID number already has an account or an application"
)
APPLICATION_NAME_TAKEN = "账号名称已被使用 / This account name is taken"
APPLICATION_FIELD_REQUIRED = "请填写{name} / {name_en} is required"
APPLICATION_TOO_LONG = "{name}不能超过 {limit} 个字符 / {name_en} has at most {limit} characters"
APPLICATION_CREDENTIALS_REQUIRED = "媒体、企业、政务账号须上传资质证明 / Media, business and government accounts must upload credentials"
APPLICATION_CREDENTIALS_INVALID = "资质证明须为 PDF 或图片，不超过 {limit} MB / Credentials must be a PDF or an image of at most {limit} MB"
APPLICATION_NOT_PENDING = "这份申请已审核过 / This application has already been reviewed"
APPLICATION_REASON_REQUIRED = "请写明未通过的理由 / Give the reason for the rejection"
APPLICATION_CHANNEL_INVALID = "请选择一个领域 / Choose a field"
APPLICATION_EDITORS_ONLY = "只有编辑可以审核申请 / Only editors review applications"
NEEDS_CREDENTIALS = {
    Creator.AccountType.MEDIA,
    Creator.AccountType.ENTERPRISE,
    Creator.AccountType.GOVERNMENT,
}


class ApplicationError(ValueError):
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


def _required(value: str, name: str, name_en: str, limit: int) -> str:
    value = " ".join(value.split())
    if not value:
        raise ApplicationError(APPLICATION_FIELD_REQUIRED.format(name=name, name_en=name_en))
    if len(value) > limit:
        raise ApplicationError(APPLICATION_TOO_LONG.format(name=name, name_en=name_en, limit=limit))
    return value


def _credentials_extension(data: bytes) -> str:
    """'.pdf', or the image's extension; raises for anything else (checked by content)."""
    limit = settings.ZIXUN_UPLOAD_MAX_BYTES // (1024 * 1024)
    if len(data) > settings.ZIXUN_UPLOAD_MAX_BYTES:
        raise ApplicationError(APPLICATION_CREDENTIALS_INVALID.format(limit=limit))
    if data.startswith(b"%PDF-"):
        return ".pdf"
    from zixun.articles.media import ImageError, image_process

    try:
        processed = image_process(
            data, max_bytes=settings.ZIXUN_UPLOAD_MAX_BYTES,
            max_pixels=settings.ZIXUN_UPLOAD_MAX_PIXELS, widths=(),
        )  # fmt: skip
    except ImageError as error:
        raise ApplicationError(APPLICATION_CREDENTIALS_INVALID.format(limit=limit)) from error
    return f".{processed.original.extension}"


@transaction.atomic
def application_submit(*, applicant: User, data: ApplicationInput) -> Application:
    """File an application (申请入驻); every rule a careless or hostile applicant meets
    gets its own message, and nothing is stored unless all of them pass."""
    from zixun.articles.media import ImageError, image_process
    from zixun.channels.models import Channel

    # Lock the applicant's row so that two quick submissions cannot both pass the limits.
    User.objects.select_for_update().filter(pk=applicant.pk).first()
    mine = Application.objects.filter(applicant=applicant)
    if mine.filter(status=Application.Status.PENDING).exists():
        raise ApplicationError(APPLICATION_PENDING_EXISTS)
    limit = settings.ZIXUN_APPLY_MAX_ATTEMPTS
    if mine.count() >= limit:
        raise ApplicationError(APPLICATION_TOO_MANY.format(limit=limit))
    if data.account_type not in Creator.AccountType.values:
        raise ApplicationError(APPLICATION_FIELD_REQUIRED.format(name="账号类型", name_en="Type"))
    name = _required(data.account_name, "账号名称", "Account name", 30)
    introduction = _required(data.introduction, "简介", "Introduction", 300)
    operator = _required(data.operator_name, "运营者姓名", "Operator's name", 30)
    channel = Channel.objects.filter(pk=data.channel_id or 0, is_active=True).first()
    if channel is None:
        raise ApplicationError(APPLICATION_CHANNEL_INVALID)
    try:
        id_number = id_number_validate(data.id_number)
    except IdNumberError as error:
        raise ApplicationError(str(error)) from error
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
    application = Application(
        applicant=applicant,
        account_type=data.account_type,
        account_name=name,
        introduction=introduction,
        channel=channel,
        operator_name=operator,
        id_number_masked=id_number_mask(id_number),
        id_fingerprint=fingerprint,
    )
    if data.avatar:
        try:
            avatar = image_process(
                data.avatar, max_bytes=settings.ZIXUN_UPLOAD_MAX_BYTES,
                max_pixels=settings.ZIXUN_UPLOAD_MAX_PIXELS, widths=(),
            )  # fmt: skip
        except ImageError as error:
            raise ApplicationError(str(error)) from error
        application.avatar.save(
            f"avatar.{avatar.original.extension}", ContentFile(avatar.original.content), save=False
        )
    if data.credentials:
        extension = _credentials_extension(data.credentials)
        application.credentials.save(
            f"credentials{extension}", ContentFile(data.credentials), save=False
        )
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


class FollowError(ValueError):
    pass


FOLLOW_UNAVAILABLE = "账号不存在或已被停用 / The account does not exist or is suspended"
FOLLOW_SELF = "不能关注自己运营的账号 / You cannot follow an account you run"


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
        counted=Creator.objects.filter(pk=creator_id),
        field="follower_count",
    )


def creator_follow(*, user: User, creator_id: int) -> int:
    return _follow_toggle(user=user, creator_id=creator_id, on=True)


def creator_unfollow(*, user: User, creator_id: int) -> int:
    return _follow_toggle(user=user, creator_id=creator_id, on=False)
