"""Party-member deliberation pages (/party/): only the party members of the neighbourhood see them.

Every view finds the committee, topic or meeting first and checks that the user is a party
member of *its* neighbourhood (404 otherwise, for organizers and site admins too), then makes
one service call and turns a domain error into a message. GET shows a form or a confirmation,
POST acts.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.confirm import confirm_page
from decisions import rules
from decisions import selectors as core_selectors
from decisions.models import Ballot
from decisions.throttle import throttle_votes
from deliberation import selectors
from deliberation.forms import (
    AttendanceForm,
    CommentForm,
    FollowUpForm,
    FollowUpNoteForm,
    MeetingForm,
    OptionForm,
    PartySettingsForm,
    ReasonForm,
    ResolutionForm,
    TopicProposeForm,
    TopicVoteOpenForm,
)
from deliberation.models import Topic, TopicComment
from deliberation.permissions import (
    can_update_follow_up,
    comment_for_author_or_404,
    follow_up_for_viewer_or_404,
    is_party_secretary,
    meeting_for_member_or_404,
    party_committee_or_404,
    party_committees,
    topic_for_member_or_404,
)
from deliberation.services import followups
from deliberation.services import party as services

PAGE_SIZE = 50


def form_page(request, *, back_url: str, intro: str = "", context: dict | None = None, **page):
    """Every form and confirmation of these pages, on the shared ``config.confirm.confirm_page``.

    Adds the crumb back to what the page is about (the topic, the consultation, the building or
    the party agenda), taken from ``context``.
    """
    context = context or {}
    return confirm_page(request, cancel_url=back_url, question=intro,
                        context={**_crumb(context), **context}, **page)


def _crumb(context: dict) -> dict:
    if context.get("topic"):
        return {"crumb": context["topic"].title, "crumb_url": context["topic"].get_absolute_url()}
    if context.get("consultation"):
        return {"crumb": context["consultation"].title, "crumb_url": context["consultation"].get_absolute_url()}
    if context.get("building"):
        return {"crumb": str(context["building"]),
                "crumb_url": reverse("deliberation:floor_building", args=[context["building"].pk])}
    if context.get("committee"):
        return {"crumb": _("Party agenda") + " · " + context["committee"].name,
                "crumb_url": reverse("deliberation:party_agenda", args=[context["committee"].pk])}
    return {}


def published_vote(ballot: Ballot | None) -> dict:
    """The published outcome, the rule's lines with their numbers, and (named ballots) who voted how."""
    if ballot is None or ballot.status != Ballot.Status.PUBLISHED or not ballot.result:
        return {"outcome": None, "verdict_lines": [], "named_votes": []}
    return {"outcome": ballot.result.get("verdict"),
            "verdict_lines": [str(line) for line in core_selectors.verdict(ballot, ballot.result).lines],
            "named_votes": [] if ballot.is_secret else list(core_selectors.named_votes(ballot))}


def _require_secretary(request, committee) -> None:
    if not is_party_secretary(request.user, committee):
        raise Http404


# --- Agenda ------------------------------------------------------------------------------

@login_required
@require_GET
def party_index(request):
    committees = party_committees(request.user)
    if not committees:
        raise Http404
    if len(committees) == 1:
        return redirect("deliberation:party_agenda", pk=committees[0].pk)
    return render(request, "deliberation/party_index.html", {"committees": committees})


