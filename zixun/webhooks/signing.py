"""The wire format of a delivery: the body, its signature and the headers. No ORM.

The body is the event as compact JSON with sorted keys (UTF-8, Chinese as it is), so
the same event is the same bytes on every attempt. The signature is
``v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``: the timestamp is signed with
the body, so a receiver that refuses old timestamps also refuses a replayed body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

USER_AGENT = "Zixun-Webhooks/1"
SIGNATURE_VERSION = "v1"


def secret_generate() -> str:
    """A new signing secret: 192 random bits, recognisable by its prefix."""
    return f"whsec_{secrets.token_hex(24)}"


def body_encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def delivery_headers(
    *, secret: str, event: str, event_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Zixun-Event": event,
        "X-Zixun-Delivery": event_id,
        "X-Zixun-Timestamp": str(timestamp),
        "X-Zixun-Signature": signature(secret=secret, timestamp=timestamp, body=body),
    }
