"""Settings for the grassroots work portal.

There is exactly one settings module. Environments (a laptop, CI, production) differ only in
environment variables, read through django-environ; every variable is listed in README.md and
.env.example. A value that cannot be used stops the process with a one-line message naming the
variable (see ``portal.config``), never a traceback.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from portal.config import ConfigError, database_from_url, parse_bool

BASE_DIR = Path(__file__).resolve().parent.parent

# The environment only. A local .env (git-ignored) is put into the environment by the entry
# points (manage.py, portal.wsgi: see portal.config.read_env_file), so importing these
# settings, as the test suite does, never depends on a developer's .env.
env = environ.Env()


def _raw(name: str) -> str:
    # An empty value (`DJANGO_HTTPS=`) means unset, as for DJANGO_SECRET_KEY and DATABASE_URL.
    return env.str(name, default="").strip()


def _bool(name: str, default: bool) -> bool:
    return parse_bool(name, _raw(name), default)


def _int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"应为整数，现为 “{value}”") from None
    if number < minimum:
        raise ConfigError(name, f"应为不小于 {minimum} 的整数，现为 {number}")
    return number


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(name: str, default: str) -> str:
    value = _raw(name)
    if not value:
        return default
    if value.upper() not in _LOG_LEVELS:
        raise ConfigError(name, f"应为 {'、'.join(_LOG_LEVELS)} 之一，现为 “{value}”")
    return value.upper()


# --- Core -------------------------------------------------------------------------------------

# Development is the zero-setup default for manage.py; under a WSGI server (portal/wsgi.py)
# the default is production (portal/wsgi.py sets PORTAL_WSGI; it is not a configuration
# variable). Production must then provide a real secret key.
# `manage.py check --deploy` rejects the development key.
DEBUG = _bool("DJANGO_DEBUG", env.str("PORTAL_WSGI", default="") != "1")

_DEV_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError("DJANGO_SECRET_KEY", "生产环境（DJANGO_DEBUG=false）必须设置密钥")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ConfigError("DJANGO_ALLOWED_HOSTS", "生产环境必须列出站点域名")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The sub-district this installation serves, shown in page titles and the admin header.
PORTAL_SUBDISTRICT = env.str("PORTAL_SUBDISTRICT", default="凤凰岭街道")
PORTAL_SITE_NAME = env.str("PORTAL_SITE_NAME", default=f"{PORTAL_SUBDISTRICT}四下基层工作平台")
# The public address (scheme and host, no trailing slash) for canonical links in feeds, the
# sitemap, share QR codes and Open Graph tags; empty: the address the request came to.
PORTAL_SITE_URL = env.str("PORTAL_SITE_URL", default="").rstrip("/")
# The footer's identification (《政府网站发展指引》): who runs the site, how to reach them and
# its registration numbers; each is shown only when set.
PORTAL_SITE_ORGANIZER = env.str("PORTAL_SITE_ORGANIZER", default="")  # 主办单位
PORTAL_SITE_CONTACT = env.str("PORTAL_SITE_CONTACT", default="")  # 联系方式
PORTAL_ICP_NUMBER = env.str("PORTAL_ICP_NUMBER", default="")  # ICP 备案号
PORTAL_SITE_CODE = env.str("PORTAL_SITE_CODE", default="")  # 网站标识码
PORTAL_PSB_NUMBER = env.str("PORTAL_PSB_NUMBER", default="")  # 公安机关备案号

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin with our site class
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "django_prose_editor",  # the article body editor's static files (portal.news.editor)
    "portal.apps.PortalConfig",
    "outreach.apps.OutreachConfig",
    "petitions.apps.PetitionsConfig",
    "portal.news.apps.NewsConfig",
]

MIDDLEWARE = [
    "portal.middleware.ServingRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.OverflowAsBadRequestMiddleware",
    "portal.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

# Unset → SQLite at an absolute path inside the project (zero-setup trial).
# postgres://user@host:5432/name → PostgreSQL through psycopg 3 (production and CI).
DATABASES = {
    "default": database_from_url(
        env.str("DATABASE_URL", default=""),
        default_sqlite_path=BASE_DIR / "db.sqlite3",
        conn_max_age=_int("DJANGO_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------

try:
    CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
except Exception as exc:  # django-environ raises several types for a malformed URL
    raise ConfigError("CACHE_URL", "无法解析（示例：redis://127.0.0.1:6379/1）") from exc

# --- Authentication ---------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# 等保 2.0 (level 2) asks for complex passwords; see README "Security choices".
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.validators.CharacterClassValidator"},
]

LOGIN_URL = "admin:login"
# Where a login goes when its next= is missing or refused (another site's address): the
# workbench, never Django's /accounts/profile/, which does not exist here.
LOGIN_REDIRECT_URL = "admin:index"

# Reverse proxies in front (nginx → 1): how many X-Forwarded-* hops to trust.
_PROXY_COUNT = _int("DJANGO_PROXY_COUNT", 0)

# Lock a username after repeated failures from one address. Never lock by address alone:
# a whole office shares one public IP.
AXES_ENABLED = _bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_IPWARE_PROXY_COUNT = _PROXY_COUNT or None
AXES_VERBOSE = False

SESSION_COOKIE_AGE = _int("DJANGO_SESSION_HOURS", 8, minimum=1) * 3600

# Residents' forms (我要反映, 进度查询): rate limits (numbers in petitions/public/limits.py) and
# the least time a person needs to fill the request form. Off only for load tests.
PORTAL_RATELIMIT_ENABLED = _bool("PORTAL_RATELIMIT_ENABLED", True)
PETITIONS_MIN_FILL_SECONDS = _int("PETITIONS_MIN_FILL_SECONDS", 3)
SESSION_COOKIE_HTTPONLY = True

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Public photos are served by the application unless a web server in front takes /media/photos/.
PORTAL_SERVE_MEDIA = _bool("DJANGO_SERVE_MEDIA", True)
PORTAL_PAGE_CACHE = _bool("PORTAL_PAGE_CACHE", True)
# Blocks of public pages kept on their own (portal.pagecache.shared_block).
PORTAL_FRAGMENT_CACHE = _bool("PORTAL_FRAGMENT_CACHE", True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain files while developing and testing.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# --- Security ---------------------------------------------------------------------------------

# Behind HTTPS in production. `make serve` turns this off to try the production server locally.
HTTPS = _bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The language choice is a cookie like the session's: HTTPS only, never sent by other sites'
# pages; set only by the server (Django's language switch is a form post).
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Read even with HTTPS off, so a bad value is reported before it matters.
_HSTS_SECONDS = _int("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_SECONDS = _HSTS_SECONDS if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if _PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# Everything is served from this site: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _log_level("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
