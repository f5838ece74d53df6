"""{% load i18n %} gives every template the memoising {% translate %} (i18nmemo): the same output
as Django's own tag, in every language and escaping, for every form of the tag."""

from __future__ import annotations

import pytest
from django import template
from django.template import Context, Engine, engines
from django.template.backends.django import DjangoTemplates
from django.templatetags import i18n as django_i18n
from django.utils import translation

from zixun.web.i18nmemo import _MEMO, MemoTranslateNode, translations_forget

# Messages from the site's catalogue (both have an English translation), a context, escaping,
# percent signs, the trans alias, and the forms Django's node keeps rendering (variable message,
# variable context, filters, as, noop).
SOURCE = (
    "{% load i18n %}"
    "[{% translate '朗读' %}]"
    '[{% trans "申请入驻" %}]'
    "[{% translate '倍' context 'speech rate' %}]"
    "[{% translate '<b>粗</b> & 100%% 完成' %}]"
    "[{% translate message %}]"
    "[{% translate '朗读' context which %}]"
    "[{% translate '朗读'|upper %}]"
    "[{% translate '申请入驻' as label %}{{ label }}]"
    "[{% translate '朗读' noop %}]"
)
CONTEXT = {"message": "申请入驻", "which": "speech rate"}


# Django's own i18n library, its translate tag as Django wrote it (install() replaced it in the
# library every other template loads); _django_engine loads it from this module as "i18n".
register = template.Library()
register.tags.update(django_i18n.register.tags)
register.tag("translate", django_i18n.do_translate)
register.tag("trans", django_i18n.do_translate)


def _django_engine() -> Engine:
    return Engine(libraries={"i18n": __name__})


@pytest.fixture(autouse=True)
def _empty_memo() -> None:
    translations_forget()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_every_form_of_the_tag_renders_as_djangos_does(language, autoescape):
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    ours = backend.engine.from_string(SOURCE)
    theirs = _django_engine().from_string(SOURCE)
    assert ours.nodelist.get_nodes_by_type(MemoTranslateNode), "{% load i18n %} is not i18nmemo's"
    with translation.override(language):
        expected = theirs.render(Context(CONTEXT, autoescape=autoescape))
        first = ours.render(Context(CONTEXT, autoescape=autoescape))
        again = ours.render(Context(CONTEXT, autoescape=autoescape))
    assert first == expected
    assert again == expected


def test_english_and_chinese_each_get_their_own_text():
    template = engines["django"].from_string("{% load i18n %}{% translate '朗读' %}")
    with translation.override("zh-hans"):
        chinese = template.render({})
    with translation.override("en"):
        english = template.render({})
    with translation.override("zh-hans"):
        chinese_again = template.render({})
    assert chinese == chinese_again == "朗读"
    assert english == "Read aloud"


def test_literal_messages_are_remembered_and_variable_ones_are_not():
    template = engines["django"].from_string(
        "{% load i18n %}{% translate '朗读' %}{% translate message %}"
    )
    with translation.override("en"):
        template.render({"message": "申请入驻"})
        template.render({"message": "朗读"})
    assert list(_MEMO) == [("en", "朗读", None, True)]


@pytest.mark.django_db
def test_the_article_page_uses_it_in_english(client, settings):
    from zixun.articles.tests.factories import ArticleFactory

    article = ArticleFactory()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Read aloud" in response.content.decode()
    assert ("en", "朗读", None, True) in _MEMO
