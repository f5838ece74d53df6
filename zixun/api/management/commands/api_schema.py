"""``zixun api-schema``: write the API's OpenAPI schema to docs/api/openapi.json.

``--check`` writes nothing and exits with status 1 when the file is not current
(CI and zixun/api/tests/test_reads_openapi.py run it that way), so the published
schema never drifts from the code. Run it after changing any endpoint or schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zixun.api.main import api

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def schema_text() -> str:
    """The schema as the committed file holds it: sorted keys, two-space indents, UTF-8."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema of /api/v1/ to docs/api/openapi.json (--check: only compare)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if the file is not current.")
        parser.add_argument("--output", default=str(SCHEMA_FILE), help="Where to write it.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"])
        text = schema_text()
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if options["check"]:
            if current != text:
                raise CommandError(f"{path} is not current: run `zixun api-schema`")
            self.stdout.write(f"{path} is current")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
