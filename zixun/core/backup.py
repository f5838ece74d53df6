"""Online backup and restore of the database and the uploaded files (``zixun backup``,
``zixun restore``; docs/operations.md, "Backup and restore").

A backup is a directory, written under a hidden temporary name beside its destination and
renamed only once complete, so that a failed run (disk full, a killed process) never leaves
a directory that looks like a backup:

    manifest.json       format version, time, engine, applied migrations, per-table row
                        counts and content hashes, a SHA-256 per file (written last)
    database.sqlite3    SQLite: a copy made with the online backup API inside one read
                        transaction, so one snapshot, while the site keeps writing (WAL)
    database.pgdump     PostgreSQL: ``pg_dump --format=custom --snapshot`` of a snapshot that
                        a REPEATABLE READ transaction exports
    media/ private/     ZIXUN_MEDIA_ROOT and ZIXUN_PRIVATE_ROOT

The row counts and hashes come from the same snapshot as the copy: for SQLite from the
copy itself, for PostgreSQL from the exporting transaction. A table's hash is the SHA-256
of its rows in the order of its primary key (text in byte order), or of SQLite's rowid,
each row a line of canonical JSON.
Hashes compare a backup with its restore on the same engine only.

The files are copied after the database snapshot: every file the snapshot refers to existed
when it was taken. A file deleted in between is missing from the backup (its row then
points at nothing), a file added in between is carried along unreferenced.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy as _

from zixun.core.dbstats import statistics_refresh
from zixun.core.errors import ServiceError, message_format

FORMAT = "zixun-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHUNK = 1024 * 1024
SQLITE_PAGES_PER_STEP = 2048  # 8 MB at SQLite's 4 KB pages: one progress line per step
ROWS_PER_FETCH = 2000
PROGRESS_EVERY_SECONDS = 2.0

DEST_EXISTS = _("%(path)s 已存在：备份只写入新路径")
DEST_NOT_WRITABLE = _("无法在 %(path)s 写入备份：%(error)s")
WRITE_FAILED = _("备份失败，未完成的部分已删除：%(error)s")
MEMORY_DATABASE = _("内存数据库无法备份")
DATABASE_MISSING = _("数据库文件 %(path)s 不存在")
ENGINE_UNSUPPORTED = _("不支持备份 %(engine)s 数据库，只支持 SQLite 和 PostgreSQL")
SQLITE_DAMAGED = _("数据库副本未通过完整性检查：%(detail)s")
PG_TOOL_MISSING = _(
    "找不到 %(tool)s：请安装与服务器同版本的 PostgreSQL 客户端（Debian：postgresql-client-%(major)s）"
)
PG_TOOL_TOO_OLD = _(
    "%(tool)s 是 %(tool_major)s 版，服务器是 %(server_major)s 版：请安装 postgresql-client-%(server_major)s"
)
PG_TOOL_FAILED = _("%(tool)s 失败（退出码 %(code)s）：%(detail)s")
NOT_A_BACKUP = _("%(path)s 不是 Zixun 备份：没有 %(manifest)s")
MANIFEST_UNREADABLE = _("备份清单无法读取：%(error)s")
FORMAT_UNSUPPORTED = _("备份格式 %(found)s 不受支持：本版本读取 %(format)s 第 %(version)s 版")
FILE_MISSING = _("备份中缺少 %(name)s")
FILE_DAMAGED = _("备份中的 %(name)s 已损坏：SHA-256 与清单不符")
FILE_UNLISTED = _("备份中有清单之外的文件 %(name)s")
ARCHIVE_DAMAGED = _("备份未通过校验，没有恢复任何内容：%(problems)s")
ENGINE_MISMATCH = _("这是 %(backup)s 数据库的备份，本站点用 %(site)s：不能跨数据库恢复")
TARGET_NOT_EMPTY = _(
    "目标不是空的（%(what)s）：恢复只写入新建的空数据库和空的文件目录。确认要覆盖时加 --force"
)
TARGET_TABLES = _("数据库已有 %(count)s 张表，如 %(example)s")
TARGET_FILES = _("%(root)s 中已有文件")
RESTORE_MISMATCH = _("恢复后的数据与清单不符：%(tables)s")
RESTORED_FILE_DAMAGED = _("恢复的文件 %(name)s 与清单不符")
RESTORE_FAILED = _("恢复中断，目标已写入一部分：%(error)s。排除原因后加 --force 重新恢复")
MIGRATIONS_NEWER = _(
    "备份来自更新的版本，含有本版本代码没有的迁移（%(names)s）：请先升级代码再恢复"
)
MIGRATIONS_OLDER = _("本版本代码有备份之后的迁移：恢复后运行 zixun migrate")


class BackupError(ServiceError):
    pass


class Cursor(Protocol):
    def execute(self, sql: str, /) -> Any: ...

    def fetchmany(self, size: int, /) -> Sequence[Sequence[Any]]: ...

    def close(self) -> Any: ...


Report = Callable[[str], None]


def _quiet(line: str) -> None:
    """Progress nobody reads."""


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows_expected: int | None
    rows_found: int | None
    hash_matches: bool

    @property
    def ok(self) -> bool:
        return self.hash_matches and self.rows_expected == self.rows_found


@dataclass
class VerifyResult:
    manifest: dict[str, Any]
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: list[TableCheck]
    files: int
    notes: list[str]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.tables)


# --- Table hashes ------------------------------------------------------------------------


def _canonical(value: object) -> object:
    """A stable JSON form of a value json.dumps cannot write itself: bytes as hex, dates in
    ISO 8601, the rest (Decimal, UUID, timedelta, addresses, ranges) as their text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {"hex": bytes(value).hex()}
    if isinstance(value, datetime | date | time_of_day):
        return value.isoformat()
    return str(value)


