"""Messages are gettext strings in one language each, and every one has its English."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A Chinese phrase, a spaced slash, then a capitalised English phrase in one string: a pair.
PAIR = re.compile(r"[\u4e00-\u9fff][^\"'\n]* / [A-Z][a-z]")
# The 500 page is rendered without the request's language (the error may be in the middleware),
# so it says both; the code comments may quote the old form.
ALLOWED = {"zixun/web/templates/500.html"}


def _sources() -> list[Path]:
    files = [*ROOT.joinpath("zixun").rglob("*.py"), *ROOT.joinpath("zixun").rglob("*.html")]
    return [f for f in files if "tests" not in f.parts and "migrations" not in f.parts]


def test_no_message_is_a_chinese_english_pair():
    pairs = []
    for source in _sources():
        if str(source.relative_to(ROOT)) in ALLOWED:
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if source.suffix == ".py" else line
            if PAIR.search(code):
                pairs.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert pairs == []


def test_the_pair_check_sees_a_pair():
    assert PAIR.search('"请先登录 / Please sign in first"')
    assert not PAIR.search('_("请先登录")')


def _untranslated(po: str) -> list[str]:
    """The msgids of a .po file's entries that are fuzzy or have an empty msgstr."""
    missing = []
    for entry in po.split("\n\n")[1:]:  # the first entry is the header
        if "msgid" not in entry or entry.lstrip().startswith("#~"):
            continue
        msgid, _, msgstrs = entry.partition("\nmsgstr")  # msgstr, or msgstr[0] … of a plural
        translations = re.split(r"^msgstr\S* ", "msgstr" + msgstrs, flags=re.M)[1:]
        empty = any("".join(re.findall(r'"(.*)"', t)) == "" for t in translations)
        if "#, fuzzy" in entry or empty:
            text = msgid.split("msgid ", 1)[1].split("\nmsgid_plural", 1)[0]
            missing.append("".join(re.findall(r'"(.*)"', text)))
    return missing


def test_every_message_has_its_english_translation():
    po = ROOT / "zixun" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    assert _untranslated(po.read_text(encoding="utf-8")) == []


def test_the_translation_check_sees_a_missing_one():
    po = 'msgid ""\nmsgstr ""\n\nmsgid "请先登录"\nmsgstr ""\n\nmsgid "发布"\nmsgstr "Publish"\n'
    assert _untranslated(po) == ["请先登录"]
