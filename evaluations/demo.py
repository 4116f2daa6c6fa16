"""Demo evaluations for `seed_demo`: last year's and this year's, launched by the street office of
大宁路街道 in all its committees, filled in by the resident representatives and published, so the
dashboard shows a trend and the demo agency contact (大宁路派出所) has a rectification plan to file.
Each committee's ballot box has the usual scrutineers (an organizer, a resident representative who
lives there and the street officer, any two of whom open it), who take their cards, and two of
them open the box after the sheets close.

Idempotent: a street whose campaigns for a year exist is left as it is.
"""

import random
from decimal import Decimal

from decisions import services as core
from evaluations import selectors, services
from evaluations.models import Campaign, Rectification, SheetItem
from evaluations.permissions import is_resident_of
from members.models import Role, Street, User
from members.permissions import can_manage_committee

STREET = "大宁路街道"
# Per year: how each kind of evaluatee tends to be rated (weights of 满意 / 基本满意 / 不满意 / 不了解).
MOODS = {
    2025: {"police": (4, 3, 3, 1), "default": (5, 3, 1, 1)},
    # The police station stays under the threshold (a plan is due again); the others improve a little.
    2026: {"police": (3, 3, 3, 1), "default": (7, 3, 1, 1)},
}
COMMENTS = ["夜间巡逻可以再多一些", "办事效率提高了，点赞", "希望服务热线能及时接听", "小区保洁有改进",
            "工作人员态度很好", "停车管理还需要加强"]


def _mood(year: int, item: SheetItem) -> tuple[int, ...]:
    moods = MOODS[year]
    agency = item.evaluatee.agency
    return moods["police"] if agency is not None and agency.kind == "police" else moods["default"]


def _fill(campaign: Campaign, rng: random.Random) -> None:
    items = list(SheetItem.objects.filter(campaign=campaign).select_related("evaluatee__agency", "question")
                 .prefetch_related("question__options"))
    evaluatees = sorted({item.evaluatee_id for item in items})
    voters = (User.objects.filter(pk__in=campaign.ballot.voices.values("holders__user"))
              .order_by("pk"))
    for voter in voters:
        if rng.random() > 0.85:
            continue  # not everyone hands in a sheet
        ratings = {}
        for item in items:
            options = list(item.question.options.all())
            ratings[item.question_id] = rng.choices(options, weights=_mood(campaign.year, item))[0].pk
        comments = {rng.choice(evaluatees): rng.choice(COMMENTS)} if rng.random() < 0.5 else {}
        services.sheet_submit(campaign=campaign, voter=voter, ratings=ratings, comments=comments)


def seed(*, stdout=None) -> None:
    street = Street.objects.filter(name=STREET).first()
    officer = Role.objects.filter(kind=Role.Kind.STREET_OFFICER, street=street).select_related("user") \
        .order_by("pk").first() if street else None
    if street is None or officer is None:
        return
    rng = random.Random(2026)
    made = []
    for year in sorted(MOODS):
        if Campaign.objects.filter(committee__street=street, year=year).exists():
            continue
        launch = services.campaign_launch(
            street=street, by=officer.user,
            settings=services.CampaignSettings(year=year, title=f"{year}年度派驻机构和物业服务评议",
                                               session_place="居委会会议室", rectification_threshold=Decimal("20")))
        for campaign in launch.campaigns.select_related("committee").order_by("committee__name"):
            cards = _scrutinize(campaign, officer.user)
            campaign = services.campaign_open(campaign=campaign, by=officer.user)
            _fill(campaign, rng)
            services.campaign_close(campaign=campaign, by=officer.user)
            ballot = campaign.ballot
            for user, code in cards[:ballot.box_threshold]:
                core.box_present(ballot=ballot, by=user, code=code)
            services.campaign_publish(campaign=campaign, by=officer.user)
        made.append(str(year))
        if year == min(MOODS):
            _settle_last_year(launch)
    if stdout is not None and made:
        stdout.write(f"Demo evaluations: {', '.join(made)} published in every committee of {STREET}.")


def _scrutinize(campaign: Campaign, officer: User) -> list[tuple[User, str]]:
    """Name the usual scrutineers (any two open the box) and let each take their card: (user, code)."""
    users = []
    for _label, people in selectors.scrutineer_candidates(campaign.committee):
        person = next((p for p in people if p == officer or is_resident_of(p, campaign.committee)
                       or can_manage_committee(p, campaign.committee)), None)
        if person is not None and person not in users:
            users.append(person)
    users = users or [officer]
    services.campaign_scrutineers_set(campaign=campaign, by=officer, users=users, threshold=min(2, len(users)))
    campaign.refresh_from_db()
    return [(user, core.scrutineer_take_card(ballot=campaign.ballot, user=user)) for user in users]


def _settle_last_year(launch) -> None:
    """Last year's plans were filed and confirmed, so this year's results show their status."""
    for task in Rectification.objects.filter(campaign__launch=launch).select_related("agency"):
        contact = Role.objects.filter(kind=Role.Kind.AGENCY_CONTACT, agency=task.agency).select_related("user") \
            .first()
        if contact is None:
            continue
        services.rectification_file(task=task, by=contact.user, targets="群众满意率达到90%以上",
                                    measures="增加夜间巡逻频次；每月走访居委会一次；公开服务电话。",
                                    head_name="所长 王强")
        services.rectification_confirm(task=task, by=contact.user)
