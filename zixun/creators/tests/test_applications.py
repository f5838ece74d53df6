import io
import zlib

import pytest
from django.core.exceptions import PermissionDenied
from PIL import Image as PILImage

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.tests.factories import channel
from zixun.audit.models import AuditEntry
from zixun.core.testing import exactly
from zixun.creators import services
from zixun.creators.models import Application, Creator
from zixun.creators.services import ApplicationError, ApplicationInput
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17="11010519491231002"):
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def png(size=(64, 64)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def application_input(**changes):
    data = {
        "account_type": Creator.AccountType.PERSONAL,
        "account_name": "江畔观察",
        "introduction": "关注城市生活的个人创作者",
        "channel_id": channel("news").pk,
        "operator_name": "林一",
        "id_number": id_number(),
    }
    data.update(changes)
    return ApplicationInput(**data)


def test_an_application_stores_only_a_masked_id_number():
    application = services.application_submit(applicant=UserFactory(), data=application_input())
    assert application.status == Application.Status.PENDING
    assert application.id_number_masked == "110***********002X"
    stored = " ".join(
        str(v) for v in Application.objects.filter(pk=application.pk).values().get().values()
    )
    assert id_number() not in stored
    assert AuditEntry.objects.filter(action="application.submit", target_id=application.pk).exists()


def test_approval_opens_the_account_with_its_label_and_member():
    applicant = UserFactory()
    application = services.application_submit(
        applicant=applicant, data=application_input(avatar=png())
    )
    creator = services.application_approve(application=application, by=EditorFactory())
    assert creator.name == "江畔观察"
    assert creator.verification_label == "头条领域创作者"
    assert list(creator.members.all()) == [applicant]
    assert creator.avatar
    assert not creator.is_trusted
    application.refresh_from_db()
    assert (application.status, application.creator) == (Application.Status.APPROVED, creator)


def test_an_editor_can_set_the_label():
    application = services.application_submit(
        applicant=UserFactory(),
        data=application_input(
            account_type=Creator.AccountType.MEDIA,
            account_name="晨江日报",
            credentials=b"%PDF-1.4 x",
        ),
    )
    creator = services.application_approve(
        application=application, by=EditorFactory(), verification_label="晨江日报官方资讯号"
    )
    assert creator.verification_label == "晨江日报官方资讯号"


def test_rejection_keeps_the_reason_for_the_applicant():
    application = services.application_submit(applicant=UserFactory(), data=application_input())
    with pytest.raises(ApplicationError, match=exactly(services.APPLICATION_REASON_REQUIRED)):
        services.application_reject(application=application, by=EditorFactory(), reason=" ")
    services.application_reject(application=application, by=EditorFactory(), reason="简介过于简单")
    application.refresh_from_db()
    assert (application.status, application.reject_reason) == ("rejected", "简介过于简单")
    with pytest.raises(ApplicationError, match=exactly(services.APPLICATION_NOT_PENDING)):
        services.application_approve(application=application, by=EditorFactory())


def test_only_editors_review():
    application = services.application_submit(applicant=UserFactory(), data=application_input())
    with pytest.raises(PermissionDenied):
        services.application_approve(application=application, by=application.applicant)


def test_one_account_per_id_number():
    services.application_submit(applicant=UserFactory(), data=application_input())
    with pytest.raises(ApplicationError, match=exactly(services.APPLICATION_ID_TAKEN)):
        services.application_submit(
            applicant=UserFactory(), data=application_input(account_name="另一个号")
        )


def test_at_most_three_attempts_and_one_pending():
    applicant = UserFactory()
    editor = EditorFactory()
    for n in range(3):
        application = services.application_submit(
            applicant=applicant,
            data=application_input(
                account_name=f"号{n}", id_number=id_number(f"1101051949123100{n}")
            ),
        )
        if n == 0:
            with pytest.raises(ApplicationError, match="审核中"):
                services.application_submit(
                    applicant=applicant, data=application_input(account_name="再来")
                )
        services.application_reject(application=application, by=editor, reason="不符合要求")
    with pytest.raises(ApplicationError, match="上限"):
        services.application_submit(
            applicant=applicant, data=application_input(account_name="第四次")
        )
    assert Application.objects.filter(applicant=applicant).count() == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id_number": "110105194912310021"}, "校验"),
        ({"id_number": "12345"}, "18"),
        ({"account_name": ""}, "账号名称"),
        ({"account_name": "名" * 31}, "账号名称"),
        ({"introduction": "介" * 301}, "简介"),
        ({"channel_id": None}, "领域"),
        ({"account_type": "alien"}, "账号类型"),
        ({"account_type": Creator.AccountType.GOVERNMENT, "credentials": None}, "资质"),
        (
            {"account_type": Creator.AccountType.MEDIA, "credentials": b"MZ\x90\x00 evil.exe"},
            "资质",
        ),
        ({"avatar": b"<svg onload=alert(1)>"}, "图片"),
        ({"avatar": b"GIF89a" + b"\x00" * 40}, "图片"),
    ],
)
def test_bad_applications_get_a_clear_message_and_store_nothing(changes, message):
    with pytest.raises(ApplicationError) as error:
        services.application_submit(applicant=UserFactory(), data=application_input(**changes))
    assert message in str(error.value)
    assert not Application.objects.exists()


def test_a_taken_account_name_is_refused():
    CreatorFactory(name="江畔观察")
    with pytest.raises(ApplicationError, match="已被使用"):
        services.application_submit(applicant=UserFactory(), data=application_input())


# Audit #8: points 1, 6, 9, 10 -----------------------------------------------------------


