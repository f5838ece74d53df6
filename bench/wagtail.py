"""The Wagtail baseline: a minimal Wagtail site's article page, served like Zixun's.

Wagtail is installed into a throwaway virtual environment under ``var/bench-wagtail/``
(gitignored, reused while its versions match), never into the project's. This module
writes a minimal Wagtail project into a temp dir: settings as ``wagtail start`` makes
them (its apps and middleware, DEBUG off, SQLite; PostgreSQL when the bench runs Zixun on
PostgreSQL, so that both sites read the same engine), an ``ArticlePage`` with a title, a
date, a rich-text body and the 8 newest sibling pages listed on the page, and templates
like the starter's ``base.html``. It migrates it, adds ``ARTICLES`` article pages with
Chinese text (CCTV 新闻联播 items from ``../shared/data`` when present, else generated
text), then the bench serves it with the same granian command line as Zixun and measures
its newest article page in the same rounds as Zixun's pages.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import time
import tomllib
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.database import run_step
from bench.errors import BenchError
from bench.server import Server

WAGTAIL_VERSION = "8.0.1"  # the newest on PyPI when the baseline was added; bump deliberately
ARTICLES = 50
RELATED = 8  # sibling pages listed on an article page
PACKAGE = "wagtailbench"  # the generated project's settings package
APP = f"{PACKAGE}.wsgi:application"
_TAG = "wagtail-json"
_DROPPED_ENV = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH", "PYTHONHOME")
INSTALL_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class WagtailSite:
    """A generated, migrated and filled Wagtail project, ready to serve."""

    directory: Path
    venv: Path
    env: dict[str, str]
    path: str  # the measured article page (the newest)
    title: str  # its title, to check the page served is the right one
    pages: int  # article pages in the site
    source: str  # where the article text came from
    database: str  # "sqlite" or "postgresql"
    versions: dict[str, str]  # wagtail, django, granian, python
    setup_s: float  # seconds to write, migrate and fill the project (not the venv)

    @property
    def granian(self) -> Path:
        return self.venv / "bin" / "granian"


# --- the throwaway virtual environment --------------------------------------------------


def project_pin(root: Path, package: str) -> str:
    """The version of ``package`` pinned in pyproject.toml (the Wagtail venv pins the same)."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    for requirement in data["project"]["dependencies"]:
        name, sep, version = str(requirement).partition("==")
        if sep and name.strip().lower() == package:
            return version.strip()
    raise BenchError(f"pyproject.toml pins no {package}==VERSION")


