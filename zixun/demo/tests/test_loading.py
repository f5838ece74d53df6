from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from zixun.articles.models import Article, Image
from zixun.channels.models import Channel
from zixun.creators.models import Creator
from zixun.demo.loading import demo_load_reference, demo_load_starter, reference_article_id
from zixun.demo.reference import REFERENCE_ACCOUNT, REFERENCE_LABEL, reference_record

pytestmark = pytest.mark.django_db


def test_starter_content_fills_every_channel_and_block():
    stats = demo_load_starter()
    assert stats.skipped == 0
    assert stats.created >= 36
    assert Creator.objects.filter(article_count__gte=4).count() >= 6
    for channel in Channel.objects.all():
        assert Article.objects.filter(channel=channel, status="published").exists(), channel.name
    for channel in Channel.objects.filter(is_original_category=True):
        assert Article.objects.filter(channel=channel, is_original=True).exists(), channel.name
    assert Creator.objects.exclude(verification_label="").count() >= 6


def test_loading_the_starter_twice_changes_nothing():
    first = demo_load_starter()
    second = demo_load_starter()
    assert second.created == 0
    assert second.unchanged == first.created
    assert Article.objects.count() == first.created


def test_starter_articles_get_covers_and_some_a_picture_in_the_body_once():
    # when the starter is loaded twice
    demo_load_starter()
    images = Image.objects.count()
    demo_load_starter()
    # then every starter article has a cover with renditions, drawn here, with alt text
    starter = Article.objects.filter(external_id__startswith="starter-")
    assert not starter.filter(cover_image="").exists()
    article = starter.get(external_id="starter-003")
    assert article.cover is not None
    assert len(article.cover.srcset.split(", ")) == 3  # 320w, 960w and the original
    assert article.cover_alt.startswith("示意插图")
    assert set(article.cover_renditions) == {"320", "960"}
    # every third also shows a figure after its first paragraph, not its cover again
    assert article.body_html.count("<img") == 1
    assert article.body_html.index("<figure>") > article.body_html.index("</p>")
    assert not article.cover_in_body
    assert starter.get(external_id="starter-001").body_html.count("<img") == 0
    # and a second load draws nothing more
    assert Image.objects.count() == images == starter.count() + starter.count() // 3


def test_reference_page_parses_into_its_article(shared_dir):
    record = reference_record(shared_dir / "reference" / "000_bb2b08e1798c7b39.txt")
    assert record["title"] == "广东省对口支援新疆工作前方指挥部荣获全国脱贫攻坚先进集体光荣称号"
    paragraphs = record["body"].split("\n")
    assert paragraphs[0].startswith("2月25日,全国脱贫攻坚总结表彰大会在北京召开")
    assert paragraphs[-1].endswith("(肖凯明)")
    assert len(paragraphs) == 4
    assert "特别声明" not in record["body"]
    assert record["published_at"] == "2024-04-26T08:46:46+08:00"


def test_reference_article_is_loaded_under_its_account_and_pinned(shared_dir):
    demo_load_reference(shared_dir)
    demo_load_reference(shared_dir)
    article = Article.objects.get(pk=reference_article_id())
    assert article.creator.name == REFERENCE_ACCOUNT
    assert article.creator.verification_label == REFERENCE_LABEL
    assert article.creator.account_type == Creator.AccountType.MEDIA
    assert article.pinned_at is not None
    assert article.published_at == datetime(
        2024, 4, 26, 8, 46, 46, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert Article.objects.filter(creator__name=REFERENCE_ACCOUNT).count() == 1


def test_demo_load_command_without_shared(tmp_path, capsys):
    call_command("demo_load", "--shared", str(tmp_path), "--no-progress")
    out = capsys.readouterr().out
    assert "起步内容：新增 " in out
    assert "下没有参考文章，已跳过" in out
    assert "下没有语料，已跳过" in out
    assert reference_article_id() is None


@pytest.mark.shared_data
def test_demo_load_command_with_a_slice_of_the_corpus(shared_dir, capsys):
    call_command("demo_load", "--shared", str(shared_dir), "--corpus-limit", "200", "--no-progress")
    out = capsys.readouterr().out
    assert "参考文章：新增 1" in out
    assert "articles.jsonl.gz" in out
    assert Article.objects.filter(external_id__startswith="xwlb-").count() >= 195


@pytest.mark.shared_data
def test_reference_account_reposts_its_share_of_the_corpus(shared_dir):
    demo_load_reference(shared_dir)
    call_command(
        "demo_load", "--shared", str(shared_dir), "--corpus-limit", "3000", "--no-progress"
    )
    reposts = Article.objects.filter(creator__name=REFERENCE_ACCOUNT).exclude(
        pk=reference_article_id()
    )
    assert reposts.exists()
    assert set(reposts.values_list("source", flat=True)) == {"央视网"}


def test_demo_people_can_sign_in_and_keep_their_passwords(tmp_path, client):
    from zixun.demo.loading import demo_load_people

    demo_load_starter()
    first = demo_load_people(var_dir=tmp_path)
    again = demo_load_people(var_dir=tmp_path)
    assert first == again
    email, password = first[1][1], first[1][2]
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302
    assert Creator.objects.get(name="晨江晚报").members.filter(username="chenjiang").exists()
    assert client.get("/studio/").status_code == 200


def test_the_people_file_lists_each_sign_in_email_and_reads_older_files(tmp_path):
    from zixun.demo.loading import demo_email, demo_load_people

    # given a file in the older "name password" form
    (tmp_path / "demo-people.txt").write_text("editor oldsecret\n", encoding="utf-8")
    demo_load_starter()
    # when the people are loaded
    people = {name: password for name, _email, password in demo_load_people(var_dir=tmp_path)}
    # then the file names each person's sign-in email beside the password
    lines = (tmp_path / "demo-people.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [f"{name} {demo_email(name)} {people[name]}" for name in people]