def test_a_submission_refused_for_its_files_still_uses_an_attempt(settings):
    # given: three submissions whose credentials image is cut short (its header passes
    # the cheap checks; decoding it fails, after the avatar was decoded)
    settings.ZIXUN_APPLY_MAX_ATTEMPTS = 3
    applicant = UserFactory()
    cut = png((400, 300))[:-40]
    bad = application_input(account_type=Creator.AccountType.MEDIA, avatar=png(), credentials=cut)
    for _ in range(3):
        with pytest.raises(ApplicationError, match="资质"):
            services.application_submit(applicant=applicant, data=bad)
    # then: the fourth is refused before anything is decoded
    with pytest.raises(ApplicationError, match=exactly(services.APPLICATION_TOO_MANY, limit=3)):
        services.application_submit(applicant=applicant, data=application_input())
    assert not Application.objects.exists()


def test_the_credentials_type_is_checked_before_the_avatar_is_decoded(monkeypatch):
    # given
    def must_not_decode(*args, **kwargs):
        raise AssertionError("the avatar was decoded")

    monkeypatch.setattr(services, "image_process", must_not_decode)
    data = application_input(
        account_type=Creator.AccountType.MEDIA, avatar=png(), credentials=b"MZ\x90\x00 evil.exe"
    )
    # then
    with pytest.raises(ApplicationError, match="资质"):
        services.application_submit(applicant=UserFactory(), data=data)


def test_a_member_of_a_suspended_account_cannot_apply():
    # given
    applicant = UserFactory()
    CreatorFactory(is_suspended=True).members.add(applicant)
    # then
    with pytest.raises(ApplicationError, match=exactly(services.APPLICATION_SUSPENDED)):
        services.application_submit(applicant=applicant, data=application_input())
    assert not Application.objects.exists()


def test_credential_images_are_stored_re_encoded_without_gps_or_appended_script():
    # given: a JPEG with GPS in its EXIF and a script appended
    from PIL import ExifTags

    exif = PILImage.Exif()
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSAreaInformation: "ZixunHomeAddress"}
    buffer = io.BytesIO()
    PILImage.new("RGB", (400, 300), (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    upload = buffer.getvalue() + b"<script>alert(1)</script>"
    # when
    application = services.application_submit(
        applicant=UserFactory(),
        data=application_input(account_type=Creator.AccountType.MEDIA, credentials=upload),
    )
    # then
    with application.credentials.open("rb") as stored:
        content = stored.read()
    assert content != upload
    assert b"ZixunHomeAddress" not in content
    assert b"<script>" not in content
    assert PILImage.open(io.BytesIO(content)).size == (400, 300)


ACTIVE_PDFS = [
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
    b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n%%EOF",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Open#41ction << /S /J#61vaScript >> >> endobj",
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /AA << /O 3 0 R >> >> endobj",
    b"%PDF-1.7\n1 0 obj << /S /Launch /F (cmd.exe) >> endobj",
    b"%PDF-1.7\n1 0 obj << /Type /EmbeddedFile >> stream\nMZ\nendstream endobj",
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /AcroForm << /XFA 5 0 R >> >> endobj",
    b"%PDF-1.7\n1 0 obj << /Filter /Standard >> endobj trailer << /Encrypt 1 0 R >>",
]


def object_stream(body, filters=b"/FlateDecode"):
    packed = zlib.compress(body) if filters == b"/FlateDecode" else body
    return (
        b"%PDF-1.7\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter " + filters
        + b" /Length " + str(len(packed)).encode() + b" >>\nstream\n" + packed
        + b"\nendstream\nendobj\n%%EOF"
    )  # fmt: skip


@pytest.mark.parametrize(
    "pdf",
    [
        *ACTIVE_PDFS,
        object_stream(b"1 0 << /Type /Catalog /OpenAction << /S /JavaScript >> >>"),
        object_stream(b"1 0 << /Type /Catalog >>", filters=b"/LZWDecode"),
        object_stream(b"1 0 << /Type /Catalog >>", filters=b"[/ASCIIHexDecode /FlateDecode]"),
    ],
)
def test_a_pdf_with_active_or_hidden_content_is_refused(pdf):
    data = application_input(account_type=Creator.AccountType.MEDIA, credentials=pdf)
    with pytest.raises(ApplicationError, match=exactly(services.APPLICATION_CREDENTIALS_ACTIVE)):
        services.application_submit(applicant=UserFactory(), data=data)
    assert not Application.objects.exists()


def test_a_plain_pdf_with_an_object_stream_is_stored_as_uploaded():
    pdf = object_stream(b"1 0 << /Type /Catalog /Pages 2 0 R >>")
    application = services.application_submit(
        applicant=UserFactory(),
        data=application_input(account_type=Creator.AccountType.MEDIA, credentials=pdf),
    )
    with application.credentials.open("rb") as stored:
        assert stored.read() == pdf


def test_an_avatar_is_cropped_square_and_scaled_at_upload():
    # given a wide photo, far larger than an avatar is ever shown
    application = services.application_submit(
        applicant=UserFactory(), data=application_input(avatar=png(size=(1200, 500)))
    )
    # then it is stored square at the avatar side, not squeezed
    with application.avatar.open("rb") as stored:
        assert PILImage.open(stored).size == (services.AVATAR_SIDE, services.AVATAR_SIDE)


def test_approval_copies_the_private_avatar_to_the_public_account_avatar():
    # given
    application = services.application_submit(
        applicant=UserFactory(), data=application_input(avatar=png())
    )
    assert application.avatar.storage is not Creator._meta.get_field("avatar").storage
    # when
    creator = services.application_approve(application=application, by=EditorFactory())
    # then
    assert creator.avatar.url.startswith("/")
    with creator.avatar.open("rb") as public, application.avatar.open("rb") as private:
        assert public.read() == private.read()
