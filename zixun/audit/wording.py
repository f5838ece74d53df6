"""The audit log in words: an action code as a phrase, a target as a name and a link. No ORM.

Entries keep their codes ("article.submit"); pages show "提交审核" in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zixun.audit.models import AuditEntry

ACTIONS: dict[str, Promise] = {
    "application.submit": pgettext_lazy("audit", "提交入驻申请"),
    "application.approve": pgettext_lazy("audit", "通过入驻申请"),
    "application.reject": pgettext_lazy("audit", "退回入驻申请"),
    "article.create": pgettext_lazy("audit", "新建草稿"),
    "article.illustrate": pgettext_lazy("audit", "添加配图"),
    "article.edit": pgettext_lazy("audit", "修改后退回草稿"),
    "article.submit": pgettext_lazy("audit", "提交审核"),
    "article.approve": pgettext_lazy("audit", "通过"),
    "article.reject": pgettext_lazy("audit", "退回"),
    "article.publish": pgettext_lazy("audit", "发布"),
    "article.schedule": pgettext_lazy("audit", "设定定时发布"),
    "article.unpublish": pgettext_lazy("audit", "下线"),
    "article.takedown": pgettext_lazy("audit", "下架"),
    "article.takedown_lift": pgettext_lazy("audit", "解除下架"),
    "article.delete": pgettext_lazy("audit", "删除"),
    "article.restore": pgettext_lazy("audit", "恢复"),
    "article.revise": pgettext_lazy("audit", "发布修改"),
    "article.pin": pgettext_lazy("audit", "置顶"),
    "article.unpin": pgettext_lazy("audit", "取消置顶"),
    "hot.pin": pgettext_lazy("audit", "热榜置顶"),
    "hot.unpin": pgettext_lazy("audit", "撤销热榜置顶"),
    "hot.remove": pgettext_lazy("audit", "移出热榜"),
    "hot.unremove": pgettext_lazy("audit", "撤销移出热榜"),
    "comment.hold": pgettext_lazy("audit", "跟贴转人工审核"),
    "comment.approve": pgettext_lazy("audit", "跟贴通过"),
    "comment.reject": pgettext_lazy("audit", "跟贴未通过"),
    "comment.hide": pgettext_lazy("audit", "屏蔽跟贴"),
    "comment.ban": pgettext_lazy("audit", "禁言"),
    "comment.ban_lift": pgettext_lazy("audit", "解除禁言"),
    "article.reinstate": pgettext_lazy("audit", "恢复发布"),
    "article.label": pgettext_lazy("audit", "标注"),
    "article.unlabel": pgettext_lazy("audit", "取消标注"),
    "creator.suspend": pgettext_lazy("audit", "封禁账号"),
    "creator.unsuspend": pgettext_lazy("audit", "解除封禁"),
    "creator.feed_full_text": pgettext_lazy("audit", "设置 RSS 输出全文或摘要"),
    "case.decide": pgettext_lazy("audit", "处理举报"),
    "case.warn": pgettext_lazy("audit", "警告"),
    "appeal.file": pgettext_lazy("audit", "提出申诉"),
    "appeal.decide": pgettext_lazy("audit", "处理申诉"),
    "wordlist.create": pgettext_lazy("audit", "新建词库"),
    "wordlist.change": pgettext_lazy("audit", "修改词库"),
    "wordlist.delete": pgettext_lazy("audit", "删除词库"),
    "wordlist.words_add": pgettext_lazy("audit", "添加关键词"),
    "wordlist.words_remove": pgettext_lazy("audit", "删除关键词"),
    "allowlist.change": pgettext_lazy("audit", "修改白名单"),
    "domains.change": pgettext_lazy("audit", "修改禁止链接的域名"),
    "image.upload": pgettext_lazy("audit", "上传图片"),
    "token.create": pgettext_lazy("audit", "创建 API 令牌"),
    "token.revoke": pgettext_lazy("audit", "撤销 API 令牌"),
    "webhook.create": pgettext_lazy("audit", "添加通知地址"),
    "webhook.update": pgettext_lazy("audit", "修改通知地址"),
    "webhook.delete": pgettext_lazy("audit", "删除通知地址"),
    "webhook.redeliver": pgettext_lazy("audit", "重新发送通知"),
    "webhook.disable": pgettext_lazy("audit", "自动停用通知地址"),
    "user.delete": pgettext_lazy("audit", "注销用户"),
}

TARGETS: dict[str, Promise] = {
    "articles.article": _("文章"),
    "creators.application": _("入驻申请"),
    "engagement.comment": _("跟贴"),
    "articles.image": _("图片"),
    "api.apitoken": _("API 令牌"),
    "webhooks.webhook": _("通知地址"),
    "accounts.user": _("用户"),
    "creators.creator": _("账号"),
    "moderation.case": _("举报"),
    "moderation.appeal": _("申诉"),
    "moderation.wordlist": _("词库"),
    "moderation.filterversion": _("过滤规则"),
}


def audit_phrase(action: str) -> str:
    """The action in words; an unknown code is shown as it is rather than hidden."""
    phrase = ACTIONS.get(action)
    return str(phrase) if phrase is not None else action


def audit_target_name(target_type: str, target_id: int) -> str:
    kind = TARGETS.get(target_type)
    return f"{kind if kind is not None else target_type} #{target_id}"


def audit_target_url(
    target_type: str, target_id: int, *, for_editor: bool, comment_articles: Mapping[int, int]
) -> str:
    """Where the target can be seen, or "" (a deleted user, an image, an unknown comment)."""
    if target_type == "articles.article":
        name = "web:editor-article" if for_editor else "web:article"
        return reverse(name, kwargs={"article_id": target_id})
    if target_type == "creators.application" and for_editor:
        return reverse("web:editor-application", kwargs={"application_id": target_id})
    if target_type == "creators.creator":
        return reverse("web:account", kwargs={"creator_id": target_id})
    if target_type == "moderation.case" and for_editor:
        return reverse("web:editor-case", kwargs={"case_id": target_id})
    if target_type == "moderation.appeal" and for_editor:
        return reverse("web:editor-appeal", kwargs={"appeal_id": target_id})
    if target_type == "engagement.comment" and target_id in comment_articles:
        article = reverse("web:article", kwargs={"article_id": comment_articles[target_id]})
        return f"{article}#comment-{target_id}"
    return ""


@dataclass(frozen=True)
class AuditLine:
    """One entry as a page shows it."""

    entry: AuditEntry
    phrase: str
    target: str
    url: str


def audit_lines(
    entries: Iterable[AuditEntry], *, for_editor: bool, comment_articles: Mapping[int, int]
) -> list[AuditLine]:
    return [
        AuditLine(
            entry=entry,
            phrase=audit_phrase(entry.action),
            target=audit_target_name(entry.target_type, entry.target_id),
            url=audit_target_url(
                entry.target_type,
                entry.target_id,
                for_editor=for_editor,
                comment_articles=comment_articles,
            ),
        )
        for entry in entries
    ]
