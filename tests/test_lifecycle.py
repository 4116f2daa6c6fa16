"""The one transition mechanism (config.lifecycle): every lifecycle's table is whole, the guard refuses
with one code and the lifecycle's own wording."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from config.lifecycle import Lifecycle, guard_move

LIFECYCLES = sorted((m for m in apps.get_models() if issubclass(m, Lifecycle)), key=lambda m: m._meta.label)


def test_every_lifecycle_we_know_uses_the_mechanism():
    labels = {m._meta.label for m in LIFECYCLES}
    assert {"members.Membership", "members.SmsMessage", "members.WeChatMessage", "hearings.Hearing",
            "coordination.CoordinationMeeting", "coordination.CoordinationAction", "decisions.Ballot",
            "deliberation.Topic", "deliberation.Consultation", "deliberation.FollowUp", "evaluations.Campaign",
            "evaluations.Rectification"} <= labels


@pytest.mark.parametrize("model", LIFECYCLES, ids=lambda m: m._meta.label)
def test_each_table_lists_every_status_and_only_known_targets(model):
    statuses = set(dict(model._meta.get_field("status").flatchoices))
    assert set(model.TRANSITIONS) == statuses
    assert all(targets <= statuses for targets in model.TRANSITIONS.values())


@pytest.mark.parametrize("model", LIFECYCLES, ids=lambda m: m._meta.label)
def test_the_guard_refuses_a_move_the_table_lacks_with_one_code(model):
    # Staying put is a move too: it is illegal unless the table lists it.
    start, targets = next((s, t) for s, t in model.TRANSITIONS.items() if set(model.TRANSITIONS) - t)
    illegal = sorted(set(model.TRANSITIONS) - targets)[0]
    obj = model(status=start)
    with pytest.raises(ValidationError) as error:
        guard_move(obj, illegal)
    assert error.value.code == "invalid_transition"
    assert obj.get_status_display() in error.value.messages[0]
    for target in targets:
        guard_move(obj, target)  # a legal move passes


def test_a_move_may_carry_its_own_wording():
    from members.models import SmsMessage

    with pytest.raises(ValidationError) as error:
        guard_move(SmsMessage(status=SmsMessage.Status.DELIVERED), SmsMessage.Status.QUEUED,
                   "Not again: %(s)s.")
    assert error.value.messages == [f"Not again: {SmsMessage.Status.DELIVERED.label}."]
