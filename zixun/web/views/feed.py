"""The follow feed (关注): the newest articles of the accounts the reader follows.

Per reader, so never in the page cache; see zixun/feeds/selectors.py.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zixun.accounts.models import User
from zixun.core.pagination import PageRequest
from zixun.feeds.selectors import feed_list_for_user, follow_exists_for_user
from zixun.web.views.reading import paginated


@require_GET
@login_required
@paginated
def follow_feed(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    page = feed_list_for_user(user=user, page=PageRequest.from_query(request.GET))
    # The empty state says whether to follow someone or wait for their articles.
    follows_anyone = bool(page.items) or follow_exists_for_user(user=user)
    return render(request, "web/feed.html", {"page": page, "follows_anyone": follows_anyone})
