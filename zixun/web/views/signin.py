"""Signing in: allauth's sign-in page answering 429 when limited, and the admin's way in.

Every sign-in, the admin's included, goes through allauth's limits: per address,
and failed passwords per address and account (zixun/accounts/adapter.py), counted
in the cache every worker shares (zixun/core/sharedcache.py).
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlencode

from allauth.account.views import LoginView
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

LIMITED = "too_many_login_attempts"  # allauth's error code when the failed sign-ins are limited


class LimitedLoginView(LoginView):
    """allauth's sign-in page; a refusal by the failed-sign-in limit is a 429, not a 200."""

    def form_invalid(self, form: Form) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)
        if any(error.code == LIMITED for error in form.errors.as_data().get("__all__", [])):
            response.status_code = HTTPStatus.TOO_MANY_REQUESTS
        return response


login = LimitedLoginView.as_view()


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ has no form of its own: the admin signs in on the site's sign-in page,
    with its limits, and comes back to ``next``. A signed-in user who is not staff gets a 403
    (the admin would send them back here, and the sign-in page back to the admin)."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if not admin.site.has_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(next_url)
    query = urlencode({REDIRECT_FIELD_NAME: next_url})
    return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
