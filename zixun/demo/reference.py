"""Read the reference article page (shared/reference/000_*.txt) into an import record."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

REFERENCE_FILE = "000_bb2b08e1798c7b39.txt"
REFERENCE_ID = "reference-000_bb2b08e1798c7b39"
REFERENCE_ACCOUNT = "金台资讯"
REFERENCE_LABEL = "人民网官方网易号"
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def reference_record(path: Path) -> dict[str, Any]:
    """The article of the reference page as a record for ``articles_import_lines``.

    The page text runs: breadcrumb, title, share count, 分享至, the body
    paragraphs, then 特别声明. The article's time is the stamp printed just
    before the account name in the author card.
    """
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    content = [line for line in lines if line]
    title = content[1]
    start = content.index("分享至") + 1
    end = next(i for i, line in enumerate(content) if line.startswith("特别声明"))
    body = "\n".join(content[start:end])
    stamp = next(
        line
        for i, line in enumerate(content)
        if _STAMP.match(line) and i + 1 < len(content) and content[i + 1] == REFERENCE_ACCOUNT
    )
    return {
        "id": REFERENCE_ID,
        "title": title,
        "body": body,
        "category": "头条",
        "published_at": stamp.replace(" ", "T") + "+08:00",
        "source": REFERENCE_ACCOUNT,
        "account": REFERENCE_ACCOUNT,
        "account_label": REFERENCE_LABEL,
        "tags": ["脱贫攻坚", "对口支援", "新疆", "广东"],
        "url": "",
    }
