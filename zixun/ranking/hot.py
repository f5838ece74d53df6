"""The hot list (热榜): engagement with time decay, folded in from the event log.

    heat(a, now) = penalty(a) · Σ_e  w(kind_e) · count_e · 2^(-(now - t_e) / H)

over the events ``e`` of article ``a`` (views, read-throughs, likes, favourites,
shares, comments, 不感兴趣, and its publication as a starting weight), with the
weights of ZIXUN_HOT_WEIGHTS and the half-life H = ZIXUN_HOT_HALF_LIFE_HOURS. An
event's weight halves every H hours, so an article rises while readers act on
it and sinks when they stop; undoing a like takes its weight back.

The stores keep ``Σ w · count · 2^((t_e - epoch) / H)``: an event's term never
changes once folded in, so ingesting is an addition per article (``hot_ingest``),
and the stored order is the order of heat at any moment (all terms share the
factor 2^(-(now - epoch) / H)). Every REBASE_SECONDS the epoch moves forward and
every score is scaled by the same factor, which keeps the numbers small.
``hot_recompute`` rebuilds everything from the events of the last
ZIXUN_HOT_WINDOW_DAYS days. ``penalty`` is the hook ZIXUN_HOT_PENALTY (trust
and safety plugs in there); it multiplies heat when the list is read.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from zixun.articles.selectors import article_channels, article_clickbait
from zixun.events.models import Event
from zixun.events.selectors import EventRow, event_rows_after, event_rows_since, events_last_id
from zixun.moderation.clickbait import penalty as clickbait_penalty
from zixun.ranking.hotstore import hot_store

Kind = Event.Kind
KIND_NAMES = {
    Kind.VIEW: "view", Kind.READ: "read", Kind.LIKE: "like", Kind.UNLIKE: "unlike",
    Kind.FAVORITE: "favorite", Kind.UNFAVORITE: "unfavorite", Kind.SHARE: "share",
    Kind.COMMENT: "comment", Kind.DISLIKE: "dislike", Kind.PUBLISH: "publish",
}  # fmt: skip
REBASE_SECONDS = 3 * 24 * 3600
# A stored score below this (in units of the epoch) is dropped when the epoch moves.
SCORE_FLOOR = 0.01
BATCH = 5000


def hot_weight(kind: int) -> float:
    name = KIND_NAMES.get(Kind(kind))
    return float(settings.ZIXUN_HOT_WEIGHTS.get(name, 0.0)) if name else 0.0


def half_life_seconds() -> float:
    return float(settings.ZIXUN_HOT_HALF_LIFE_HOURS) * 3600.0


def _terms(epoch: float) -> Callable[[Event | EventRow], float]:
    """An event's lasting contribution, w · count · 2^((t - epoch) / H), for many events: the
    weights and the half-life looked up once."""
    weights = {int(kind): hot_weight(kind) for kind in Kind}
    half_life = half_life_seconds()

    def term(event: Event | EventRow) -> float:
        age = (event.at.timestamp() - epoch) / half_life
        return weights.get(event.kind, 0.0) * event.count * math.pow(2.0, age)

    return term


def heat_now(stored: float, epoch: float, now: float | None = None) -> float:
    """A stored score as heat at ``now``: stored · 2^(-(now - epoch) / H)."""
    now = time.time() if now is None else now
    return stored * math.pow(2.0, -(now - epoch) / half_life_seconds())


def _epoch_for(now: float) -> float:
    return float(math.floor(now / 3600.0) * 3600)


def _deltas(events: Iterable[EventRow], epoch: float) -> dict[int, float]:
    deltas: dict[int, float] = defaultdict(float)
    weigh = _terms(epoch)
    for event in events:
        if event.article_id is not None:
            weight = weigh(event)
            if weight:
                deltas[event.article_id] += weight
    return deltas


def _rebase_if_due(now: float) -> None:
    store = hot_store()
    state = store.state()
    epoch = state[1]
    if epoch and now - epoch < REBASE_SECONDS:
        return
    new_epoch = _epoch_for(now)
    factor = math.pow(2.0, -(new_epoch - epoch) / half_life_seconds()) if epoch else 1.0
    store.rebase(expected=state, epoch=new_epoch, factor=factor, floor=SCORE_FLOOR)


def hot_ingest(*, batch: int = BATCH, max_batches: int | None = None) -> int:
    """Fold the events recorded since the last call into the hot list; returns how many.

    Safe to call from any number of processes at once: a batch another process
    folded in first is skipped, never counted twice.
    """
    store = hot_store()
    _rebase_if_due(time.time())
    done = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        state = store.state()
        events = event_rows_after(last_id=state[0], limit=batch)
        if not events:
            break
        deltas = _deltas(events, state[1])
        channels = article_channels(ids=list(deltas))
        # Events of articles that went offline since are dropped with them.
        deltas = {a: d for a, d in deltas.items() if a in channels}
        if not store.apply(deltas=deltas, channels=channels, expected=state,
                           last_event_id=events[-1].id):  # fmt: skip
            break  # another process is folding these in
        done += len(events)
        batches += 1
    return done


def hot_recompute(*, progress: Callable[[int], object] | None = None) -> int:
    """Rebuild the hot list from the events of the last ZIXUN_HOT_WINDOW_DAYS days; returns
    how many events were read. Repeating it gives the same list (repair after drift)."""
    now = time.time()
    epoch = _epoch_for(now)
    last_id = events_last_id()
    since = timezone.now() - timedelta(days=settings.ZIXUN_HOT_WINDOW_DAYS)
    read = 0

    def counted() -> Iterator[EventRow]:
        nonlocal read
        for event in event_rows_since(since=since, last_id=last_id, chunk=BATCH):
            yield event
            read += 1
            if progress and read % BATCH == 0:
                progress(BATCH)

    scores = _deltas(counted(), epoch)
    if progress:
        progress(read % BATCH)
    ids = list(scores)
    channels: dict[int, int | None] = {}
    for start in range(0, len(ids), 1000):
        channels.update(article_channels(ids=ids[start : start + 1000]))
    kept = {a: s for a, s in scores.items() if a in channels and s > 0}
    hot_store().reset(scores=kept, channels=channels, state=(last_id, epoch))
    return read


def hot_forget_article(article_id: int) -> None:
    """Take an article off the hot list (it went offline); its events stay in the log."""
    hot_store().remove(article_id)


def penalties(article_ids: list[int]) -> dict[int, float]:
    """A factor per article: the 标题党 penalty (``zixun.moderation.clickbait.penalty`` of the
    score stored at publish), times the ZIXUN_HOT_PENALTY hook's factor if there is one."""
    scores = article_clickbait(ids=article_ids)
    factors = {a: clickbait_penalty(scores.get(a, 0.0)) for a in article_ids}
    if not settings.ZIXUN_HOT_PENALTY:
        return factors
    hook = import_string(settings.ZIXUN_HOT_PENALTY)
    extra: dict[int, float] = hook(article_ids)
    return {a: factors[a] * float(extra.get(a, 1.0)) for a in article_ids}
