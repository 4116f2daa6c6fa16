"""What the tests of the decision core share: the snapshot and count helpers, a ballot opened at once,
and the pages as a resident or an organizer uses them."""

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from decisions import selectors, services
from decisions.models import Ballot, Voice
from tests.decisions.factories import open_box, option

E = Ballot.Electorate


def snapshot(ballot: Ballot) -> dict[str, list[int]]:
    """Voice key → holder user ids, as frozen at opening."""
    return {voice.key: sorted(voice.holders.values_list("user_id", flat=True))
            for voice in Voice.objects.filter(ballot=ballot)}


def users(*people) -> dict[str, list[int]]:
    return {f"u{p.pk}": [p.pk] for p in people}


def counted(ballot: Ballot) -> dict[str, int]:
    """Meaning ("yes", "no", "abstain") → counted voices on the ballot's first question (options with none left out).

    A sealed ballot's papers are counted only when its box is opened: it is closed and opened first.
    """
    ballot.refresh_from_db()
    if ballot.is_sealed and ballot.status == Ballot.Status.OPEN:
        services.ballot_close(ballot=ballot, by=ballot.scrutineers.get(position=1).user)
        open_box(ballot)
    meanings = dict(ballot.questions.first().options.values_list("pk", "meaning"))
    return {meanings[pk]: n for pk, (n, _area) in selectors.option_counts(ballot).items() if pk in meanings and n}


def open_draft(committee, organizer, **kwargs) -> Ballot:
    title = kwargs.pop("title", "议题")
    ballot = services.ballot_create(committee=committee, by=organizer, title=title, **kwargs)
    return services.ballot_open(ballot=ballot, by=organizer)


# --- The pages, as a resident or an organizer uses them ------------------------------------

def login(client, user):
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"decisions:{name}", args=args)


def in_chinese(text: str) -> str:
    """``text`` as the pages show it (Simplified Chinese, the default language)."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(text))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def vote(client, ballot, meaning: str, *, follow=True):
    """Choose, then confirm, as a resident does on the page."""
    opt = option(ballot, meaning)
    page = client.post(url("ballot_vote", ballot.pk), {f"q{opt.question_id}": opt.pk})
    assert page.status_code == 200, messages_of(page)
    return client.post(url("ballot_vote", ballot.pk), {f"q{opt.question_id}": opt.pk, "action": "confirm",
                                                         "after": page.context["after"]}, follow=follow)
