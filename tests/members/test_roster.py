import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Household, Membership, User
from members.roster import (
    ROSTER_TEMPLATE_HEADERS,
    RosterError,
    parse_roster,
    roster_import,
    roster_template_csv,
)
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
    make_roster_csv,
    make_roster_xlsx,
)

HEADER = ["小区", "楼栋", "门牌号", "建筑面积", "自住", "姓名", "电话", "户代表"]
ENGLISH_HEADER = ["compound", "building", "door_number", "floor_area", "owner_occupied", "names",
                  "phones", "representative"]
GOOD_ROWS = [
    ["幸福小区", "1号楼", "101", "75.50", "是", "张三、李四", "13812345678、13912345678", "张三"],
    ["幸福小区", "1号楼", "102", "88", "否", "王五", "", ""],
    ["幸福小区", "2号楼", "201", "120.25", "", "赵六，钱七；孙八", "13712345678,,13612345678", "孙八"],
]


@pytest.fixture
def place():
    committee = make_committee()
    compound = make_compound(committee, name="幸福小区")
    make_building(compound, name="1号楼")
    make_building(compound, name="2号楼")
    return committee


@pytest.fixture
def organizer(place):
    return make_organizer(place)


def counts() -> tuple[int, int, int]:
    return Household.objects.count(), Membership.objects.count(), User.objects.count()


def row_codes(error: RosterError) -> list[tuple[int, str]]:
    return [(e.row_number, e.code) for e in error.row_errors]


def import_rejected(place, organizer, upload) -> RosterError:
    before = counts()
    with pytest.raises(RosterError) as caught:
        roster_import(committee=place, uploaded_file=upload, by=organizer)
    assert counts() == before
    return caught.value


def file_rejected(place, organizer, upload) -> ValidationError:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        roster_import(committee=place, uploaded_file=upload, by=organizer)
    assert not isinstance(caught.value, RosterError)
    assert counts() == before
    return caught.value


def assert_good_rows_imported(place) -> None:
    households = Household.objects.filter(building__compound__committee=place)
    assert households.count() == 3
    flat_101 = households.get(building__name="1号楼", door_number="101")
    assert flat_101.floor_area == Decimal("75.50")
    assert flat_101.owner_occupied is True
    assert households.get(door_number="102").owner_occupied is False
    assert households.get(door_number="201").owner_occupied is True
    zhang = User.objects.get(phone="+8613812345678")
    assert zhang.full_name == "张三"
    membership = Membership.objects.get(user=zhang, household=flat_101)
    assert membership.status == Membership.Status.VERIFIED
    assert membership.is_representative
    assert not Membership.objects.get(user__full_name="李四").is_representative
    assert User.objects.get(full_name="王五").phone is None
    assert User.objects.get(full_name="钱七").phone is None
    assert Membership.objects.get(user__phone="+8613612345678").is_representative  # 孙八
    assert Membership.objects.filter(household__in=households, status="verified").count() == 6


@pytest.mark.django_db
def test_a_good_csv_imports_households_residents_and_representatives(place, organizer):
    users_before = User.objects.count()

    result = roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, *GOOD_ROWS]),
                           by=organizer)

    assert_good_rows_imported(place)
    assert User.objects.count() == users_before + 6
    assert (result.households_created, result.households_updated) == (3, 0)
    assert (result.residents_created, result.residents_linked, result.residents_unchanged) == (6, 0, 0)
    assert result.representatives_set == 2


@pytest.mark.django_db
def test_a_good_xlsx_with_english_headers_and_numeric_cells_imports_the_same(place, organizer):
    rows = [[101 if cell == "101" else cell for cell in row] for row in GOOD_ROWS]
    rows[0][3] = 75.5
    rows[1][6] = None

    roster_import(committee=place, uploaded_file=make_roster_xlsx([ENGLISH_HEADER, *rows]), by=organizer)

    assert_good_rows_imported(place)


@pytest.mark.django_db
def test_a_csv_with_a_byte_order_mark_imports(place, organizer):
    upload = make_roster_csv([HEADER, *GOOD_ROWS], encoding="utf-8-sig")

    roster_import(committee=place, uploaded_file=upload, by=organizer)

    assert_good_rows_imported(place)


@pytest.mark.django_db
def test_a_gb18030_csv_from_excel_imports(place, organizer):
    upload = make_roster_csv([HEADER, *GOOD_ROWS], encoding="gb18030")

    roster_import(committee=place, uploaded_file=upload, by=organizer)

    assert_good_rows_imported(place)


