"""``{% url %}`` through memorised URL shapes gives what Django's ``reverse`` gives."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from zixun.web.urlmemo import SENTINEL_BASE, reverse_fast


def _named_int_routes() -> list[tuple[str, int]]:
    """(namespaced name, number of arguments) of every route whose arguments are all ints."""
    found: list[tuple[str, int]] = []

    def walk(patterns, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                converters = getattr(p.pattern, "converters", {})
                if converters and all(
                    type(c).__name__ == "IntConverter" for c in converters.values()
                ):
                    found.append((namespace + p.name, len(converters)))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_route_with_numbers_reverses_the_same():
    routes = _named_int_routes()
    assert len(routes) > 20
    for name, n in routes:
        for args in ([7] * n, list(range(1, n + 1)), [10**12 + i for i in range(n)]):
            try:
                expected = reverse(name, args=args)
            except NoReverseMatch:
                continue
            assert reverse_fast(name, args) == expected, name
            assert reverse_fast(name, args) == expected, name  # from the memo


def test_string_arguments_are_part_of_the_shape():
    assert reverse_fast("web:mode-set", ["care", "on"]) == reverse(
        "web:mode-set", args=["care", "on"]
    )
    assert reverse_fast("web:mode-set", ["care", "off"]) == reverse(
        "web:mode-set", args=["care", "off"]
    )
    assert reverse_fast("web:report", ["article", 42]) == reverse(
        "web:report", args=["article", 42]
    )


def test_what_it_cannot_template_goes_to_reverse():
    with pytest.raises(NoReverseMatch):
        reverse_fast("web:article", [-1])
    with pytest.raises(NoReverseMatch):
        reverse_fast("web:no-such-page", [])
    assert reverse_fast("web:article", [SENTINEL_BASE]) == reverse(
        "web:article", args=[SENTINEL_BASE]
    )


def test_the_template_tag_escapes_and_assigns_like_djangos():
    html = Template(
        "{% url 'web:article' 5 %}|{% url 'web:mode-set' 'care' 'on' as x %}{{ x }}|"
        "{% url 'web:nope' as y %}[{{ y }}]|{% url 'web:article' article_id=6 %}"
    ).render(Context({}))
    assert html == (
        f"{reverse('web:article', args=[5])}|{reverse('web:mode-set', args=['care', 'on'])}|[]|"
        f"{reverse('web:article', kwargs={'article_id': 6})}"
    )