def project_granian_version(root: Path) -> str:
    return project_pin(root, "granian")


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _installed_versions(venv: Path) -> dict[str, str]:
    probe = (
        "import json, platform, django, granian, wagtail; print(json.dumps({"
        "'wagtail': wagtail.__version__, 'django': django.get_version(), "
        "'granian': granian.__version__, 'python': platform.python_version()}))"
    )
    result = subprocess.run(
        [str(_venv_python(venv)), "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"the Wagtail venv does not import:\n{result.stderr.strip()}")
    versions: dict[str, str] = json.loads(result.stdout)
    return versions


def ensure_venv(*, root: Path, cache_dir: Path) -> tuple[Path, dict[str, str]]:
    """The Wagtail venv under ``cache_dir``: reused when its pins match, else made anew.

    Returns the venv and the versions it runs.
    """
    granian = project_granian_version(root)
    psycopg = project_pin(root, "psycopg[binary]")  # for the PostgreSQL run
    requirements = [
        f"wagtail=={WAGTAIL_VERSION}", f"granian=={granian}", f"psycopg[binary]=={psycopg}",
    ]  # fmt: skip
    venv = cache_dir / "venv"
    marker = venv / ".bench-requirements"
    wanted = " ".join(requirements) + f" python{sys.version_info.major}.{sys.version_info.minor}"
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == wanted:
        print(f"[bench] reusing the Wagtail venv {venv} ({wanted})", flush=True)
    else:
        shutil.rmtree(venv, ignore_errors=True)
        cache_dir.mkdir(parents=True, exist_ok=True)
        # The project's interpreter makes the venv: the same Python as Zixun's.
        base = getattr(sys, "_base_executable", sys.executable)
        run_step(
            f"creating the Wagtail venv {venv}", [base, "-m", "venv", str(venv)],
            env=dict(os.environ), cwd=cache_dir,
        )  # fmt: skip
        run_step(
            f"installing {' '.join(requirements)} into it",
            [str(_venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             *requirements],
            env=dict(os.environ), cwd=cache_dir, timeout=INSTALL_TIMEOUT_S,
        )  # fmt: skip
        marker.write_text(wanted + "\n", encoding="utf-8")
    versions = _installed_versions(venv)
    if versions["wagtail"] != WAGTAIL_VERSION or versions["granian"] != granian:
        marker.unlink(missing_ok=True)  # made anew on the next run
        raise BenchError(
            f"the Wagtail venv runs wagtail {versions['wagtail']} and granian "
            f"{versions['granian']}, expected {WAGTAIL_VERSION} and {granian}"
        )
    return venv, versions


# --- the article text --------------------------------------------------------------------


def _paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())


def corpus_articles(corpus: Path, count: int) -> list[dict[str, str]]:
    """The ``count`` newest items of the CCTV 新闻联播 corpus (its lines are by date)."""
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        newest = deque(lines, maxlen=count)
    articles = []
    for line in newest:
        item = json.loads(line)
        articles.append(
            {
                "title": str(item["title"])[:250],
                "date": str(item["published_at"])[:10],
                "body": _paragraphs_html(str(item["body"]).split("\n")),
            }
        )
    return articles


_PHRASES = (
    "记者从有关部门获悉", "今年以来各地持续推进", "据介绍", "这一举措将进一步",
    "专家表示", "相关负责人说", "截至目前", "下一步还将", "群众反映", "数据显示",
    "项目建成后", "在此基础上", "与会代表认为", "与去年同期相比", "当地居民说",
)  # fmt: skip
_NOUNS = (
    "乡村振兴", "科技创新", "城市更新", "绿色发展", "民生保障", "对外开放",
    "数字经济", "生态保护", "交通建设", "教育改革", "医疗服务", "文化旅游",
)  # fmt: skip


def generated_articles(count: int) -> list[dict[str, str]]:
    """Deterministic Chinese-looking articles, for machines without ../shared."""
    rng = random.Random(count)
    start = date(2026, 1, 1)
    articles = []
    for n in range(count):
        noun = rng.choice(_NOUNS)
        paragraphs = [
            "".join(f"{rng.choice(_PHRASES)}，{rng.choice(_NOUNS)}取得新进展。" for _ in range(6))
            for _ in range(rng.randint(3, 6))
        ]
        articles.append(
            {
                "title": f"{noun}工作扎实推进 第{n + 1}期",
                "date": (start + timedelta(days=n)).isoformat(),
                "body": _paragraphs_html(paragraphs),
            }
        )
    return articles


def pick_articles(root: Path, count: int = ARTICLES) -> tuple[list[dict[str, str]], str]:
    shared = Path(os.environ.get("ZIXUN_SHARED_DIR") or root.parent / "shared")  # as Zixun's
    corpus = shared / "data" / "cn_news_cctv_xwlb" / "articles.jsonl.gz"
    if corpus.is_file():
        return corpus_articles(corpus, count), f"the {count} newest items of {corpus.name}"
    return generated_articles(count), "generated text (no ../shared/data)"


# --- the generated project ---------------------------------------------------------------

_SETTINGS = """\
# Generated by the Zixun bench (bench/wagtail.py): `wagtail start`'s settings, production-like.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = {secret_key!r}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "articles",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "{package}.urls"
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        }},
    }},
]
WSGI_APPLICATION = "{package}.wsgi.application"
DATABASES = {databases!r}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_ROOT = BASE_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
}}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "资讯 Wagtail"
WAGTAILSEARCH_BACKENDS = {{"default": {{"BACKEND": "wagtail.search.backends.database"}}}}
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
"""

_URLS = """\
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(wagtail_urls)),
]
"""

_WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
application = get_wsgi_application()
"""

_MANAGE = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""

_MODELS = """\
from django.db import models
from wagtail.fields import RichTextField
from wagtail.models import Page


class ArticleIndexPage(Page):
    subpage_types = ["articles.ArticlePage"]


class ArticlePage(Page):
    date = models.DateField("发布日期")
    body = RichTextField(blank=True)

    parent_page_types = ["articles.ArticleIndexPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related"] = (
            ArticlePage.objects.live()
            .sibling_of(self, inclusive=False)
            .order_by("-date", "-id")[:{related}]
        )
        return context
"""

_APPS = """\
from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
"""

# The starter's base.html, without its stylesheet and script files (nothing serves them).
_BASE_HTML = """\
{% load static wagtailcore_tags wagtailuserbar %}
<!DOCTYPE html>
<html lang="zh-CN">
    <head>
        <meta charset="utf-8" />
        <title>
            {% block title %}
            {% if page.seo_title %}{{ page.seo_title }}{% else %}{{ page.title }}{% endif %}
            {% endblock %}
            {% block title_suffix %}
            {% wagtail_site as current_site %}
            {% if current_site and current_site.site_name %}- {{ current_site.site_name }}{% endif %}
            {% endblock %}
        </title>
        {% if page.search_description %}
        <meta name="description" content="{{ page.search_description }}" />
        {% endif %}
        <meta name="viewport" content="width=device-width, initial-scale=1" />
    </head>
    <body class="{% block body_class %}{% endblock %}">
        {% wagtailuserbar %}
        {% block content %}{% endblock %}
    </body>
</html>
"""

_ARTICLE_HTML = """\
{% extends "base.html" %}
{% load wagtailcore_tags %}
{% block body_class %}template-articlepage{% endblock %}
{% block content %}
<article>
    <h1>{{ page.title }}</h1>
    <p class="meta"><time datetime="{{ page.date|date:'Y-m-d' }}">{{ page.date|date:"Y年n月j日" }}</time></p>
    <div class="body">{{ page.body|richtext }}</div>
</article>
<aside>
    <h2>相关文章</h2>
    <ul class="related">
    {% for item in related %}
        <li><a href="{% pageurl item %}">{{ item.title }}</a> <time datetime="{{ item.date|date:'Y-m-d' }}">{{ item.date|date:"n月j日" }}</time></li>
    {% endfor %}
    </ul>
</aside>
{% endblock %}
"""

_INDEX_HTML = """\
{% extends "base.html" %}
{% load wagtailcore_tags %}
{% block content %}
<h1>{{ page.title }}</h1>
<ul>{% for item in page.get_children.live %}<li><a href="{% pageurl item %}">{{ item.title }}</a></li>{% endfor %}</ul>
{% endblock %}
"""

# Run with the Wagtail venv's python in the project dir: argv[1] is the articles' JSON.
_POPULATE = """\
import json
import os
import sys
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
import django

django.setup()
from wagtail.models import Site

from articles.models import ArticleIndexPage, ArticlePage

with open(sys.argv[1], encoding="utf-8") as handle:
    articles = json.load(handle)
home = Site.objects.get(is_default_site=True).root_page
index = home.add_child(instance=ArticleIndexPage(title="资讯", slug="articles"))
for n, item in enumerate(articles, 1):
    index.add_child(
        instance=ArticlePage(
            title=item["title"], slug=f"a{{n}}", date=date.fromisoformat(item["date"]),
            body=item["body"],
        )
    )
newest = ArticlePage.objects.live().order_by("-date", "-id").first()
print("{tag}", json.dumps({{
    "pages": ArticlePage.objects.live().count(),
    "path": newest.get_url(),
    "title": newest.title,
}}, ensure_ascii=False))
"""


def databases_setting(directory: Path, database_url: str | None) -> dict[str, dict[str, Any]]:
    """Django's DATABASES for the project: SQLite in ``directory``, or the PostgreSQL database
    of ``database_url`` with persistent connections, as Zixun's production settings have."""
    if database_url is None:
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(directory / "db.sqlite3"),
            }
        }
    url = urlsplit(database_url)
    if url.scheme not in ("postgres", "postgresql") or not url.path.strip("/"):
        raise BenchError(f"not a PostgreSQL database URL: {database_url}")
    return {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": url.path.strip("/"),
            "USER": url.username or "",
            "PASSWORD": url.password or "",
            "HOST": url.hostname or "",
            "PORT": str(url.port or ""),
            "CONN_MAX_AGE": 60,
        }
    }