@pytest.mark.django_db
def test_a_tab_separated_utf16_file_saved_as_unicode_text_imports(place, organizer):
    text = "\r\n".join("\t".join(row) for row in [HEADER, *GOOD_ROWS])
    upload = SimpleUploadedFile("roster.csv", text.encode("utf-16"))

    roster_import(committee=place, uploaded_file=upload, by=organizer)

    assert_good_rows_imported(place)


@pytest.mark.django_db
def test_a_reimport_can_move_the_representative(place, organizer):
    roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, GOOD_ROWS[0]]), by=organizer)
    moved = list(GOOD_ROWS[0])
    moved[7] = "李四"

    roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, moved]), by=organizer)

    representatives = Membership.objects.filter(is_representative=True)
    assert [m.user.full_name for m in representatives] == ["李四"]


@pytest.mark.django_db
def test_a_reimport_updates_instead_of_duplicating(place, organizer):
    roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, *GOOD_ROWS]), by=organizer)
    before = counts()
    flat_101 = Household.objects.get(door_number="101")
    history_before = flat_101.history.count()
    changed = [list(row) for row in GOOD_ROWS]
    changed[0][3] = "76.00"
    changed[0][4] = "否"
    changed[0][5] = "张三丰、李四"
    changed[0][7] = "张三丰"

    result = roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, *changed]),
                           by=organizer)

    assert counts() == before
    flat_101.refresh_from_db()
    assert (flat_101.floor_area, flat_101.owner_occupied) == (Decimal("76.00"), False)
    assert flat_101.history.count() == history_before + 1
    assert flat_101.history.first().history_user == organizer
    assert User.objects.get(phone="+8613812345678").full_name == "张三丰"
    assert (result.households_created, result.households_updated, result.households_unchanged) == (0, 1, 2)
    assert (result.residents_created, result.residents_linked, result.residents_unchanged) == (0, 0, 6)
    assert result.representatives_set == 0


@pytest.mark.django_db
def test_a_resident_without_a_phone_is_matched_by_name_in_the_household(place, organizer):
    building = place.compounds.get().buildings.get(name="1号楼")
    flat = make_household(building, door_number="102", floor_area="88")
    wang = make_resident(flat, name="王五")
    before = counts()

    result = roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, GOOD_ROWS[1]]),
                           by=organizer)

    assert counts() == before
    assert list(flat.memberships.values_list("user", flat=True)) == [wang.pk]
    assert (result.residents_created, result.residents_unchanged) == (0, 1)


@pytest.mark.django_db
def test_a_resident_listed_without_a_phone_keeps_the_account_when_a_phone_is_added(place, organizer):
    roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, GOOD_ROWS[1]]), by=organizer)
    wang = User.objects.get(full_name="王五")
    before = counts()
    with_phone = list(GOOD_ROWS[1])
    with_phone[6] = "13512345678"

    roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, with_phone]), by=organizer)

    assert counts() == before
    wang.refresh_from_db()
    assert wang.phone == "+8613512345678"


@pytest.mark.django_db
def test_an_existing_person_is_linked_to_a_new_household(place, organizer):
    person = make_resident(name="张三", phone="+8613812345678")

    result = roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, GOOD_ROWS[0]]),
                           by=organizer)

    assert Membership.objects.filter(user=person, status="verified").count() == 2
    assert (result.residents_created, result.residents_linked) == (1, 1)


@pytest.mark.django_db
def test_bad_floor_areas_are_listed_by_row_and_nothing_is_imported(place, organizer):
    rows = [HEADER, GOOD_ROWS[0]]
    for door, area in [("301", "abc"), ("302", "0"), ("303", "-5"), ("304", "10000"), ("305", "12.345")]:
        rows.append(["幸福小区", "1号楼", door, area, "", f"居民{door}", "", ""])

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(3, "floor_area_not_a_number"), (4, "floor_area_out_of_range"),
                                (5, "floor_area_out_of_range"), (6, "floor_area_out_of_range"),
                                (7, "floor_area_too_precise")]
    assert error.code == "invalid_rows"
    assert all(e.column == "floor_area" for e in error.row_errors)


@pytest.mark.django_db
def test_floor_area_with_a_unit_and_full_width_digits_is_accepted(place, organizer):
    row = ["幸福小区", "1号楼", "101", "８９.５㎡", "", "张三", "", ""]

    roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, row]), by=organizer)

    assert Household.objects.get().floor_area == Decimal("89.50")


