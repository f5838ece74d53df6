"""The docs keep up with the code: every setting is documented, every ADR is linked."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_configuration_docs():
    settings_source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:_bool|_list)?\(\s*"([A-Z_]+)"', settings_source))
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
