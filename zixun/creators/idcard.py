"""PRC resident ID numbers (GB 11643-1999): validate, mask, fingerprint. No ORM here.

The platform never stores an ID number. Verification keeps the masked form for
display and an HMAC fingerprint to enforce one account per ID number.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta, timezone

from django.utils.translation import gettext_lazy as _

from zixun.core.errors import ServiceError

ID_LENGTH = _("身份证号须为 18 位")
ID_CHARS = _("身份证号前 17 位须为数字，末位为数字或 X")
ID_REGION = _("身份证号的地区码无效")
ID_BIRTH_DATE = _("身份证号中的出生日期无效")
ID_CHECKSUM = _("身份证号校验位不符，请核对")

ID_NUMBER_LENGTH = 18
# The province-level codes of GB/T 2260 plus 81–83, which begin the residence
# permit numbers of Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES = frozenset({
    11, 12, 13, 14, 15,
    21, 22, 23,
    31, 32, 33, 34, 35, 36, 37,
    41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54,
    61, 62, 63, 64, 65,
    71, 81, 82, 83, 91,
})  # fmt: skip
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# ISO 7064 MOD 11-2: weight i is 2**(17 - i) mod 11; the remainder picks the check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")
# Birth dates are Beijing dates; China has kept UTC+8 without DST since 1991.
_BEIJING = timezone(timedelta(hours=8))
# Longer input is refused before normalizing, so a huge paste costs nothing.
_MAX_INPUT = 64


class IdNumberError(ServiceError):
    pass


def _normalize(value: str) -> str:
    if len(value) > _MAX_INPUT:
        raise IdNumberError(ID_LENGTH)
    # Only a lowercase x is uppercased: str.upper() can change the length ("ß" → "SS").
    return "".join(value.split()).replace("x", "X")


def _check_char(first17: str) -> str:
    """The MOD 11-2 check character for 17 ASCII digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_validate(value: str, *, today: date | None = None) -> str:
    """The number without spaces and with an uppercase X; raises IdNumberError."""
    number = _normalize(value)
    if len(number) != ID_NUMBER_LENGTH:
        raise IdNumberError(ID_LENGTH)
    # Checked against an ASCII set: str.isdigit() also accepts "１" and "١".
    if not (_DIGITS.issuperset(number[:17]) and (number[17] in _DIGITS or number[17] == "X")):
        raise IdNumberError(ID_CHARS)
    if int(number[:2]) not in PROVINCE_CODES:
        raise IdNumberError(ID_REGION)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise IdNumberError(ID_BIRTH_DATE) from error
    if today is None:
        today = datetime.now(tz=_BEIJING).date()
    if not EARLIEST_BIRTH_DATE <= born <= today:
        raise IdNumberError(ID_BIRTH_DATE)
    if _check_char(number[:17]) != number[17]:
        raise IdNumberError(ID_CHECKSUM)
    return number


def id_number_mask(value: str) -> str:
    """First 3 and last 4 characters kept, the other 11 shown as "*"; display only.

    Only the length is checked: pass a number id_number_validate accepted.
    """
    number = _normalize(value)
    if len(number) != ID_NUMBER_LENGTH:
        raise IdNumberError(ID_LENGTH)
    return number[:3] + "*" * (ID_NUMBER_LENGTH - 7) + number[-4:]


def id_number_fingerprint(value: str, *, key: str) -> str:
    """HMAC-SHA256 (hex) of the validated number, for "one account per ID number".

    ID numbers have little entropy (region, birth date, 4 digits), so a plain
    hash is reversible by enumeration; the secret key is what protects them.
    Changing the key changes every fingerprint: derive it from a value that is
    rotated only together with a re-fingerprinting of stored rows.
    """
    if not key:
        raise ValueError("key must not be empty")
    number = id_number_validate(value)
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()
