"""A notice in words, in the reader's language when it is shown (stored as a kind and its
parameters, so that a change of language changes every notice). No ORM."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zixun.moderation.models import Appeal, Decision, Notice, Target


def _target(params: dict[str, Any]) -> str:
    """The target with its title, as one phrase per kind (word order and spacing differ by
    language)."""
    kind, title = params.get("target", ""), params.get("title", "")
    if kind == Target.ARTICLE:
        return _("文章“%(title)s”") % {"title": title}
    if kind == Target.COMMENT:
        return _("跟贴“%(title)s”") % {"title": title}
    if kind == Target.ACCOUNT:
        return _("账号“%(title)s”") % {"title": title}
    return str(title)


def _until(params: dict[str, Any]) -> str:
    until = params.get("until")
    return _("至 %(until)s") % {"until": until} if until else _("直至解除")


def notice_text(notice: Notice) -> str:
    p = notice.params
    kind = notice.kind
    if kind == Notice.Kind.TAKEDOWN:
        return _("你的%(target)s已被下架。理由：%(reason)s。如有异议，可在 %(by)s 前申诉一次。") % {
            "target": _target(p), "reason": p.get("reason", ""), "by": p.get("appeal_by", "")}  # fmt: skip
    if kind == Notice.Kind.WARN:
        return _("你的%(target)s被举报，经核实予以警告。理由：%(reason)s。再次违规将被处理。") % {
            "target": _target(p), "reason": p.get("reason", "")}  # fmt: skip
    if kind == Notice.Kind.COMMENT_HIDDEN:
        return _("你的%(target)s已被屏蔽。理由：%(reason)s。") % {
            "target": _target(p), "reason": p.get("reason", "")}  # fmt: skip
    if kind == Notice.Kind.BAN:
        text = _("你已被禁言（%(until)s）。理由：%(reason)s。") % {
            "until": _until(p), "reason": p.get("reason", "")}  # fmt: skip
        if p.get("hidden"):
            text += _("你的 %(count)s 条跟贴已被屏蔽。") % {"count": p["hidden"]}
        return text + _("如有异议，可在 %(by)s 前申诉一次。") % {"by": p.get("appeal_by", "")}
    if kind == Notice.Kind.SUSPEND:
        return _("账号“%(name)s”已被封禁（%(until)s）。理由：%(reason)s。如有异议，可在 %(by)s 前申诉一次。") % {
            "name": p.get("name", ""), "until": _until(p), "reason": p.get("reason", ""),
            "by": p.get("appeal_by", "")}  # fmt: skip
    if kind == Notice.Kind.REPORT_OUTCOME:
        decision = p.get("decision", "")
        if decision == Decision.DISMISS:
            return _("你举报的%(target)s经核实未发现违规，感谢你的反馈。") % {"target": _target(p)}
        return _("你举报的%(target)s经核实已处理（%(decision)s），感谢你的反馈。") % {
            "target": _target(p),
            "decision": Decision(decision).label if decision in Decision.values else decision}  # fmt: skip
    if kind == Notice.Kind.APPEAL_OUTCOME:
        if p.get("outcome") == Appeal.Status.REVERSED:
            return _("你的申诉已通过，处理已撤销。编辑答复：%(reply)s") % {
                "reply": p.get("reply", "")
            }
        return _("你的申诉经复核维持原处理。编辑答复：%(reply)s") % {"reply": p.get("reply", "")}
    if kind == Notice.Kind.LABEL:
        from zixun.articles.models import Article

        label = p.get("label", "")
        name = Article.Label(label).label if label in Article.Label.values else label
        return _("你的文章“%(title)s”被编辑标注为“%(label)s”，读者会看到标注和证据链接。") % {
            "title": p.get("title", ""), "label": name}  # fmt: skip
    return str(notice.get_kind_display())
