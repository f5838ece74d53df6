"""The follow feed (关注). Owned by the feeds work; see zixun/feeds/selectors.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def follow_feed(request: HttpRequest) -> HttpResponse:
    return render(request, "web/feed.html", {"page": None})
