"""Sanhui settings: one module, driven by environment variables.

Production is the default: DEBUG is off unless ``DJANGO_DEBUG=1`` and a
``DJANGO_SECRET_KEY`` is required. ``make run`` asks for debug explicitly.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import dburl

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# pytest (8.2+) exports PYTEST_VERSION while it runs; tests get a fixed key and fast hashing.
TESTING = "PYTEST_VERSION" in os.environ
DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-development-only-never-in-production"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=1 for development)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # WeChat sign-in: allauth's provider, with the site's subclass (members/wechat/provider.py).
    "allauth.socialaccount.providers.weixin",
    "simple_history",
    "csp",
    "members",
    "decisions",
    "deliberation",
    "hearings",
    "coordination",
    "evaluations",
    "casework",
    # The open data API (api/): django-ninja's app only serves its docs page's static files.
    "ninja",
    "api",
]

MIDDLEWARE = [
    # First, so it also sees the database errors of the middleware below it (see its docstring).
    "config.middleware.BusyDatabaseMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Logs each request made with a street's token, with its answer's status (api/middleware.py).
    "api.middleware.TokenRequestLogMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]
if os.environ.get("DATABASE_REPLICA_URL"):
    MIDDLEWARE.append("config.routers.ReplicaPagesMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "members.context_processors.navigation",
                "members.context_processors.display",
                "evaluations.context_processors.agency_nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL in the usual forms (postgres://user:pw@host/db, sqlite:///path), or libpq's
# multi-host form for failover (postgres://user:pw@h1:5432,h2:5432/db?target_session_attrs=read-write,
# config/dburl.py); unset means the SQLite file in the project folder.
DATABASES = {
    "default": dburl.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers: WAL lets readers run beside one writer; IMMEDIATE takes the
    # write lock when a transaction starts, so two writers queue (busy timeout) instead
    # of failing with "database is locked" half way. Never ATOMIC_REQUESTS with this.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 25,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=25000;"
        ),
    }
    if TESTING:
        # A file, not pytest-django's in-memory default: threads in the concurrency tests must
        # see one database through separate connections, as production processes do. One file
        # per test process, so parallel runs never share it.
        import tempfile

        DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or os.path.join(
            tempfile.gettempdir(), f"sanhui-test-{os.getpid()}.sqlite3")}


def _bind_on_the_server(database: dict) -> None:
    """PostgreSQL: parameters bound on the server, so that psycopg prepares the statements a connection repeats.

    Django's psycopg cursor binds parameters on the client by default, so the server parses and plans
    each statement it is sent, every time: the session read, the throttle's upsert and the cast's
    statements on every vote. With Django's documented ``server_side_binding`` psycopg sends the
    parameters apart, and with ``prepare_threshold`` (which Django leaves off unless OPTIONS sets it)
    psycopg prepares a statement the fifth time a connection runs it (it keeps the 100 most recent),
    so the server plans it once per connection (docs/PERFORMANCE.md). Server-side binding alone
    prepares nothing. A statement run fewer times, such as a migration's, is never prepared (a
    threshold of 0 would prepare a migration's multi-command DDL, which PostgreSQL refuses). Behind a
    pooler, use PgBouncer in session mode (docs/DEPLOY.md), as for persistent connections.
    ``DATABASE_SERVER_SIDE_BINDING=0`` turns both off.
    """
    if database["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_SERVER_SIDE_BINDING", True):
        options = database.setdefault("OPTIONS", {})
        options["server_side_binding"] = True
        options.setdefault("prepare_threshold", 5)


_bind_on_the_server(DATABASES["default"])

# A read replica (docs/DEPLOY.md): the pages named in DATABASE_REPLICA_VIEWS read from it on GET;
# every write, lock, session and cache row stays on the primary (config/routers.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dburl.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["replica"]["OPTIONS"] = {"timeout": 25, "init_command": "PRAGMA busy_timeout=25000;"}
    _bind_on_the_server(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
    DATABASE_REPLICA_VIEWS = env_list(
        "DATABASE_REPLICA_VIEWS", "members:street_detail,decisions:ballot_export")

# Benchmarks only (bench/, `make bench`): SANHUI_BENCH=1 mounts the floor view (bench/floor.py) in
# config/urls.py. Unset, the URL does not exist (tests/test_bench_floor.py); nothing sets it but
# bench/run.py, and its table is made by the benchmark, never by a migration.
BENCH = env_bool("SANHUI_BENCH")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

# --- Cache (shared between processes: allauth's rate limits live here) ----
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
    }
    # Several hosts (docs/DEPLOY.md): sessions are read from Redis and written through to the
    # database, so a Redis restart signs nobody out in the middle of a vote; Django's cached_db,
    # which keeps serving from the database while Redis is unreachable (config/sessions_cached.py).
    SESSION_ENGINE = "config.sessions_cached"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "sanhui_cache",
        },
        # Per server process: nothing that must hold across workers or hosts counts here. Without
        # Redis the vote throttle counts in the database instead (VOTE_THROTTLE_STORE below).
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sanhui-throttle"},
    }
    # Database sessions, read together with the signed-in user in one statement (members/sessions.py).
    SESSION_ENGINE = "members.sessions"

# --- Authentication (django-allauth) --------------------------------------
# Django's and allauth's backends, taking the signed-in user read with the session (members/auth.py).
AUTHENTICATION_BACKENDS = [
    "members.auth.ModelBackend",
    "members.auth.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone", "username"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupExtraForm"
ACCOUNT_FORMS = {"login": "members.forms.LoginForm",
                 "request_login_code": "members.messaging.forms.RequestLoginCodeForm"}
ACCOUNT_USER_DISPLAY = "members.adapter.user_display"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Six digits, as on every Chinese SMS code: easy to type on a phone keypad.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # residents imported from a roster log in by SMS code
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults plus an explicit failed-login limit: 5 tries per phone/username
    # in 5 minutes, 10 per minute per IP.
    "login_failed": "10/m/ip,5/300s/key",
    # The code that proves a phone number at a first WeChat sign-in (members/wechat/views.py).
    "wechat_phone_code": "1/30s/key,5/h/key,10/h/ip",
}
# Behind reverse proxies (docs/DEPLOY.md) every request comes from a proxy's address: the per-IP
# limits must read the client's address from X-Forwarded-For, as many proxy hops from the right.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_PRESERVE_USERNAME_CASING = False
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# --- WeChat (docs/OPERATIONS.md, "WeChat") -----------------------------------
# Two WeChat applications. On a computer, the Open Platform website app (网站应用) shows a QR code
# (snsapi_login); inside WeChat's own browser, the official account (公众号) authorises the visit
# (网页授权, snsapi_userinfo or snsapi_base) and also sends the reminders (template messages).
# An application whose id is empty is off: no WeChat button where it would be used.
WECHAT_OPEN_APP_ID = os.environ.get("WECHAT_OPEN_APP_ID", "")
WECHAT_OPEN_APP_SECRET = os.environ.get("WECHAT_OPEN_APP_SECRET", "")
WECHAT_MP_APP_ID = os.environ.get("WECHAT_MP_APP_ID", "")
WECHAT_MP_APP_SECRET = os.environ.get("WECHAT_MP_APP_SECRET", "")
# snsapi_userinfo asks the person once for their nickname and picture; snsapi_base is silent but
# gives only the openid (it needs no consent screen).
WECHAT_MP_SCOPE = os.environ.get("WECHAT_MP_SCOPE", "snsapi_userinfo")
if WECHAT_MP_SCOPE not in ("snsapi_userinfo", "snsapi_base"):
    raise ImproperlyConfigured("WECHAT_MP_SCOPE must be snsapi_userinfo or snsapi_base.")
# Where WeChat's pages (authorisation) and API (tokens, profiles, messages) are; change them only
# to go through an egress proxy (or, in tests, to a local fake).
WECHAT_OPEN_URL = os.environ.get("WECHAT_OPEN_URL", "https://open.weixin.qq.com").rstrip("/")
WECHAT_OPEN_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(WECHAT_OPEN_URL))
WECHAT_API_URL = os.environ.get("WECHAT_API_URL", "https://api.weixin.qq.com").rstrip("/")
WECHAT_TIMEOUT = float(os.environ.get("WECHAT_TIMEOUT", "5"))  # seconds per call to WeChat's API
# Reminders through the official account: "template" (模板消息) or "subscribe" (订阅通知), the
# template's id, and which of its fields receive the reminder's title, text and time.
WECHAT_MP_MESSAGE_API = os.environ.get("WECHAT_MP_MESSAGE_API", "template")
if WECHAT_MP_MESSAGE_API not in ("template", "subscribe"):
    raise ImproperlyConfigured("WECHAT_MP_MESSAGE_API must be template or subscribe.")
WECHAT_MP_TEMPLATE_ID = os.environ.get("WECHAT_MP_TEMPLATE_ID", "")
WECHAT_MP_TEMPLATE_FIELDS = dict(
    pair.split("=", 1) for pair in env_list("WECHAT_MP_TEMPLATE_FIELDS", "title=thing1,body=thing2,time=time3")
    if "=" in pair
)
# The WeChat outbox (members/wechat/outbox.py): a batch of up to WECHAT_SEND_AT_ONCE messages is
# sent once the change commits, a larger one by the scheduled job (for at most WECHAT_JOB_SECONDS a
# run); what WeChat asks to try later is tried after 1, 2, 4 … times WECHAT_RETRY_SECONDS, up to
# WECHAT_MAX_ATTEMPTS attempts, then sent by SMS instead.
WECHAT_SEND_AT_ONCE = int(os.environ.get("WECHAT_SEND_AT_ONCE", "20"))
WECHAT_MAX_ATTEMPTS = int(os.environ.get("WECHAT_MAX_ATTEMPTS", "5"))
WECHAT_RETRY_SECONDS = int(os.environ.get("WECHAT_RETRY_SECONDS", "60"))
WECHAT_SENDING_TIMEOUT = int(os.environ.get("WECHAT_SENDING_TIMEOUT", "600"))  # an older claim was interrupted
WECHAT_JOB_SECONDS = int(os.environ.get("WECHAT_JOB_SECONDS", "25"))

SOCIALACCOUNT_ADAPTER = "members.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "weixin": {
        "provider_class": "members.wechat.provider.WeChatProvider",
        # The same apps can instead be SocialApp rows in the admin (provider "weixin", provider ids
        # "weixin_open" and "weixin_mp"); members/wechat/provider.py reads both alike.
        "APPS": [
            *([{"name": "WeChat website", "provider_id": "weixin_open", "client_id": WECHAT_OPEN_APP_ID,
                "secret": WECHAT_OPEN_APP_SECRET}]
              if WECHAT_OPEN_APP_ID else []),
            *([{"name": "WeChat official account", "provider_id": "weixin_mp", "client_id": WECHAT_MP_APP_ID,
                "secret": WECHAT_MP_APP_SECRET, "settings": {"scope": [WECHAT_MP_SCOPE]}}]
              if WECHAT_MP_APP_ID else []),
        ],
    },
}
# A WeChat identity is linked only after an SMS code proves the phone (members/wechat/views.py):
# never an account from WeChat's data alone, never a login matched by e-mail.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = WECHAT_TIMEOUT

# --- SMS (members/messaging; docs/OPERATIONS.md "SMS") ------------------------------------------
# The gateway: "tencent" (Tencent Cloud SMS), "aliyun" (Alibaba Cloud SMS), "none" (this site sends
# no SMS: login by code and SMS reminders do not work); for development only "console" (printed)
# and for tests "locmem" (kept in members.phone.outbox). Production refuses the last two.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "locmem" if TESTING else "console")
if SMS_BACKEND not in {"tencent", "aliyun", "none", "console", "locmem"}:
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND!r} is unknown: use tencent, aliyun or none "
                               "(console only with DJANGO_DEBUG=1).")
if SMS_BACKEND in {"console", "locmem"} and not DEBUG and not TESTING:
    raise ImproperlyConfigured(
        f"SMS_BACKEND={SMS_BACKEND} is for development only: it would print phone numbers and login codes "
        "to the log and send nothing. Set SMS_BACKEND=tencent or aliyun with the provider's settings "
        "(docs/OPERATIONS.md, SMS), or SMS_BACKEND=none for a site that sends no SMS.")
SMS_DEFAULT_REGION = "CN"
# The approved signature (短信签名) the provider puts before every message, e.g. 大宁路街道某某居委会.
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
SMS_TENCENT = {
    "SECRET_ID": os.environ.get("SMS_TENCENT_SECRET_ID", ""),
    "SECRET_KEY": os.environ.get("SMS_TENCENT_SECRET_KEY", ""),
    "APP_ID": os.environ.get("SMS_TENCENT_APP_ID", ""),  # SmsSdkAppId of the SMS application
    "REGION": os.environ.get("SMS_TENCENT_REGION", "ap-guangzhou"),
    "ENDPOINT": os.environ.get("SMS_TENCENT_ENDPOINT", "sms.tencentcloudapi.com"),
    "SCHEME": os.environ.get("SMS_TENCENT_SCHEME", "https"),
}
SMS_ALIYUN = {
    "ACCESS_KEY_ID": os.environ.get("SMS_ALIYUN_ACCESS_KEY_ID", ""),
    "ACCESS_KEY_SECRET": os.environ.get("SMS_ALIYUN_ACCESS_KEY_SECRET", ""),
    "ENDPOINT": os.environ.get("SMS_ALIYUN_ENDPOINT", "dysmsapi.aliyuncs.com"),
    "SCHEME": os.environ.get("SMS_ALIYUN_SCHEME", "https"),
}
_sms_required = {"tencent": ["SMS_SIGN_NAME", "SMS_TENCENT_SECRET_ID", "SMS_TENCENT_SECRET_KEY", "SMS_TENCENT_APP_ID"],
                 "aliyun": ["SMS_SIGN_NAME", "SMS_ALIYUN_ACCESS_KEY_ID", "SMS_ALIYUN_ACCESS_KEY_SECRET"]}
_sms_missing = [name for name in _sms_required.get(SMS_BACKEND, []) if not os.environ.get(name)]
if _sms_missing and not TESTING:
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND} needs {', '.join(_sms_missing)} (docs/OPERATIONS.md, SMS).")
# The provider's id of each approved template (members/messaging/sms_templates.py has their wording).
SMS_TEMPLATES = {name: os.environ.get(f"SMS_TEMPLATE_{name.upper()}", "")
                 for name in ("verify", "unknown_account", "account_exists", "heads", "heads_titled", "notice")}
SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))  # seconds per request to the provider
SMS_MAX_ATTEMPTS = int(os.environ.get("SMS_MAX_ATTEMPTS", "5"))
SMS_RETRY_SECONDS = int(os.environ.get("SMS_RETRY_SECONDS", "60"))  # then 2×, 4× … after each failure
SMS_SENDING_TIMEOUT = int(os.environ.get("SMS_SENDING_TIMEOUT", "600"))  # a claim older than this was interrupted
# Up to this many messages written together are sent as soon as the change commits; a larger batch
# (a whole electorate) waits for the scheduled job, which sends for at most SMS_JOB_SECONDS a run.
SMS_SEND_AT_ONCE = int(os.environ.get("SMS_SEND_AT_ONCE", "20"))
SMS_JOB_SECONDS = int(os.environ.get("SMS_JOB_SECONDS", "50"))
# Caps: over any of them a message is not sent (the outbox row says which). Hour and day are the
# last 60 minutes and the last 24 hours.
SMS_CAPS = {
    "PHONE_HOUR": int(os.environ.get("SMS_CAP_PHONE_HOUR", "5")),
    "PHONE_DAY": int(os.environ.get("SMS_CAP_PHONE_DAY", "20")),
    "COMMITTEE_DAY": int(os.environ.get("SMS_CAP_COMMITTEE_DAY", "2000")),
    "SITE_DAY": int(os.environ.get("SMS_CAP_SITE_DAY", "10000")),
}

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
ROSTER_MAX_BYTES = 2 * 1024 * 1024
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Whole request bodies, uploads included (config.middleware.RequestSizeLimitMiddleware: 413).
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", ATTACHMENT_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE))
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Vote submissions per person: at most N POSTs to a ballot's vote page in a window of S seconds
# ("N/S"); past it the person gets 429 and a page asking to wait. Counted per account, so
# neighbours behind the same IP address (one home router, one community centre) are not
# slowed down by each other. A vote takes two POSTs (choices, then confirm); an evaluation sheet
# handed in, a party-topic vote and a floor-consultation answer are POSTs on the same count.
VOTE_THROTTLE = os.environ.get("VOTE_THROTTLE", "20/60")
# Requests to the open data API per street token, "N/S" as above, counted by the same throttle
# (decisions/throttle.py). Keep S equal to the vote throttle's: the scheduled job deletes the
# counts of every window that ended by that length.
API_THROTTLE = os.environ.get("API_THROTTLE", "120/60")
# The API's lists: 50 items a page unless asked (?limit=), at most 500.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
# Where the throttle counts, shared by every worker and host: Redis when there is one ("cache"),
# otherwise the database, one upsert per POST (decisions/throttle.py).
VOTE_THROTTLE_STORE = "cache" if os.environ.get("REDIS_URL") else "database"
# A secret ballot's sealed box can be opened by its scrutineers for this many days after it closes,
# and recounted for as many days after its result is published (the period for objections, 公示期);
# then every share is forgotten and the box can never be opened again.
BALLOT_BOX_DAYS = int(os.environ.get("BALLOT_BOX_DAYS", "7"))
# A hearing session or a coordination meeting may open this long before its announced time (people
# arrive early, the room is ready); earlier than that, and a coordination meeting ending before the day
# in its notice, need a reason, which its page shows.
MEETING_START_GRACE = timedelta(minutes=int(os.environ.get("MEETING_START_GRACE_MINUTES", "15")))

# --- Mail --------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sanhui@localhost")
# Absolute links in e-mail and on printed notices (QR codes): the public address of the site.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- Time-stamping (decisions.anchoring) -------------------------------------
# Every lifecycle event of a ballot (opened, closed, published, cancelled …) is time-stamped by an
# RFC 3161 time-stamp authority, so a chain rewritten later no longer matches a token outside the
# database; verify_audit checks the tokens. Empty: nothing is sent, and verify_audit says so.
TSA_URL = os.environ.get("DJANGO_TSA_URL", "")
# A PEM file to check the tokens against: the TSA's root certificate (a self-signed TSA certificate
# is its own root), followed by any intermediates; the TSA's own certificate, if in the file, is
# pinned. Keep a copy of it with the paper records: it is what lets anyone check a token.
TSA_CERTIFICATE = os.environ.get("DJANGO_TSA_CERTIFICATE", "")
TSA_TIMEOUT = float(os.environ.get("DJANGO_TSA_TIMEOUT", "10"))  # seconds per request
# How long after an event's own time its token may be dated: a token obtained later (a TSA outage
# longer than this, or an entry written afterwards) is reported by verify_audit.
ANCHOR_TOLERANCE = timedelta(minutes=int(os.environ.get("DJANGO_ANCHOR_TOLERANCE_MINUTES", "60")))

# --- Security baseline ---------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# django-csp 4: no inline script or style anywhere; everything is served from 'self'. One page adds to it:
# the API's docs page lets in Redoc's run-time styles by nonce and hash (api/v1/docs.py, docs/API.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The WeChat buttons post to the site, which redirects to WeChat's authorisation page: browsers
        # hold that redirect to form-action too, so WeChat's origin is allowed (docs/OPERATIONS.md, WeChat).
        "form-action": ["'self'", WECHAT_OPEN_ORIGIN],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The SMS SDKs (and urllib3 under Alibaba Cloud's, whose requests carry the number and the
        # parameters in the query) log whole requests at DEBUG: never below WARNING, whatever LOG_LEVEL.
        "tencentcloud_sdk_common": {"level": "WARNING"},
        "alibabacloud-tea": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
