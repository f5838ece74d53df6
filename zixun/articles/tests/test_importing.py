import gzip
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from zixun.articles import importing
from zixun.articles.importing import articles_import
from zixun.articles.models import Article
from zixun.core.errors import message_format
from zixun.creators.models import Creator

pytestmark = pytest.mark.django_db


def record(n=1, **fields):
    data = {
        "id": f"t-{n}",
        "title": f"第{n}条新闻的标题",
        "body": f"第一段第{n}条。\n第二段。",
        "category": "体育",
        "published_at": "2024-04-25T14:23:34+08:00",
        "source": "测试来源号",
        "tags": ["标签甲", "标签乙"],
        "url": f"https://example.com/{n}",
    }
    data.update(fields)
    return data


def write(path, rows, *, gz=False):
    text = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
    )
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_good_records_become_published_articles(tmp_path):
    path = write(tmp_path / "a.jsonl", [record(1), record(2, category="国际资讯")])
    stats = articles_import(path)
    assert (stats.created, stats.updated, stats.skipped) == (2, 0, 0)
    first = Article.objects.get(external_id="t-1")
    assert first.status == Article.Status.PUBLISHED
    assert first.channel.slug == "sports"
    assert first.body_html == "<p>第一段第1条。</p><p>第二段。</p>"
    assert first.body_text == "第一段第1条。\n第二段。"
    assert first.published_at == datetime(2024, 4, 25, 6, 23, 34, tzinfo=UTC)
    assert first.tags == ["标签甲", "标签乙"]
    assert first.creator.name == "测试来源号"
    assert Article.objects.get(external_id="t-2").channel.slug == "world"
    assert Creator.objects.get(name="测试来源号").article_count == 2


def test_gzip_files_are_read(tmp_path):
    path = write(tmp_path / "a.jsonl.gz", [record(1)], gz=True)
    assert articles_import(path).created == 1


def test_reimport_creates_no_duplicates_and_updates_changed_records(tmp_path):
    path = write(tmp_path / "a.jsonl", [record(1), record(2)])
    articles_import(path)
    write(path, [record(1), record(2, title="改过的标题"), record(3)])
    stats = articles_import(path)
    assert (stats.created, stats.updated, stats.unchanged) == (1, 1, 1)
    assert Article.objects.count() == 3
    assert Article.objects.get(external_id="t-2").title == "改过的标题"
    assert Creator.objects.get(name="测试来源号").article_count == 3


def test_moving_a_record_to_another_account_recounts_both(tmp_path):
    path = write(tmp_path / "a.jsonl", [record(1), record(2)])
    articles_import(path)
    write(path, [record(1), record(2, source="另一个号")])
    articles_import(path)
    assert Creator.objects.get(name="测试来源号").article_count == 1
    assert Creator.objects.get(name="另一个号").article_count == 1


BAD_LINES = [
    ("{not json", "JSON 无法解析"),
    ("[1, 2]", importing.NOT_AN_OBJECT),
    (record(10, id=""), message_format(importing.MISSING, name="id")),
    (record(11, title=None), message_format(importing.MISSING, name="title")),
    (record(12, title="长" * 121), message_format(importing.TITLE_TOO_LONG, limit=120)),
    (record(13, body="   "), message_format(importing.MISSING, name="body")),
    (record(14, published_at="昨天"), importing.BAD_TIME),
    (record(15, published_at="2999-01-01T00:00:00+08:00"), importing.FUTURE_TIME),
    (record(16, tags="体育"), importing.BAD_TAGS),
    (record(17, url="javascript:alert(1)"), importing.BAD_URL),
    (record(18, source="", account=None), importing.NO_ACCOUNT),
    (record(19, title=42), message_format(importing.NOT_TEXT, name="title")),
    (record(20, is_original="true"), importing.BAD_ORIGINAL),
    (record(1), message_format(importing.DUPLICATE_IN_FILE, line=1)),
]


def test_bad_records_are_reported_with_line_and_reason_and_skipped(tmp_path):
    rows = [record(1)] + [line for line, _ in BAD_LINES] + [record(2)]
    reported = []
    stats = articles_import(
        write(tmp_path / "bad.jsonl", rows),
        on_error=lambda line, reason: reported.append((line, reason)),
    )
    assert stats.created == 2
    assert [line for line, _ in reported] == list(range(2, 2 + len(BAD_LINES)))
    for (_, reason), (_, expected) in zip(reported, BAD_LINES, strict=True):
        assert str(expected) in reason
    assert stats.errors == reported


def test_body_html_is_sanitized(tmp_path):
    body = '<p onclick="x()">好<script>alert(1)</script></p><img src="javascript:x" alt="a"><a href="https://e.cn">链接</a>'
    articles_import(write(tmp_path / "x.jsonl", [record(1, body=body)]))
    article = Article.objects.get()
    assert "script" not in article.body_html
    assert "onclick" not in article.body_html
    assert "javascript" not in article.body_html
    assert 'rel="noopener noreferrer nofollow ugc"' in article.body_html
    assert article.body_text == "好\n链接"


