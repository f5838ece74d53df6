"""API tokens (docs/api.md, Tokens): 创作者令牌 in the studio, 读者令牌 on 我的.

Both pages list the tokens, make one (name, scopes, expiry) and revoke one. A
new token's secret is in the answer to the POST that made it, once: it is
neither stored in the session nor put in a message, and the page is not cached.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from zixun.accounts.models import User
from zixun.api import tokens
from zixun.api.models import ApiToken
from zixun.core.ratelimit import rate_limited
from zixun.creators import selectors as creator_selectors
from zixun.web.http import acting_user, id_param

EXPIRY_CHOICES = [
    ("30", gettext_lazy("30 天")),
    ("90", gettext_lazy("90 天")),
    ("365", gettext_lazy("1 年")),
    ("never", gettext_lazy("永不过期")),
]


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=tokens.NAME_MAX)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("权限"), widget=forms.CheckboxSelectMultiple
    )
    expiry = forms.ChoiceField(
        label=gettext_lazy("有效期"), choices=EXPIRY_CHOICES, initial="90",
        widget=forms.RadioSelect,
    )  # fmt: skip

    def __init__(self, *args: Any, scopes: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scopes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(scopes.items())
        field.initial = list(scopes)

    def expires_at(self) -> datetime | None:
        value = self.cleaned_data["expiry"]
        return None if value == "never" else timezone.now() + timedelta(days=int(value))


FORM_INVALID = gettext_lazy("请填写名称并至少选择一项权限")


def _rows(listed: list[ApiToken]) -> list[tuple[ApiToken, str, list[str]]]:
    """Each token with its state and its scopes in words."""
    names = {**tokens.ACCOUNT_SCOPES, **tokens.PERSONAL_SCOPES}
    return [
        (token, tokens.token_state(token), [str(names.get(s, s)) for s in token.scopes])
        for token in listed
    ]


# 创作者令牌 (studio) ----------------------------------------------------------------------------


def _studio_page(
    request: HttpRequest, user: User, *, form: TokenForm | None = None,
    form_creator: int | None = None, created: tokens.NewToken | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    accounts = [
        {
            "creator": creator,
            "tokens": _rows(tokens.token_list_for_account(creator=creator)),
            "form": form
            if form is not None and form_creator == creator.pk
            else TokenForm(scopes=tokens.ACCOUNT_SCOPES, prefix=f"c{creator.pk}"),
        }
        for creator in creator_selectors.creator_list_for_member(user=user)
    ]
    context = {
        "accounts": accounts,
        "created": created,
        "scope_names": {**tokens.ACCOUNT_SCOPES},
        "limit": tokens.ACCOUNT_TOKENS_MAX,
        "api_docs_url": reverse("api:openapi-view"),
    }
    return render(request, "web/studio/tokens.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("token-create", per_minute=10, methods={"POST"})
def studio_tokens(request: HttpRequest) -> HttpResponse:
    """The accounts' tokens; POST makes one for the account named by ``creator``."""
    user = acting_user(request)
    if request.method != "POST":
        return _studio_page(request, user)
    creator_id = id_param(request.POST.get("creator"))
    creator = next(
        (c for c in creator_selectors.creator_list_for_member(user=user) if c.pk == creator_id),
        None,
    )
    if creator is None:
        raise Http404
    form = TokenForm(request.POST, scopes=tokens.ACCOUNT_SCOPES, prefix=f"c{creator.pk}")
    if not form.is_valid():
        messages.error(request, FORM_INVALID)
        return _studio_page(request, user, form=form, form_creator=creator.pk, status=400)
    try:
        created = tokens.token_create_for_account(
            creator=creator, by=user, name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"], expires_at=form.expires_at(),
        )  # fmt: skip
    except tokens.TokenError as error:
        messages.error(request, str(error))
        return _studio_page(request, user, form=form, form_creator=creator.pk, status=400)
    return _studio_page(request, user, created=created)


@login_required
@require_POST
def studio_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    _revoke(request, token_id, kind=ApiToken.Kind.ACCOUNT)
    return redirect("web:studio-tokens")


def _revoke(request: HttpRequest, token_id: int, *, kind: str) -> None:
    user = acting_user(request)
    try:
        token = tokens.token_get_for_manage(user=user, token_id=token_id)
    except ApiToken.DoesNotExist as error:
        raise Http404 from error
    if token.kind != kind:
        raise Http404
    try:
        tokens.token_revoke(token=token, by=user)
    except tokens.TokenError as error:
        messages.error(request, str(error))
        return
    messages.success(
        request, _("令牌“%(name)s”已撤销，使用它的程序将无法再调用接口") % {"name": token.name}
    )


# 读者令牌 (我的) --------------------------------------------------------------------------------


def _me_page(
    request: HttpRequest, user: User, *, form: TokenForm | None = None,
    created: tokens.NewToken | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    context = {
        "tokens": _rows(tokens.token_list_personal(user=user)),
        "form": form or TokenForm(scopes=tokens.PERSONAL_SCOPES),
        "created": created,
        "scope_names": {**tokens.PERSONAL_SCOPES},
        "limit": tokens.PERSONAL_TOKENS_MAX,
        "api_docs_url": reverse("api:openapi-view"),
    }
    return render(request, "web/me/tokens.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("token-create", per_minute=10, methods={"POST"})
def me_tokens(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method != "POST":
        return _me_page(request, user)
    form = TokenForm(request.POST, scopes=tokens.PERSONAL_SCOPES)
    if not form.is_valid():
        messages.error(request, FORM_INVALID)
        return _me_page(request, user, form=form, status=400)
    try:
        created = tokens.token_create_personal(
            user=user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
            expires_at=form.expires_at(),
        )  # fmt: skip
    except tokens.TokenError as error:
        messages.error(request, str(error))
        return _me_page(request, user, form=form, status=400)
    return _me_page(request, user, created=created)


@login_required
@require_POST
def me_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    _revoke(request, token_id, kind=ApiToken.Kind.PERSONAL)
    return redirect("me:tokens")