def _row_line(row: Sequence[object]) -> bytes:
    text = json.dumps(list(row), default=_canonical, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))  # fmt: skip
    return text.encode("utf-8", "surrogatepass") + b"\n"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


TEXT_TYPES = {"text", "character varying", "character", "citext"}


def _orders(cursor: Cursor, vendor: str, tables: list[str]) -> dict[str, str]:
    """Each table's ORDER BY: its primary key's columns, text in byte order (the restore
    database may have another collation); on SQLite ``rowid`` for a table without one."""
    orders: dict[str, str] = {}
    if vendor == "sqlite":
        for table in tables:
            cursor.execute(f"PRAGMA table_info({_quote(table)})")
            key = sorted((int(row[5]), str(row[1])) for row in _fetch_all(cursor) if row[5])
            orders[table] = ", ".join(_quote(name) for _position, name in key) or "rowid"
        return orders
    cursor.execute(
        "SELECT c.relname, a.attname, format_type(a.atttypid, NULL) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indisprimary AND n.nspname = current_schema() "
        "ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)"
    )
    keys: dict[str, list[str]] = {}
    for table, column, kind in _fetch_all(cursor):
        collate = ' COLLATE "C"' if kind in TEXT_TYPES else ""
        keys.setdefault(str(table), []).append(_quote(str(column)) + collate)
    return {table: ", ".join(columns) for table, columns in keys.items()}