def write_project(
    directory: Path, *, related: int = RELATED, database_url: str | None = None
) -> None:
    """Write the minimal Wagtail project's files into ``directory``."""
    files = {
        "manage.py": _MANAGE.format(package=PACKAGE),
        f"{PACKAGE}/__init__.py": "",
        f"{PACKAGE}/settings.py": _SETTINGS.format(
            package=PACKAGE,
            secret_key=secrets.token_urlsafe(50),
            databases=databases_setting(directory, database_url),
        ),
        f"{PACKAGE}/urls.py": _URLS,
        f"{PACKAGE}/wsgi.py": _WSGI.format(package=PACKAGE),
        "articles/__init__.py": "",
        "articles/apps.py": _APPS,
        "articles/models.py": _MODELS.format(related=related),
        "articles/migrations/__init__.py": "",
        "templates/base.html": _BASE_HTML,
        "templates/articles/article_page.html": _ARTICLE_HTML,
        "templates/articles/article_index_page.html": _INDEX_HTML,
        "populate.py": _POPULATE.format(package=PACKAGE, tag=_TAG),
    }
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def wagtail_env(directory: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED_ENV}
    env["DJANGO_SETTINGS_MODULE"] = f"{PACKAGE}.settings"
    env["PYTHONPATH"] = str(directory)  # granian imports the project from here
    return env


