"""Ballot subjects: what a meeting app tells the decision core about the ballots it runs.

A ballot may belong to a subject — a hearing, a party topic, a floor consultation, an evaluation
campaign — through ``Ballot.subject_type`` and ``Ballot.subject_id``. The core imports no meeting
app. Instead each app registers, in its ``AppConfig.ready()``, one ``Subject`` for every model
whose instances own ballots::

    subjects.register(Topic, TopicSubject())

and the core asks ``subjects.of(ballot)`` whenever the answer depends on the subject. A ballot
without a subject, or whose subject's model registered nothing, gets the defaults below: the
core's own pages present it, announce it and show its results.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model


class Subject:
    """The protocol, with the defaults of a ballot the core presents by itself.

    Override in a subclass only what differs; every method receives the ballot (whose
    ``subject_id`` names the subject's row) and reads what it needs.
    """

    #: The subject's own pages list the vote on the home page and announce it; the core sends
    #: only the closing reminder (to ``voting_url``).
    presents_its_own_ballot = False
    #: The core's pages never show this ballot's counts: the subject shows its results by its
    #: own rules (an evaluation never breaks down fewer than five answers).
    shows_its_own_results = False
    #: Listed on the committee's ballot list for its organizers.
    listed_with_committee_ballots = True

    def may_see_ballot(self, user, ballot) -> bool:
        """Whether ``user`` may see the ballot at all, before the core's own rules."""
        return True

    def voting_url(self, ballot) -> str:
        """Where the closing reminder sends those who have not voted ("" for the ballot's page)."""
        return ""

    def page_url(self, ballot) -> str:
        """The subject's page, where the ballot pages lead back to."""
        subject = ballot.subject
        return subject.get_absolute_url() if subject is not None else ""

    def sealed_extra_bytes(self, ballot) -> int:
        """Room for what the subject seals in each secret paper beside the choices."""
        return 0

    def sealed_extras_received(self, ballot, extras: list) -> None:
        """The box was opened: what was sealed beside the counted choices, for the subject to write."""


_DEFAULT = Subject()
_registry: dict[str, Subject] = {}


def register(model: type[Model], subject: Subject) -> None:
    """Called from the owning app's ``AppConfig.ready()``; one registration per model."""
    label = model._meta.label_lower
    if label in _registry and _registry[label] is not subject:
        raise ValueError(f"{label} is already registered as a ballot subject")
    _registry[label] = subject


def of(ballot) -> Subject:
    """The registered ``Subject`` of the ballot's subject model, or the defaults."""
    if not ballot.subject_type_id:
        return _DEFAULT
    model = ContentType.objects.get_for_id(ballot.subject_type_id)
    return _registry.get(f"{model.app_label}.{model.model}", _DEFAULT)


def unlisted_types() -> list[ContentType]:
    """The content types whose ballots stay off the committee's ballot list."""
    return [ContentType.objects.get_by_natural_key(*label.split("."))
            for label, subject in _registry.items() if not subject.listed_with_committee_ballots]


def self_presented_types() -> list[ContentType]:
    """The content types whose subjects present their ballot or its results, or narrow who sees it.

    Lists drawn up for readers outside the committee (the open data API) leave them out, so that
    every ballot left is one the core's own rules alone decide on; a single ballot is still asked
    ``may_see_ballot``.
    """
    return [ContentType.objects.get_by_natural_key(*label.split("."))
            for label, subject in _registry.items()
            if subject.presents_its_own_ballot or subject.shows_its_own_results
            or type(subject).may_see_ballot is not Subject.may_see_ballot]
