"""Every notification's words, rendered in the reader's language from its kind and parameters."""

import re

import pytest
from django.utils import translation

from members.models import Notification
from members.notification_texts import MESSAGES
from members.notifications import notify
from tests.factories import make_user

PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _params(message) -> dict:
    """Plain ASCII facts for every placeholder of the message, so any Chinese seen comes from the catalogue."""
    found = PLACEHOLDER.findall(str(message.title) + str(message.body or ""))
    return {name: 7 if kind == "d" else f"fact-{name}" for name, kind in found}


def _messages():
    return [(kind, name, message) for kind in Notification.Kind.values
            for name, message in MESSAGES.get(kind, {}).items()]


@pytest.mark.parametrize("kind", Notification.Kind.values)
def test_every_kind_has_its_messages(kind):
    assert MESSAGES.get(kind), f"notification kind {kind!r} has no message in members.notification_texts"


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "message"), _messages(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_message_renders_in_english_and_in_chinese(kind, name, message):
    person = make_user()
    params = _params(message)
    [note] = notify(users=[person], kind=kind, message=name, params=params, body="own words", url="/x/")
    note = Notification.objects.get(pk=note.pk)
    with translation.override("en"):
        en_title, en_body = note.shown_title, note.shown_body
    with translation.override("zh-hans"):
        zh_title, zh_body = note.shown_title, note.shown_body
    for text in (en_title, en_body, zh_title, zh_body):
        assert "%(" not in text and "%s" not in text
    for value in params.values():
        assert str(value) in en_title + en_body and str(value) in zh_title + zh_body
    assert not CJK.search(en_title) and not CJK.search(en_body.replace("监票人", ""))
    assert CJK.search(zh_title) and en_title != zh_title
    if message.body is None:
        assert en_body == zh_body == "own words"
    else:
        assert CJK.search(zh_body) and en_body != zh_body


@pytest.mark.django_db
def test_a_translated_fact_is_shown_in_the_readers_language():
    from coordination.models import CoordinationParticipant

    person = make_user()
    notify(users=[person], kind=Notification.Kind.ANNOUNCEMENT, message="coordination_notice",
           params={"s": "Leak", "when": "2026-12-14 19:00", "place": "Room 1",
                   "as": CoordinationParticipant.Kind.PROPERTY_FIRM.label})
    note = Notification.objects.get(user=person)
    assert note.params["as"] == {"msgid": "property firm"}
    with translation.override("en"):
        assert note.shown_body.endswith("You are invited as: property firm.")
    with translation.override("zh-hans"):
        assert "物业" in note.shown_body


@pytest.mark.django_db
def test_a_row_stored_as_words_keeps_its_words():
    person = make_user()
    Notification.objects.create(user=person, kind=Notification.Kind.OPENING, title="投票开始：加装电梯", body="请投票")
    note = Notification.objects.get(user=person)
    with translation.override("en"):
        assert (note.shown_title, note.shown_body) == ("投票开始：加装电梯", "请投票")


def test_an_unknown_message_is_refused():
    with pytest.raises(ValueError):
        notify(users=[1], kind=Notification.Kind.OPENING, message="hearing_announced", params={})
