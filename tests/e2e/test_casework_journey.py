"""The residents' request journey, on a phone: found — routed — handled — answered — rated.

Read it as a story. 陈静 of 延长新村 1号楼 finds water coming through her ceiling. She files a
request with a photo from her phone and does not want the property firm to know her name. The
committee's organizer routes it on a 流转单 to the compound's property firm; the firm's contact
accepts it and answers. 陈静 rates the answer 不满意: the request reopens and goes back to the
firm, which answers again; she rates it 满意 and it closes. The street office's dashboard shows
the firm's year of requests after each rating: one answered, 0 % satisfied, then 100 %. The firm's
contact never sees her name. A screenshot is saved after each step in test-artifacts/screenshots/.
"""

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from casework.models import Case
from members.models import Notification
from tests.casework.conftest import make_contact
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_property_firm,
    make_resident,
    make_street,
    make_street_officer,
    make_user,
)

FIRM = "上海延长物业管理有限公司"


@pytest.fixture
def yanchang(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    street = make_street("大宁路街道")
    committee = make_committee(street, name="延长居民区")
    firm = make_property_firm(street, name=FIRM)
    building = make_building(make_compound(committee, name="延长新村", property_firm=firm), name="1号楼")
    return {
        "street": street, "committee": committee, "firm": firm,
        "resident": make_resident(make_household(building, door_number="601"), name="陈静"),
        "organizer": make_organizer(committee, user=make_user(name="赵敏")),
        "firm_contact": make_contact(firm, "物业王经理"),
        "officer": make_street_officer(street, user=make_user(name="吴涛")),
    }


def photo_file(tmp_path):
    """A real photo-like PNG: a stain on a ceiling."""
    image = Image.new("RGB", (320, 240), (235, 235, 230))
    for x in range(110, 210):
        for y in range(80, 160):
            if (x - 160) ** 2 + (y - 120) ** 2 < 45 ** 2:
                image.putpixel((x, y), (150, 130, 90))
    path = tmp_path / "ceiling.png"
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def main(page: Page):
    return page.get_by_role("main")


def firm_row(page: Page, officer_url: str):
    page.goto(officer_url)
    return page.locator("table.casework-table tr", has_text=FIRM)


def test_a_resident_request_goes_round_and_feeds_the_street_dashboard(page: Page, yanchang, login_as, shot,
                                                                     tmp_path, browser_console_errors):
    w = yanchang
    dashboard = f"/streets/{w['street'].pk}/evaluations/dashboard/"

    # 1. 陈静 files the request with a photo, on her phone, without being named to the firm.
    login_as(w["resident"])
    page.goto("/requests/")
    main(page).get_by_role("link", name="New request").click()
    page.get_by_label("Building").select_option(label="延长新村 1号楼")
    page.get_by_label("Room or place").fill("601室卫生间")
    page.get_by_label("What kind of matter?").select_option(label="water leak or seepage")
    page.get_by_label("What is the matter?").fill("楼上卫生间漏水，渗到我家天花板，墙面发霉。")
    page.get_by_label("Photo").set_input_files(photo_file(tmp_path))
    shot(page, "resident-files-the-request")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("water leak or seepage")
    expect(main(page).locator(".case-photos img")).to_have_count(1)
    shot(page, "request-received")
    case = Case.objects.get()
    assert case.requester == w["resident"] and not case.named_to_handler and case.photos.count() == 1

    # 2. The organizer routes it on a 流转单 to the compound's property firm.
    login_as(w["organizer"])
    page.goto(f"/committees/{w['committee'].pk}/casework/")
    shot(page, "committee-queue")
    main(page).get_by_role("link", name=f"{case.number} · water leak or seepage").click()
    expect(main(page)).to_contain_text("陈静")
    main(page).get_by_role("link", name="Route to the handler").click()
    expect(page.get_by_label("Route to")).to_have_value(str(w["firm"].pk))
    page.get_by_label("Working days to answer").fill("5")
    shot(page, "organizer-routes")
    page.get_by_role("button", name="Route it").click()
    expect(main(page)).to_contain_text("routed to the handler")
    assert Notification.objects.filter(user=w["firm_contact"], kind=Notification.Kind.CASE_NEW).exists()

    # 3. The firm's contact accepts and answers; 陈静's name appears nowhere for them.
    login_as(w["firm_contact"])
    page.goto("/requests/agency/")
    shot(page, "firm-queue")
    main(page).get_by_role("link", name=f"{case.number} · water leak or seepage").click()
    expect(main(page)).to_contain_text("Not named to the handler")
    main(page).get_by_role("link", name="Accept the request").click()
    page.get_by_role("button", name="Accept it").click()
    page.get_by_role("textbox", name="Answer", exact=True).fill("已上门查看：楼上防水层破损，已约定周三修复。")
    page.get_by_role("button", name="Send the answer").click()
    expect(main(page)).to_contain_text("answered, waiting for the rating")
    assert "陈静" not in page.content()
    shot(page, "firm-answered")

    # 4. 陈静 rates it 不满意: it reopens, back with the firm.
    login_as(w["resident"])
    page.goto(case.get_absolute_url())
    main(page).get_by_role("link", name="Rate the answer").click()
    page.get_by_label("dissatisfied (不满意)").check()
    page.get_by_label("Comment (optional)").fill("还没有修，天花板还在滴水。")
    shot(page, "resident-rates-dissatisfied")
    page.get_by_role("button", name="Give my rating").click()
    expect(main(page)).to_contain_text("being handled")
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.reopen_count == 1

    login_as(w["officer"])
    row = firm_row(page, dashboard)
    expect(row).to_contain_text("0%")
    shot(page, "dashboard-after-dissatisfied")

    # 5. The firm answers again; 陈静 rates it 满意 and it closes.
    login_as(w["firm_contact"])
    page.goto(case.get_absolute_url())
    page.get_by_role("textbox", name="Answer", exact=True).fill("防水层已重做，闭水试验48小时无渗漏。")
    page.get_by_role("button", name="Send the answer").click()
    expect(main(page)).to_contain_text("answered, waiting for the rating")

    login_as(w["resident"])
    page.goto(case.get_absolute_url())
    main(page).get_by_role("link", name="Rate the answer").click()
    page.get_by_label("satisfied (满意)", exact=True).check()
    page.get_by_role("button", name="Give my rating").click()
    expect(main(page)).to_contain_text("closed")
    shot(page, "closed-satisfied")

    # 6. The street office's dashboard shows the firm's figures changed.
    login_as(w["officer"])
    row = firm_row(page, dashboard)
    expect(row).to_contain_text("100%")
    expect(row.locator("td").first).to_have_text("1")
    shot(page, "dashboard-after-satisfied")
    assert browser_console_errors == []
