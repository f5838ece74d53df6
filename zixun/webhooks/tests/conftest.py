import pytest

from zixun.core.tests.receiver import Receiver
from zixun.webhooks.models import Webhook
from zixun.webhooks.services import webhook_create


@pytest.fixture
def receiver(settings):
    """A receiving server on 127.0.0.1, allowed through ZIXUN_WEBHOOK_ALLOWED_NETWORKS."""
    settings.ZIXUN_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.ZIXUN_SITE_URL = "https://news.example.cn"
    with Receiver() as server:
        yield server


@pytest.fixture
def make_hook(creator, writer, receiver):
    """A hook of ``creator`` at the receiver; returns (webhook, secret)."""

    def make(events=None, *, path="/hook", by=None, account=None):
        return webhook_create(
            creator=account or creator, by=by or writer, url=receiver.url(path),
            events=events or [e for e in Webhook.Event.values if e != "webhook.test"],
        )  # fmt: skip

    return make
