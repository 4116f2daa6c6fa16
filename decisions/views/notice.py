"""The printable A4 results notice (公示) of a ballot, for the notice board."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from decisions import notice
from decisions.models import Ballot
from decisions.permissions import ballot_for_viewer_or_404
from decisions.views._common import ballot_facts, results


@login_required
@require_GET
def ballot_notice(request, pk: int):
    """The notice the organizers post: from opening on for them, once published for every viewer."""
    ballot = ballot_for_viewer_or_404(request.user, pk)
    if not notice.may_see_notice(request.user, ballot):
        raise Http404
    context = notice.notice_context(request.user, ballot)
    if context["counts"]:
        context["facts"] = ballot_facts(ballot)
        context["results"] = results(request.user, ballot) if ballot.status == Ballot.Status.PUBLISHED else None
    return render(request, "decisions/results_notice.html", context)
