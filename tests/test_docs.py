"""The docs keep up with the code: every setting is documented, every ADR is linked."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_configuration_docs():
    settings_source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:_bool|_list|_int)?\(\s*"([A-Z_]+)"', settings_source))
    assert len(names) > 20
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert missing == [], f"add these to docs/configuration.md: {missing}"
    assert sorted(n for n in names if n not in example and not n.startswith("ZIXUN_BENCH")) == []


def test_readme_names_the_two_commands_and_its_screenshot_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / image).is_file(), image


def test_every_adr_has_tags_context_decision_consequences():
    adrs = sorted((ROOT / "docs" / "adr").glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert len(adrs) >= 8
    for adr in adrs:
        text = adr.read_text(encoding="utf-8")
        for part in ("**Tags:**", "## Context", "## Decision", "## Consequences"):
            assert part in text, f"{adr.name} lacks {part}"


# A repository path in backticks, in a link, or in a code comment: zixun/web/pagecache.py,
# docs/adr/0008-page-cache.md, bench/README.md, tests/flows/ …
PATH_PATTERN = re.compile(r"(?<![\w./-])((?:zixun|docs|bench|config|tests|\.ci)/[\w./-]*[\w/])")
# Names in the docs that stand for many paths, or for paths a user creates.
PATH_PLACEHOLDERS = ("<", "*", "NNNN", "zixun/<app>")
# Files that commands write (gitignored), named by the docs that tell where to find them.
GENERATED = {"bench/results.json", "bench/results-postgresql.json", "tests/browser/artifacts"}


def _named_paths(text: str) -> set[str]:
    return {
        match.rstrip(".")
        for match in PATH_PATTERN.findall(text)
        if not any(p in match for p in PATH_PLACEHOLDERS)
        and not any(match.rstrip(".").startswith(g) for g in GENERATED)
    }


def _doc_files() -> list[Path]:
    docs = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "bench" / "README.md"]
    return docs + sorted((ROOT / "docs").rglob("*.md"))


def _code_files() -> list[Path]:
    return [p for p in sorted((ROOT / "zixun").rglob("*.py")) if "migrations" not in p.parts]


def test_every_path_a_doc_or_comment_names_exists():
    missing = []
    for source in _doc_files() + _code_files():
        text = source.read_text(encoding="utf-8")
        if source.suffix == ".py":  # comments and docstrings only: code builds paths at run time
            text = "\n".join(
                line
                for line in text.splitlines()
                if line.strip().startswith(("#", '"', "-")) or "#" in line
            )
        for path in _named_paths(text):
            if not (ROOT / path).exists():
                missing.append(f"{source.relative_to(ROOT)}: {path}")
    assert missing == []


def test_every_relative_link_in_the_docs_resolves():
    missing = []
    for doc in _doc_files():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith(("mailto:", "/")):
                continue
            if not (doc.parent / target).exists():
                missing.append(f"{doc.relative_to(ROOT)}: {target}")
    assert missing == []


def test_the_path_check_sees_a_missing_path():
    assert _named_paths("see `zixun/engagement/views.py` and docs/nowhere.md.") == {
        "zixun/engagement/views.py",
        "docs/nowhere.md",
    }
