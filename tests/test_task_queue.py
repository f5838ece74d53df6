"""The production profile's queue: a task that a request enqueues is run by a separate
``zixun worker`` process, on Redis (RQ) and on the database queue (ADR 0016)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from zixun.api import tokens
from zixun.articles.models import Article
from zixun.channels.models import Channel
from zixun.creators.tests.factories import CreatorFactory
from zixun.search.models import SearchDocument

ROOT = Path(__file__).resolve().parent.parent
QUEUES = {
    "redis": "django_tasks_rq.RQBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


def _needs_services(queue: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database it can open: PostgreSQL")
    if queue == "redis" and not os.environ.get("REDIS_URL"):
        pytest.skip("the Redis queue needs REDIS_URL")


def _worker(queue: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``zixun worker --batch`` in its own process, on the real settings and the test database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    settings = connection.settings_dict
    env.update(
        DATABASE_URL=f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
        f"{settings['NAME']}",
        ZIXUN_TASK_QUEUE=queue,
        ZIXUN_VAR_DIR=str(tmp_path),
    )
    return subprocess.run(
        [sys.executable, "-m", "zixun", "worker", "--batch", "-v", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("queue", ["redis", "database"])
@pytest.mark.django_db(transaction=True)
def test_a_task_a_request_enqueues_is_run_by_a_separate_worker(queue, client, writer, tmp_path,
                                                              settings):  # fmt: skip
    _needs_services(queue)
    settings.TASKS = {"default": {"BACKEND": QUEUES[queue], "QUEUES": ["default"]}}
    if queue == "redis":
        import django_rq

        django_rq.get_queue("default").empty()  # nothing left from another run
    creator = CreatorFactory(is_trusted=True)
    creator.members.add(writer)
    secret = tokens.token_create_for_account(
        creator=creator, by=writer, name="脚本", scopes=list(tokens.ACCOUNT_SCOPES), expires_at=None
    ).secret
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    # (a transactional test starts without the channels the migrations add)
    channel, _ = Channel.objects.get_or_create(slug="queue", defaults={"name": "队列"})
    body = {
        "title": "队列里的后续工作",
        "body_markdown": "第一段。\n\n第二段。",
        "channel_id": channel.pk,
    }
    # given an article published by a request
    created = client.post(
        reverse("api:me-articles"),
        json.dumps(body),
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    article_id = created.json()["id"]
    submitted = client.post(
        reverse("api:me-article-submit", args=[article_id]), "", "application/json", **auth
    )
    assert submitted.json()["status"] == "published", submitted.content
    # then the request only queued the follow-up: the article waits, marked, for the index
    assert SearchDocument.objects.get(article_id=article_id).dirty
    # when a worker in another process runs the queue
    done = _worker(queue, tmp_path)
    assert done.returncode == 0, done.stderr
    # then it indexed the article and recounted the account
    document = SearchDocument.objects.get(article_id=article_id)
    assert not document.dirty
    assert document.indexed_at is not None
    creator.refresh_from_db()
    assert creator.article_count == Article.objects.filter(creator=creator).count() == 1


def test_the_worker_refuses_a_backend_it_cannot_run(settings):
    from django.core.management import CommandError, call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="ImmediateBackend"):
        call_command("worker", "--batch")
