"""Floor consultation pages (/floors/): the building's households, floor leaders and organizers.

A resident of another building gets 404 for every page of a consultation; opening, closing,
concluding and assisted opinions are for the building's floor leaders and the organizers.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from decisions.cards import card_page
from decisions.models import Ballot
from decisions.throttle import throttle_votes
from deliberation import selectors
from deliberation.forms import (
    AgreeForm,
    AssistedOpinionForm,
    ConsultationOpenForm,
    FollowUpForm,
    OpinionForm,
    ReasonForm,
)
from deliberation.models import Consultation
from deliberation.permissions import (
    building_for_floor_or_404,
    can_run_floor,
    consultation_for_runner_or_404,
    consultation_for_viewer_or_404,
)
from deliberation.services import floor as services
from deliberation.services import followups
from deliberation.views.party import PAGE_SIZE, form_page, published_vote


@login_required
@require_GET
def floor_index(request):
    buildings = selectors.floor_buildings(request.user)
    if len(buildings) == 1:
        return redirect("deliberation:floor_building", pk=buildings[0].pk)
    return render(request, "deliberation/floor_index.html", {"buildings": buildings})


@login_required
@require_GET
def floor_building(request, pk: int):
    building = building_for_floor_or_404(request.user, pk)
    page = Paginator(selectors.building_consultations(building), PAGE_SIZE).get_page(request.GET.get("page"))
    versions = selectors.convention_versions(building)
    return render(request, "deliberation/floor_building.html", {
        "building": building, "page": page, "convention": versions[0] if versions else None,
        "version_count": len(versions), "can_run": can_run_floor(request.user, building)})


@login_required
@require_GET
def floor_convention(request, pk: int):
    building = building_for_floor_or_404(request.user, pk)
    return render(request, "deliberation/floor_convention.html", {
        "building": building, "versions": selectors.convention_versions(building)})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_open(request, pk: int):
    building = building_for_floor_or_404(request.user, pk)
    if not can_run_floor(request.user, building):
        raise Http404
    form = ConsultationOpenForm(request.POST or None, initial={"secrecy": Ballot.Secrecy.NAMED})
    made = {}

    def act(data):
        made["c"] = services.consultation_open(building=building, by=request.user, **data)
        return made["c"]

    back = reverse("deliberation:floor_building", args=[building.pk])
    response = form_page(
        request, form=form, act=act, title=_("Open a floor consultation"), button=_("Open the consultation"),
        intro=_("Every household of %(b)s gives one opinion; they are told when it opens. A secret consultation's "
                "opinions are sealed in a ballot box: you become its scrutineer (监票人) and are shown your card "
                "once, to open the box after closing.") % {"b": building},
        success=lambda c: _("The consultation is open. You are its only scrutineer: keep this card, you need it "
                            "to open the ballot box after closing.") if c.new_card else _("The consultation is open."),
        done_url=back, back_url=back, context={"building": building})
    if "c" in made:
        if made["c"].new_card:
            return card_page(request, made["c"].ballot, made["c"].new_card)
        return redirect(made["c"].get_absolute_url())
    return response


@login_required
@require_GET
def floor_consultation(request, pk: int):
    consultation = selectors.consultation_page(consultation_for_viewer_or_404(request.user, pk))
    vote = selectors.vote_state(consultation.ballot, request.user)
    return render(request, "deliberation/floor_consultation.html", {
        "consultation": consultation, "building": consultation.building, "vote": vote,
        "box": selectors.consultation_box(consultation, request.user),
        "my_comment": selectors.household_comment(consultation, vote.voice if vote else None),
        "can_run": can_run_floor(request.user, consultation.building),
        "who_agreed": selectors.who_agreed(consultation) if consultation.status == Consultation.Status.AGREED else [],
        "result": consultation.ballot.result if consultation.ballot.status == Ballot.Status.PUBLISHED else None,
        **published_vote(consultation.ballot)})


@login_required
@require_http_methods(["GET", "POST"])
@throttle_votes
def consultation_answer(request, pk: int):
    consultation = consultation_for_viewer_or_404(request.user, pk)
    vote = selectors.vote_state(consultation.ballot, request.user)
    if vote is None or vote.voice is None:
        raise Http404  # a floor leader or organizer living elsewhere has no household voice here
    comment = selectors.household_comment(consultation, vote.voice)
    form = OpinionForm(request.POST or None, options=vote.options,
                       initial={"comment": comment.body if comment else ""})
    form.fields["option"].label = consultation.ballot.questions.order_by("position").first().text
    return form_page(
        request, form=form, title=_("Your household's opinion"), button=_("Give our opinion"),
        intro=_("One opinion per household: another member of your household may already have answered."),
        act=lambda d: services.consultation_answer(consultation=consultation, by=request.user,
                                                   option_id=d["option"], comment=d["comment"]),
        success=_("Your household's opinion was recorded."), done_url=consultation.get_absolute_url(),
        back_url=consultation.get_absolute_url(), context={"building": consultation.building,
                                                           "consultation": consultation})


@login_required
@require_GET
def consultation_households(request, pk: int):
    consultation = consultation_for_runner_or_404(request.user, pk)
    named = not consultation.ballot.is_secret
    rows = selectors.household_rows(consultation) if named else []
    return render(request, "deliberation/floor_households.html", {
        "consultation": consultation, "building": consultation.building, "named": named, "rows": rows,
        "waiting": sum(1 for r in rows if r.has_voice and not r.answered)})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_assist(request, pk: int):
    consultation = consultation_for_runner_or_404(request.user, pk)
    households = selectors.assistable_households(consultation)
    vote = selectors.vote_state(consultation.ballot, request.user)
    form = AssistedOpinionForm(request.POST or None, options=vote.options, households=households,
                               initial={"household": request.GET.get("household")})
    form.fields["option"].label = consultation.ballot.questions.order_by("position").first().text
    by_id = {h.pk: h for h in households}
    return form_page(
        request, form=form, title=_("Record an assisted opinion"), button=_("Record the opinion"),
        intro=_("For a resident who cannot use the site: ask them, note how they agreed, and record their "
                "household's opinion. They can still change it themselves while the consultation is open."),
        act=lambda d: services.consultation_assist(consultation=consultation, by=request.user,
                                                   household=by_id[d["household"]], option_id=d["option"],
                                                   consent_note=d["consent_note"], comment=d["comment"]),
        success=_("The assisted opinion was recorded."),
        done_url=reverse("deliberation:floor_households", args=[consultation.pk]),
        back_url=consultation.get_absolute_url(),
        context={"building": consultation.building, "consultation": consultation})


def _closed_message(consultation: Consultation) -> str:
    if consultation.ballot.status == Ballot.Status.PUBLISHED:
        return _("The consultation is closed and the count published.")
    return _("Opinions are closed and sealed in the ballot box. Next, its scrutineer opens the box with their "
             "card; then publish the count on this page.")


@login_required
@require_http_methods(["GET", "POST"])
def consultation_close(request, pk: int):
    consultation = consultation_for_runner_or_404(request.user, pk)
    if consultation.ballot.is_sealed:
        intro = _("No more opinions can be given. The opinions are sealed in the ballot box: after closing, its "
                  "scrutineer opens the box with their card, and then the count is published to the building.")
    else:
        intro = _("No more opinions can be given; the count is published to the building.")
    return form_page(
        request, form=None, title=_("Close the consultation"), button=_("Close and count"), intro=intro,
        act=lambda d: services.consultation_close(consultation=consultation, by=request.user),
        success=_closed_message, done_url=consultation.get_absolute_url(),
        back_url=consultation.get_absolute_url(), context={"building": consultation.building,
                                                           "consultation": consultation})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_count_publish(request, pk: int):
    consultation = consultation_for_runner_or_404(request.user, pk)
    return form_page(
        request, form=None, title=_("Publish the count"), button=_("Publish the count"),
        intro=_("The ballot box has been opened and counted. Every household of the building will see how many "
                "households gave which opinion, never who gave which."),
        act=lambda d: services.consultation_count_publish(consultation=consultation, by=request.user),
        success=_("The count was published."), done_url=consultation.get_absolute_url(),
        back_url=consultation.get_absolute_url(), context={"building": consultation.building,
                                                           "consultation": consultation})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_agree(request, pk: int):
    consultation = consultation_for_runner_or_404(request.user, pk)
    intro = _("The agreed opinion (一致贯彻意见) is published to every household of the building, with the "
              "households that agreed.")
    if consultation.matter == Consultation.Matter.CONVENTION:
        intro += " " + _("The proposed text becomes the new version of the building convention.")
    return form_page(
        request, form=AgreeForm(request.POST or None), title=_("Publish the agreed opinion"),
        button=_("Publish"), intro=intro,
        act=lambda d: services.consultation_agree(consultation=consultation, by=request.user, opinion=d["opinion"]),
        success=_("The agreed opinion was published."), done_url=consultation.get_absolute_url(),
        back_url=consultation.get_absolute_url(), context={"building": consultation.building,
                                                           "consultation": consultation})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_cancel(request, pk: int):
    consultation = consultation_for_runner_or_404(request.user, pk)
    return form_page(
        request, form=ReasonForm(request.POST or None), title=_("Cancel the consultation"), button=_("Cancel it"),
        act=lambda d: services.consultation_cancel(consultation=consultation, by=request.user, reason=d["reason"]),
        success=_("The consultation was cancelled."), done_url=consultation.get_absolute_url(),
        back_url=consultation.get_absolute_url(), context={"building": consultation.building,
                                                           "consultation": consultation})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_follow_up_add(request, pk: int):
    consultation = consultation_for_runner_or_404(request.user, pk)
    return form_page(
        request, form=FollowUpForm(request.POST or None), title=_("Add a follow-up item"), button=_("Add"),
        act=lambda d: followups.follow_up_add(parent=consultation, by=request.user, **d),
        success=_("The follow-up item was added."), done_url=consultation.get_absolute_url() + "#follow-ups",
        back_url=consultation.get_absolute_url(), context={"building": consultation.building,
                                                           "consultation": consultation})
