"""``zixun backup`` and ``zixun restore`` (zixun/core/backup.py).

The drill runs real sites as subprocesses (config.settings, files on disk, no Redis): it
migrates and fills one, backs it up while another process keeps writing, restores into a
clean instance and compares. On SQLite the sites are files in tmp_path; on PostgreSQL
(when DATABASE_URL names it, as in ``make test-postgres``) they are the databases
``<name>_drill`` and ``<name>_restore`` beside DATABASE_URL's ``<name>``, made and dropped
here.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from zixun.__main__ import main
from zixun.core.backup import (
    DEST_EXISTS,
    DEST_NOT_WRITABLE,
    FILE_DAMAGED,
    FILE_MISSING,
    FILE_UNLISTED,
    FORMAT,
    FORMAT_UNSUPPORTED,
    FORMAT_VERSION,
    MANIFEST_UNREADABLE,
    NOT_A_BACKUP,
    PG_TOOL_MISSING,
    PG_TOOL_TOO_OLD,
    TARGET_NOT_EMPTY,
    BackupError,
    _pg_tool,
    _row_line,
    backup_create,
    backup_verify,
    database_digest,
)
from zixun.core.errors import message_format
from zixun.engagement.models import Comment

ROOT = Path(__file__).resolve().parents[3]
SEEDED_COMMENTS = 5  # backup_writer.seed


@dataclass(frozen=True)
class Site:
    """A Zixun instance of its own: a database, a var dir, media and private roots."""

    folder: Path
    database_url: str

    @property
    def media(self) -> Path:
        return self.folder / "media"

    @property
    def private(self) -> Path:
        return self.folder / "private"

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        return (
            Path(self.database_url[len(prefix) :]) if self.database_url.startswith(prefix) else None
        )

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=self.database_url,
            ZIXUN_VAR_DIR=str(self.folder / "var"),
            ZIXUN_MEDIA_ROOT=str(self.media),
            ZIXUN_PRIVATE_ROOT=str(self.private),
            ZIXUN_SHARED_CACHE_DIR=str(self.folder / "shared-cache"),
            ZIXUN_TASK_QUEUE="database",
        )
        return env

    def run(
        self, *args: str, check: bool = True, **popen: object
    ) -> subprocess.CompletedProcess[str]:
        completed: subprocess.CompletedProcess[str] = subprocess.run(  # noqa: S603
            [sys.executable, *args], env=self.env(), cwd=ROOT, capture_output=True, text=True,
            timeout=300, check=False, **popen,  # type: ignore[call-overload]
        )  # fmt: skip
        if check and completed.returncode != 0:
            pytest.fail(
                f"{args} exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}"
            )
        return completed

    def zixun(
        self, *args: str, check: bool = True, **popen: object
    ) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "zixun", *args, check=check, **popen)

    def writer(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "zixun.core.tests.backup_writer", *args]

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Rows from this site's database, read without Django or zixun.core.backup."""
        if self.sqlite_path is not None:
            connection = sqlite3.connect(self.sqlite_path)
            try:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(self.database_url) as pg:
            return pg.execute(sql, params).fetchall()


def _pg_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_admin(sql: str) -> None:
    import psycopg

    url = _pg_url()
    assert url is not None
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(sql)


