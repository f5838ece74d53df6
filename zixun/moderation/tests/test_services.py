"""Trust and safety's services on a real database: the lists and the filter on every path,
reports and every decision, appeals, labels, near-duplicates and the audit trail."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.selectors import article_cards, article_list_latest
from zixun.articles.services import drafts, review
from zixun.articles.services.checks import ArticleError, ArticleInput
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.audit.models import AuditEntry
from zixun.audit.wording import ACTIONS
from zixun.core.pagination import PageRequest
from zixun.creators.models import Creator
from zixun.creators.services import creator_suspensions_end
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.models import Comment
from zixun.engagement.services import EngagementError, comment_create
from zixun.moderation import services
from zixun.moderation.models import Appeal, Case, Notice, Report
from zixun.moderation.services import ModerationError

pytestmark = pytest.mark.django_db

# A story long enough to fingerprint, and a different one on the same subject.
STORY = (
    "本台消息，今年以来，全国各地积极推进农村公路建设，新改建农村公路超过十万公里，"
    "一大批通村公路连通了偏远山区。交通运输部介绍，农村公路的建设让农产品运得出、卖得好，"
    "许多村庄因此发展起了乡村旅游和电商产业，农民收入明显增加。下一步，将继续加大投入，"
    "推动农村公路与产业发展深度融合，提升养护水平，确保道路安全畅通。专家表示，农村公路"
    "是乡村振兴的基础设施，要建好、管好、护好、运营好，让群众出行更方便、更安全。"
)
OTHER = (
    "本台消息，国家统计局今天发布数据，前三季度全国居民人均可支配收入稳步增长，消费市场"
    "持续回暖，服务消费增速加快。统计局新闻发言人介绍，城镇调查失业率总体稳定，就业形势"
    "保持平稳，物价水平温和上涨。分析人士认为，随着一系列促消费政策落地见效，国内需求"
    "有望进一步释放，经济运行有望继续保持回升向好态势，为完成全年目标任务打下坚实基础。"
)


@pytest.fixture
def editor():
    return EditorFactory()


@pytest.fixture
def reader():
    return UserFactory()


def word_list(editor, name, action, *words):
    listed = services.wordlist_save(by=editor, name=name, action=action)
    services.words_add(by=editor, word_list=listed, words=words)
    return listed


def submit(creator, writer, **changes):
    data = {"title": "社区足球联赛开幕", "body_source": "周六下午，联赛在体育公园开幕。",
            "channel_id": channel("sports").pk, "tags": ["足球"]} | changes  # fmt: skip
    article = drafts.article_create(creator=creator, by=writer, data=ArticleInput(**data))
    return review.article_submit(article=article, by=writer)


# The filter ---------------------------------------------------------------------------------


def test_a_list_change_takes_effect_at_the_next_screen_without_a_restart(editor, reader):
    article = ArticleFactory()
    comment_create(user=reader, article_id=article.pk, body="买枪找我")  # no list yet
    word_list(editor, "涉枪涉爆", "block", "买枪")
    with pytest.raises(EngagementError, match="涉枪涉爆"):
        comment_create(user=reader, article_id=article.pk, body="买 枪找我")
    services.words_remove(by=editor, word_list=services.WordList.objects.get(), words=["买枪"])
    assert comment_create(user=reader, article_id=article.pk, body="买枪 再说").status == "visible"


def test_review_holds_a_comment_and_mask_stores_stars(editor, reader):
    article = ArticleFactory()
    word_list(editor, "广告", "review", "加微信")
    word_list(editor, "粗口", "mask", "笨蛋")
    held = comment_create(user=reader, article_id=article.pk, body="加 微信领红包")
    assert held.status == Comment.Status.PENDING
    assert AuditEntry.objects.get(action="comment.hold").data["rule"] == "广告"
    masked = comment_create(user=reader, article_id=article.pk, body="你这个笨蛋")
    assert (masked.status, masked.body) == ("visible", "你这个＊＊")


def test_the_allow_list_lets_ordinary_words_through(editor, reader):
    article = ArticleFactory()
    word_list(editor, "广告", "block", "招聘")
    with pytest.raises(EngagementError):
        comment_create(user=reader, article_id=article.pk, body="高薪招聘")
    services.allow_words_set(by=editor, add=["招聘"])
    assert comment_create(user=reader, article_id=article.pk, body="高校招聘会").status == "visible"


def test_a_blocked_word_refuses_an_article_naming_the_field_and_rule(editor, creator, writer):
    word_list(editor, "违禁品", "block", "冰毒")
    with pytest.raises(ArticleError, match=r"标题.*违禁品"):
        submit(creator, writer, title="哪里有冰毒")
    with pytest.raises(ArticleError, match=r"正文.*违禁品"):
        submit(creator, writer, body_source="正文提到冰 毒。")
    with pytest.raises(ArticleError, match="标签"):
        submit(creator, writer, tags=["冰毒"])


def test_a_blocked_domain_in_a_link_refuses_the_article(editor, creator, writer):
    services.blocked_domains_set(by=editor, add=["bad-site.example"])
    with pytest.raises(ArticleError, match="违规链接"):
        submit(creator, writer, body_source="详见[这里](https://www.bad-site.example/x)。")


def test_review_words_send_a_trusted_accounts_article_to_an_editor(editor, creator, writer):
    Creator.objects.filter(pk=creator.pk).update(is_trusted=True)
    creator.refresh_from_db()
    word_list(editor, "敏感话题", "review", "游行")
    article = submit(creator, writer, body_source="昨日有市民游行。")
    assert article.status == Article.Status.PENDING
    assert article.review_flags == [{"kind": "keyword", "field": "body", "rule": "敏感话题",
                                     "words": ["游行"]}]  # fmt: skip
    plain = submit(creator, writer, title="另一篇")
    assert plain.status == Article.Status.PUBLISHED
    assert plain.review_flags == []


def test_masked_words_are_stored_masked_in_the_article(editor, creator, writer):
    word_list(editor, "粗口", "mask", "笨蛋")
    article = submit(creator, writer, title="笨蛋才不看", body_source="别当笨蛋。")
    assert article.title == "＊＊才不看"
    assert "笨蛋" not in article.body_html
    assert "＊＊" in article.body_html


def test_an_account_name_with_a_listed_word_is_refused(editor, reader):
    from zixun.creators.services import ApplicationError, ApplicationInput, application_submit

    word_list(editor, "冒充官方", "mask", "官方认证")
    data = ApplicationInput(account_type="personal", account_name="官方认证号", introduction="介绍",
                            operator_name="张三", channel_id=channel("news").pk,
                            id_number="11010519491231002X")  # fmt: skip
    with pytest.raises(ApplicationError, match="冒充官方"):
        application_submit(applicant=reader, data=data)


def test_a_title_of_symbols_only_is_refused_clearly(creator, writer):
    with pytest.raises(ArticleError, match="只有空格和符号"):
        submit(creator, writer, title="？？？！！！……")
    with pytest.raises(ArticleError, match="只有空格和符号"):
        submit(creator, writer, title="★ ☆ ★")


def test_a_word_that_is_only_symbols_is_refused_with_its_name(editor):
    listed = services.wordlist_save(by=editor, name="测试", action="block")
    with pytest.raises(ModerationError, match="！！"):
        services.words_add(by=editor, word_list=listed, words=["正常", "！！"])
    assert listed.words.count() == 0  # the whole batch is refused, nothing half-stored


def test_a_list_of_100000_words_loads_and_screens(editor, reader):
    listed = services.wordlist_save(by=editor, name="大词库", action="review")
    added = services.words_add(by=editor, word_list=listed,
                               words=(f"词{n:06d}号" for n in range(100_000)))  # fmt: skip
    assert added == 100_000
    article = ArticleFactory()
    assert comment_create(user=reader, article_id=article.pk, body="说到词054321号").status == "pending"  # fmt: skip


def test_only_editors_change_lists(reader):
    with pytest.raises(ModerationError):
        services.wordlist_save(by=reader, name="x", action="block")


# Reports and decisions -------------------------------------------------------------------------


def test_reports_of_one_target_collapse_into_one_case_with_a_count(reader):
    article = ArticleFactory()
    services.report_file(
        reporter=reader, target_type="article", target_id=article.pk, reason="spam"
    )
    services.report_file(reporter=UserFactory(), target_type="article", target_id=article.pk,
                         reason="rumor", details="与事实不符")  # fmt: skip
    case = Case.objects.get()
    assert (case.report_count, case.reasons) == (2, {"spam": 1, "rumor": 1})
    with pytest.raises(ModerationError, match="已举报过"):
        services.report_file(reporter=reader, target_type="article", target_id=article.pk,
                             reason="spam")  # fmt: skip
    assert Case.objects.get().report_count == 2


def test_reports_of_missing_or_own_content_and_bad_reasons_are_refused(reader, creator, writer):
    gone = ArticleFactory(deleted_at=timezone.now())
    cases = [
        ({"target_type": "article", "target_id": gone.pk, "reason": "spam"}, "不存在或已被删除"),
        ({"target_type": "article", "target_id": 10**9, "reason": "spam"}, "不存在或已被删除"),
        ({"target_type": "thing", "target_id": 1, "reason": "spam"}, "不存在或已被删除"),
        ({"target_type": "article", "target_id": gone.pk, "reason": "??"}, "请选择举报理由"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ModerationError, match=message):
            services.report_file(reporter=reader, **kwargs)
    own = ArticleFactory(creator=creator)
    with pytest.raises(ModerationError, match="自己"):
        services.report_file(
            reporter=writer, target_type="article", target_id=own.pk, reason="spam"
        )
    with pytest.raises(ModerationError, match="500"):
        services.report_file(reporter=reader, target_type="article", target_id=own.pk,
                             reason="spam", details="长" * 501)  # fmt: skip
    assert not Case.objects.exists()


def case_of(kind, target_id, *reporters, reason="spam"):
    for reporter in reporters:
        services.report_file(
            reporter=reporter, target_type=kind, target_id=target_id, reason=reason
        )
    return Case.objects.get(target_type=kind, target_id=target_id, status="open")


def kinds(user):
    return list(Notice.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_dismissing_tells_the_reporters_and_closes_the_case(editor, reader):
    article = ArticleFactory()
    case = case_of("article", article.pk, reader)
    services.case_decide(case=case, by=editor, decision="dismiss")
    assert Case.objects.get().status == "closed"
    assert kinds(reader) == ["report"]
    # a new report opens a new case
    case_of("article", article.pk, UserFactory())
    assert Case.objects.filter(status="open").count() == 1


def test_a_takedown_hides_the_article_tells_its_account_and_opens_an_appeal(editor, reader, creator, writer):  # fmt: skip
    article = ArticleFactory(creator=creator)
    case = case_of("article", article.pk, reader)
    services.case_decide(case=case, by=editor, decision="takedown", reason="散布谣言")
    article.refresh_from_db()
    assert (article.status, article.takedown_reason) == ("taken_down", "散布谣言")
    notice = Notice.objects.get(user=writer)
    assert notice.kind == "takedown"
    assert notice.params["entry"]
    assert kinds(reader) == ["report"]
    # the creator appeals once; an editor reverses it; the article is live again
    appeal = services.appeal_file(user=writer, entry_id=notice.params["entry"], text="内容属实")
    with pytest.raises(ModerationError, match="一次"):
        services.appeal_file(user=writer, entry_id=notice.params["entry"], text="再申诉")
    services.appeal_decide(appeal=appeal, by=editor, reverse=True, reply="经复核恢复")
    article.refresh_from_db()
    assert article.status == "published"
    assert Appeal.objects.get().status == "reversed"
    assert kinds(writer) == ["takedown", "appeal"]


def test_appeals_after_the_deadline_by_others_or_of_stale_decisions_are_refused(editor, reader, creator, writer):  # fmt: skip
    article = ArticleFactory(creator=creator)
    services.takedown(article=article, by=editor, reason="违规")
    entry = AuditEntry.objects.get(action="article.takedown")
    with pytest.raises(ModerationError, match="只能申诉"):
        services.appeal_file(user=reader, entry_id=entry.pk, text="不服")
    with pytest.raises(ModerationError, match="申诉理由"):
        services.appeal_file(user=writer, entry_id=entry.pk, text="  ")
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ModerationError, match="7 天"):
        services.appeal_file(user=writer, entry_id=entry.pk, text="不服")
    with pytest.raises(ModerationError, match="不能申诉"):
        services.appeal_file(user=writer, entry_id=10**9, text="不服")
    assert not Appeal.objects.exists()


def test_an_upheld_appeal_keeps_the_decision(editor, creator, writer):
    article = ArticleFactory(creator=creator)
    services.takedown(article=article, by=editor, reason="违规")
    entry = AuditEntry.objects.get(action="article.takedown")
    appeal = services.appeal_file(user=writer, entry_id=entry.pk, text="不服")
    with pytest.raises(ModerationError, match="理由"):
        services.appeal_decide(appeal=appeal, by=editor, reverse=False, reply="")
    services.appeal_decide(appeal=appeal, by=editor, reverse=False, reply="维持")
    assert Article.objects.get(pk=article.pk).status == "taken_down"
    with pytest.raises(ModerationError, match="已处理"):
        services.appeal_decide(appeal=appeal, by=editor, reverse=True, reply="改主意")


def test_a_ban_with_hide_all_hides_every_comment_and_stops_new_ones(editor, reader):
    first, second = ArticleFactory(), ArticleFactory()
    bad = comment_create(user=reader, article_id=first.pk, body="第一条")
    comment_create(user=reader, article_id=second.pk, body="第二条")
    kept = comment_create(user=UserFactory(), article_id=first.pk, body="别人的")
    comment_create(user=reader, article_id=first.pk, body="回复别人", parent_id=kept.pk)
    case = case_of("comment", bad.pk, UserFactory())
    services.case_decide(case=case, by=editor, decision="ban", reason="辱骂", hide_all=True)
    assert set(Comment.objects.filter(user=reader).values_list("status", flat=True)) == {"hidden"}
    kept.refresh_from_db()
    assert (kept.status, kept.reply_count) == ("visible", 0)
    assert Article.objects.get(pk=first.pk).comment_count == 1
    assert Article.objects.get(pk=second.pk).comment_count == 0
    with pytest.raises(EngagementError, match="禁言"):
        comment_create(user=reader, article_id=second.pk, body="我又来了")
    notice = Notice.objects.get(user=reader)
    assert (notice.kind, notice.params["hidden"]) == ("ban", 3)


def test_a_ban_without_hide_all_hides_only_the_reported_comment(editor, reader):
    article = ArticleFactory()
    bad = comment_create(user=reader, article_id=article.pk, body="坏的")
    fine = comment_create(user=reader, article_id=article.pk, body="好的")
    services.case_decide(case=case_of("comment", bad.pk, UserFactory()), by=editor,
                         decision="ban", reason="辱骂")  # fmt: skip
    assert Comment.objects.get(pk=bad.pk).status == "hidden"
    assert Comment.objects.get(pk=fine.pk).status == "visible"


def test_a_suspension_for_a_period_ends_by_itself(editor, reader, creator, writer):
    article = ArticleFactory(creator=creator)
    case = case_of("article", article.pk, reader)
    services.case_decide(case=case, by=editor, decision="suspend", reason="屡次违规",
                         until=timezone.now() + timedelta(days=3))  # fmt: skip
    creator.refresh_from_db()
    assert creator.is_suspended
    assert creator.suspended_until
    with pytest.raises(ArticleError, match="停用"):
        submit(creator, writer, title="封禁中")
    assert creator_suspensions_end() == 0  # not yet
    Creator.objects.filter(pk=creator.pk).update(suspended_until=timezone.now() - timedelta(seconds=1))  # fmt: skip
    assert creator_suspensions_end() == 1
    assert not Creator.objects.get(pk=creator.pk).is_suspended
    assert AuditEntry.objects.filter(action="creator.unsuspend", actor=None).exists()


def test_warn_tells_the_owner_and_decisions_that_do_not_fit_are_refused(editor, reader, creator, writer):  # fmt: skip
    article = ArticleFactory(creator=creator)
    case = case_of("article", article.pk, reader)
    with pytest.raises(ModerationError, match="不适用"):
        services.case_decide(case=case, by=editor, decision="ban", reason="x")
    with pytest.raises(ModerationError, match="理由"):
        services.case_decide(case=case, by=editor, decision="warn", reason=" ")
    services.case_decide(case=case, by=editor, decision="warn", reason="标题夸张")
    assert kinds(writer) == ["warn"]
    with pytest.raises(ModerationError, match="已处理"):
        services.case_decide(case=case, by=editor, decision="dismiss")


def test_reports_of_an_account_and_of_a_deleted_commenter(editor, reader):
    account = CreatorFactory()
    case = case_of("account", account.pk, reader, reason="other")
    services.case_decide(case=case, by=editor, decision="suspend", reason="冒充", until=None)
    assert Creator.objects.get(pk=account.pk).is_suspended


# Labels ---------------------------------------------------------------------------------------


def test_a_label_needs_evidence_is_audited_and_shows_on_every_card(editor, creator, writer):
    article = ArticleFactory(creator=creator)
    with pytest.raises(ModerationError, match="证据链接"):
        services.label_set(article=article, by=editor, label="false", url="javascript:alert(1)")
    with pytest.raises(ModerationError, match="未知"):
        services.label_set(article=article, by=editor, label="fake", url="https://a.example")
    services.label_set(article=article, by=editor, label="false", url="https://piyao.example/1",
                       note="官方已辟谣")  # fmt: skip
    assert article_cards(ids=[article.pk])[0].label == "false"
    assert article_list_latest(page=PageRequest()).items[0].label == "false"
    assert kinds(writer) == ["label"]
    services.label_set(article=article, by=editor, label="")
    assert Article.objects.get(pk=article.pk).label_url == ""
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["article.label", "article.unlabel"]  # fmt: skip


# Near-duplicates ------------------------------------------------------------------------------


def test_a_near_copy_points_at_its_original_and_lists_show_the_story_once(creator):
    original = ArticleFactory(body_text=STORY, title="农村公路建设成效显著")
    services.article_screen_after_publish(article_id=original.pk)
    copy = ArticleFactory(body_text="来源：某报\n" + STORY.replace("专家表示", "有专家说") + "\n编辑：小王",
                          title="转：农村公路")  # fmt: skip
    other = ArticleFactory(body_text=OTHER)
    for article in (copy, other):
        services.article_screen_after_publish(article_id=article.pk)
    assert Article.objects.get(pk=copy.pk).duplicate_of_id == original.pk
    assert Article.objects.get(pk=other.pk).duplicate_of_id is None
    ids = [a.pk for a in article_list_latest(page=PageRequest()).items]
    assert original.pk in ids
    assert copy.pk not in ids
    assert other.pk in ids
    # the original takes the place of a copy listed before it
    assert [c.id for c in article_cards(ids=[copy.pk, other.pk, original.pk])] == [original.pk, other.pk]  # fmt: skip
    assert [c.id for c in article_cards(ids=[copy.pk, other.pk])] == [copy.pk, other.pk]


def test_an_original_claim_on_another_accounts_story_goes_to_review(creator, writer, editor):
    Creator.objects.filter(pk=creator.pk).update(is_trusted=True)
    creator.refresh_from_db()
    earlier = ArticleFactory(body_text=STORY)
    services.article_screen_after_publish(article_id=earlier.pk)
    claimed = submit(creator, writer, body_source=STORY, is_original=True)
    assert claimed.status == "pending"
    flag = claimed.review_flags[0]
    assert (flag["kind"], flag["article_id"]) == ("copy", earlier.pk)
    not_claimed = submit(creator, writer, title="转载", body_source=STORY)
    assert not_claimed.status == "published"


def test_an_article_going_offline_leaves_the_index(editor):
    article = ArticleFactory(body_text=STORY)
    services.article_screen_after_publish(article_id=article.pk)
    services.takedown(article=article, by=editor, reason="违规")
    services.article_screen_after_publish(article_id=article.pk)
    copy = ArticleFactory(body_text=STORY)
    services.article_screen_after_publish(article_id=copy.pk)
    assert Article.objects.get(pk=copy.pk).duplicate_of_id is None


def test_the_clickbait_score_is_stored_at_publish():
    bait = ArticleFactory(title="震惊！万万没想到，真相竟然是这样……", body_text=STORY)
    plain = ArticleFactory(title="农村公路建设成效显著", body_text=STORY)
    for article in (bait, plain):
        services.article_screen_after_publish(article_id=article.pk)
    assert Article.objects.get(pk=bait.pk).clickbait >= 0.5
    assert Article.objects.get(pk=plain.pk).clickbait < 0.5


# The audit log -------------------------------------------------------------------------------


def test_every_action_the_services_write_has_words():
    """Every action code a service or admin writes is shown in words on the editors' pages."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = re.compile(r'"((?:article|comment|creator|case|appeal|wordlist|allowlist|domains|hot|'
                      r'application|image|user)\.[a-z_]+)"')  # fmt: skip
    written = set()
    for path in [*root.glob("*/services.py"), *root.glob("*/services/*.py")]:
        written |= set(code.findall(path.read_text(encoding="utf-8")))
    assert {"case.decide", "comment.ban", "creator.suspend", "article.label"} <= written
    assert sorted(a for a in written if a not in ACTIONS) == []


@override_settings(ZIXUN_MODERATION_BACKEND="zixun.core.moderation.NullModeration")
def test_the_null_backend_allows_everything(editor, creator, writer):
    word_list(editor, "违禁品", "block", "冰毒")
    assert submit(creator, writer, title="冰毒").status == "pending"
    assert Report.objects.count() == 0
