"""``zixun worker``: run the site's background tasks on the queue the settings choose.

One command for both queues (docs/adr/0016-redis-task-queue.md): with the database queue it runs
django-tasks-db's ``db_worker``; with Redis, RQ's worker (django-rq's ``rqworker``) with the job
class django-tasks needs and the scheduler that runs 定时发布 and retries at their time.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from zixun.core import taskrecovery


def queue_kind() -> str:
    """'database' or 'redis': which worker runs the default backend's tasks."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_rq import RQBackend

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        return "database"
    if isinstance(backend, RQBackend):
        return "redis"
    kind = type(backend)
    raise CommandError(
        _("没有可运行此任务后端的工作进程：%(backend)s")
        % {"backend": f"{kind.__module__}.{kind.__qualname__}"}
    )


class Command(BaseCommand):
    help = "Run background tasks from the configured queue (database or Redis)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks that are due now, then exit (RQ: burst mode).",
        )
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            default=None,
            metavar="NAME",
            help="A queue to work on; repeat for more (default: default).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Database queue: seconds between polls when it is empty.",
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after running this many tasks."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queues: list[str] = options["queues"] or ["default"]
        verbosity = options["verbosity"]
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError(_("--max-tasks 至少为 1"))
        if options["interval"] <= 0:
            raise CommandError(_("--interval 必须大于 0"))
        if queue_kind() == "database":
            recovered = taskrecovery.db_tasks_recover()
            if recovered.ready and verbosity:
                self.stdout.write(
                    _("已将 %(n)s 个被中断的任务放回队列，它们会再运行一次")
                    % {"n": recovered.ready}
                )
            if recovered.failed and verbosity:
                self.stdout.write(
                    _("%(n)s 个任务第二次被中断，已标为失败") % {"n": recovered.failed}
                )
            call_command(
                "db_worker",
                queue_name=",".join(queues),
                worker_id=taskrecovery.worker_id(),
                interval=options["interval"],
                batch=options["batch"],
                max_tasks=options["max_tasks"],
                startup_delay=not options["batch"],
                reload=False,
                verbosity=verbosity,
            )
            return
        # RQ forks a work horse per task; django-tasks' Job class runs it as a django-tasks
        # task, and the scheduler moves tasks with run_after onto the queue when they are due.
        # RecoveringWorker runs again the jobs a killed worker abandoned, when RQ cleans its
        # registries: at start and every 10 minutes.
        call_command(
            "rqworker",
            *queues,
            worker_class="zixun.core.taskrecovery.RecoveringWorker",
            job_class="django_tasks_rq.backend.Job",
            with_scheduler=True,
            burst=options["batch"],
            max_jobs=options["max_tasks"],
            verbosity=verbosity,
        )
