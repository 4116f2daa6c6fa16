"""The floor journey: 3号楼 consults its households on sharing the roof repair costs under the
Civil Code art. 278, the floor leader records an assisted opinion for an elderly resident, and the
consultation ends in an agreed opinion (一致贯彻意见) published to the building with who agreed;
then the building convention (楼组公约) is amended and both versions are kept.

The numbers (5 households, 433.75 m²):
  101  90.00 m²  张秀英 (floor leader)  同意 online
  102  75.50 m²  周强                   同意 online, with a comment
  201 120.00 m²  吴芳                   反对 online
  202  60.25 m²  郑磊                   does not answer
  301  88.00 m²  王阿婆 (no smartphone) 同意, recorded by the floor leader with a consent note
Taking part: 4 of 5 owners (80%) and 373.50 of 433.75 m² (86.1%) — both ≥ 66.7%.
For: 3 of 4 owners (75%) and 253.50 of 373.50 m² (67.9%) — both > 50%: passed.
"""

import pytest
from playwright.sync_api import Page, expect

from deliberation.models import Consultation, ConventionVersion
from deliberation.services import floor as floor_services
from members import services as member_services
from members.models import Notification
from tests.decisions.factories import make_floor_leader
from tests.deliberation.party_factories import yes_option
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_resident,
    make_street,
    make_user,
)

TITLE = "屋面防水维修费用分摊"
QUESTION = "是否同意按专有面积分摊屋面防水维修费用？"
HOUSEHOLDS = [("101", "90.00", "张秀英"), ("102", "75.50", "周强"), ("201", "120.00", "吴芳"),
              ("202", "60.25", "郑磊"), ("301", "88.00", "王阿婆")]
CONVENTION_V1 = "一、楼道不堆放杂物。\n二、垃圾按时分类投放。"
CONVENTION_V2 = "一、楼道不堆放杂物。\n二、垃圾按时分类投放。\n三、屋面维修费用按专有面积分摊。"


@pytest.fixture
def building_3():
    committee = make_committee(make_street("大宁路街道"), name="延长居民区")
    building = make_building(make_compound(committee, name="延长新村"), name="3号楼")
    people = {}
    for door, area, name in HOUSEHOLDS:
        user = make_user(name=name)
        membership = member_services.membership_ensure_verified(
            user=user, household=make_household(building, door_number=door, floor_area=area), by=None)
        member_services.membership_set_representative(membership=membership, by=None)
        people[door] = user
    leader = make_floor_leader(building, people["101"])
    # The building adopted its first convention last year.
    first = floor_services.consultation_open(building=building, by=leader, title="3号楼楼组公约",
                                             matter="convention", proposed_convention=CONVENTION_V1)
    for user in people.values():
        floor_services.consultation_answer(consultation=first, by=user, option_id=yes_option(first.ballot))
    floor_services.consultation_close(consultation=first, by=leader)
    floor_services.consultation_agree(consultation=first, by=leader, opinion="楼组公约通过。")
    return building, people


def main(page: Page):
    return page.get_by_role("main")


def status_message(page: Page):
    return page.get_by_role("status")