@pytest.fixture(params=["sqlite", "postgresql"])
def sites(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    """A source site and an empty target site on one engine."""
    if request.param == "sqlite":
        yield tuple(  # type: ignore[misc]
            Site(tmp_path / name, f"sqlite:///{tmp_path / name / 'zixun.sqlite3'}")
            for name in ("source", "target")
        )
        return
    url = _pg_url()
    if url is None:
        pytest.skip(
            "the PostgreSQL drill runs when DATABASE_URL names PostgreSQL (make test-postgres)"
        )
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not on PATH (Debian: apt-get install postgresql-client)")
    base = urlsplit(url).path.lstrip("/")
    names = (f"{base}_drill", f"{base}_restore")
    for name in names:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield (
            Site(tmp_path / "source", _with_database(url, names[0])),
            Site(tmp_path / "target", _with_database(url, names[1])),
        )
    finally:
        for name in names:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


class _Counter:
    """Reads the writer's count lines as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.value = 0
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.value = int(line)

    def wait_for(self, value: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.value < value:
            assert time.monotonic() < deadline, "the writer did not start writing"
            time.sleep(0.05)


@pytest.mark.slow(41)
def test_restore_drill_backs_up_while_writing_and_restores_the_same_rows(sites, tmp_path):
    source, target = sites
    # given a site with articles, comments, an uploaded image and a private file
    source.zixun("migrate", "--no-input", "-v0")
    seeded = json.loads(source.run("-m", "zixun.core.tests.backup_writer", "seed").stdout)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(  # noqa: S603 - our interpreter, our module
        source.writer("write", str(stop)), env=source.env(), cwd=ROOT, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        written = _Counter(writer)
        written.wait_for(3)
        # when it is backed up while another process keeps writing
        before = written.value
        backup = tmp_path / "backups" / "nightly"
        made = source.zixun("backup", str(backup))
        during = written.value - before
    finally:
        stop.touch()
        writer.wait(timeout=60)
    written.thread.join(timeout=10)
    assert writer.stdout is not None
    writer.stdout.close()
    # and restored into a clean instance
    restored = target.zixun("restore", str(backup))
    # then writes went on during the backup, which holds one snapshot of them
    assert during > 0
    assert writer.returncode == 0
    assert "已备份到" in made.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    comments = manifest["tables"]["engagement_comment"]["rows"]
    assert SEEDED_COMMENTS + before <= comments <= SEEDED_COMMENTS + written.value
    # the restore compared every table's rows and content hash with the manifest
    assert "不一致" not in restored.stdout
    assert f"{len(manifest['tables'])} 张表的行数和内容与清单一致" in restored.stdout
    # counted again here, without the backup module: the restored rows are the snapshot's
    for table, expected in manifest["tables"].items():
        assert target.query(f'SELECT count(*) FROM "{table}"') == [(expected["rows"],)], table  # noqa: S608
    # a consistent snapshot: the article's counter agrees with its comments
    article = seeded["article"]
    [(counter,)] = target.query(
        "SELECT comment_count FROM articles_article WHERE id = %s", (article,)
    )
    [(visible,)] = target.query(
        "SELECT count(*) FROM engagement_comment WHERE article_id = %s AND status = %s",
        (article, Comment.Status.VISIBLE.value),
    )
    assert counter == comments == visible
    # the source moved on after the snapshot
    assert source.query("SELECT count(*) FROM engagement_comment")[0][0] == (
        SEEDED_COMMENTS + written.value
    )
    # the files came back byte for byte, the image's renditions and the private file too
    assert _files(target.media) == _files(source.media)
    assert len(_files(target.media)) >= 2
    assert _files(target.private) == {"applications/credentials/drill.pdf": b"%PDF-1.4 drill"}
    # the restored migration state is the code's: nothing to migrate
    target.zixun("migrate", "--check", "-v0")
    # a second restore is refused: the target is no longer empty
    again = target.zixun("restore", str(backup), "--no-progress", check=False)
    assert again.returncode == 1
    assert "--force" in again.stderr


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("backup-site")
    site = Site(folder, f"sqlite:///{folder / 'zixun.sqlite3'}")
    site.zixun("migrate", "--no-input", "-v0")
    site.run("-m", "zixun.core.tests.backup_writer", "seed")
    return site


@pytest.fixture(scope="module")
def good_backup(sqlite_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backups") / "good"
    sqlite_site.zixun("backup", str(path), "--no-progress")
    return path


@pytest.fixture
def backup_copy(good_backup: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy"
    shutil.copytree(good_backup, path)
    return path


def _first_media(backup: Path) -> str:
    manifest = json.loads((backup / "manifest.json").read_text())
    return str(next(name for name in manifest["files"] if name.startswith("media/")))


def _problems(backup: Path) -> list[str]:
    return backup_verify(src=backup).problems


def test_verify_accepts_an_intact_backup(good_backup):
    result = backup_verify(src=good_backup)
    assert result.problems == []
    assert result.files == 1 + len(result.manifest["files"])
    assert result.manifest["engine"] == "sqlite"
    assert result.manifest["tables"]["articles_article"]["rows"] == 1


def test_verify_finds_an_edited_media_file(backup_copy):
    name = _first_media(backup_copy)
    with (backup_copy / name).open("ab") as file:
        file.write(b"\0")
    assert _problems(backup_copy) == [message_format(FILE_DAMAGED, name=name)]


def test_verify_finds_an_edited_database(backup_copy):
    database = backup_copy / "database.sqlite3"
    data = bytearray(database.read_bytes())
    data[-100] ^= 0xFF
    database.write_bytes(bytes(data))
    assert _problems(backup_copy) == [message_format(FILE_DAMAGED, name="database.sqlite3")]


def test_verify_finds_missing_and_unlisted_files(backup_copy):
    name = _first_media(backup_copy)
    (backup_copy / name).rename(backup_copy / "media" / "stray.bin")
    assert _problems(backup_copy) == [
        message_format(FILE_MISSING, name=name),
        message_format(FILE_UNLISTED, name="media/stray.bin"),
    ]


def test_verify_does_not_follow_a_manifest_out_of_the_backup(backup_copy, tmp_path):
    (tmp_path / "outside").write_bytes(b"x")
    manifest = json.loads((backup_copy / "manifest.json").read_text())
    sha256 = hashlib.sha256(b"x").hexdigest()
    manifest["files"]["media/../../outside"] = {"sha256": sha256, "bytes": 1}
    (backup_copy / "manifest.json").write_text(json.dumps(manifest))
    assert _problems(backup_copy) == [message_format(FILE_MISSING, name="media/../../outside")]


def test_verify_refuses_a_folder_without_a_manifest(backup_copy):
    (backup_copy / "manifest.json").unlink()
    with pytest.raises(BackupError) as error:
        backup_verify(src=backup_copy)
    assert str(error.value) == message_format(
        NOT_A_BACKUP, path=backup_copy, manifest="manifest.json"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": FORMAT_VERSION + 1}, FORMAT_UNSUPPORTED),
        ({"format": "tarball"}, FORMAT_UNSUPPORTED),
        ({"tables": None}, MANIFEST_UNREADABLE),
        ({"engine": "mysql"}, MANIFEST_UNREADABLE),
    ],
)
def test_verify_refuses_an_unknown_format_or_a_broken_manifest(backup_copy, change, message):
    manifest = json.loads((backup_copy / "manifest.json").read_text())
    (backup_copy / "manifest.json").write_text(json.dumps({**manifest, **change}))
    with pytest.raises(BackupError) as error:
        backup_verify(src=backup_copy)
    assert error.value.message == message


def test_verify_refuses_a_manifest_that_is_not_json(backup_copy):
    (backup_copy / "manifest.json").write_text('{"format": "zixun-backup", ')
    with pytest.raises(BackupError) as error:
        backup_verify(src=backup_copy)
    assert error.value.message == MANIFEST_UNREADABLE


@pytest.mark.parametrize("damage", ["edit", "no-manifest", "version", "newer-code"])
def test_restore_of_a_damaged_backup_changes_nothing_even_with_force(
    sqlite_site, backup_copy, tmp_path, damage
):
    # given a target site with content of its own, and a damaged backup
    if damage == "edit":
        with (backup_copy / _first_media(backup_copy)).open("ab") as file:
            file.write(b"\0")
    elif damage == "no-manifest":
        (backup_copy / "manifest.json").unlink()
    else:
        manifest = json.loads((backup_copy / "manifest.json").read_text())
        if damage == "version":
            manifest["format_version"] = 99
        else:  # a backup of a release with a migration this code lacks
            manifest["migrations"]["articles"].append("9999_later")
        (backup_copy / "manifest.json").write_text(json.dumps(manifest))
    target = Site(tmp_path / "target", f"sqlite:///{tmp_path / 'target' / 'zixun.sqlite3'}")
    shutil.copytree(sqlite_site.folder, target.folder)
    (target.media / "images" / "later.txt").write_bytes(b"written after the backup")
    database = target.sqlite_path
    assert database is not None
    before = (_files(target.folder), os.stat(database).st_mtime_ns)
    # when it is restored over the site with --force
    completed = target.zixun("restore", str(backup_copy), "--force", "--no-progress", check=False)
    # then it is refused with the reason, and no file of the target changed
    assert completed.returncode == 1
    reason = {"edit": "SHA-256", "no-manifest": "manifest.json", "version": "99",
              "newer-code": "articles.9999_later"}[damage]  # fmt: skip
    assert reason in completed.stderr
    assert (_files(target.folder), os.stat(database).st_mtime_ns) == before


def test_backup_verify_and_restore_check_through_the_zixun_command(
    good_backup, backup_copy, capsys
):
    main(["backup", "--verify", str(good_backup), "--no-progress"])
    assert "完好" in capsys.readouterr().out
    main(["restore", "--check", str(good_backup), "--no-progress"])
    assert "完好" in capsys.readouterr().out
    (backup_copy / "database.sqlite3").write_bytes(b"not a database")
    with pytest.raises(SystemExit) as exit_:
        main(["restore", "--check", str(backup_copy), "--no-progress"])
    assert exit_.value.code == 1
    assert message_format(FILE_DAMAGED, name="database.sqlite3") in capsys.readouterr().err


def test_restore_that_does_not_match_the_manifest_says_which_table_and_exits_1(
    backup_copy, tmp_path
):
    # given a backup whose manifest has another count and hash for one table
    manifest = json.loads((backup_copy / "manifest.json").read_text())
    manifest["tables"]["engagement_comment"] = {"rows": 6, "sha256": "0" * 64}
    (backup_copy / "manifest.json").write_text(json.dumps(manifest))
    target = Site(tmp_path / "target", f"sqlite:///{tmp_path / 'target' / 'zixun.sqlite3'}")
    # when it is restored
    completed = target.zixun("restore", str(backup_copy), "--no-progress", check=False)
    # then the comparison shows the table that differs, and the command fails
    assert completed.returncode == 1
    [line] = [line for line in completed.stdout.splitlines() if "不一致" in line]
    assert line.split() == ["engagement_comment", "6", str(SEEDED_COMMENTS), "不一致"]
    assert "engagement_comment" in completed.stderr.splitlines()[-1]


def test_restore_refuses_a_target_that_is_not_empty(sqlite_site, good_backup):
    completed = sqlite_site.zixun("restore", str(good_backup), "--no-progress", check=False)
    assert completed.returncode == 1
    assert str(TARGET_NOT_EMPTY).split("（")[0] in completed.stderr
    assert "--force" in completed.stderr


def test_backup_refuses_an_existing_destination(good_backup):
    with pytest.raises(BackupError) as error:
        backup_create(dest=good_backup)
    assert str(error.value) == message_format(DEST_EXISTS, path=good_backup)


def test_backup_refuses_a_destination_it_cannot_create(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(BackupError) as error:
        backup_create(dest=tmp_path / "a-file" / "backup")
    assert error.value.message == DEST_NOT_WRITABLE
    assert list(tmp_path.iterdir()) == [tmp_path / "a-file"]


def _small_file_limit() -> None:
    # Python ignores SIGXFSZ: a write past the limit fails with EFBIG, like a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_backup_that_runs_out_of_space_leaves_no_backup(sqlite_site, tmp_path):
    dest = tmp_path / "backups" / "full"
    completed = sqlite_site.zixun(
        "backup", str(dest), "--no-progress", check=False, preexec_fn=_small_file_limit
    )
    assert completed.returncode == 1
    assert "备份失败，未完成的部分已删除" in completed.stderr
    assert list((tmp_path / "backups").iterdir()) == []


def test_table_hash_is_of_the_rows_in_key_order_and_changes_with_any_value():
    def digest(rows):
        connection = sqlite3.connect(":memory:")
        connection.execute("CREATE TABLE keyed (id INTEGER PRIMARY KEY, v)")
        connection.execute("CREATE TABLE pair (a TEXT, b INT, v, PRIMARY KEY (a, b)) WITHOUT ROWID")
        for number, value in rows:
            connection.execute("INSERT INTO keyed VALUES (?, ?)", (number, value))
            connection.execute(
                "INSERT INTO pair VALUES (?, ?, ?)", (str(number % 2), number, value)
            )
        return database_digest(lambda: connection.cursor(), vendor="sqlite")

    rows = [(1, "2026-01-01"), (2, None), (3, 1.5), (4, b"\x00")]
    same = digest(rows)
    assert digest(list(reversed(rows))) == same
    assert same["keyed"]["rows"] == same["pair"]["rows"] == 4
    changed = digest([*rows[:2], (3, 1.25), rows[3]])
    for table in ("keyed", "pair"):
        assert changed[table]["rows"] == 4
        assert changed[table]["sha256"] != same[table]["sha256"]


def test_row_encoding_is_canonical_for_the_types_the_drivers_return():
    from datetime import UTC, datetime
    from decimal import Decimal
    from uuid import UUID

    row = (
        b"\x00\xff",
        memoryview(b"\x01"),
        datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        Decimal("1.50"),
        UUID(int=1),
        {"b": 1, "a": [1, "文"]},
        None,
        True,
    )
    assert (
        _row_line(row)
        == (
            '[{"hex":"00ff"},{"hex":"01"},"2026-12-01T08:00:00+00:00","1.50",'
            '"00000000-0000-0000-0000-000000000001",{"a":[1,"文"],"b":1},null,true]\n'
        ).encode()
    )


def _fake_tool(folder: Path, name: str, version: str) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    script.chmod(0o755)


def test_pg_tools_older_than_the_server_or_missing_are_refused(tmp_path, monkeypatch):
    _fake_tool(tmp_path / "bin", "pg_dump", "14.11 (Debian 14.11-1)")
    _fake_tool(tmp_path / "bin", "pg_restore", "16.2")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(BackupError) as error:
        _pg_tool("pg_dump", 15)
    assert str(error.value) == message_format(
        PG_TOOL_TOO_OLD, tool="pg_dump", tool_major=14, server_major=15
    )
    assert _pg_tool("pg_restore", 15) == str(tmp_path / "bin" / "pg_restore")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupError) as error:
        _pg_tool("pg_dump", 15)
    assert str(error.value) == message_format(PG_TOOL_MISSING, tool="pg_dump", major=15)


def test_manifest_names_the_format_it_is_read_with(good_backup):
    manifest = json.loads((good_backup / "manifest.json").read_text())
    assert (manifest["format"], manifest["format_version"]) == (FORMAT, FORMAT_VERSION)
    assert manifest["migrations"]["articles"][0] == "0001_initial"
    assert set(manifest["tables"]["accounts_user"]) == {"rows", "sha256"}


def test_sqlite_copy_is_one_snapshot_taken_in_steps_while_another_connection_writes(
    tmp_path, monkeypatch
):
    # given a WAL database whose two tables move together in every transaction
    source = tmp_path / "source.sqlite3"
    setup = sqlite3.connect(source, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, padding TEXT)")
    setup.execute("CREATE TABLE total (n INTEGER)")
    setup.execute("BEGIN")
    setup.executemany("INSERT INTO entry (padding) VALUES (?)", [("x" * 500,)] * 2000)
    setup.execute("INSERT INTO total VALUES (2000)")
    setup.execute("COMMIT")
    pages = setup.execute("PRAGMA page_count").fetchone()[0]
    setup.close()
    stop = threading.Event()
    written = [0]

    def write():
        writer = sqlite3.connect(source, isolation_level=None, timeout=30)
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO entry (padding) VALUES (?)", ("y" * 500,))
            writer.execute("UPDATE total SET n = n + 1")
            writer.execute("COMMIT")
            written[0] += 1
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    steps = []

    def report(line):
        steps.append(written[0])
        time.sleep(0.01)  # let the writer commit between two steps

    # when it is copied a few pages a step
    monkeypatch.setattr("zixun.core.backup.SQLITE_PAGES_PER_STEP", 20)
    copy = tmp_path / "copy.sqlite3"
    try:
        from zixun.core.backup import _sqlite_snapshot

        _sqlite_snapshot(source, copy, report)
    finally:
        stop.set()
        thread.join()
    # then the writer committed between the steps, the copy never restarted, and it holds
    # one moment: the total agrees with the entries
    assert steps[-1] > steps[0]
    assert len(steps) <= pages // 20 + 2
    reader = sqlite3.connect(copy)
    entries = reader.execute("SELECT count(*) FROM entry").fetchone()[0]
    assert reader.execute("SELECT n FROM total").fetchone()[0] == entries
    assert 2000 + steps[0] <= entries <= 2000 + steps[-1]
    assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    reader.close()
