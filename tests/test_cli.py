import json

import pytest

from zixun.__main__ import main
from zixun.articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command run through argv closes every connection when it ends (run_from_argv);
    on PostgreSQL that would close the test's own transaction."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)


def test_zixun_import_articles_runs_the_import_command(tmp_path, capsys):
    path = tmp_path / "one.jsonl"
    record = {
        "id": "cli-1",
        "title": "命令行导入",
        "body": "正文。",
        "published_at": "2024-01-01T08:00:00+08:00",
        "source": "某号",
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    main(["import-articles", str(path), "--no-progress"])
    assert "新增 1 · 更新 0" in capsys.readouterr().out
    assert Article.objects.get().title == "命令行导入"


def test_zixun_passes_other_commands_through(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["no-such-command"])
    assert exit_.value.code == 1
    assert "Unknown command: 'no_such_command'" in capsys.readouterr().err