def test_an_art_278_consultation_with_an_assisted_opinion_ends_in_an_agreed_opinion_and_an_amended_convention(
        page: Page, building_3, login_as, shot, browser_console_errors):
    building, people = building_3
    leader = people["101"]

    # --- 1. The floor leader opens the consultation from her building's page -------------------
    login_as(leader)
    page.goto("/floors/")
    expect(page).to_have_url(f"/floors/{building.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("延长新村 3号楼")
    expect(main(page)).to_contain_text("Version 1")
    main(page).get_by_role("link", name="Open a consultation").click()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Matter", exact=True).select_option(label="shared repair costs")
    page.get_by_label("What it is about").fill("顶楼漏水，屋面防水维修报价 **36,000 元**，按专有面积分摊。")
    page.get_by_label("Question to the households").fill(QUESTION)
    page.get_by_label("Decision rule").select_option(label="Civil Code art. 278 (ordinary matter)")
    page.get_by_label("Secrecy").select_option(label="named vote")
    shot(page, "open-form")
    page.get_by_role("button", name="Open the consultation").click()
    consultation = Consultation.objects.get(title=TITLE)
    expect(page).to_have_url(f"/floors/consultations/{consultation.pk}/")
    expect(status_message(page)).to_contain_text("The consultation is open.")
    assert Notification.objects.filter(kind=Notification.Kind.OPENING, user=people["202"]).exists()

    # The leader gives her own household's opinion.
    main(page).get_by_role("link", name="Give our opinion").click()
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="Give our opinion").click()
    expect(main(page)).to_contain_text("Your household's opinion: 同意.")

    # --- 2. Households give their opinion on their phones ------------------------------------
    for door, choice, comment in (("102", "同意", "希望施工避开雨季。"), ("201", "反对", "")):
        login_as(people[door])
        page.goto(f"/floors/consultations/{consultation.pk}/")
        main(page).get_by_role("link", name="Give our opinion").click()
        expect(page.get_by_role("group", name=QUESTION)).to_be_visible()
        page.get_by_label(choice, exact=True).check()
        page.get_by_label("Comment of your household (optional)").fill(comment)
        if door == "102":
            shot(page, "resident-answer")
        page.get_by_role("button", name="Give our opinion").click()
        expect(status_message(page)).to_contain_text("Your household's opinion was recorded.")
    expect(main(page)).to_contain_text("希望施工避开雨季。")
    shot(page, "resident-after-answer")

    # A resident of another building cannot see it.
    login_as(make_resident())
    assert page.goto(f"/floors/consultations/{consultation.pk}/").status == 404
    assert browser_console_errors == [f"Failed to load resource: the server responded with a status of 404 "
                                      f"(Not Found) ({page.url})"]
    browser_console_errors.clear()  # that 404 was the point

    # --- 3. The floor leader sees who has not answered and assists 王阿婆 -----------------------
    login_as(leader)
    page.goto(f"/floors/consultations/{consultation.pk}/")
    main(page).get_by_role("link", name="Households and who has answered").click()
    expect(main(page)).to_contain_text("2 households have not answered yet.")
    row_301 = main(page).get_by_role("row").filter(has_text="王阿婆")
    expect(row_301).to_contain_text("not yet")
    shot(page, "households-before-assist")
    row_301.get_by_role("link", name="assist").click()
    expect(page.get_by_label("Household", exact=True)).to_have_value(str(people["301"].memberships.get().household_id))
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("How the resident agreed").fill("11月20日上门询问，王阿婆口头同意，其女儿在场。")
    page.get_by_label("Comment of the household (optional)").fill("年纪大了，漏水很影响生活，同意。")
    shot(page, "assisted-opinion")
    page.get_by_role("button", name="Record the opinion").click()
    expect(status_message(page)).to_contain_text("The assisted opinion was recorded.")
    expect(main(page).get_by_role("row").filter(has_text="王阿婆")).to_contain_text("answered (assisted)")
    expect(main(page)).to_contain_text("1 household has not answered yet.")
    shot(page, "households-after-assist")

    # --- 4. Close, count under art. 278, and publish the agreed opinion ------------------------
    page.goto(f"/floors/consultations/{consultation.pk}/")
    main(page).get_by_role("link", name="Close and count").click()
    page.get_by_role("button", name="Close and count").click()
    expect(main(page).locator(".verdict-outcome")).to_have_text("Passed")
    expect(main(page)).to_contain_text("Participating floor area 86.1% ≥ 66.7% (373.50 of 433.75 m²)")
    expect(main(page)).to_contain_text("Yes owners 75.0% of participating owners > 50.0% (3 of 4)")
    shot(page, "count")
    main(page).get_by_role("link", name="Publish the agreed opinion").click()
    page.get_by_label("Agreed opinion").fill("全楼按专有面积分摊屋面防水维修费用，物业于12月上旬施工，楼组长跟进。")
    page.get_by_role("button", name="Publish").click()
    expect(status_message(page)).to_contain_text("The agreed opinion was published.")
    main(page).get_by_role("link", name="Add a follow-up item").click()
    page.get_by_label("What is to be done").fill("屋面防水施工")
    page.get_by_label("Who does it").fill("延长物业")
    page.get_by_label("Due by").fill("2026-12-10")
    page.get_by_role("button", name="Add").click()
    expect(main(page).locator("#follow-ups")).to_contain_text("屋面防水施工")

    # --- 5. Every household sees the agreed opinion and who agreed -----------------------------
    login_as(people["202"])
    page.goto(f"/floors/consultations/{consultation.pk}/")
    agreed = main(page).locator("section", has=page.locator("#agreed-h"))
    expect(agreed).to_contain_text("全楼按专有面积分摊屋面防水维修费用")
    expect(agreed).to_contain_text("3 households agreed")
    for name in ("张秀英", "周强", "王阿婆"):
        expect(agreed).to_contain_text(name)
    expect(agreed).not_to_contain_text("吴芳")
    expect(agreed).to_contain_text("assisted by 张秀英")
    shot(page, "agreed-opinion")
    assert Notification.objects.filter(kind=Notification.Kind.RESULT, user=people["202"]).exists()

    # --- 6. The building convention is amended; both versions are kept -------------------------
    login_as(leader)
    page.goto(f"/floors/{building.pk}/consultations/new/")
    page.get_by_label("Title", exact=True).fill("修订楼组公约")
    page.get_by_label("Matter", exact=True).select_option(label="the building convention")
    page.get_by_label("Proposed building convention (for a convention matter)").fill(CONVENTION_V2)
    page.get_by_role("button", name="Open the consultation").click()
    amendment = Consultation.objects.get(title="修订楼组公约")
    # The households answer on their phones as above (entered here directly to keep the story short).
    for door in ("102", "201", "202", "301"):
        floor_services.consultation_answer(consultation=amendment, by=people[door],
                                           option_id=yes_option(amendment.ballot))
    page.reload()
    main(page).get_by_role("link", name="Close and count").click()
    page.get_by_role("button", name="Close and count").click()
    main(page).get_by_role("link", name="Publish the agreed opinion").click()
    page.get_by_label("Agreed opinion").fill("楼组公约增加第三条，自即日起施行。")
    page.get_by_role("button", name="Publish").click()
    main(page).get_by_role("link", name="Building convention, version 2").click()
    expect(page).to_have_url(f"/floors/{building.pk}/convention/")
    expect(main(page).locator("section").first).to_contain_text("Version 2")
    expect(main(page).locator("section").first).to_contain_text("三、屋面维修费用按专有面积分摊。")
    expect(main(page).locator("section").nth(1)).to_contain_text("Version 1")
    shot(page, "convention-versions")
    assert list(ConventionVersion.objects.filter(building=building).values_list("number", flat=True)) == [2, 1]
    assert browser_console_errors == []
