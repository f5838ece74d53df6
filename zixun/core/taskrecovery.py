"""Run again, once, the tasks that a killed worker left half done.

A worker killed mid-task (SIGKILL, the OOM killer, a power cut, a stop that outlived its timeout)
cannot mark its task finished. Neither queue runs such a task again by itself: django-tasks-db
leaves the row ``RUNNING`` for ever, and RQ moves the job to its FailedJobRegistry as abandoned
(``AbandonedJobError``) because django-tasks-rq enqueues without retries. Every task is
idempotent and re-derives from the database (ADR 0009, ADR 0016), so running it again is safe.
An interrupted task runs again once; interrupted a second time, it fails, so that a task that
kills its worker (memory) cannot make the worker crash in a loop.

**Database queue.** ``zixun worker`` gives db_worker the worker id ``<host>:<pid>``
(:func:`worker_id`) and, before it starts, calls :func:`db_tasks_recover`. A ``RUNNING`` row
whose last worker id names this host is judged by its pid: gone, or this very process (a
restarted container reuses pid 1), means interrupted. Any other row (another host, an id of
another form) can only be judged by age: started more than ``ZIXUN_TASK_STALE_SECONDS`` ago.
A pid that the system gave to another process keeps its row until that age too.

**Redis queue (RQ 3.0).** RQ already finds abandoned jobs: ``StartedJobRegistry.cleanup``
takes the entries whose execution stopped sending heartbeats (about 90 s after the worker died)
and, for each, calls the worker's exception handlers with ``AbandonedJobError`` *before* it
decides between ``job.retry()`` (when ``retries_left``) and the FailedJobRegistry. The worker
runs that cleanup at start and every 10 minutes (``clean_registries``, under the queue's
maintenance lock, so two workers never clean at once). Hence :class:`RecoveringWorker`, the
worker class ``zixun worker`` gives django-rq's ``rqworker``:

- its exception handler :func:`rq_abandoned_retry` gives an abandoned job one retry, marked in
  the job's meta so that it is given only once; a job that failed by raising is left alone;
- before RQ's cleanup it marks as expired the executions of workers known to be dead (this
  host, pid gone), so a restarted worker runs them at once instead of after the heartbeat
  timeout;
- after it, it requeues the jobs that some other cleanup (``zixun rqstats``, or a worker
  without this class) already failed as abandoned. ``FailedJobRegistry.requeue`` removes the
  entry first and refuses a job that is no longer there, so only one worker requeues it.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from redis import Redis
from rq import Queue, Worker
from rq.exceptions import AbandonedJobError, InvalidJobOperation, NoSuchJobError
from rq.executions import Execution
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.results import Result
from rq.utils import as_text

logger = logging.getLogger(__name__)

WORKER_ID_MAX = 64  # db_worker refuses longer worker ids
REQUEUED_MARK = "zixun_requeued_after_abandon"  # in an RQ job's meta
FAILED_SCAN = 500  # latest failed RQ jobs looked at per cleanup (two Redis reads each)
# What StartedJobRegistry.cleanup records for a job it fails as abandoned.
ABANDONED_PREFIX = f"Moved to {FailedJobRegistry.__name__}, due to {AbandonedJobError.__name__}"
# django-tasks-rq's failure callback keeps the exception classes here, one per failed result.
DJANGO_TASKS_RQ_EXCEPTIONS = "_django_tasks_rq_exceptions"


class TaskInterruptedError(Exception):
    """A task's worker died while running it, for the second time."""


INTERRUPTED_ERROR_PATH = f"{__name__}.{TaskInterruptedError.__qualname__}"


def worker_id() -> str:
    """``<host>:<pid>`` of this process, with the host cut to fit db_worker's 64 characters."""
    pid = str(os.getpid())
    return f"{socket.gethostname()[: WORKER_ID_MAX - len(pid) - 1]}:{pid}"


def process_gone(pid: int) -> bool:
    """Whether no process of this host can still be running work under ``pid``.

    This process counts as gone: callers never ask about work of their own, so work recorded
    under its pid belongs to a previous process (a restarted container is pid 1 again).
    """
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False  # os.kill(0, …) would address a process group
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # another user's process: alive
    return False


def _local_pid(worker: str) -> int | None:
    """The pid in a :func:`worker_id` of this host; None for any other id."""
    id_host, _, pid = worker.rpartition(":")
    if not pid.isdigit() or id_host != socket.gethostname()[: WORKER_ID_MAX - len(pid) - 1]:
        return None
    return int(pid)


@dataclass(frozen=True)
class Recovered:
    """What :func:`db_tasks_recover` did: rows made ready again, rows failed."""

    ready: int = 0
    failed: int = 0


def _interrupted(row: DBTaskResult[Any, Any], *, stale_before: datetime) -> bool:
    last_worker = row.worker_ids[-1] if row.worker_ids else ""
    pid = _local_pid(str(last_worker))
    if pid is not None:
        return process_gone(pid)
    return row.started_at is not None and row.started_at < stale_before


