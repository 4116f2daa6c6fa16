"""URLs of Django, allauth and the admin: not scoped to a committee, so only signed-in or not matters.

allauth and i18n: one expectation for anonymous visitors and one for every signed-in role.
Admin: a rule instead of a list (every ModelAdmin adds six URLs): only the site admin (staff) gets in,
everybody else is sent to the admin's sign-in page, on every admin URL, including history and diff
views of django-simple-history.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from tests.security.access import ADMIN_LOGIN, LOGIN, REDIRECT, STAFF_OK, Entry, everyone
from tests.security.urls import admin_model

ONLY_OWN = ("own",)

EXPECTATIONS = {
    # allauth: the pages of an anonymous visitor send a signed-in person home, and the other way round.
    "account_login": Entry(get=everyone(REDIRECT, anonymous=200), sides=ONLY_OWN),
    "account_signup": Entry(get=everyone(REDIRECT, anonymous=200), sides=ONLY_OWN),
    "account_logout": Entry(get=everyone(200, anonymous=REDIRECT), post=everyone(REDIRECT, anonymous=REDIRECT),
                            sides=ONLY_OWN),
    "account_inactive": Entry(get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "account_reauthenticate": Entry(get=everyone(200), sides=ONLY_OWN),
    "account_email": Entry(get=everyone(200), sides=ONLY_OWN),
    "account_email_verification_sent": Entry(get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "account_confirm_email": Entry(kwargs=lambda w, s: {"key": "not-a-key"}, get=everyone(200, anonymous=200),
                                   post=everyone(404, anonymous=404), sides=ONLY_OWN),
    "account_change_password": Entry(get=everyone(200), sides=ONLY_OWN),
    "account_set_password": Entry(get=everyone(REDIRECT), sides=ONLY_OWN),
    "account_reset_password": Entry(get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "account_reset_password_done": Entry(get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "account_reset_password_from_key": Entry(kwargs=lambda w, s: {"uidb36": "0", "key": "not-a-key"},
                                             get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "account_reset_password_from_key_done": Entry(get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "account_request_login_code": Entry(get=everyone(REDIRECT, anonymous=200), sides=ONLY_OWN),
    # Without a code or a phone waiting for confirmation in the session: back to where one starts.
    "account_confirm_login_code": Entry(get=everyone(REDIRECT), sides=ONLY_OWN),
    "account_verify_phone": Entry(get=everyone(REDIRECT), sides=ONLY_OWN),
    "account_change_phone": Entry(get=everyone(200), sides=ONLY_OWN),
    # The browser's own request for the site's icon: a redirect to the static file, for everyone.
    "favicon.ico": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
    # Django's language switch: a redirect for everyone.
    "set_language": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
}

# Admin URLs that do not follow the rule "site admin in, everybody else to the admin's sign-in".
ADMIN_SPECIAL = {
    "admin:login": everyone(200, anonymous=200, admin=REDIRECT),
    "admin:logout": everyone(REDIRECT, anonymous=REDIRECT, admin=405),
    # Without app_label/model_name/field_name the admin answers 403, to its own staff too.
    "admin:admin/(?P<url>.*)$": everyone(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, admin=404),
    "admin:autocomplete": everyone(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, admin=403),
}
ADMIN_SPECIAL_POST = {
    "admin:logout": everyone(REDIRECT, anonymous=REDIRECT, admin=200),
}


def _model_from_name(name: str):
    """admin:members_user_simple_history → members.User."""
    stem = name.split(":", 1)[1].removesuffix("_simple_history")
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == stem:
            return model
    return None


def _some_pk(model) -> int:
    obj = model.objects.order_by("pk").first()
    return obj.pk if obj is not None else 999999


def _admin_kwargs(route):
    model = admin_model(route)
    if route.name.endswith("_simple_history"):
        model = _model_from_name(route.name)

        def history(w, s):
            record = model.history.order_by("pk").first()
            if record is None:  # no row of this model in the world yet: the page answers 404
                return {"object": 999999, "history": 999999}
            return {"object": record.id, "history": record.history_id}
        return history
    if route.name == "admin:view_on_site":
        return lambda w, s: {"content_type_id": ContentType.objects.get_for_model(s.committee).pk,
                             "object_id": s.committee.pk}
    if "app_label" in route.params:
        return lambda w, s: {"app_label": "members"}
    if "url" in route.params:  # the admin's catch-all: an unknown admin page
        return lambda w, s: {"url": "no-such-page/"}
    if "id" in route.params:  # the user admin's password form
        return lambda w, s: {"id": s.resident.pk}
    if "object_id" in route.params:
        return lambda w, s: {"object_id": _some_pk(model)}
    return None


def admin_entry(route) -> Entry:
    get = ADMIN_SPECIAL.get(route.name) or everyone(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, admin=STAFF_OK)
    post = ADMIN_SPECIAL_POST.get(route.name)
    return Entry(kwargs=_admin_kwargs(route), get=get, post=post, sides=ONLY_OWN)


__all__ = ["EXPECTATIONS", "admin_entry", "LOGIN"]