def _tables(cursor: Cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' "
            "ESCAPE '!' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        )
    return [str(row[0]) for row in _fetch_all(cursor)]


def _fetch_all(cursor: Cursor) -> Iterator[Sequence[Any]]:
    while rows := cursor.fetchmany(ROWS_PER_FETCH):
        yield from rows


def _table_digest(cursor: Cursor, table: str, order: str | None) -> tuple[int, str]:
    """(rows, SHA-256) of a table's rows in ``order``; with none (a PostgreSQL table without
    a primary key), of its rows sorted, which holds them all in memory."""
    sql = f"SELECT * FROM {_quote(table)}"  # noqa: S608 - a table name the database listed
    digest = hashlib.sha256()
    count = 0
    if order is not None:
        cursor.execute(f"{sql} ORDER BY {order}")
        for row in _fetch_all(cursor):
            digest.update(_row_line(row))
            count += 1
    else:
        cursor.execute(sql)
        lines = sorted(_row_line(row) for row in _fetch_all(cursor))
        for line in lines:
            digest.update(line)
        count = len(lines)
    return count, digest.hexdigest()


def database_digest(
    open_cursor: Callable[[], Cursor], *, vendor: str, report: Report = _quiet,
    only: Iterable[str] | None = None,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """``{table: {"rows": n, "sha256": hex}}`` for every table (or ``only`` these, where
    present), read through cursors from ``open_cursor``: call it inside one snapshot."""
    cursor = open_cursor()
    try:
        tables = _tables(cursor, vendor)
        if only is not None:
            wanted = set(only)
            tables = [table for table in tables if table in wanted]
        orders = _orders(cursor, vendor, tables)
    finally:
        cursor.close()
    result: dict[str, dict[str, Any]] = {}
    started = last = time.monotonic()
    for number, table in enumerate(tables, 1):
        cursor = open_cursor()
        try:
            rows, sha256 = _table_digest(cursor, table, orders.get(table))
        finally:
            cursor.close()
        result[table] = {"rows": rows, "sha256": sha256}
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_SECONDS or number == len(tables):
            last = now
            report(message_format(_("已校验 %(done)s/%(total)s 张表（%(seconds).0f 秒）"),
                                  done=number, total=len(tables), seconds=now - started))  # fmt: skip
    return result


def _migrations(cursor: Cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in _fetch_all(cursor):
        applied.setdefault(str(app), []).append(str(name))
    return applied


# --- Files ------------------------------------------------------------------------------


def _roots() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_ROOT)}


def _walk(root: Path) -> Iterator[Path]:
    """Regular files under ``root``, in a stable order; symlinks and sockets are skipped."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy ``source`` to ``target`` (metadata too), hashing what it read; (bytes, SHA-256)."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    shutil.copystat(source, target)
    return size, digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Ticker:
    """Prints ``n/total files (MB)`` at most every few seconds."""

    def __init__(self, report: Report, total: int) -> None:
        self.report, self.total = report, total
        self.files = self.bytes = 0
        self.last = time.monotonic()

    def add(self, size: int) -> None:
        self.files += 1
        self.bytes += size
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_SECONDS or self.files == self.total:
            self.last = now
            self.report(message_format(_("文件 %(done)s/%(total)s（%(mb).1f MB）"),
                                       done=self.files, total=self.total,
                                       mb=self.bytes / 1e6))  # fmt: skip


def _copy_roots(staging: Path, report: Report) -> dict[str, dict[str, Any]]:
    listed = [
        (prefix, root, path)
        for prefix, root in _roots().items()
        for path in _walk(root)
        if staging not in path.parents  # a backup written into the media root itself
    ]
    report(message_format(_("复制 %(count)s 个文件……"), count=len(listed)))
    ticker = _Ticker(report, len(listed))
    files: dict[str, dict[str, Any]] = {}
    for prefix, root, path in listed:
        name = f"{prefix}/{path.relative_to(root).as_posix()}"
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            size, sha256 = _copy(path, target)
        except FileNotFoundError:
            if path.exists():
                raise
            continue  # deleted since it was listed
        files[name] = {"sha256": sha256, "bytes": size}
        ticker.add(size)
    return files


# --- Backup -----------------------------------------------------------------------------


def _staging_for(dest: Path) -> Path:
    if dest.exists() or dest.is_symlink():
        raise BackupError(DEST_EXISTS, path=dest)
    parent = dest.parent
    staging = parent / f".{dest.name}.partial-{os.getpid()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir(mode=0o700)
    except OSError as error:
        raise BackupError(DEST_NOT_WRITABLE, path=parent, error=error.strerror or error) from error
    return staging


def _sqlite_path(using: str) -> Path:
    name = str(connections[using].settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError(MEMORY_DATABASE)
    return Path(name)


def _sqlite_snapshot(source: Path, target: Path, report: Report) -> None:
    """Copy the database inside one read transaction: a consistent snapshot, in steps, with
    writers going on (WAL); the copy is then a single file (journal_mode DELETE)."""
    reader = sqlite3.connect(source, isolation_level=None, timeout=30)
    writer = sqlite3.connect(target)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts

        def step(status: int, remaining: int, total: int) -> None:
            report(message_format(_("数据库 %(done)s/%(total)s 页"), done=total - remaining,
                                  total=total))  # fmt: skip

        reader.backup(writer, pages=SQLITE_PAGES_PER_STEP, progress=step)
        reader.execute("ROLLBACK")
        writer.execute("PRAGMA journal_mode=DELETE")
        detail = writer.execute("PRAGMA quick_check").fetchone()[0]
        if detail != "ok":
            raise BackupError(SQLITE_DAMAGED, detail=detail)
    finally:
        writer.close()
        reader.close()


def _sqlite_read(path: Path) -> sqlite3.Connection:
    """A read-only connection with no type conversion: the values as stored."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)


def _pg_env(using: str) -> dict[str, str]:
    """libpq's environment for the database ``using`` names (pg_dump and pg_restore read it)."""
    params = connections[using].settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):  # fmt: skip
        if params.get(key):
            env[variable] = str(params[key])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                             ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY"),
                             ("passfile", "PGPASSFILE"), ("service", "PGSERVICE")):  # fmt: skip
        if value := params.get("OPTIONS", {}).get(option):
            env[variable] = str(value)
    return env


