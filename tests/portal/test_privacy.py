"""Canonical phone and ID numbers, masking, scrubbing free text."""

import pytest

from portal.privacy import (
    InvalidNumber,
    canonical_id_number,
    canonical_phone,
    id_check_digit,
    mask_id_number,
    mask_name,
    mask_phone,
    public_text,
    scrub,
)

VALID_ID = "110101199003074514"


def test_id_check_digit_example_is_valid():
    assert canonical_id_number(VALID_ID) == VALID_ID
    assert canonical_id_number("１１０１０１ １９９００３０７ ４５１４") == VALID_ID
    assert canonical_id_number("44030119900101008x") == "44030119900101008X"
    assert id_check_digit(VALID_ID[:17]) == VALID_ID[17]
    assert id_check_digit("44030119900101008") == "X"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),  # full-width digits
        ("13９12345678", "13912345678"),  # mixed
        ("+86 139 1234 5678", "13912345678"),
        ("0471-6521801", "0471-6521801"),
        ("04716521801", "0471-6521801"),
        ("010-12345678", "010-12345678"),
    ],
)
def test_phone_numbers_are_stored_canonical(typed, stored):
    assert canonical_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "1391234567",
        "139123456789",
        "12912345678",
        "139１２３４５６７",
        "١٣٩١٢٣٤٥٦٧٨",
        "13912345678\x00",
        "abc",
        "",
    ],
)
def test_bad_phone_numbers_are_refused_never_half_stored(typed):
    with pytest.raises(InvalidNumber):
        canonical_phone(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "110101199003074510",
        "11010119900307451",
        "110101199013074514",
        "11010119900307451Y",
        "１１０１０１",
    ],
)
def test_bad_id_numbers_are_refused(typed):
    with pytest.raises(InvalidNumber):
        canonical_id_number(typed)


def test_masks():
    assert mask_name("田会平") == "田**"
    assert mask_name("乌兰") == "乌*"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_id_number("150102199003071234") == "1501**********1234"


def test_scrub_masks_numbers_and_names_in_free_text():
    text = "田会平（电话13912345678，身份证110101199003074514）反映楼道堆物，座机0471-6521801。"
    scrubbed = scrub(text, names=["田会平"])
    assert "13912345678" not in scrubbed and "139****5678" in scrubbed
    assert "110101199003074514" not in scrubbed and "1101**********4514" in scrubbed
    assert "田会平" not in scrubbed and "田**" in scrubbed
    assert "6521801" not in scrubbed
    assert scrub("１３９１２３４５６７８") == "139****5678"
    # Nothing else changes: Chinese punctuation and full-width text stay as written.
    assert scrub("已处理，请放心：楼道已清理。") == "已处理，请放心：楼道已清理。"
    assert scrub("联系：１３９１２３４５６７８，谢谢") == "联系：139****5678，谢谢"
    assert scrub("门牌号 20240101 号") == "门牌号 20240101 号"


def test_public_text_leaves_nothing_of_a_number_and_only_the_surname():
    text = "已电话联系田会平（13912345678），身份证号码：110101199003074514，座机0471-6521801。"
    assert public_text(text, names=["田会平"]) == "已电话联系田某。"
    text = "已联系田会平（电话１３９１２３４５６７８）修复路灯；另请王小明回电13800001111。"
    assert public_text(text, names=["田会平", "王小明"]) == "已联系田某修复路灯；另请王某回电。"
    # Text without numbers keeps its punctuation and other figures exactly.
    text = "共清理杂物3车，，涉及12户、30人（含老人）。"
    assert public_text(text) == text


@pytest.mark.parametrize(
    "written",
    [
        "139 1234 5678",
        "139-1234-5678",
        "+8613912345678",
        "+86 139 1234 5678",
        "008613912345678",
        "１３９ １２３４ ５６７８",
        "139.1234.5678",
        "１３９．１２３４．５６７８",
        "139　1234　5678",
    ],
)
def test_mobile_numbers_are_found_as_people_write_them(written):
    text = f"请联系{written}。"
    assert scrub(text) == "请联系139****5678。"
    assert public_text(text) == "请联系。"


def test_id_numbers_grouped_6_8_4_and_spaced_landlines_are_found():
    assert scrub("身份证110101 19900307 4514") == "身份证1101**********4514"
    assert scrub("座机0471 6521801") == "座机0471-****801"
    # Figures that are not numbers of people stay as written.
    for text in ("共13户，金额12345678元", "编号2026-000123", "2026年11月25日"):
        assert scrub(text) == text and public_text(text) == text
    for text in ("人均3.5平方米", "2026.11.26 下午", "面积 1234.56 平方米"):
        assert scrub(text) == text and public_text(text) == text


def test_old_fifteen_digit_id_numbers_are_found():
    assert scrub("老身份证 150102900307123 已核对") == "老身份证 1501*******7123 已核对"
    assert "900307" not in public_text("身份证号码：150102900307123。")


def test_hidden_names_and_numbers_leave_nothing_to_narrow_down():
    text = "举报人赵大勇（13712342222）反映王小明占用公共场地"
    hidden = scrub(text, names=["王小明"], hidden_names=["赵大勇"], hide_numbers=True)
    assert hidden == "举报人***（***）反映王**占用公共场地"
    text = "我住12号楼3单元501室，邻居住5栋2单元，共12户"
    assert scrub(text, hide_numbers=True) == "我住***，邻居住***，共12户"
    assert scrub(text) == text  # elsewhere the place of a problem stays
