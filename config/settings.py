"""Zixun settings: one file, every value from a ``ZIXUN_*`` (or standard) env var.

The defaults are the embedded single-machine setup: SQLite in WAL mode, the
local-memory cache and files under ``var/``. Set ``DATABASE_URL`` and
``REDIS_URL`` to move to PostgreSQL and Redis; nothing else changes.
Every setting is listed in docs/configuration.md (a test checks it).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] and friends run

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


# Where the embedded default keeps its files: the SQLite database, uploads, the
# generated secret key. Outside the package so that upgrades never touch it.
VAR_DIR = Path(env("ZIXUN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("ZIXUN_DEBUG", False)


def _secret_key() -> str:
    """Use ZIXUN_SECRET_KEY, else a key generated once and kept in VAR_DIR."""
    if key := env("ZIXUN_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ZIXUN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("ZIXUN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "zixun.web",  # before allauth: its templates override allauth's layout
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "zixun.core",
    "zixun.events",
    "zixun.accounts",
    "zixun.audit",
    "zixun.channels",
    "zixun.creators",
    "zixun.articles",
    "zixun.moderation",
    "zixun.engagement",
    "zixun.ranking",
    "zixun.search",
    "zixun.feeds",
    "zixun.privacy",
    "zixun.webhooks",
    "zixun.api",
    "zixun.demo",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one, so that a response made by a middleware below (the 400 of an unknown
    # host, a refused CSRF token) has the policies too.
    "zixun.web.middleware.ContentSecurityPolicyMiddleware",
    "zixun.web.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zixun.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zixun.web.middleware.SignedInNoStoreMiddleware",
    "zixun.web.modes.CareCookieMiddleware",
    "zixun.web.script.TraditionalScriptMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zixun.web.middleware.NulRefusalMiddleware",  # innermost: it renders a page for the reader
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zixun.web.context_processors.site",
            ],
            # {% url %} from memorised URL shapes (zixun/web/urlmemo.py): a tenth of a page render.
            "builtins": ["zixun.web.templatetags.fasturl"],
        },
    },
]

# Database: SQLite in WAL mode by default, DATABASE_URL for PostgreSQL.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zixun.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Keep each worker thread's connection: opening SQLite and running the PRAGMAs below
    # cost a quarter of a signed-in page view (py-spy; ADR 0012).
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    # synchronous=FULL: a commit that returned is on the disk, also after a power loss
    # (NORMAL in WAL mode only survives a process crash; ADR 0017).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement run ZIXUN_DB_PREPARE_THRESHOLD times on a
    # connection prepared there: PostgreSQL then skips planning it (1.4-2.7 ms for a query on the
    # article table, which has 18 indexes to consider; ADR 0020). 0 (or less) turns it off, for
    # a connection pooler in transaction mode that does not track prepared statements.
    _prepare_threshold = env_int("ZIXUN_DB_PREPARE_THRESHOLD", "5")
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": _prepare_threshold > 0,
        "prepare_threshold": _prepare_threshold if _prepare_threshold > 0 else None,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default, Redis when REDIS_URL is set. "shared" holds what every
# worker must count together (rate limits, sign-in limits, view dedup: zixun/core/sharedcache.py):
# the same Redis, or by default files under ZIXUN_SHARED_CACHE_DIR.
REDIS_URL = env("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        alias: {
            # Django's, reusing its Redis clients (zixun/core/rediscache.py).
            "BACKEND": "zixun.core.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("ZIXUN_CACHE_PREFIX", "zixun"),
        }
        for alias in ("default", "shared")
    }
    # {% cache %} fragments: the default cache, each read also kept in process memory for
    # ZIXUN_PAGE_MEMO_SECONDS (zixun/core/fragmentcache.py).
    CACHES["template_fragments"] = {
        "BACKEND": "zixun.core.fragmentcache.FragmentCache",
        "LOCATION": "default",
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "zixun",
        },
        "shared": {
            "BACKEND": "zixun.core.sharedcache.SharedFileCache",
            "LOCATION": env("ZIXUN_SHARED_CACHE_DIR", str(VAR_DIR / "shared-cache")),
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        },
        "template_fragments": {
            "BACKEND": "zixun.core.fragmentcache.FragmentCache",
            "LOCATION": "default",
        },
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends with a cheaper user lookup (zixun/accounts/backends.py).
    "zixun.accounts.backends.ModelBackend",
    "zixun.accounts.backends.AllauthBackend",
    # Still listed so that sessions signed in before the two above keep working.
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies older hashes, then upgrades them
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
# Accounts (django-allauth): sign in with email; email addresses are verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ZIXUN_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = env("ZIXUN_EMAIL_SUBJECT_PREFIX", "[资讯] ")
# Failed sign-ins are limited per address (10 a minute) and per address and account together
# (5 in 5 minutes; zixun/accounts/adapter.py), so a stranger cannot lock an owner out; the
# owner can always sign in with a code sent by e-mail. A limited sign-in is a 429.
ACCOUNT_ADAPTER = "zixun.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Mail: written to files under VAR_DIR/mail by default (read them there on one
# machine); set ZIXUN_EMAIL_HOST to send through an SMTP server instead.
EMAIL_HOST = env("ZIXUN_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("ZIXUN_EMAIL_PORT", "587")
    EMAIL_HOST_USER = env("ZIXUN_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env("ZIXUN_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("ZIXUN_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("ZIXUN_EMAIL_FROM", "资讯 <noreply@localhost>")

# Background tasks (django-tasks), run by `zixun worker` (docs/adr/0016-redis-task-queue.md).
# ZIXUN_TASK_QUEUE: "database" (rows in the site's database; the default without Redis) or
# "redis" (RQ; the default with REDIS_URL). ZIXUN_TASK_BACKEND names any other backend class.
TASK_QUEUE_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
}
ZIXUN_TASK_QUEUE = env("ZIXUN_TASK_QUEUE", "redis" if REDIS_URL else "database")
if ZIXUN_TASK_QUEUE not in TASK_QUEUE_BACKENDS:
    raise ImproperlyConfigured(
        f"ZIXUN_TASK_QUEUE must be one of {', '.join(TASK_QUEUE_BACKENDS)}, not {ZIXUN_TASK_QUEUE!r}"
    )
ZIXUN_TASK_REDIS_URL = env("ZIXUN_TASK_REDIS_URL", REDIS_URL)
if ZIXUN_TASK_QUEUE == "redis" and not ZIXUN_TASK_REDIS_URL:
    raise ImproperlyConfigured("ZIXUN_TASK_QUEUE=redis needs REDIS_URL or ZIXUN_TASK_REDIS_URL")
# A database-queue task still RUNNING this many seconds after it started, on a worker that
# `zixun worker` cannot check (another host), is taken as interrupted and run again
# (zixun/core/taskrecovery.py). Keep it above the longest task.
ZIXUN_TASK_STALE_SECONDS = env_int("ZIXUN_TASK_STALE_SECONDS", "3600")
TASKS = {
    "default": {
        "BACKEND": env("ZIXUN_TASK_BACKEND", TASK_QUEUE_BACKENDS[ZIXUN_TASK_QUEUE]),
        "QUEUES": ["default"],
    }
}
# RQ's queues (django-rq); a job that runs longer than DEFAULT_TIMEOUT seconds is stopped.
RQ_QUEUES = {
    "default": {"URL": ZIXUN_TASK_REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 900}
}
# No RQ dashboard in the admin: its views (and its token-authenticated stats API) are more
# surface than an operator needs; `zixun rqstats` shows the queues (docs/deploy.md).
RQ_SHOW_ADMIN_LINK = False
# Passwords (docs/security.md, "Passwords"): 8 to 1024 characters, not common, not only
# digits, not the name or e-mail, and not a guessable pattern (zixun/accounts/validators.py:
# a keyboard walk, repeats, the site's name, a common word with a year or symbols around it).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "zixun.accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zixun.accounts.validators.PatternPasswordValidator"},
]

# Language and time: Chinese first, English available; Beijing time.
LANGUAGE_CODE = env("ZIXUN_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zixun" / "locale"]
TIME_ZONE = env("ZIXUN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("ZIXUN_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("ZIXUN_MEDIA_ROOT", str(VAR_DIR / "media")))
# Files only editors may read (application credentials): outside MEDIA_ROOT, never served.
PRIVATE_ROOT = Path(env("ZIXUN_PRIVATE_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "zixun.web.staticstorage.StaticStorage"  # WhiteNoise's, URLs remembered
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security by default.
# Sessions are read from the cache and written through to the database: a signed-in page
# view then costs no session query (ADR 0012).
SESSION_ENGINE = "zixun.web.sessions"  # Django's cached_db, which pagecache reads ahead
# Every cookie the site sets (session, CSRF, messages, language, the reading modes) is
# HttpOnly and SameSite=Lax, and Secure with ZIXUN_SECURE_COOKIES: no script reads one (the
# pages' script takes the CSRF token from the form), and Lax keeps sign-in links working.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ZIXUN_SECURE_COOKIES", False)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy that terminates HTTPS and sets X-Forwarded-Proto, so that
# share links, QR codes and canonical links say https://.
ZIXUN_BEHIND_HTTPS_PROXY = env_bool("ZIXUN_BEHIND_HTTPS_PROXY", False)
if ZIXUN_BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Redirect plain HTTP to HTTPS in the app too (on by default behind the HTTPS proxy, which
# redirects first): a request that reaches the app without X-Forwarded-Proto: https, e.g.
# through a proxy block that lost its redirect, still goes to https://. The health check and
# robots.txt answer on plain HTTP, for monitors on the machine (docs/deploy.md).
SECURE_SSL_REDIRECT = env_bool("ZIXUN_SSL_REDIRECT", ZIXUN_BEHIND_HTTPS_PROXY)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^robots\.txt$"]
# The reader's address behind a reverse proxy (zixun.core.clientaddr): the header the proxy
# sets, X-Forwarded-For or X-Real-IP ("" uses REMOTE_ADDR), honoured only on requests
# from these proxies (IP addresses or networks, comma-separated).
ZIXUN_PROXY_HEADER = env("ZIXUN_PROXY_HEADER", "")
ZIXUN_TRUSTED_PROXIES = env_list("ZIXUN_TRUSTED_PROXIES", "127.0.0.1,::1")
# Strict-Transport-Security max-age in seconds; 0 sends no header. Set it once HTTPS works.
SECURE_HSTS_SECONDS = env_int("ZIXUN_HSTS_SECONDS", "0")
# With it: includeSubDomains and preload (both sent only when ZIXUN_HSTS_SECONDS > 0). preload
# lets the domain be submitted to the browsers' preload list (hstspreload.org); it does
# nothing until someone submits it.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZIXUN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("ZIXUN_HSTS_PRELOAD", True)
# The CSP sent on every HTML response (zixun.web.middleware).
ZIXUN_CSP = env(
    "ZIXUN_CSP",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# The Permissions-Policy sent on every response (zixun.web.middleware): the browser features
# the site never uses are off for it and for anything it embeds. The share button's copy
# (clipboard-write) and fullscreen stay on for the site itself; read-aloud (speechSynthesis)
# needs no permission. Features Chromium 156 does not know (interest-cohort, bluetooth,
# web-share) are left out: each would log a console error on every page.
ZIXUN_PERMISSIONS_POLICY = env(
    "ZIXUN_PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), "
    "display-capture=(), encrypted-media=(), geolocation=(), gyroscope=(), hid=(), "
    "idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=(), clipboard-write=(self), fullscreen=(self)",
)

# Product settings.
# The site's public address, e.g. https://news.example.cn: canonical, share and QR links are
# built on it, never on a request's Host header. `zixun serve` and `zixun demo` set it from
# their --host and --port when it is empty.
ZIXUN_SITE_URL = env("ZIXUN_SITE_URL", "")
# Where readers report an accessibility barrier (an e-mail address or an https:// page), shown
# on /accessibility/ (docs/accessibility.md).
ZIXUN_ACCESSIBILITY_CONTACT = env("ZIXUN_ACCESSIBILITY_CONTACT", "")
ZIXUN_SITE_NAME = env("ZIXUN_SITE_NAME", "资讯")
ZIXUN_SITE_NAME_EN = env("ZIXUN_SITE_NAME_EN", "Zixun")
# The platform disclaimer under every article (特别声明 / Notice).
ZIXUN_DISCLAIMER_ZH = env(
    "ZIXUN_DISCLAIMER_ZH",
    "特别声明：以上内容（如有图片或视频亦包括在内）为自媒体平台“资讯号”用户上传并发布，"
    "本平台仅提供信息存储服务。",
)
ZIXUN_DISCLAIMER_EN = env(
    "ZIXUN_DISCLAIMER_EN",
    "Notice: The content above (including the pictures and videos if any) is uploaded and "
    "posted by a user of Zixun Hao, which is a social media platform and only provides "
    "information storage services.",
)
# Items per page on every keyset-paginated list.
ZIXUN_PAGE_SIZE = env_int("ZIXUN_PAGE_SIZE", "20")
# Seconds the site-wide blocks (hot list, channel highlights, 态度原创) stay cached.
ZIXUN_BLOCK_CACHE_SECONDS = env_int("ZIXUN_BLOCK_CACHE_SECONDS", "60")
# Seconds an anonymous reader's page stays cached (0 turns the page cache off).
ZIXUN_PAGE_CACHE_SECONDS = env_int("ZIXUN_PAGE_CACHE_SECONDS", "60")
# Seconds each process also keeps the anonymous pages it served in its own memory (0: never),
# which is how late it sees a page another process forgot (zixun/core/sitecache.py).
ZIXUN_PAGE_MEMO_SECONDS = float(env("ZIXUN_PAGE_MEMO_SECONDS", "1"))
# Build and compile the article page's hot queries once per connection, then run their SQL with
# new ids (zixun/core/sqlmemo.py, ADR 0018). Off: every query is built through the ORM each time.
ZIXUN_SQL_MEMO = env_bool("ZIXUN_SQL_MEMO", True)
# Serve uploaded media (/media/) from the app: right for one machine; turn it off when
# the reverse proxy or object storage serves MEDIA_ROOT.
ZIXUN_SERVE_MEDIA = env_bool("ZIXUN_SERVE_MEDIA", True)
# Uploads: the largest file (bytes) and image (pixels) accepted.
ZIXUN_UPLOAD_MAX_BYTES = env_int("ZIXUN_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))
ZIXUN_UPLOAD_MAX_PIXELS = env_int("ZIXUN_UPLOAD_MAX_PIXELS", str(40_000_000))
# The memory an image's decoded pixels may take (bytes: pixels × Pillow's bytes per pixel,
# after a JPEG's reduced-scale decoding); peak memory per upload is about 3.5 × this.
ZIXUN_UPLOAD_MAX_DECODED_BYTES = env_int("ZIXUN_UPLOAD_MAX_DECODED_BYTES", str(24 * 1024 * 1024))
# 申请入驻: attempts per user, and accounts (approved or pending) per resident ID number.
ZIXUN_APPLY_MAX_ATTEMPTS = env_int("ZIXUN_APPLY_MAX_ATTEMPTS", "3")
ZIXUN_ACCOUNTS_PER_ID = env_int("ZIXUN_ACCOUNTS_PER_ID", "1")
# 跟贴 (comments): the longest comment; hold every comment for review (per account too:
# Creator.comments_premoderated); the filter hook; IP属地 (province) display.
ZIXUN_COMMENT_MAX_CHARS = env_int("ZIXUN_COMMENT_MAX_CHARS", "2000")
ZIXUN_COMMENT_DEDUP_SECONDS = env_int("ZIXUN_COMMENT_DEDUP_SECONDS", "30")
ZIXUN_COMMENT_PREMODERATION = env_bool("ZIXUN_COMMENT_PREMODERATION", False)
ZIXUN_COMMENT_SCREEN = env("ZIXUN_COMMENT_SCREEN", "zixun.moderation.screening.screen_comment")
# Trust and safety (docs/moderation.md): the policy behind zixun.core.moderation (the keyword
# filter and the near-duplicate index; zixun.core.moderation.NullModeration turns both off),
# how long a decision can be appealed, reports a reader may file per minute, and the share of
# the hot and feed scores a certain 标题党 title loses.
ZIXUN_MODERATION_BACKEND = env("ZIXUN_MODERATION_BACKEND", "zixun.moderation.backend.Moderation")
ZIXUN_APPEAL_DAYS = env_int("ZIXUN_APPEAL_DAYS", "7")
ZIXUN_REPORTS_PER_MINUTE = env_int("ZIXUN_REPORTS_PER_MINUTE", "10")
# Search (docs/search.md): the engine behind zixun.core.search (a dotted path to a class; the
# default picks FTS5 or PostgreSQL full text by the database; zixun.core.search.NullSearchBackend
# turns search off), the candidates ranked per query, and the freshness half-life in days.
ZIXUN_SEARCH_BACKEND = env("ZIXUN_SEARCH_BACKEND", "zixun.search.engine.DatabaseSearch")
ZIXUN_SEARCH_CANDIDATES = env_int("ZIXUN_SEARCH_CANDIDATES", "300")
ZIXUN_SEARCH_FRESH_DAYS = float(env("ZIXUN_SEARCH_FRESH_DAYS", "30"))
# A dotted path to a function ip -> province ("" turns IP属地 off), e.g.
# zixun.engagement.regions.file_resolver with ZIXUN_IP_REGION_FILE.
ZIXUN_IP_REGION_RESOLVER = env("ZIXUN_IP_REGION_RESOLVER")
ZIXUN_IP_REGION_FILE = env("ZIXUN_IP_REGION_FILE")
# View counts: one view per reader per article in this many seconds; buffered in memory
# and written every ZIXUN_VIEW_FLUSH_SECONDS (never one write per page view).
ZIXUN_VIEW_WINDOW_SECONDS = env_int("ZIXUN_VIEW_WINDOW_SECONDS", "1800")
ZIXUN_VIEW_FLUSH_SECONDS = float(env("ZIXUN_VIEW_FLUSH_SECONDS", "10"))
# The hot list is rebuilt from the last N days of events, and topped up with that window's newest.
ZIXUN_HOT_WINDOW_DAYS = env_int("ZIXUN_HOT_WINDOW_DAYS", "7")
# A JSON file {"source category": "channel slug"} merged over the built-in import map.
ZIXUN_CATEGORY_MAP_FILE = env("ZIXUN_CATEGORY_MAP_FILE")
# Where the demo looks for the shared reference page and data sets.
ZIXUN_SHARED_DIR = Path(env("ZIXUN_SHARED_DIR", str(BASE_DIR.parent / "shared")))
# Serve /bench/bare/ and /bench/render/ (the benchmark's anchors). Only `make bench` sets it.
ZIXUN_BENCH = env_bool("ZIXUN_BENCH", False)
# The file whose bytes /bench/bare/ returns (the bench writes the article page there).
ZIXUN_BENCH_BARE_FILE = env("ZIXUN_BENCH_BARE_FILE")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ZIXUN_LOG_LEVEL", "WARNING")},
}

# The hot list (热榜, docs/ranking.md): the weight of each reader action and the half-life
# of an action's weight in hours. ZIXUN_HOT_STORE is "database" or "redis" ("auto": Redis
# when REDIS_URL is set). ZIXUN_HOT_PENALTY names a function (article ids -> factors).
ZIXUN_HOT_HALF_LIFE_HOURS = float(env("ZIXUN_HOT_HALF_LIFE_HOURS", "12"))
ZIXUN_HOT_WEIGHTS = {
    "view": 1.0, "read": 3.0, "like": 5.0, "unlike": -5.0, "favorite": 8.0, "unfavorite": -8.0,
    "share": 10.0, "comment": 8.0, "dislike": -3.0, "publish": 20.0,
}  # fmt: skip
ZIXUN_HOT_STORE = env("ZIXUN_HOT_STORE", "auto")
ZIXUN_HOT_PENALTY = env("ZIXUN_HOT_PENALTY", "")
ZIXUN_HOT_SIZE = env_int("ZIXUN_HOT_SIZE", "50")
# Reader actions (zixun/events) are kept this many days (`zixun events-prune`); the hot list
# needs ZIXUN_HOT_WINDOW_DAYS of them, interests and evaluation exports more.
ZIXUN_EVENT_RETENTION_DAYS = env_int("ZIXUN_EVENT_RETENTION_DAYS", "90")
# Recommendations (为你推荐, docs/ranking.md): interests learned from reading halve every N days;
# a view within N hours of being shown an article counts as a click on that impression; the
# impression log is kept N days.
ZIXUN_INTEREST_HALF_LIFE_DAYS = float(env("ZIXUN_INTEREST_HALF_LIFE_DAYS", "14"))
ZIXUN_IMPRESSION_CLICK_HOURS = env_int("ZIXUN_IMPRESSION_CLICK_HOURS", "24")
ZIXUN_IMPRESSION_RETENTION_DAYS = env_int("ZIXUN_IMPRESSION_RETENTION_DAYS", "30")
# Webhooks (docs/webhooks.md) go only to public addresses; these private networks (CIDRs,
# comma-separated, e.g. "10.20.0.0/16,fd12:3456::/48") are allowed too, for an intranet's
# receivers. Cloud metadata addresses (169.254.169.254 …) stay refused even inside them.
ZIXUN_WEBHOOK_ALLOWED_NETWORKS = env_list("ZIXUN_WEBHOOK_ALLOWED_NETWORKS", "")