def db_tasks_recover(*, stale_seconds: int | None = None) -> Recovered:
    """Make the database queue's interrupted ``RUNNING`` rows ready to run again (once).

    Call before this process starts working. A row claimed once goes back to ``READY``; a row
    claimed twice already (``worker_ids``) is failed with :class:`TaskInterruptedError`. Each change
    is one UPDATE guarded by the row's status and ``started_at``, so when two workers start at
    once only one of them changes a row, and a row that a worker claimed again in the meantime
    is left alone.
    """
    if stale_seconds is None:
        stale_seconds = settings.ZIXUN_TASK_STALE_SECONDS
    now = timezone.now()
    stale_before = now - timedelta(seconds=stale_seconds)
    ready = failed = 0
    running = DBTaskResult.objects.running().only("id", "started_at", "worker_ids", "task_path")
    for row in running:
        if not _interrupted(row, stale_before=stale_before):
            continue
        claimed = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) < 2:
            changed = claimed.update(status=TaskResultStatus.READY, started_at=None)
            ready += changed
            verdict = "ready to run again"
        else:
            changed = claimed.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=INTERRUPTED_ERROR_PATH,
                traceback=f"{INTERRUPTED_ERROR_PATH}: its worker died while running it, twice",
            )
            failed += changed
            verdict = "failed: interrupted twice"
        if changed:
            logger.warning(
                "task %s (%s) was interrupted on worker %s: %s",
                row.pk,
                row.task_path,
                row.worker_ids[-1] if row.worker_ids else "?",
                verdict,
            )
    return Recovered(ready=ready, failed=failed)


def rq_abandoned_retry(
    job: Job,
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    traceback: TracebackType | None,
) -> bool:
    """RQ exception handler: give an abandoned job one retry instead of the failed registry.

    ``StartedJobRegistry.cleanup`` calls it with ``AbandonedJobError`` and then retries the job
    because ``retries_left`` is set; any other exception (the task raised) passes untouched.
    Always True: the handlers after it still run.
    """
    if exc_type is None or not issubclass(exc_type, AbandonedJobError):
        return True
    if job.meta.get(REQUEUED_MARK) or job.retries_left:
        return True  # run again once already, or RQ retries it anyway
    job.meta[REQUEUED_MARK] = True
    job.retries_left = 1
    # django-tasks-rq's failure callback noted the error, but no failure result follows it.
    exceptions = job.meta.get(DJANGO_TASKS_RQ_EXCEPTIONS)
    if exceptions and exceptions[-1] == f"{AbandonedJobError.__module__}.AbandonedJobError":
        exceptions.pop()
    logger.warning("job %s (%s) was abandoned by its worker: run again", job.id, job.func_name)
    return True


def _rq_worker_gone(connection: Redis, name: str) -> bool:
    """Whether the RQ worker ``name`` is known to be dead: no key, died, or a dead local pid."""
    key = Worker.redis_worker_namespace_prefix + name
    hostname, pid, death = connection.hmget(key, ["hostname", "pid", "death"])
    if hostname is None and pid is None:
        return True  # its heartbeat key expired
    if death is not None:
        return True
    if hostname is None or pid is None or as_text(hostname) != socket.gethostname():
        return False  # only this host's pids can be checked
    return process_gone(int(pid))


def rq_dead_executions_expire(queue: Queue, *, alive_worker: str = "") -> int:
    """Mark as expired the started jobs of ``queue`` whose worker is known dead; return how many.

    RQ's ``StartedJobRegistry.cleanup`` then handles them at once as abandoned, instead of
    after their heartbeat timeout. ``alive_worker`` names the calling worker, never judged.
    """
    registry = StartedJobRegistry(queue=queue, job_class=queue.job_class)
    expired = 0
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        execution = Execution(id=execution_id, job_id=job_id, connection=queue.connection)
        try:
            execution.refresh()  # type: ignore[no-untyped-call]
        except ValueError:
            continue  # its key expired: the registry entry is expired too
        if execution.worker_name == alive_worker or not execution.worker_name:
            continue
        if _rq_worker_gone(queue.connection, execution.worker_name) and queue.connection.zadd(
            registry.key, {execution.composite_key: 0}, xx=True, ch=True
        ):
            expired += 1
    return expired


def rq_failed_abandoned_requeue(queue: Queue) -> int:
    """Requeue the jobs of ``queue`` that a cleanup failed as abandoned and that never ran again."""
    registry = FailedJobRegistry(queue=queue, job_class=queue.job_class)
    requeued = 0
    # Failed jobs are kept a year; the latest ones, last in the registry, are where a cleanup
    # puts abandoned jobs, so this stays cheap on every cleanup.
    for job_id in registry.get_job_ids(start=-FAILED_SCAN, cleanup=False):
        try:
            job = queue.job_class.fetch(
                job_id, connection=queue.connection, serializer=queue.serializer
            )
        except NoSuchJobError:
            continue
        if job.meta.get(REQUEUED_MARK):
            continue
        result = job.latest_result()
        if (
            result is None
            or result.type != Result.Type.FAILED
            or not (result.exc_string or "").startswith(ABANDONED_PREFIX)
        ):
            continue  # it raised: it stays failed
        job.meta[REQUEUED_MARK] = True  # saved by the requeue
        try:
            registry.requeue(job)
        except InvalidJobOperation:
            continue  # another worker requeued it first
        logger.warning("job %s (%s) was failed as abandoned: run again", job.id, job.func_name)
        requeued += 1
    return requeued


class RecoveringWorker(Worker):
    """RQ's worker that runs again, once, the jobs a killed worker abandoned (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.push_exc_handler(rq_abandoned_retry)  # type: ignore[no-untyped-call]

    def clean_registries(self) -> None:
        for queue in self.queues:
            rq_dead_executions_expire(queue, alive_worker=self.name)
        super().clean_registries()  # type: ignore[no-untyped-call]
        for queue in self.queues:
            rq_failed_abandoned_requeue(queue)
