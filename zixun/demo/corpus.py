"""Real text to resample into generated articles, comments and account names.

Read from ``<shared>/data`` (see its README): the CCTV corpus gives titles, bodies
(cut into sentences) and topic tags; the TNEWS and THUCNews headline sets give
titles of the other channels (sports, entertainment, technology …) and keywords.
A generated article is a real title with a body of real sentences drawn at random.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.html import escape

from zixun.articles.limits import MAX_TAGS, SUMMARY_MAX, TAG_MAX, TITLE_MAX

CCTV = "data/cn_news_cctv_xwlb/articles.jsonl.gz"
HEADLINES = (
    "data/cn_news_titles/tnews_titles.jsonl.gz",
    "data/cn_news_titles/thucnews_titles.jsonl.gz",
)
SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
# Nearly every CCTV body opens with this; resampled sentences should not.
LEAD = re.compile(r"^央视网消息（[^）]*）[:：]")
NAME_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
NAME_SUFFIXES = (
    "资讯",
    "观察",
    "视点",
    "头条",
    "日报",
    "在线",
    "时评",
    "速递",
    "前沿",
    "之声",
    "周刊",
    "说",
)
# Comments are the shorter sentences.
COMMENT_MAX = 60


class CorpusMissingError(Exception):
    """The shared data sets are not there."""


@dataclass
class Corpus:
    titles: list[tuple[str, str, list[str]]] = field(default_factory=list)  # title, category, tags
    sentences: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def article(self, rng: random.Random) -> dict[str, Any]:
        """Title, category, tags and a body of 4–12 real sentences in 2–4 paragraphs."""
        title, category, tags = rng.choice(self.titles)
        chosen = [rng.choice(self.sentences) for _ in range(rng.randint(4, 12))]
        paragraphs: list[str] = []
        while chosen:
            take = rng.randint(2, 4)
            paragraphs.append("".join(chosen[:take]))
            chosen = chosen[take:]
        return {
            "title": title,
            "category": category,
            "tags": tags,
            "body_html": "".join(f"<p>{escape(p)}</p>" for p in paragraphs),
            "body_text": "\n".join(paragraphs),
            "summary": paragraphs[0][:SUMMARY_MAX],
        }

    def comment(self, rng: random.Random) -> str:
        return rng.choice(self.short)

    def account_names(self, count: int, *, seed: int, taken: set[str]) -> list[str]:
        """``count`` account names (a real keyword and a suffix), the same for a seed
        whatever ``count`` is, none in ``taken``."""
        rng = random.Random(seed)  # noqa: S311 - generated data, not a secret
        names: list[str] = []
        seen = set(taken)
        while len(names) < count:
            name = rng.choice(self.words) + rng.choice(NAME_SUFFIXES)
            if name in seen:
                name = f"{name}{len(names)}"
            if name not in seen:
                seen.add(name)
                names.append(name)
        return names


def _tags(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    return [str(v)[:TAG_MAX] for v in values if str(v).strip()][: min(3, MAX_TAGS)]


def corpus_load(shared: Path, *, bodies: int = 8000, limit: int | None = None) -> Corpus:
    """Titles of all three sets (the first ``limit`` lines of each), sentences of the first
    ``bodies`` CCTV articles. Raises CorpusMissingError when the CCTV file is absent."""
    path = shared / CCTV
    if not path.is_file():
        raise CorpusMissingError(str(path))
    corpus = Corpus()
    words: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                break
            record = json.loads(line)
            corpus.titles.append(
                (record["title"][:TITLE_MAX], record.get("category", ""), _tags(record.get("tags")))
            )
            if number < bodies:
                body = LEAD.sub("", record.get("body") or "")
                for sentence in SENTENCE.findall(body):
                    sentence = sentence.strip()
                    if len(sentence) >= 8:
                        corpus.sentences.append(sentence)
                        if len(sentence) <= COMMENT_MAX:
                            corpus.short.append(sentence)
    for name in HEADLINES:
        headlines = shared / name
        if not headlines.is_file():
            continue
        with gzip.open(headlines, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if limit is not None and number >= limit:
                    break
                record = json.loads(line)
                keywords = _tags(record.get("keywords"))
                corpus.titles.append((record["title"][:TITLE_MAX], record["category"], keywords))
                words.update(k for k in keywords if NAME_WORD.match(k))
    if not words:  # no headline set: account names from the CCTV tags
        words = {t for _, _, tags in corpus.titles for t in tags if NAME_WORD.match(t)}
    corpus.words = sorted(words)
    return corpus