@pytest.mark.django_db
def test_a_duplicate_door_number_names_the_later_row(place, organizer):
    rows = [HEADER, *GOOD_ROWS, ["幸福小区", "1号楼", "101", "70", "", "周九", "", ""]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(5, "duplicate_door")]


@pytest.mark.django_db
def test_the_same_door_number_in_two_buildings_is_fine(place, organizer):
    rows = [HEADER, GOOD_ROWS[0], ["幸福小区", "2号楼", "101", "70", "", "周九", "", ""]]

    result = roster_import(committee=place, uploaded_file=make_roster_csv(rows), by=organizer)

    assert result.households_created == 2


@pytest.mark.django_db
def test_an_unknown_building_is_listed_by_row(place, organizer):
    rows = [HEADER, *GOOD_ROWS, ["幸福小区", "9号楼", "901", "70", "", "周九", "", ""]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(5, "unknown_building")]
    assert error.row_errors[0].column == "building"


@pytest.mark.django_db
def test_an_unknown_compound_is_listed_by_row(place, organizer):
    rows = [HEADER, ["别的小区", "1号楼", "101", "70", "", "周九", "", ""], *GOOD_ROWS]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(2, "unknown_compound")]


@pytest.mark.django_db
def test_a_compound_of_another_committee_is_unknown(place, organizer):
    other = make_compound(make_committee(), name="邻居小区")
    make_building(other, name="1号楼")
    rows = [HEADER, ["邻居小区", "1号楼", "101", "70", "", "周九", "", ""]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(2, "unknown_compound")]
    assert not Household.objects.filter(building__compound=other).exists()


@pytest.mark.django_db
def test_an_invalid_phone_is_listed_by_row(place, organizer):
    rows = [HEADER, *GOOD_ROWS, ["幸福小区", "2号楼", "202", "70", "", "周九、吴十", "、12345", ""]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(5, "invalid_phone")]
    assert error.row_errors[0].column == "phones"


@pytest.mark.django_db
def test_more_phones_than_names_and_a_phone_used_twice_are_listed(place, organizer):
    rows = [HEADER, *GOOD_ROWS,
            ["幸福小区", "2号楼", "202", "70", "", "周九", "13512345678/13412345678", ""],
            ["幸福小区", "2号楼", "203", "70", "", "吴十", "138 1234 5678", ""]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(5, "too_many_phones"), (6, "duplicate_phone")]


@pytest.mark.django_db
def test_a_representative_not_among_the_names_is_listed_by_row(place, organizer):
    rows = [HEADER, GOOD_ROWS[0], ["幸福小区", "1号楼", "102", "70", "", "周九、吴十", "", "郑十一"]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(3, "representative_not_listed")]


@pytest.mark.django_db
def test_empty_required_cells_and_bad_names_are_listed_by_row(place, organizer):
    rows = [HEADER,
            ["幸福小区", "1号楼", "101", "70", "", "", "", ""],
            ["幸福小区", "1号楼", "102", "70", "", "周九、、吴十", "", ""],
            ["幸福小区", "1号楼", "103", "70", "", "周九、周九", "", ""],
            ["幸福小区", "", "104", "70", "也许", "周九", "", ""]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(2, "required"), (3, "empty_name"), (4, "duplicate_name"),
                                (5, "required"), (5, "invalid_owner_occupied")]


@pytest.mark.django_db
def test_errors_in_many_rows_are_all_listed(place, organizer):
    rows = [HEADER,
            ["幸福小区", "1号楼", "101", "abc", "", "周九", "12345", "吴十"],
            GOOD_ROWS[1],
            ["幸福小区", "9号楼", "101", "70", "", "吴十", "", ""]]

    error = import_rejected(place, organizer, make_roster_csv(rows))

    assert row_codes(error) == [(2, "floor_area_not_a_number"), (2, "invalid_phone"),
                                (2, "representative_not_listed"), (4, "unknown_building")]


@pytest.mark.django_db
def test_row_numbers_are_spreadsheet_rows_even_below_a_title_and_blank_rows(place, organizer):
    rows = [["幸福小区住户花名册"], HEADER, GOOD_ROWS[0], [], ["幸福小区", "1号楼", "102", "x", "", "周九"]]

    error = import_rejected(place, organizer, make_roster_xlsx(rows))

    assert row_codes(error) == [(5, "floor_area_not_a_number")]


