"""WeChat sign-in pages: allauth's login and callback, the phone steps after a first sign-in, and a
person's own WeChat page (linked identities, link, unlink)."""

import logging

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import perform_login
from allauth.core import ratelimit
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import MultipleObjectsReturned, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.phone import display_phone
from members.wechat import PROVIDER_IDS, pending, selectors
from members.wechat.forms import CodeForm, NameForm, PhoneForm
from members.wechat.oauth import WeChatOAuth2Adapter
from members.wechat.services import wechat_identity_unlink, wechat_sign_in_by_phone

logger = logging.getLogger(__name__)

_login = OAuth2LoginView.adapter_view(WeChatOAuth2Adapter)
_callback = OAuth2CallbackView.adapter_view(WeChatOAuth2Adapter)


def _without_app(request: HttpRequest, view) -> HttpResponse:
    """Run an allauth view; without the WeChat app this browser needs, say so on the sign-in page."""
    try:
        return view(request)
    except (SocialApp.DoesNotExist, MultipleObjectsReturned):
        logger.warning("WeChat sign-in asked for, but no single WeChat app fits this browser")
        messages.error(request, _("Signing in with WeChat is not available here. Sign in with your phone number."))
        return redirect("account_login")


def oauth2_login(request: HttpRequest) -> HttpResponse:
    return _without_app(request, _login)


def oauth2_callback(request: HttpRequest) -> HttpResponse:
    return _without_app(request, _callback)


# --- A first WeChat sign-in: prove a phone, then link (or make) its account ---------------------

def pending_start(request: HttpRequest, sociallogin: SocialLogin) -> HttpResponse:
    """Keep a WeChat identity seen for the first time and ask for the phone (the adapter calls this)."""
    pending.store(request, sociallogin)
    return redirect("wechat_phone")


def _restart(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Please start again: tap “Sign in with WeChat”."))
    return redirect("account_login")


def _finish(request: HttpRequest, state: dict, full_name: str = "") -> HttpResponse:
    login, phone = pending.identity(state), pending.proven_phone(state)
    account = login.account
    try:
        user, _linked = wechat_sign_in_by_phone(phone=phone, provider=account.provider, uid=account.uid,
                                                extra_data=account.extra_data, full_name=full_name)
    except ValidationError as error:
        if error.code == "name_required":
            return redirect("wechat_name")
        pending.forget(request)
        messages.error(request, error.messages[0])
        return redirect("account_login")
    pending.forget(request)
    messages.success(request, _("Your WeChat is linked to your account. Next time, one tap signs you in."))
    return perform_login(request, user, redirect_url=state.get("next") or None)


@require_http_methods(["GET", "POST"])
def wechat_phone(request: HttpRequest) -> HttpResponse:
    state = pending.get(request)
    if state is None or pending.identity(state) is None:
        return _restart(request)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if ratelimit.consume(request, action="wechat_phone_code", key=phone):
            code = pending.new_code(request, phone)
            get_account_adapter(request).send_verification_code_sms(user=None, phone=phone, code=code)
            return redirect("wechat_code")
        form.add_error("phone", ValidationError(
            _("A code was sent to this number a moment ago. Wait a minute, then ask again."), code="too_many_codes"))
    return render(request, "members/wechat_phone.html", {"form": form})


@require_http_methods(["GET", "POST"])
def wechat_code(request: HttpRequest) -> HttpResponse:
    state = pending.get(request)
    if state is None or pending.identity(state) is None:
        return _restart(request)
    if pending.proven_phone(state):
        return _finish(request, state)
    if not state.get("phone"):
        return redirect("wechat_phone")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = pending.check_code(request, form.cleaned_data["code"])
        if outcome == "ok":
            return _finish(request, pending.get(request))
        if outcome == "expired":
            messages.error(request, _("This code can no longer be used. Ask for a new one."))
            return redirect("wechat_phone")
        form.add_error("code", ValidationError(_("This code is not right. Check the SMS and try again."),
                                               code="wrong_code"))
    return render(request, "members/wechat_code.html", {"form": form, "phone": display_phone(state["phone"])})


@require_http_methods(["GET", "POST"])
def wechat_name(request: HttpRequest) -> HttpResponse:
    state = pending.get(request)
    if state is None or pending.identity(state) is None:
        return _restart(request)
    if not pending.proven_phone(state):
        return redirect("wechat_phone")
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _finish(request, state, full_name=form.cleaned_data["full_name"])
    return render(request, "members/wechat_name.html", {"form": form})


# --- A person's own WeChat ------------------------------------------------------------------

@login_required
def wechat_account(request: HttpRequest) -> HttpResponse:
    return render(request, "members/wechat_account.html", {
        "identities": selectors.wechat_identities(request.user),
        "available": selectors.wechat_available(request),
        "phone_proven": bool(request.user.phone and request.user.phone_verified),
    })


@login_required
@require_http_methods(["GET", "POST"])
def wechat_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    identity = get_object_or_404(SocialAccount, pk=pk, user=request.user, provider__in=PROVIDER_IDS)
    if request.method == "POST":
        wechat_identity_unlink(account=identity, by=request.user)
        messages.success(request, _("WeChat unlinked. You sign in with your phone number."))
        return redirect("members:wechat_account")
    return render(request, "members/wechat_unlink.html", {"identity": identity})
