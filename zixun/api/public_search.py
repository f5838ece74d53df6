"""Search (搜索): the results of the search page, with highlights, as JSON (issue #11)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from zixun.api.pagination import CURSOR_MAX_LENGTH, cursor_problem, cursor_tag, cursor_untag
from zixun.api.problems import invalid_param, problem
from zixun.api.public import ID_MAX, UNKNOWN_ACCOUNT, UNKNOWN_CHANNEL
from zixun.api.schemas import (
    AccountMatchOut,
    SearchHitOut,
    SearchList,
    absolute,
    card_out,
)
from zixun.channels.selectors import channel_get_active
from zixun.core.clientaddr import client_address
from zixun.core.errors import ServiceError, message_format
from zixun.core.search import SearchQuery
from zixun.creators.selectors import creator_get
from zixun.search.engine import CURSOR_BAD, CURSOR_FOREIGN, KEY_EPOCH, KEY_SHIFT
from zixun.search.selectors import search_page
from zixun.search.services import query_record

router = Router()

SEARCH_LIST = "search"
QUERY_MAX = 100
SIZE_MAX = 50
# Dates a search can be bounded by: a year outside these is a typo (and beyond 9999 one that
# the database cannot compare against).
YEAR_MIN, YEAR_MAX = 1970, 9000
BAD_DATE = _("日期须在 %(low)s 年到 %(high)s 年之间")
# The search index keys articles by publishing time from KEY_EPOCH in 31 bits of seconds
# (until 2068): a bound outside is moved to the edge, where it finds the same articles.
INDEXED_FROM = datetime.fromtimestamp(KEY_EPOCH, UTC)
INDEXED_UNTIL = datetime.fromtimestamp(KEY_EPOCH + 2 ** (63 - KEY_SHIFT) - 1, UTC)


def _bounded(name: str, value: datetime | None) -> datetime | None:
    """``value`` in UTC within the indexed years; a 422 for a year out of range (checked
    before converting, which could overflow at the ends of the calendar)."""
    if value is None:
        return None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise invalid_param(name, message_format(BAD_DATE, low=YEAR_MIN, high=YEAR_MAX))
    return min(max(value.astimezone(UTC), INDEXED_FROM), INDEXED_UNTIL)


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=QUERY_MAX, description="What to search for.")
    channel: str | None = Field(None, max_length=40, description="Only this channel (its slug).")
    account: int | None = Field(None, ge=1, le=ID_MAX, description="Only this account (its id).")
    since: AwareDatetime | None = Field(
        None, description="Published at or after (ISO 8601 with a time zone)."
    )
    until: AwareDatetime | None = Field(
        None, description="Published before (ISO 8601 with a time zone)."
    )
    order: Literal["relevance", "newest"] = Field(
        "relevance", description="`relevance` (综合排序) or `newest` (最新发布)."
    )
    cursor: str | None = Field(
        None, max_length=CURSOR_MAX_LENGTH, description="The `next_cursor` of the previous page."
    )
    limit: int = Field(10, ge=1, le=SIZE_MAX, description=f"Results a page (1–{SIZE_MAX}).")


@router.get("/search", response=SearchList, tags=["search"], summary="Search articles")
def search_api(request: HttpRequest, params: Query[SearchParams]) -> SearchList:
    """Published articles matching ``q`` (Chinese is segmented into words), with the matched
    words marked in the title and a snippet; on the first page without filters, the accounts
    whose name matches too."""
    q, channel, account, order, cursor = (
        params.q, params.channel, params.account, params.order, params.cursor
    )  # fmt: skip
    since, until, limit = params.since, params.until, params.limit
    found_channel = None
    if channel is not None:
        found_channel = channel_get_active(slug=channel)
        if found_channel is None:
            raise invalid_param("channel", UNKNOWN_CHANNEL)
    found_account = None
    if account is not None:
        found_account = creator_get(creator_id=account)
        if found_account is None or found_account.is_suspended:
            raise invalid_param("account", UNKNOWN_ACCOUNT)
    after = cursor_untag(SEARCH_LIST, cursor)
    query = SearchQuery(
        text=q,
        channel_id=found_channel.pk if found_channel else None,
        creator_id=found_account.pk if found_account else None,
        since=_bounded("since", since),
        until=_bounded("until", until),
        order=order,
        after=after,
        size=limit,
    )
    first = not after
    try:
        page = search_page(
            query, with_accounts=first and found_channel is None and found_account is None
        )
    except ServiceError as error:
        if error.message in (CURSOR_BAD, CURSOR_FOREIGN):
            raise cursor_problem(str(error)) from error
        raise problem(400, "invalid_search", str(error)) from error
    if page.query and first:
        # Once per address, whatever token it sends: 热搜 cannot be pumped by rotating tokens.
        who = f"ip{client_address(request)}"
        query_record(query=page.query, found=bool(page.items), who=who)
    return SearchList(
        query=page.query,
        items=[
            SearchHitOut(
                article=card_out(request, item.card),
                title_html=item.hit.title,
                snippet_html=item.hit.snippet,
                score=item.hit.score,
            )
            for item in page.items
        ],
        accounts=[
            AccountMatchOut(
                id=match.id,
                name=match.name,
                url=absolute(request, match.url),
                verification_label=match.verification_label,
                follower_count=match.followers,
            )
            for match in page.accounts
        ],
        next_cursor=cursor_tag(SEARCH_LIST, page.next_cursor),
    )
