"""A street's token pages: the list with last use, making a token (its secret shown once), revoking, the log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from api import selectors, services
from api.forms import TokenForm
from config.confirm import confirm_page
from config.errors import DOMAIN_ERRORS, error_text
from members.permissions import street_for_officer_or_404

PAGE_SIZE = 50


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request, pk: int):
    """The street's tokens and the form to make one; after making it, its secret, once."""
    street = street_for_officer_or_404(request.user, pk)
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                token, secret = services.token_create(street=street, name=form.cleaned_data["name"],
                                                      days=form.cleaned_data["days"], by=request.user)
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                # Rendered, not redirected: the secret is in this answer and nowhere else.
                return render(request, "api/token_created.html", {"street": street, "token": token,
                                                                  "secret": secret})
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "api/token_list.html", {"street": street, "form": form,
                                                   "tokens": list(selectors.street_tokens(street))})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int, token_pk: int):
    street = street_for_officer_or_404(request.user, pk)
    token = selectors.street_token(street, token_pk)
    if token is None:
        raise Http404
    back = reverse("api:token_list", args=[street.pk])
    return confirm_page(
        request, title=_("Revoke the token “%(name)s”") % {"name": token.name}, button=_("Revoke"),
        question=_("Every system using this token loses access at once. This cannot be undone."),
        cancel_url=back, done_url=back, act=lambda data: services.token_revoke(token=token, by=request.user),
        success=_("The token is revoked."), context={"subject": token.name, "crumb": street.name, "crumb_url": back})


@login_required
@require_GET
def token_log(request, pk: int):
    street = street_for_officer_or_404(request.user, pk)
    page = Paginator(selectors.street_requests(street), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "api/token_log.html", {"street": street, "page": page})


