"""The web app's listeners on the apps below it (connected in WebConfig.ready). They run after
the change's commit, whichever way it was made: a page's form, the API, a command."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zixun.web.pagecache import page_cache_forget

# The article page's cached variants that show its comments: both orders of the 跟贴.
COMMENT_ORDERS = ("", "?comments=new", "?comments=hot")


def on_article_page_changed(*, article_id: int, **kwargs: Any) -> None:
    """A comment appeared, changed or went, or a counter the page shows moved (点赞, 收藏, 分享):
    the article's cached pages show it at once."""
    path = reverse("web:article", kwargs={"article_id": article_id})
    page_cache_forget(None, *(path + order for order in COMMENT_ORDERS))
