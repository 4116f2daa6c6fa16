"""The right words on the pages, read in Chinese: each meeting's own word, no English keyword, plain
words for technical terms (a fingerprint, not a hash or a command name)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from hearings import services as hearing_services
from tests.deliberation.party_factories import make_agenda_topic, make_consultation, make_party
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish
from tests.hearings.hearing_factories import make_area, make_hearing

pytestmark = pytest.mark.django_db


@pytest.fixture
def zh():
    """A browser asking for Chinese (the site's default language)."""
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def _text(response) -> str:
    """The words of the page's main part (the header and footer name all three meetings)."""
    assert response.status_code == 200
    main = re.search(r"<main id=\"main\">(.*)</main>", response.content.decode(), re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _headers(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th scope=\"col\">(.*?)</th>",
                                                                 response.content.decode())]


def test_a_floor_consultation_s_matter_is_not_called_a_hearing_matter(zh):
    consultation, leader, _residents = make_consultation()
    zh.force_login(leader)
    page = zh.get(reverse("deliberation:floor_building", args=[consultation.building.pk]))
    assert "事项" in _headers(page)
    assert "听证" not in _text(page)


def test_the_hearing_list_keeps_its_hearing_matter(zh):
    area = make_area(n=1)
    make_hearing(area)
    zh.force_login(area["organizer"])
    page = zh.get(reverse("hearings:hearing_committee_list", args=[area["committee"].pk]))
    assert "听证事项" in _headers(page)


def test_the_party_agenda_s_topic_column_says_topic(zh):
    committee, secretary, _members, _reps = make_party()
    make_agenda_topic(committee, secretary)
    zh.force_login(secretary)
    page = zh.get(reverse("deliberation:party_agenda", args=[committee.pk]))
    assert _headers(page)[0] == "议题"
    assert "陈述" not in _text(page)


def test_the_hearing_desk_names_the_speaker_s_topic_its_session_and_its_votes(zh):
    area = make_area(n=1)
    hearing = hearing_services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    zh.force_login(area["organizer"])
    page = zh.get(reverse("hearings:hearing_manage", args=[hearing.pk]))
    html = page.content.decode()
    assert "陈述内容" in _headers(page)
    assert re.search(r"<h2>\s*听证\s*</h2>", html)
    assert re.search(r"<h3>\s*表决\s*</h3>", html)
    assert "<h3>票数</h3>" not in html


def test_the_evaluation_report_s_validity_row_is_about_the_evaluation_and_names_no_command(zh):
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    committee = world.committees[0]
    for rep in world.reps[committee.pk]:
        fill(campaign, rep, level=1)
    organizer = world.organizers[committee.pk]
    publish(campaign, organizer)
    zh.force_login(organizer)
    text = _text(zh.get(reverse("evaluations:campaign_report", args=[campaign.pk])))
    assert "本次评议会" in text
    assert "听证" not in text
    assert "verify_audit" not in text and "哈希" not in text
    assert "指纹" in text


def test_the_new_evaluation_form_asks_for_no_english_keyword(zh):
    world = make_world()
    committee = world.committees[0]
    zh.force_login(world.organizers[committee.pk])
    page = zh.get(reverse("evaluations:campaign_create", args=[committee.pk]))
    text = _text(page)
    assert "excluded" not in page.content.decode()
    assert "不了解 不计入" in page.content.decode() and "“不计入”" in text


def test_the_new_evaluation_form_accepts_the_chinese_keyword(zh):
    from evaluations.forms import CampaignForm

    form = CampaignForm()
    form.cleaned_data = {"scale": "满意 100\n不了解 不计入"}
    levels = form.clean_scale()
    assert [level.excluded for level in levels] == [False, True]


def test_a_resident_reads_the_minutes_fingerprint_in_plain_words(zh):
    from tests.hearings.hearing_factories import advance

    area = make_area(n=1)
    hearing = advance(make_hearing(area), area["organizer"], "public_notice")
    zh.force_login(area["residents"][0])
    text = _text(zh.get(hearing.get_absolute_url()))
    assert "内容指纹（用于核对内容未被改动）" in text
    assert "哈希" not in text and "SHA-256" not in text


def test_a_ballot_s_quorum_reads_as_a_percentage(zh):
    from decimal import Decimal

    from decisions import services as core

    area = make_area(n=1)
    organizer = area["organizer"]
    ballot = core.ballot_create(committee=area["committee"], by=organizer, title="加装电梯", question="同意吗？",
                                quorum=Decimal("0.5"), quorum_reason="")
    zh.force_login(organizer)
    text = _text(zh.get(reverse("decisions:ballot_manage", args=[ballot.pk])))
    assert "0.5000" not in text and "0.5" not in text


def test_a_hearing_s_minutes_record_is_not_called_a_coordination_record():
    from django.utils import translation

    from coordination.models import CoordinationDocument
    from hearings.models import HearingMinutes

    with translation.override("zh-hans"):
        assert str(HearingMinutes._meta.get_field("record").verbose_name) == "听证记录"
        assert str(CoordinationDocument.Kind.RECORD.label) == "协调记录"
