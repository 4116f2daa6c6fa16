import re

import pytest
from django.urls import reverse

from members import services
from members.models import Membership, Role, User
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_pending_request,
    make_resident,
    make_street,
    make_street_officer,
    make_user,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"


def login(client, user):
    client.force_login(user)
    return client


# --- Accounts ---------------------------------------------------------------------

def test_resident_signs_up_with_a_phone_and_verifies_it_by_sms_code(client, sms_outbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(reverse("account_signup"), {
            "full_name": "李桂英", "phone": "138 1234 5678", "password1": "Lane-and-lilac-77",
            "password2": "Lane-and-lilac-77"})
    assert response.status_code == 302
    user = User.objects.get(phone="+8613812345678")
    assert user.full_name == "李桂英"
    assert user.phone_verified is False
    assert len(sms_outbox) == 1 and sms_outbox[0]["phone"] == "+8613812345678"
    assert sms_outbox[0]["template"] == "verify"
    code = re.search(r"(\d{6})", sms_outbox[0]["message"]).group(1)
    assert sms_outbox[0]["params"] == [code]
    response = client.post(reverse("account_verify_phone"), {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified is True
    assert client.get(reverse("home")).context["user"] == user


def test_signup_with_an_invalid_phone_shows_a_message_and_creates_nobody(client):
    response = client.post(reverse("account_signup"), {
        "full_name": "张三", "phone": "12345", "password1": "Lane-and-lilac-77",
        "password2": "Lane-and-lilac-77"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not User.objects.filter(full_name="张三").exists()


def test_resident_logs_in_with_phone_and_password(client):
    make_user(phone="+8613900000001", password=PASSWORD)
    response = client.post(reverse("account_login"), {"login": "13900000001", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" in client.session


def test_staff_without_a_phone_logs_in_with_username(client):
    staff = make_user(username="organizer1", password=PASSWORD, phone=None)
    response = client.post(reverse("account_login"), {"login": "organizer1", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_resident_with_an_unverified_phone_is_asked_for_the_sms_code_at_login(client, sms_outbox,
                                                                             django_capture_on_commit_callbacks):
    user = make_user(phone="+8613900000003", password=PASSWORD)
    user.phone_verified = False
    user.save(update_fields=["phone_verified"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": "13900000003", "password": PASSWORD})
    assert response["Location"] == reverse("account_verify_phone")
    assert "_auth_user_id" not in client.session
    assert sms_outbox[-1]["phone"] == "+8613900000003"


def test_failed_logins_are_rate_limited_even_for_the_right_password(client):
    make_user(phone="+8613900000002", password=PASSWORD)
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "13900000002", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": "13900000002", "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


# --- Joining ------------------------------------------------------------------------

def test_join_flow_pages_lead_to_a_pending_request(client):
    household = make_household(door_number="302")
    building = household.building
    user = make_user()
    login(client, user)
    compound = building.compound
    assert client.get(reverse("members:join_start")).status_code == 200
    assert compound.name in client.get(reverse("members:join_committee", args=[compound.committee_id])).text
    assert building.name in client.get(reverse("members:join_compound", args=[compound.pk])).text
    response = client.post(reverse("members:join_building", args=[building.pk]),
                           {"household": household.pk})
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.PENDING
    assert "302" in client.get(reverse("members:my_memberships")).text


def test_join_with_a_household_of_another_building_changes_nothing(client):
    building = make_building()
    elsewhere = make_household()
    login(client, make_user())
    response = client.post(reverse("members:join_building", args=[building.pk]),
                           {"household": elsewhere.pk})
    assert response.status_code == 200
    assert "household" in response.context["form"].errors
    assert not Membership.objects.exists()


def test_join_twice_shows_a_message_not_an_error_page(client):
    request = make_pending_request()
    login(client, request.user)
    response = client.post(reverse("members:join_building", args=[request.household.building_id]),
                           {"household": request.household.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Membership.objects.count() == 1


def test_join_pages_need_a_login(client):
    response = client.get(reverse("members:join_start"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- Organizer scoping -------------------------------------------------------------

@pytest.fixture
def two_committees():
    street = make_street()
    a, b = make_committee(street), make_committee(street)
    return a, b


@pytest.mark.parametrize("name", [
    "committee_detail", "committee_residents", "committee_households", "committee_requests",
    "committee_roles", "roster_import", "roster_template",
])
def test_organizer_of_committee_a_gets_404_for_committee_b(client, two_committees, name):
    a, b = two_committees
    login(client, make_organizer(a))
    assert client.get(reverse(f"members:{name}", args=[a.pk])).status_code == 200
    assert client.get(reverse(f"members:{name}", args=[b.pk])).status_code == 404


def test_resident_without_a_role_gets_404_for_the_organizer_pages(client, two_committees):
    a, _ = two_committees
    login(client, make_resident(make_household(make_building(make_compound(a)))))
    assert client.get(reverse("members:committee_residents", args=[a.pk])).status_code == 404


def test_organizer_cannot_decide_a_request_of_another_committee_even_through_their_own_url(
        client, two_committees):
    a, b = two_committees
    foreign = make_pending_request(make_household(make_building(make_compound(b))))
    login(client, make_organizer(a))
    url = reverse("members:request_decide", args=[a.pk, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approve"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Membership.Status.PENDING


def test_organizer_cannot_import_into_another_committee(client, two_committees):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a, b = two_committees
    make_building(make_compound(b, name="B小区"), name="1号楼")
    login(client, make_organizer(a))
    upload = SimpleUploadedFile("r.csv", "小区,楼栋,门牌号,建筑面积,自住,姓名,电话,户代表\n"
                                "B小区,1号楼,101,60,是,张三,13800000001,张三\n".encode())
    response = client.post(reverse("members:roster_import", args=[b.pk]), {"file": upload})
    assert response.status_code == 404
    assert not Membership.objects.exists()


def test_organizer_approves_a_request(client):
    request = make_pending_request()
    committee = request.household.building.compound.committee
    login(client, make_organizer(committee))
    url = reverse("members:request_decide", args=[committee.pk, request.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Membership.Status.VERIFIED


def test_organizer_rejects_with_a_reason_the_resident_then_sees(client):
    request = make_pending_request()
    committee = request.household.building.compound.committee
    login(client, make_organizer(committee))
    url = reverse("members:request_decide", args=[committee.pk, request.pk])
    response = client.post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == Membership.Status.PENDING
    client.post(url, {"action": "reject", "reason": "此户已登记其他住户"})
    request.refresh_from_db()
    assert request.status == Membership.Status.REJECTED
    login(client, request.user)
    assert "此户已登记其他住户" in client.get(reverse("members:my_memberships")).text


def test_deciding_an_already_decided_request_shows_a_message(client):
    request = make_pending_request()
    committee = request.household.building.compound.committee
    organizer = make_organizer(committee)
    services.membership_approve(membership=request, by=organizer)
    login(client, organizer)
    response = client.post(reverse("members:request_decide", args=[committee.pk, request.pk]),
                           {"action": "reject", "reason": "x"}, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    request.refresh_from_db()
    assert request.status == Membership.Status.VERIFIED


def test_organizer_grants_and_revokes_a_floor_leader(client):
    household = make_household()
    committee = household.building.compound.committee
    resident = make_resident(household, phone="+8613700000009")
    login(client, make_organizer(committee))
    response = client.post(reverse("members:committee_roles", args=[committee.pk]), {
        "phone": "13700000009", "kind": Role.Kind.FLOOR_LEADER, "building": household.building_id})
    assert response.status_code == 302
    role = Role.objects.get(user=resident, kind=Role.Kind.FLOOR_LEADER)
    assert role.building == household.building
    response = client.post(reverse("members:role_revoke", args=[committee.pk, role.pk]))
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()


def test_granting_a_role_to_an_unknown_phone_shows_a_message(client):
    committee = make_committee()
    login(client, make_organizer(committee))
    response = client.post(reverse("members:committee_roles", args=[committee.pk]), {
        "phone": "13700000008", "kind": Role.Kind.PARTY_MEMBER})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Role.objects.filter(kind=Role.Kind.PARTY_MEMBER).exists()


def test_organizer_cannot_revoke_a_role_of_another_committee(client, two_committees):
    a, b = two_committees
    role = services.role_grant(user=make_user(), kind=Role.Kind.PARTY_MEMBER, committee=b, by=None)
    login(client, make_organizer(a))
    assert client.post(reverse("members:role_revoke", args=[a.pk, role.pk])).status_code == 404
    assert Role.objects.filter(pk=role.pk).exists()


def test_resident_search_and_building_filter(client):
    committee = make_committee()
    b1 = make_building(make_compound(committee))
    b2 = make_building(make_compound(committee))
    make_resident(make_household(b1), name="陈建国")
    make_resident(make_household(b2), name="周美玲")
    login(client, make_organizer(committee))
    url = reverse("members:committee_residents", args=[committee.pk])
    names = [m.user.full_name for m in client.get(url, {"q": "建国"}).context["page"]]
    assert names == ["陈建国"]
    names = [m.user.full_name for m in client.get(url, {"building": b2.pk}).context["page"]]
    assert names == ["周美玲"]
    assert client.get(url, {"building": "not-a-number", "page": "x"}).status_code == 200


# --- Street office ------------------------------------------------------------------

def test_street_officer_sees_only_their_street(client):
    mine, other = make_street(), make_street()
    make_committee(mine, name="宁和居民区")
    login(client, make_street_officer(mine))
    response = client.get(reverse("members:street_detail", args=[mine.pk]))
    assert response.status_code == 200
    assert "宁和居民区" in response.text
    assert client.get(reverse("members:street_detail", args=[other.pk])).status_code == 404


def test_street_officer_gets_404_for_a_committees_organizer_pages(client):
    street = make_street()
    committee = make_committee(street)
    login(client, make_street_officer(street))
    assert client.get(reverse("members:committee_residents", args=[committee.pk])).status_code == 404


# --- Query counts (N+1 would fail these) ------------------------------------------------

@pytest.fixture
def busy_committee():
    committee = make_committee()
    buildings = [make_building(make_compound(committee)) for _ in range(3)]
    for i in range(60):
        household = make_household(buildings[i % 3], door_number=str(100 + i))
        make_resident(household, representative=True)
        make_pending_request(household)
    return committee


@pytest.mark.parametrize("name", [
    "committee_residents", "committee_households", "committee_requests", "committee_roles",
    "committee_detail",
])
def test_list_pages_use_a_constant_number_of_queries(client, busy_committee, django_assert_max_num_queries,
                                                      name):
    organizer = make_organizer(busy_committee)
    for membership in Membership.objects.filter(status="verified")[:55]:
        services.role_grant(user=membership.user, kind=Role.Kind.PARTY_MEMBER, committee=busy_committee,
                            by=None)
    login(client, organizer)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(f"members:{name}", args=[busy_committee.pk]))
    assert response.status_code == 200


def test_street_page_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    street = make_street()
    for _ in range(55):
        committee = make_committee(street)
        make_resident(make_household(make_building(make_compound(committee))))
    login(client, make_street_officer(street))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("members:street_detail", args=[street.pk]))
    assert response.status_code == 200
    assert len(response.context["committees"]) == 55


def test_home_and_my_memberships_use_a_constant_number_of_queries(client, django_assert_max_num_queries):
    user = make_user()
    for _ in range(55):
        services.membership_request(user=user, household=make_household())
    login(client, user)
    for name in ("home", "members:my_memberships"):
        # The home page asks every app what is waiting (each a constant few queries).
        with django_assert_max_num_queries(24 if name == "home" else 12):
            assert client.get(reverse(name)).status_code == 200


def test_join_lists_use_a_constant_number_of_queries(client, django_assert_max_num_queries):
    street = make_street()
    committees = [make_committee(street) for _ in range(52)]
    compound = make_compound(committees[0])
    for _ in range(52):
        make_compound(committees[0])
        make_building(compound)
    building = make_building(compound)
    for i in range(55):
        make_household(building, door_number=str(i + 1))
    login(client, make_user())
    for url in (reverse("members:join_start"), reverse("members:join_committee", args=[committees[0].pk]),
                reverse("members:join_compound", args=[compound.pk]),
                reverse("members:join_building", args=[building.pk])):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


# --- Language --------------------------------------------------------------------------

def test_chinese_is_the_default_and_english_is_available(client):
    response = client.get(reverse("home"))
    assert response.text.count('lang="zh-hans"') == 1
    assert "登录" in response.text
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign in" in client.get(reverse("home")).text


def test_pages_send_a_content_security_policy_without_unsafe_inline(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


# --- Roster import page -------------------------------------------------------------------

ROSTER_HEADER = ["小区", "楼栋", "门牌号", "建筑面积", "自住", "姓名", "电话", "户代表"]


def test_roster_import_page_lists_every_bad_row_and_imports_nothing(client):
    from tests.factories import make_roster_csv

    committee = make_committee()
    make_building(make_compound(committee, name="延长新村"), name="1号楼")
    login(client, make_organizer(committee))
    upload = make_roster_csv([
        ROSTER_HEADER,
        ["延长新村", "1号楼", "101", "75.5", "是", "张三", "13800000001", "张三"],
        ["延长新村", "1号楼", "102", "abc", "是", "李四", "13800000002", ""],
        ["延长新村", "9号楼", "103", "60", "是", "王五", "13800000003", ""],
        ["延长新村", "1号楼", "101", "60", "是", "赵六", "13800000004", ""],
    ])
    response = client.post(reverse("members:roster_import", args=[committee.pk]), {"file": upload})
    assert response.status_code == 200
    rows = sorted({e.row_number for e in response.context["errors"]})
    assert rows == [3, 4, 5]
    assert not Membership.objects.exists()


def test_roster_import_page_imports_a_good_file(client):
    from members.models import Household
    from tests.factories import make_roster_xlsx

    committee = make_committee()
    make_building(make_compound(committee, name="延长新村"), name="1号楼")
    login(client, make_organizer(committee))
    upload = make_roster_xlsx([
        ROSTER_HEADER,
        ["延长新村", "1号楼", "101", 75.5, "是", "张三、李四", "13800000001;13800000002", "张三"],
    ])
    response = client.post(reverse("members:roster_import", args=[committee.pk]), {"file": upload})
    assert response.status_code == 200
    assert response.context["result"].households_created == 1
    assert Household.objects.get().memberships.filter(status="verified").count() == 2


def test_roster_import_page_refuses_a_wrong_file_type_with_a_message(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    committee = make_committee()
    login(client, make_organizer(committee))
    upload = SimpleUploadedFile("roster.pdf", b"%PDF-1.4 not a roster")
    response = client.post(reverse("members:roster_import", args=[committee.pk]), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Membership.objects.exists()


def test_resident_imported_without_a_password_signs_in_with_an_sms_code(client, sms_outbox,
                                                                         django_capture_on_commit_callbacks):
    person = services.person_ensure(full_name="王阿姨", phone="+8613600000001")
    assert not person.has_usable_password()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"phone": "136 0000 0001"})
    assert response.status_code == 302
    code = re.search(r"(\d{6})", sms_outbox[-1]["message"]).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_unknown_page_shows_a_friendly_page_in_chinese(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到这个页面" in response.text


def test_the_last_organizer_revoking_their_own_role_is_told_why_and_keeps_it(client):
    committee = make_committee()
    organizer = make_organizer(committee)
    role = Role.objects.get(user=organizer, kind=Role.Kind.ORGANIZER)
    login(client, organizer)
    response = client.post(reverse("members:role_revoke", args=[committee.pk, role.pk]), follow=True)
    assert response.status_code == 200
    assert Role.objects.filter(pk=role.pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_admin_cannot_delete_the_last_organizer_one_by_one_or_in_bulk(client):
    committee = make_committee()
    role = Role.objects.get(user=make_organizer(committee), kind=Role.Kind.ORGANIZER)
    admin = make_user(name="Superuser")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post(reverse("admin:members_role_delete", args=[role.pk]), {"post": "yes"}, follow=True)
    assert response.status_code == 200 and Role.objects.filter(pk=role.pk).exists()
    response = client.post(reverse("admin:members_role_changelist"), {
        "action": "delete_selected", "_selected_action": [role.pk], "post": "yes"}, follow=True)
    assert response.status_code == 200 and Role.objects.filter(pk=role.pk).exists()
    # With a second organizer the first one can go, and the history says who removed it.
    make_organizer(committee)
    client.post(reverse("admin:members_role_delete", args=[role.pk]), {"post": "yes"})
    assert not Role.objects.filter(pk=role.pk).exists()
    assert Role.history.filter(id=role.pk, history_type="-").get().history_user == admin
