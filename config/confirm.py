"""The one confirm-then-act page: GET says what will happen, POST acts, says so and redirects.

Every state change a person makes from a page goes through ``confirm_page``: the view finds the
object and checks the person's right to it first (404 otherwise), then hands over the texts, the
optional form (a reason, a note) and ``act``, the one service call. A refusal by the service
(``config.errors.DOMAIN_ERRORS``) is shown with ``error_text`` and changes nothing; the page is
shown again when there is a form, so what was typed is kept, otherwise the person goes back to
``cancel_url``, where the state that refused it is on view. The page is ``templates/_confirm.html``.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from config.errors import DOMAIN_ERRORS, error_text


def confirm_page(request: HttpRequest, *, title: str, button: str, cancel_url: str,
                 act: Callable[[dict], object], done_url: str, success: str | Callable[[object], str],
                 question: str = "", form=None, invalid: str | None = None,
                 respond: Callable[[object], HttpResponse | None] | None = None, context: dict | None = None,
                 template: str = "_confirm.html") -> HttpResponse:
    """Show the confirmation (GET) or act on it (POST).

    ``act`` gets the form's cleaned data ({} without a form) and returns what the service returned;
    ``success`` is the message after it, or a function of that result giving it. ``respond`` may
    answer with a page of its own instead of the redirect (a scrutineer's card, shown once).
    ``context`` adds what the template's parts show: ``subject`` and ``status_template`` (the
    line under the title), ``details`` (a partial with the facts of this move), ``crumb`` and
    ``crumb_url``, ``stylesheet``, ``refusal`` (the move is not possible now: no form, only Back).
    """
    if request.method == "POST":
        if form is None or form.is_valid():
            try:
                done = act(form.cleaned_data if form is not None else {})
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
                if form is None:
                    return redirect(cancel_url)
            else:
                own = respond(done) if respond is not None else None
                if own is not None:
                    return own
                messages.success(request, success(done) if callable(success) else success)
                return redirect(done_url)
        else:
            messages.error(request, invalid or _("Nothing was saved: correct the fields marked below."))
    return render(request, template, {"title": title, "question": question, "button": button,
                                      "cancel_url": cancel_url, "form": form, **(context or {})})