@login_required
@require_GET
def party_agenda(request, pk: int):
    committee = party_committee_or_404(request.user, pk)
    status = request.GET.get("status", "")
    if status not in Topic.Status.values:
        status = ""
    page = Paginator(selectors.party_topics(committee, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "deliberation/party_agenda.html", {
        "committee": committee, "page": page, "status": status, "statuses": Topic.Status.choices,
        "query": f"status={status}" if status else "",
        "is_secretary": is_party_secretary(request.user, committee),
        "settings": services.settings_for(committee)})


@login_required
@require_http_methods(["GET", "POST"])
def topic_propose(request, pk: int):
    committee = party_committee_or_404(request.user, pk)
    secretary = is_party_secretary(request.user, committee)
    form = TopicProposeForm(request.POST or None, secretary=secretary)
    made = {}

    def act(data):
        made["topic"] = services.topic_propose(committee=committee, by=request.user, title=data["title"],
                                               material=data["material"],
                                               as_organization=data.get("as_organization", False))

    response = form_page(
        request, form=form, act=act, success=_("Your topic was proposed."),
        done_url=reverse("deliberation:party_agenda", args=[committee.pk]), title=_("Propose a topic"),
        intro=_("A member's topic goes on the agenda once %(n)s other members have seconded it.")
        % {"n": services.settings_for(committee).seconds_needed},
        back_url=reverse("deliberation:party_agenda", args=[committee.pk]), button=_("Propose"),
        context={"committee": committee})
    if "topic" in made:
        return redirect(made["topic"].get_absolute_url())
    return response


@login_required
@require_http_methods(["GET", "POST"])
def party_settings(request, pk: int):
    committee = party_committee_or_404(request.user, pk)
    _require_secretary(request, committee)
    current = services.settings_for(committee)
    form = PartySettingsForm(request.POST or None, initial={
        "seconds_needed": current.seconds_needed, "electorate": current.electorate,
        "quorum_percent": int(current.quorum * 100)})
    return form_page(
        request, form=form, title=_("How topics are decided"), button=_("Save"),
        act=lambda d: services.party_settings_update(committee=committee, by=request.user,
                                                     seconds_needed=d["seconds_needed"], electorate=d["electorate"],
                                                     quorum=Decimal(d["quorum_percent"]) / 100),
        success=_("The settings were saved."), done_url=reverse("deliberation:party_agenda", args=[committee.pk]),
        back_url=reverse("deliberation:party_agenda", args=[committee.pk]), context={"committee": committee})


# --- One topic -----------------------------------------------------------------------------

@login_required
@require_GET
def topic_detail(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    page = selectors.topic_page(topic)
    topic = page["topic"]
    seconds = list(topic.seconds.all())
    vote = selectors.vote_state(topic.ballot, request.user)
    return render(request, "deliberation/party_topic.html", {
        **page, "committee": topic.committee, "seconds": seconds,
        "seconds_needed": services.settings_for(topic.committee).seconds_needed,
        "i_seconded": any(s.member_id == request.user.pk for s in seconds),
        "is_secretary": is_party_secretary(request.user, topic.committee),
        "vote": vote, "comment_form": CommentForm(), **published_vote(topic.ballot)})


@login_required
@require_http_methods(["GET", "POST"])
def topic_second(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    return form_page(
        request, form=None, title=_("Second this topic"), button=_("Second it"),
        intro=_("By seconding you support putting “%(t)s” on the agenda of the party organization.")
        % {"t": topic.title},
        act=lambda d: services.topic_second(topic=topic, by=request.user),
        success=_("You seconded the topic."), done_url=topic.get_absolute_url(), back_url=topic.get_absolute_url(),
        context={"committee": topic.committee, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
def topic_comment(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    parent = None
    parent_id = request.POST.get("parent") or request.GET.get("parent")
    if parent_id:
        parent = TopicComment.objects.filter(topic=topic, pk=parent_id if str(parent_id).isdigit() else 0) \
            .select_related("author").first()
        if parent is None:
            raise Http404
    form = CommentForm(request.POST or None, initial={"parent": parent.pk if parent else None})
    return form_page(
        request, form=form, title=_("Reply") if parent else _("Comment"), button=_("Post"),
        act=lambda d: services.topic_comment_add(topic=topic, by=request.user, body=d["body"], parent=parent),
        success=_("Your comment was posted."), done_url=topic.get_absolute_url() + "#discussion",
        back_url=topic.get_absolute_url(), context={"committee": topic.committee, "topic": topic, "parent": parent,
                                                    "details": "deliberation/_reply_to.html" if parent else None})


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk: int):
    comment = comment_for_author_or_404(request.user, pk)
    topic = comment.topic
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    return form_page(
        request, form=form, title=_("Edit your comment"), button=_("Save"),
        intro=_("The earlier text stays on record."),
        act=lambda d: services.topic_comment_edit(comment=comment, by=request.user, body=d["body"]),
        success=_("Your comment was corrected."), done_url=topic.get_absolute_url() + "#discussion",
        back_url=topic.get_absolute_url(), context={"committee": topic.committee, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
@throttle_votes
def topic_vote(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    vote = selectors.vote_state(topic.ballot, request.user)
    if vote is None or vote.voice is None:
        messages.error(request, _("You have no vote on this topic."))
        return redirect(topic.get_absolute_url())
    form = OptionForm(request.POST or None, options=vote.options)
    form.fields["option"].label = topic.ballot.questions.order_by("position").first().text
    return form_page(
        request, form=form, title=_("Your vote"), button=_("Cast my vote"),
        intro=_("This is a named vote: members will see how each representative voted once the result is "
                "published. You may change your vote until voting closes."),
        act=lambda d: services.topic_vote_cast(topic=topic, by=request.user, option_id=d["option"]),
        success=_("Your vote was recorded."), done_url=topic.get_absolute_url(), back_url=topic.get_absolute_url(),
        context={"committee": topic.committee, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
def topic_vote_open(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    _require_secretary(request, topic.committee)
    settings = services.settings_for(topic.committee)
    return form_page(
        request, form=TopicVoteOpenForm(request.POST or None), title=_("Put the topic to the vote"),
        button=_("Open the vote"),
        intro=_("A named vote of the %(who)s; quorum: %(q)s of them must take part.")
        % {"who": settings.get_electorate_display(),
           "q": rules.quorum_text(settings.quorum, more_than=Decimal(0) < settings.quorum < Decimal(1))},
        act=lambda d: services.topic_vote_open(topic=topic, by=request.user, question=d["question"],
                                               closes_at=d["closes_at"]),
        success=_("The vote is open."), done_url=topic.get_absolute_url(), back_url=topic.get_absolute_url(),
        context={"committee": topic.committee, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
def topic_vote_close(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    _require_secretary(request, topic.committee)
    return form_page(
        request, form=None, title=_("Close the vote and publish the result"), button=_("Close and publish"),
        intro=_("No more votes can be cast afterwards. Members see the result and who voted how."),
        act=lambda d: services.topic_vote_close(topic=topic, by=request.user),
        success=_("The vote is closed and its result published."), done_url=topic.get_absolute_url(),
        back_url=topic.get_absolute_url(), context={"committee": topic.committee, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
def topic_resolve(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    _require_secretary(request, topic.committee)
    return form_page(
        request, form=ResolutionForm(request.POST or None), title=_("Record and publish the resolution"),
        button=_("Publish the resolution"), intro=_("Every party member of the neighbourhood is told."),
        act=lambda d: services.topic_resolve(topic=topic, by=request.user, resolution=d["resolution"]),
        success=_("The resolution was published."), done_url=topic.get_absolute_url(),
        back_url=topic.get_absolute_url(), context={"committee": topic.committee, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
def topic_withdraw(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    return form_page(
        request, form=ReasonForm(request.POST or None), title=_("Withdraw the topic"), button=_("Withdraw"),
        act=lambda d: services.topic_withdraw(topic=topic, by=request.user, reason=d["reason"]),
        success=_("The topic was withdrawn."), done_url=topic.get_absolute_url(), back_url=topic.get_absolute_url(),
        context={"committee": topic.committee, "topic": topic})


# --- Meetings ------------------------------------------------------------------------------

@login_required
@require_GET
def party_meetings(request, pk: int):
    committee = party_committee_or_404(request.user, pk)
    page = Paginator(selectors.party_meetings(committee), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "deliberation/party_meetings.html", {
        "committee": committee, "page": page, "is_secretary": is_party_secretary(request.user, committee)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk: int):
    committee = party_committee_or_404(request.user, pk)
    _require_secretary(request, committee)
    topics = selectors.agenda_topics(committee)
    form = MeetingForm(request.POST or None, topics=topics)
    by_id = {t.pk: t for t in topics}
    return form_page(
        request, form=form, title=_("Convene a representatives' meeting"), button=_("Save the meeting"),
        act=lambda d: services.meeting_create(committee=committee, by=request.user, title=d["title"],
                                              starts_at=d["starts_at"], place=d["place"],
                                              topics=[by_id[t] for t in d["topics"]]),
        success=_("The meeting was saved."), done_url=reverse("deliberation:party_meetings", args=[committee.pk]),
        back_url=reverse("deliberation:party_meetings", args=[committee.pk]), context={"committee": committee})


@login_required
@require_http_methods(["GET", "POST"])
def party_meeting(request, pk: int):
    meeting = meeting_for_member_or_404(request.user, pk)
    meeting = selectors.meeting_page(meeting)
    secretary = is_party_secretary(request.user, meeting.committee)
    form = None
    if secretary:
        members = selectors.party_members(meeting.committee)
        form = AttendanceForm(request.POST or None, members=members,
                              initial={"present": [a.member_id for a in meeting.attendance.all()]})
    elif request.method == "POST":
        raise Http404
    by_id = {u.pk: u for u in (members if secretary else [])}
    return form_page(
        request, form=form, title=meeting.title, button=_("Save attendance"),
        act=lambda d: services.meeting_record_attendance(meeting=meeting, by=request.user,
                                                         present=[by_id[i] for i in d["present"]]),
        success=_("Attendance was recorded."), done_url=meeting.get_absolute_url(),
        back_url=reverse("deliberation:party_meetings", args=[meeting.committee.pk]),
        context={"committee": meeting.committee, "meeting": meeting}, template="deliberation/party_meeting.html")


# --- Follow-up items (party resolutions and floor consultations) ---------------------------

@login_required
@require_http_methods(["GET", "POST"])
def topic_follow_up_add(request, pk: int):
    topic = topic_for_member_or_404(request.user, pk)
    _require_secretary(request, topic.committee)
    return form_page(
        request, form=FollowUpForm(request.POST or None), title=_("Add a follow-up item"), button=_("Add"),
        act=lambda d: followups.follow_up_add(parent=topic, by=request.user, **d),
        success=_("The follow-up item was added."), done_url=topic.get_absolute_url() + "#follow-ups",
        back_url=topic.get_absolute_url(), context={"committee": topic.committee, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_note(request, pk: int):
    follow_up = follow_up_for_viewer_or_404(request.user, pk)
    if not can_update_follow_up(request.user, follow_up):
        raise Http404
    parent = follow_up.parent
    form = FollowUpNoteForm(request.POST or None, initial={"status": follow_up.status})
    return form_page(
        request, form=form, title=_("Record progress"), button=_("Save"), intro=follow_up.what,
        act=lambda d: followups.follow_up_note_add(follow_up=follow_up, by=request.user, **d),
        success=_("The progress was recorded."), done_url=parent.get_absolute_url() + "#follow-ups",
        back_url=parent.get_absolute_url(),
        context={"committee": follow_up.topic.committee if follow_up.topic_id else None})


