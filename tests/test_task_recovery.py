"""A task that a killed worker left half done runs again once on restart, on the database
queue and on Redis (zixun/core/taskrecovery.py, ADR 0016 "Interrupted tasks")."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from zixun.core import taskrecovery

ROOT = Path(__file__).resolve().parent.parent
QUEUES = {
    "redis": "django_tasks_rq.RQBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


@task()
def hold_then_record_task(*, path: str) -> None:
    """Note the start, wait while ``<path>.hold`` exists, note the end."""
    log = Path(path)
    with log.open("a") as out:
        out.write("start\n")
    while log.with_suffix(".hold").exists():
        time.sleep(0.05)
    with log.open("a") as out:
        out.write("done\n")


@task()
def record_then_raise_task(*, path: str) -> None:
    with Path(path).open("a") as out:
        out.write("start\n")
    raise RuntimeError("任务自己失败了")


def _worker_id(pid: int) -> str:
    """The worker id that ``zixun worker`` on this host with ``pid`` gives db_worker."""
    return f"{socket.gethostname()[: 63 - len(str(pid))]}:{pid}"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def _env(queue: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a ``zixun worker`` process: the real settings, the test database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        )
    else:
        env.pop("DATABASE_URL", None)  # the Redis queue needs no database; its own SQLite file
    env.update(ZIXUN_TASK_QUEUE=queue, ZIXUN_VAR_DIR=str(tmp_path / "var"))
    return env


def _worker_batch(queue: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zixun", "worker", "--batch", "-v", "1"],
        cwd=ROOT, env=_env(queue, tmp_path), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def _worker_killed_mid_task(queue: str, tmp_path: Path, log: Path) -> int:
    """Start ``zixun worker``, wait until it runs the held task, SIGKILL it; return its pid."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "zixun", "worker", "-v", "1"],
        cwd=ROOT, env=_env(queue, tmp_path), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and log.read_text() == "start\n"):
            assert worker.poll() is None, "the worker exited before it ran the task"
            assert time.monotonic() < deadline, "the worker never started the task"
            time.sleep(0.05)
    finally:
        # As systemd kills a unit's control group: RQ's work horse has a process group of its own.
        children = _children(worker.pid)
        os.killpg(worker.pid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        worker.wait()
    return worker.pid


def _children(pid: int) -> list[int]:
    """The pids of the processes whose parent is ``pid`` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:
                children.append(int(stat.parent.name))
    return children


@pytest.fixture
def held_log(tmp_path):
    """A log file for hold_then_record_task, with the hold on."""
    log = tmp_path / "task.log"
    log.with_suffix(".hold").touch()
    return log


@pytest.fixture
def _signals_restored():
    """db_worker, run in this process, installs its own signal handlers."""
    saved = {
        number: signal.getsignal(number)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def _running(result_id: str, *, worker_ids: list[str], started_at=None) -> None:
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=started_at or timezone.now(),
        worker_ids=worker_ids,
    )


# The database queue


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_signals_restored")
def test_a_running_row_of_a_dead_pid_on_this_host_runs_again_once(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": QUEUES["database"], "QUEUES": ["default"]}}
    log = tmp_path / "task.log"
    result = hold_then_record_task.enqueue(path=str(log))
    # given the row a worker on this host claimed, just now, before it died
    _running(result.id, worker_ids=[_worker_id(_dead_pid())])
    out = StringIO()
    # when the worker starts again
    call_command("worker", "--batch", stdout=out)
    # then it put the row back and ran it, once
    assert "已将 1 个被中断的任务放回队列" in out.getvalue()
    assert log.read_text() == "start\ndone\n"
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids[-1] == taskrecovery.worker_id()
    assert len(row.worker_ids) == 2


@pytest.mark.django_db
def test_a_running_row_of_a_live_pid_on_this_host_is_left_alone(settings):
    settings.TASKS = {"default": {"BACKEND": QUEUES["database"], "QUEUES": ["default"]}}
    result = hold_then_record_task.enqueue(path="/nonexistent/task.log")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _running(result.id, worker_ids=[_worker_id(live.pid)])
        assert taskrecovery.db_tasks_recover() == taskrecovery.Recovered()
    finally:
        live.kill()
        live.wait()
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_row_of_another_host_is_judged_by_its_age(settings):
    settings.TASKS = {"default": {"BACKEND": QUEUES["database"], "QUEUES": ["default"]}}
    settings.ZIXUN_TASK_STALE_SECONDS = 3600
    old = hold_then_record_task.enqueue(path="/nonexistent/old.log")
    young = hold_then_record_task.enqueue(path="/nonexistent/young.log")
    now = timezone.now()
    _running(old.id, worker_ids=["elsewhere.example:4242"], started_at=now - timedelta(hours=2))
    _running(young.id, worker_ids=["elsewhere.example:4243"], started_at=now - timedelta(minutes=5))
    assert taskrecovery.db_tasks_recover() == taskrecovery.Recovered(ready=1)
    old_row = DBTaskResult.objects.get(pk=old.id)
    assert old_row.status == TaskResultStatus.READY
    assert old_row.started_at is None
    assert DBTaskResult.objects.get(pk=young.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_interrupted_a_second_time_fails(settings):
    settings.TASKS = {"default": {"BACKEND": QUEUES["database"], "QUEUES": ["default"]}}
    result = hold_then_record_task.enqueue(path="/nonexistent/task.log")
    _running(result.id, worker_ids=[_worker_id(_dead_pid()), _worker_id(_dead_pid())])
    assert taskrecovery.db_tasks_recover() == taskrecovery.Recovered(failed=1)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "zixun.core.taskrecovery.TaskInterruptedError"


@pytest.mark.django_db(transaction=True)
def test_a_database_task_whose_worker_was_killed_completes_once(settings, tmp_path, held_log):
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database it can open: PostgreSQL")
    settings.TASKS = {"default": {"BACKEND": QUEUES["database"], "QUEUES": ["default"]}}
    result = hold_then_record_task.enqueue(path=str(held_log))
    # given a worker killed while it ran the task
    pid = _worker_killed_mid_task("database", tmp_path, held_log)
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.worker_ids) == (TaskResultStatus.RUNNING, [_worker_id(pid)])
    held_log.with_suffix(".hold").unlink()
    # when the worker starts again
    done = _worker_batch("database", tmp_path)
    assert done.returncode == 0, done.stderr
    # then the task ran again, to its end, once
    assert "已将 1 个被中断的任务放回队列" in done.stdout
    assert held_log.read_text() == "start\nstart\ndone\n"
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert _worker_batch("database", tmp_path).returncode == 0
    assert held_log.read_text() == "start\nstart\ndone\n"


# The Redis queue (RQ)


def _rq_queue(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("the Redis queue needs REDIS_URL")
    import django_rq

    settings.TASKS = {"default": {"BACKEND": QUEUES["redis"], "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default", job_class="django_tasks_rq.backend.Job")
    queue.empty()  # nothing left from another run
    return queue


@pytest.mark.parametrize("cleaned_first", [False, True], ids=["restart", "failed-as-abandoned"])
def test_a_redis_job_whose_worker_was_killed_completes_once(settings, tmp_path, held_log,
                                                            cleaned_first):  # fmt: skip
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    queue = _rq_queue(settings)
    result = hold_then_record_task.enqueue(path=str(held_log))
    # given a worker killed while it ran the job
    _worker_killed_mid_task("redis", tmp_path, held_log)
    job = queue.fetch_job(result.id)
    assert job.get_status() == JobStatus.STARTED
    if cleaned_first:
        # (and, later, a cleanup without the handler, e.g. `zixun rqstats`, failed it)
        StartedJobRegistry(queue=queue, job_class=queue.job_class).cleanup(time.time() + 3600)
        assert job.get_status() == JobStatus.FAILED
    held_log.with_suffix(".hold").unlink()
    # when a worker starts again
    done = _worker_batch("redis", tmp_path)
    assert done.returncode == 0, done.stderr
    # then the job ran again, to its end, once
    assert held_log.read_text() == "start\nstart\ndone\n"
    assert job.get_status() == JobStatus.FINISHED
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    if cleaned_first:
        assert "was failed as abandoned: run again" in done.stderr
        assert [e.exception_class_path for e in result.errors] == [
            "rq.exceptions.AbandonedJobError"
        ]
    else:
        assert "was abandoned by its worker: run again" in done.stderr
        assert result.errors == []
    assert _worker_batch("redis", tmp_path).returncode == 0
    assert held_log.read_text() == "start\nstart\ndone\n"


def test_a_redis_job_that_raised_stays_failed(settings, tmp_path):
    from rq.job import JobStatus
    from rq.registry import FailedJobRegistry

    queue = _rq_queue(settings)
    log = tmp_path / "task.log"
    result = record_then_raise_task.enqueue(path=str(log))
    assert _worker_batch("redis", tmp_path).returncode == 0
    assert _worker_batch("redis", tmp_path).returncode == 0
    assert log.read_text() == "start\n"
    job = queue.fetch_job(result.id)
    assert job.get_status() == JobStatus.FAILED
    assert job.id in FailedJobRegistry(queue=queue)


def test_an_abandoned_job_is_given_one_retry_only(settings):
    from rq.exceptions import AbandonedJobError

    queue = _rq_queue(settings)
    job = queue.create_job("tests.test_task_recovery.record_then_raise_task")
    # the first time it is abandoned, RQ's cleanup retries it
    taskrecovery.rq_abandoned_retry(job, AbandonedJobError, AbandonedJobError(), None)
    assert job.retries_left == 1
    # abandoned again after that retry, it fails
    job.retries_left = 0
    taskrecovery.rq_abandoned_retry(job, AbandonedJobError, AbandonedJobError(), None)
    assert job.retries_left == 0
    # and an error the task raised is not retried
    raised = queue.create_job("tests.test_task_recovery.record_then_raise_task")
    taskrecovery.rq_abandoned_retry(raised, RuntimeError, RuntimeError(), None)
    assert not raised.retries_left