def _pg_tool(tool: str, server_major: int) -> str:
    """The path of ``tool``, refused when older than the server (it could not read it)."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(PG_TOOL_MISSING, tool=tool, major=server_major)
    version = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                             check=False).stdout  # fmt: skip
    found = re.search(r"\)\s*(\d+)", version) or re.search(r"(\d+)", version)
    tool_major = int(found.group(1)) if found else 0
    if tool_major < server_major:
        raise BackupError(PG_TOOL_TOO_OLD, tool=tool, tool_major=tool_major,
                          server_major=server_major)  # fmt: skip
    return path


def _pg_major(using: str) -> int:
    connection = connections[using]
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _run_failed(tool: str, code: int, stderr: str) -> BackupError:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return BackupError(PG_TOOL_FAILED, tool=tool, code=code, detail=" / ".join(lines[-3:]))


def _pg_snapshot(
    using: str, target: Path, report: Report
) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, Any]]:
    """pg_dump of one exported snapshot; the hashes and migrations read in the same one."""
    major = _pg_major(using)
    pg_dump = _pg_tool("pg_dump", major)
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            applied = _migrations(cursor)
        dbname = str(connection.settings_dict["NAME"])
        report(message_format(_("pg_dump（PostgreSQL %(version)s）……"), version=server_version))
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, the site's own database
            [pg_dump, "--format=custom", f"--file={target}", f"--snapshot={snapshot}",
             "--no-password", f"--dbname={dbname}"],
            env=_pg_env(using), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            tables = database_digest(connection.chunked_cursor, vendor="postgresql",
                                     report=report)  # fmt: skip
        finally:
            _out, stderr = process.communicate()  # the snapshot stays exported until it ends
        if process.returncode != 0:
            raise _run_failed("pg_dump", process.returncode, stderr)
    return tables, applied, {"server_version": server_version}


def backup_create(*, dest: Path, using: str = "default", report: Report = _quiet) -> dict[str, Any]:
    """Write a backup of the database ``using`` and of the media and private roots to the new
    directory ``dest``; return its manifest. Safe while the site runs and writes."""
    dest = Path(dest)
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(ENGINE_UNSUPPORTED, engine=vendor)
    staging = _staging_for(dest)
    started = time.monotonic()
    try:
        extra: dict[str, Any] = {}
        if vendor == "sqlite":
            source = _sqlite_path(using)
            if not source.is_file():
                raise BackupError(DATABASE_MISSING, path=source)
            database = staging / SQLITE_FILE
            report(message_format(_("备份 SQLite 数据库 %(path)s……"), path=source))
            _sqlite_snapshot(source, database, report)
            copy = _sqlite_read(database)
            try:
                tables = database_digest(lambda: copy.cursor(), vendor="sqlite", report=report)
                applied = _migrations(copy.cursor())
                extra["server_version"] = copy.execute("SELECT sqlite_version()").fetchone()[0]
            finally:
                copy.close()
        else:
            database = staging / PG_FILE
            tables, applied, extra = _pg_snapshot(using, database, report)
        files = _copy_roots(staging, report)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "zixun_version": metadata.version("zixun"),
            "host": socket.gethostname(),
            "engine": vendor,
            **extra,
            "database": {
                "file": database.name,
                "sha256": _sha256(database),
                "bytes": database.stat().st_size,
            },
            "migrations": applied,
            "tables": tables,
            "files": files,
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        os.sync()  # every file on disk before the name says the backup is complete
        staging.rename(dest)
        _fsync_dir(dest.parent)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError | sqlite3.Error):
            raise BackupError(WRITE_FAILED, error=_describe(error)) from error
        raise
    report(message_format(_("备份完成：%(path)s（%(seconds).1f 秒）"), path=dest,
                          seconds=time.monotonic() - started))  # fmt: skip
    return manifest


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return str(error)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- Verify -----------------------------------------------------------------------------


def _manifest_read(src: Path) -> dict[str, Any]:
    path = Path(src) / MANIFEST
    if not path.is_file():
        raise BackupError(NOT_A_BACKUP, path=src, manifest=MANIFEST)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(MANIFEST_UNREADABLE, error=error) from error
    if not isinstance(manifest, dict):
        raise BackupError(MANIFEST_UNREADABLE, error=type(manifest).__name__)
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        found = f"{manifest.get('format')!s} {manifest.get('format_version')!s}"
        raise BackupError(FORMAT_UNSUPPORTED, found=found, format=FORMAT, version=FORMAT_VERSION)
    problem = _manifest_problem(manifest)
    if problem:
        raise BackupError(MANIFEST_UNREADABLE, error=problem)
    return manifest


def _manifest_problem(manifest: dict[str, Any]) -> str | None:
    """The first part of the manifest that is missing or of the wrong shape, if any."""
    for key in ("migrations", "tables", "files", "database"):
        if not isinstance(manifest.get(key), dict):
            return key
    if manifest.get("engine") not in {"sqlite", "postgresql"}:
        return "engine"
    database = manifest["database"]
    if database.get("file") not in {SQLITE_FILE, PG_FILE} or "sha256" not in database:
        return "database"
    for part in ("files", "tables"):
        for name, entry in manifest[part].items():
            if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
                return f"{part}: {name}"
    return None


def _listed(manifest: dict[str, Any]) -> dict[str, str]:
    """Every file the manifest lists, database first: ``{name: sha256}``."""
    listed = {str(manifest["database"]["file"]): str(manifest["database"]["sha256"])}
    for name, entry in manifest["files"].items():
        listed[str(name)] = str(entry["sha256"])
    return listed


def _inside(root: Path, name: str) -> Path | None:
    """``root/name`` when it stays inside ``root`` (a manifest may have been edited)."""
    path = (root / name).resolve()
    return path if path.is_relative_to(root.resolve()) and name else None


def backup_verify(*, src: Path, report: Report = _quiet) -> VerifyResult:
    """Check the manifest and every file's SHA-256; a problem is listed, not raised, except
    for a missing or unreadable manifest and an unknown format (BackupError)."""
    src = Path(src)
    result = VerifyResult(manifest=_manifest_read(src))
    listed = _listed(result.manifest)
    ticker = _Ticker(report, len(listed))
    for name, sha256 in listed.items():
        path = _inside(src, name)
        if path is None or not path.is_file():
            result.problems.append(message_format(FILE_MISSING, name=name))
            continue
        if _sha256(path) != sha256:
            result.problems.append(message_format(FILE_DAMAGED, name=name))
        size = path.stat().st_size
        result.files += 1
        result.bytes += size
        ticker.add(size)
    known = {*listed, MANIFEST}
    for path in _walk(src):
        name = path.relative_to(src).as_posix()
        if name not in known:
            result.problems.append(message_format(FILE_UNLISTED, name=name))
    return result


# --- Restore ----------------------------------------------------------------------------


def _migration_notes(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup from newer code (it has migrations this code lacks); note a backup
    from older code (``zixun migrate`` after the restore)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    on_disk = set(loader.disk_migrations)
    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    ours = {app for app, _name in on_disk}
    newer = sorted(f"{app}.{name}" for app, name in applied - on_disk if app in ours)
    if newer:
        raise BackupError(MIGRATIONS_NEWER, names=", ".join(newer[:5]))
    if {key for key in on_disk if key[0] in manifest["migrations"]} - applied:
        return [message_format(MIGRATIONS_OLDER)]
    return []


def _target_contents(using: str) -> list[str]:
    """What already holds data at the target: tables in the database, files in the roots."""
    found = []
    connection = connections[using]
    if connection.vendor == "sqlite":
        path = _sqlite_path(using)
        tables: list[str] = []
        if path.exists():
            reader = _sqlite_read(path)
            try:
                tables = _tables(reader.cursor(), "sqlite")
            finally:
                reader.close()
    else:
        with connection.cursor() as cursor:
            tables = _tables(cursor, "postgresql")
    if tables:
        found.append(message_format(TARGET_TABLES, count=len(tables), example=tables[0]))
    for root in _roots().values():
        if next(_walk(root), None) is not None:
            found.append(message_format(TARGET_FILES, root=root))
    return found


def _sqlite_restore(src: Path, using: str, report: Report) -> None:
    """Copy the backup into the site's database file through SQLite's backup API: under
    SQLite's lock, so a process that still has the database open sees old or new, not half."""
    target = _sqlite_path(using)
    connections[using].close()
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = _sqlite_read(src / SQLITE_FILE)
    writer = sqlite3.connect(target, timeout=30)
    try:

        def step(status: int, remaining: int, total: int) -> None:
            report(message_format(_("数据库 %(done)s/%(total)s 页"), done=total - remaining,
                                  total=total))  # fmt: skip

        reader.backup(writer, pages=SQLITE_PAGES_PER_STEP, progress=step)
        writer.execute("PRAGMA journal_mode=WAL")  # the site's mode (config/settings.py)
    finally:
        writer.close()
        reader.close()