@pytest.mark.django_db
@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("roster.txt", "小区,楼栋\n".encode()),
    SimpleUploadedFile("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)),
    SimpleUploadedFile("roster.xlsx", "小区,楼栋,门牌号\n幸福小区,1号楼,101\n".encode()),
    SimpleUploadedFile("roster.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
    SimpleUploadedFile("roster.csv", b"\xff\xd8\xff\xe0" + bytes(range(128, 256)) * 4),
    SimpleUploadedFile("roster", b"compound,building"),
], ids=["txt", "xls", "text-named-xlsx", "png-named-csv", "binary-named-csv", "no-extension"])
def test_a_file_of_the_wrong_type_is_refused(place, organizer, upload):
    error = file_rejected(place, organizer, upload)

    assert error.code == "wrong_file_type"


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused(place, organizer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")

    error = file_rejected(place, organizer, SimpleUploadedFile("roster.xlsx", out.getvalue()))

    assert error.code == "wrong_file_type"


@pytest.mark.django_db
@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("roster.csv", b""),
    SimpleUploadedFile("roster.csv", "\ufeff\r\n\r\n".encode()),
    SimpleUploadedFile("roster.xlsx", b""),
], ids=["empty-csv", "blank-csv", "empty-xlsx"])
def test_an_empty_file_is_refused(place, organizer, upload):
    assert file_rejected(place, organizer, upload).code == "empty"


@pytest.mark.django_db
def test_a_header_without_rows_is_empty(place, organizer):
    assert file_rejected(place, organizer, make_roster_csv([HEADER])).code == "empty"
    assert file_rejected(place, organizer, make_roster_xlsx([HEADER])).code == "empty"


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["身份证号", "身份证号码", "证件号码", "ID number", "id_number"])
def test_a_file_with_an_id_number_column_is_refused(place, organizer, column):
    rows = [[*HEADER, column], [*GOOD_ROWS[0], ""]]

    assert file_rejected(place, organizer, make_roster_csv(rows)).code == "id_numbers_refused"


@pytest.mark.django_db
def test_an_id_number_in_any_cell_is_refused(place, organizer):
    rows = [[*HEADER, "备注"], [*GOOD_ROWS[0], ""], [*GOOD_ROWS[1], "身份证 11010519491231002X"]]

    error = file_rejected(place, organizer, make_roster_xlsx(rows))

    assert error.code == "id_numbers_refused"


@pytest.mark.django_db
def test_a_missing_required_column_is_named(place, organizer):
    rows = [[c for c in HEADER if c != "建筑面积"], [c for c in GOOD_ROWS[0] if c != "75.50"]]

    error = file_rejected(place, organizer, make_roster_csv(rows))

    assert error.code == "missing_column"
    assert "建筑面积" in error.message


@pytest.mark.django_db
def test_optional_columns_may_be_left_out(place, organizer):
    rows = [HEADER[:4] + ["姓名"], GOOD_ROWS[0][:4] + ["张三、李四"]]

    result = roster_import(committee=place, uploaded_file=make_roster_csv(rows), by=organizer)

    assert (result.households_created, result.residents_created) == (1, 2)
    assert not Membership.objects.filter(is_representative=True).exists()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(place, organizer, settings):
    settings.ROSTER_MAX_BYTES = 100

    error = file_rejected(place, organizer, make_roster_csv([HEADER, *GOOD_ROWS]))

    assert error.code == "file_too_large"


@pytest.mark.django_db
def test_an_organizer_of_another_committee_may_not_import(place):
    stranger = make_organizer(make_committee())

    with pytest.raises(PermissionDenied):
        roster_import(committee=place, uploaded_file=make_roster_csv([HEADER, *GOOD_ROWS]), by=stranger)

    assert not Household.objects.exists()


@pytest.mark.django_db
def test_the_template_is_a_valid_roster(place, organizer):
    template = roster_template_csv().text()
    upload = SimpleUploadedFile("template.csv", template.encode())

    result = roster_import(committee=place, uploaded_file=upload, by=organizer)

    assert template.startswith("\ufeff" + ",".join(ROSTER_TEMPLATE_HEADERS))
    assert (result.households_created, result.residents_created, result.representatives_set) == (1, 2, 1)
    assert Membership.objects.get(is_representative=True).user.phone == "+8613812345678"


def test_parsing_keeps_spreadsheet_row_numbers_and_column_keys():
    rows = parse_roster(make_roster_csv([["幸福小区住户花名册"], HEADER, GOOD_ROWS[0], [], GOOD_ROWS[1]]))

    assert [row.row_number for row in rows] == [3, 5]
    assert rows[0].cells == dict(zip(ENGLISH_HEADER, GOOD_ROWS[0], strict=True))