def test_naive_times_are_beijing_time(tmp_path):
    articles_import(write(tmp_path / "x.jsonl", [record(1, published_at="2024-04-25 08:00:00")]))
    assert Article.objects.get().published_at == datetime(2024, 4, 25, 0, 0, tzinfo=UTC)


def test_unknown_category_goes_to_the_fallback_channel(tmp_path):
    articles_import(
        write(tmp_path / "x.jsonl", [record(1, category="不存在的分类"), record(2, category=None)])
    )
    assert set(Article.objects.values_list("channel__slug", flat=True)) == {"news"}


def test_category_map_overrides_and_rejects_unknown_channels(tmp_path):
    path = write(tmp_path / "x.jsonl", [record(1, category="国际资讯")])
    articles_import(path, category_map={"国际资讯": "war"})
    assert Article.objects.get().channel.slug == "war"
    with pytest.raises(ValueError, match="不存在的频道"):
        articles_import(path, category_map={"国际资讯": "nowhere"})


def test_category_map_file_setting(tmp_path, settings):
    map_file = tmp_path / "map.json"
    map_file.write_text(json.dumps({"自定义": "tech"}), encoding="utf-8")
    settings.ZIXUN_CATEGORY_MAP_FILE = str(map_file)
    articles_import(write(tmp_path / "x.jsonl", [record(1, category="自定义")]))
    assert Article.objects.get().channel.slug == "tech"


def test_default_account_overrides_source(tmp_path):
    articles_import(
        write(tmp_path / "x.jsonl", [record(1), record(2, source="")]), default_account="统一账号"
    )
    assert set(Article.objects.values_list("creator__name", flat=True)) == {"统一账号"}


def test_an_interrupted_import_resumes_without_duplicates(tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    path = write(tmp_path / "x.jsonl", [record(n) for n in range(1, 8)])
    calls = {"n": 0}
    real_save = importing.records_save

    def crash_on_third_batch(records, stats):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_save(records, stats)

    monkeypatch.setattr(importing, "records_save", crash_on_third_batch)
    with pytest.raises(KeyboardInterrupt):
        articles_import(path)
    assert Article.objects.count() == 4  # two whole batches, the third rolled back
    monkeypatch.setattr(importing, "records_save", real_save)
    stats = articles_import(path)
    assert (stats.created, stats.unchanged) == (3, 4)
    assert Article.objects.count() == 7


def test_reimport_keeps_an_editors_unpublish(tmp_path):
    path = write(tmp_path / "x.jsonl", [record(1)])
    articles_import(path)
    Article.objects.update(status=Article.Status.UNPUBLISHED)
    write(path, [record(1, title="新标题")])
    articles_import(path)
    article = Article.objects.get()
    assert article.status == Article.Status.UNPUBLISHED
    assert article.title == "新标题"


def test_command_reports_counts_and_bad_lines(tmp_path, capsys):
    path = write(tmp_path / "x.jsonl", [record(1), "oops"])
    call_command("articles_import", str(path), "--no-progress")
    out, err = capsys.readouterr()
    assert "新增 1 · 更新 0 · 未变 0 · 跳过 1" in out
    assert "跳过 1 条：JSON 无法解析" in out
    assert "x.jsonl:2: JSON 无法解析" in err


def test_command_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("articles_import", str(tmp_path / "nope.jsonl"))


def test_command_rejects_a_broken_category_map(tmp_path):
    path = write(tmp_path / "x.jsonl", [record(1)])
    bad = tmp_path / "map.json"
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match="分类映射文件"):
        call_command("articles_import", str(path), "--category-map", str(bad))
    assert not Article.objects.exists()


@pytest.mark.shared_data
def test_the_cctv_corpus_imports(shared_dir):
    stats = articles_import(shared_dir / "data/cn_news_cctv_xwlb/articles.jsonl.gz", limit=300)
    assert stats.created + stats.skipped == 300
    assert stats.created >= 295
    assert Article.objects.filter(channel__slug="world").exists()


def test_the_command_says_why_records_were_skipped(tmp_path, capsys):
    # given a file with two records missing a title, one in the future and a good one
    rows = [record(1, title=None), record(2), record(3, title=None)]
    rows.append(record(4, published_at="2999-01-01T00:00:00+08:00"))
    path = write(tmp_path / "a.jsonl", rows)
    # when it is imported
    call_command("articles_import", str(path), "--no-progress")
    out = capsys.readouterr().out.splitlines()
    # then the summary is followed by each kind of refusal, the most frequent first
    assert out[0] == "新增 1 · 更新 0 · 未变 0 · 跳过 3"
    assert out[1] == "跳过 2 条：缺少字段 title（首次在第 1 行）"
    assert out[2] == "跳过 1 条：published_at 在未来（首次在第 4 行）"