def _tagged_json(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.splitlines()):
        found, _, payload = line.partition(" ")
        if found == _TAG:
            data: dict[str, Any] = json.loads(payload)
            return data
    raise BenchError(f"the Wagtail populate script printed no {_TAG!r} line:\n{stdout}")


def build_site(
    *, root: Path, directory: Path, cache_dir: Path, database_url: str | None = None
) -> WagtailSite:
    """The venv, then the project in ``directory``: written, migrated and filled; on SQLite,
    or in the (empty) PostgreSQL database of ``database_url``."""
    venv, versions = ensure_venv(root=root, cache_dir=cache_dir)
    started = time.monotonic()
    directory.mkdir(parents=True, exist_ok=True)
    write_project(directory, database_url=database_url)
    articles, source = pick_articles(root)
    articles_file = directory / "articles.json"
    articles_file.write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")
    env = wagtail_env(directory)
    python = str(_venv_python(venv))
    run_step(
        "Wagtail: makemigrations", [python, "manage.py", "makemigrations", "articles"],
        env=env, cwd=directory,
    )  # fmt: skip
    run_step(
        "Wagtail: migrate", [python, "manage.py", "migrate", "--no-input"], env=env, cwd=directory
    )
    out = run_step(
        f"Wagtail: adding {len(articles)} article pages ({source})",
        [python, "populate.py", str(articles_file)], env=env, cwd=directory,
    )  # fmt: skip
    data = _tagged_json(out)
    return WagtailSite(
        directory=directory,
        venv=venv,
        env=env,
        path=str(data["path"]),
        title=str(data["title"]),
        pages=int(data["pages"]),
        source=source,
        database="sqlite" if database_url is None else "postgresql",
        versions=versions,
        setup_s=time.monotonic() - started,
    )


def check_page(server: Server, site: WagtailSite, *, related: int = RELATED) -> int:
    """GET the measured page: 200, the right article, its related list. Returns its length."""
    body = server.get_ok(site.path)
    text = body.decode("utf-8", errors="replace")
    if html.escape(site.title) not in text:
        raise BenchError(f"Wagtail's {site.path} does not show {site.title!r}")
    listed = text.count("<li><a href=")
    expected = min(related, site.pages - 1)
    if listed != expected:
        raise BenchError(f"Wagtail's {site.path} lists {listed} related pages, expected {expected}")
    print(f"[bench] Wagtail page: {site.path}, {len(body)} bytes, {listed} related", flush=True)
    return len(body)