def _pg_restore(src: Path, using: str, *, force: bool, report: Report) -> None:
    major = _pg_major(using)
    pg_restore = _pg_tool("pg_restore", major)
    connection = connections[using]
    connection.close()
    dbname = str(connection.settings_dict["NAME"])
    # One transaction: a failure leaves the database as it was.
    command = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner",
               "--no-privileges", "--no-password", f"--dbname={dbname}"]  # fmt: skip
    if force:
        command += ["--clean", "--if-exists"]
    report(message_format(_("pg_restore 到数据库 %(name)s……"), name=dbname))
    completed = subprocess.run(  # noqa: S603 - fixed arguments, the site's own database
        [*command, str(src / PG_FILE)], env=_pg_env(using), capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise _run_failed("pg_restore", completed.returncode, completed.stderr)
    statistics_refresh(using)  # a restored database has no statistics yet


def _restore_files(src: Path, manifest: dict[str, Any], report: Report) -> int:
    roots = _roots()
    files = manifest["files"]
    ticker = _Ticker(report, len(files))
    for name, entry in files.items():
        prefix, _slash, relative = str(name).partition("/")
        root = roots.get(prefix)
        target = _inside(root, relative) if root is not None else None
        if target is None:
            raise BackupError(FILE_UNLISTED, name=name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restore-{os.getpid()}")
        partial.unlink(missing_ok=True)
        try:
            size, sha256 = _copy(src / name, partial)
            if sha256 != entry["sha256"]:
                raise BackupError(RESTORED_FILE_DAMAGED, name=name)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        ticker.add(size)
    return len(files)


def _restored_digest(
    using: str, manifest: dict[str, Any], report: Report
) -> dict[str, dict[str, Any]]:
    only = manifest["tables"].keys()
    connection = connections[using]
    if connection.vendor == "sqlite":
        reader = _sqlite_read(_sqlite_path(using))
        try:
            return database_digest(
                lambda: reader.cursor(), vendor="sqlite", report=report, only=only
            )
        finally:
            reader.close()
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return database_digest(connection.chunked_cursor, vendor="postgresql", report=report,
                               only=only)  # fmt: skip


def backup_restore(
    *, src: Path, using: str = "default", force: bool = False, report: Report = _quiet
) -> RestoreResult:
    """Restore a backup into the database ``using`` and the media and private roots, then
    compare every table's rows and hash with the manifest. Nothing at the target changes
    unless the backup verifies, matches the engine and (without ``force``) the target is empty."""
    src = Path(src)
    report(message_format(_("校验备份 %(path)s……"), path=src))
    verified = backup_verify(src=src, report=report)
    if verified.problems:
        raise BackupError(ARCHIVE_DAMAGED, problems="；".join(verified.problems[:10]))
    manifest = verified.manifest
    vendor = connections[using].vendor
    if manifest["engine"] != vendor:
        raise BackupError(ENGINE_MISMATCH, backup=manifest["engine"], site=vendor)
    notes = _migration_notes(manifest)
    if not force and (found := _target_contents(using)):
        raise BackupError(TARGET_NOT_EMPTY, what="；".join(found))
    try:
        if vendor == "sqlite":
            _sqlite_restore(src, using, report)
        else:
            _pg_restore(src, using, force=force, report=report)
        files = _restore_files(src, manifest, report)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(RESTORE_FAILED, error=_describe(error)) from error
    report(str(_("比对恢复后的数据……")))
    found_tables = _restored_digest(using, manifest, report)
    checks = []
    for table, expected in sorted(manifest["tables"].items()):
        restored = found_tables.get(table, {})
        checks.append(TableCheck(
            table=table,
            rows_expected=expected.get("rows"),
            rows_found=restored.get("rows"),
            hash_matches=restored.get("sha256") == expected["sha256"],
        ))  # fmt: skip
    return RestoreResult(manifest=manifest, tables=checks, files=files, notes=notes)
