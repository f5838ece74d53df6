"""Every route of the URL configuration, as paths a test can request.

test_security_headers.py walks them for headers and test_csrf_matrix.py for the CSRF
check, so a view added to any urls.py is covered without being listed anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
# A value for each converter when the test has no object for the argument: the CSRF check
# runs before the view looks anything up.
PLACEHOLDER = {"int": "1", "slug": "x", "str": "x", "path": "x", None: "1"}


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, its prefixes joined: "me/tokens/<int:token_id>/revoke/"
    name: str  # "namespace:name", or "" for an unnamed pattern
    callback: Callable[..., Any]
    arguments: tuple[str, ...]

    def path(self, values: Mapping[str, object] | None = None) -> str | None:
        """The route with each argument from ``values`` (None if one is missing), or, without
        values, a placeholder by converter."""
        missing = []

        def fill(match: re.Match[str]) -> str:
            name = match.group("name")
            if values is None:
                converter = match.groupdict().get("converter")
                return PLACEHOLDER.get(converter, "x")
            if name not in values:
                missing.append(name)
                return ""
            return str(values[name])

        text = CONVERTER.sub(fill, GROUP.sub(fill, self.route))
        if missing:
            return None
        text = text.replace("^", "").replace("$", "").replace(".*", "x").replace("\\", "")
        return "/" + text


def routes() -> Iterator[Route]:
    """Every URL pattern under ROOT_URLCONF, with its full route and namespaced name."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = pattern.name or ""
                if name and namespace:
                    name = f"{namespace}:{name}"
                arguments = tuple(m.group("name") for m in GROUP.finditer(route)) + tuple(
                    m.group("name") for m in CONVERTER.finditer(GROUP.sub("", route))
                )
                yield Route(route, name, pattern.callback, arguments)

    yield from walk(get_resolver().url_patterns, "", "")
