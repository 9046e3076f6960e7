"""The Zengin 口座振替 file: writing, reading, and refusing broken files with their line
and field."""

from __future__ import annotations

import dataclasses

import pytest

from madoguchi.payments import zengin

HEADER = zengin.Header(
    consignor_code="1234567890",
    consignor_name="ｶｻﾏｼ",
    transfer_mmdd="0527",
    bank_code="0130",
    bank_name="ｼﾞﾖｳﾖｳ",
    branch_code="001",
    branch_name="ﾎﾝﾃﾝ",
)
RECORDS = [
    zengin.DataRecord(
        bank_code="0001",
        bank_name="ﾐｽﾞﾎ",
        branch_code="001",
        branch_name="ﾄｳｷﾖｳ",
        account_type="1",
        account_number="0012345",
        holder_name="ﾔﾏﾀﾞ ﾀﾛｳ",
        amount=12_300,
        customer_number="00000000000000000001",
        new_code="1",
    ),
    zengin.DataRecord(
        bank_code="0130",
        bank_name="ｼﾞﾖｳﾖｳ",
        branch_code="001",
        branch_name="ﾎﾝﾃﾝ",
        account_type="2",
        account_number="7654321",
        holder_name="ｶ)ｶｻﾏｼﾖｳｼﾞ",
        amount=1_000_000,
        customer_number="00000000000000000002",
    ),
]


def lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def test_the_request_file_has_120_byte_records_in_the_published_positions() -> None:
    data = zengin.write_file(HEADER, RECORDS)
    records = lines(data)
    assert [len(r) for r in records] == [120] * 5
    assert [r[:1] for r in records] == [b"1", b"2", b"2", b"8", b"9"]
    header, first, _second, trailer, end = records
    # ヘッダー: データ区分 1, 種別コード 91, コード区分 0, 委託者コード at 5-14, 委託者名
    # 15-54, 引落日 55-58, 取引銀行番号 59-62, 銀行名 63-77, 支店番号 78-80, 支店名 81-95,
    # 預金種目 96, 口座番号 97-103, ダミー 104-120.
    assert header[1:3] == b"91"
    assert header[3:4] == b"0"
    assert header[4:14] == b"1234567890"
    assert header[14:54] == "ｶｻﾏｼ".encode("cp932").ljust(40)
    assert header[54:58] == b"0527"
    assert header[58:62] == b"0130"
    assert header[77:80] == b"001"
    assert header[103:] == b" " * 17
    # データ: 引落銀行番号 2-5, 支店番号 21-23, ダミー 39-42, 預金種目 43, 口座番号 44-50,
    # 預金者名 51-80, 引落金額 81-90, 新規コード 91, 顧客番号 92-111, 振替結果コード 112.
    assert first[1:5] == b"0001"
    assert first[5:20] == "ﾐｽﾞﾎ".encode("cp932").ljust(15)
    assert first[20:23] == b"001"
    assert first[38:42] == b"    "
    assert first[42:43] == b"1"
    assert first[43:50] == b"0012345"
    assert first[50:80] == "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(30)
    assert first[80:90] == b"0000012300"
    assert first[90:91] == b"1"
    assert first[91:111] == b"00000000000000000001"
    assert first[111:112] == b"0"
    assert first[112:] == b" " * 8
    # トレーラ: 合計件数 2-7, 合計金額 8-19, then zeros for the outcomes in a request.
    assert trailer[1:7] == b"000002"
    assert trailer[7:19] == b"000001012300"
    assert trailer[19:55] == b"0" * 36
    assert end == b"9" + b" " * 119
    # Half-width katakana are one byte each in Shift_JIS.
    assert "ﾔ".encode("cp932") == b"\xd4"


def test_a_request_file_round_trips() -> None:
    data = zengin.write_file(HEADER, RECORDS)
    parsed = zengin.parse_file(data)
    assert parsed.header == HEADER
    assert parsed.records == RECORDS
    assert parsed.trailer == zengin.Trailer(2, 1_012_300)
    assert parsed.lines == [2, 3]
    assert zengin.write_file(parsed.header, parsed.records) == data


@pytest.mark.parametrize("separator", [b"", b"\n", b"\r\n"])
def test_records_are_read_with_or_without_separators(separator: bytes) -> None:
    data = separator.join(lines(zengin.write_file(HEADER, RECORDS))) + separator
    assert zengin.parse_file(data).records == RECORDS


def test_a_result_file_counts_its_outcomes() -> None:
    results = [dataclasses.replace(RECORDS[0], result_code="0"), dataclasses.replace(RECORDS[1], result_code="1")]
    data = zengin.write_file(HEADER, results, result=True)
    parsed = zengin.parse_file(data, result=True)
    assert [r.result_code for r in parsed.records] == ["0", "1"]
    assert parsed.trailer == zengin.Trailer(2, 1_012_300, 1, 12_300, 1, 1_000_000)
    assert lines(data)[3][19:55] == b"000001000000012300000001000001000000"


def test_the_published_result_codes() -> None:
    assert set(zengin.RESULT_CODES) == {"0", "1", "2", "3", "4", "8", "9"}
    assert str(zengin.RESULT_CODES["1"]) == "資金不足"


def broken(position: int, record: int, replacement: bytes, *, result: bool = False) -> bytes:
    """The good file with bytes of one record (0-based) replaced."""
    data = zengin.write_file(HEADER, RECORDS, result=result)
    records = lines(data)
    line = records[record]
    records[record] = line[:position] + replacement + line[position + len(replacement) :]
    return b"\r\n".join(records) + b"\r\n"


def refused(data: bytes, *, result: bool = False) -> zengin.ZenginError:
    with pytest.raises(zengin.ZenginError) as excinfo:
        zengin.parse_file(data, result=result)
    return excinfo.value


def test_a_wrong_record_length_names_its_line() -> None:
    records = lines(zengin.write_file(HEADER, RECORDS))
    records[2] = records[2][:119]
    error = refused(b"\r\n".join(records) + b"\r\n")
    assert (error.line, error.field) == (3, "レコード")
    assert "119" in error.message
    assert error.message.startswith("3行目の「レコード」")
    # Without separators, the short record shows as the last, cut block.
    flat = b"".join(lines(zengin.write_file(HEADER, RECORDS)))[:-5]
    assert refused(flat).line == 5


def test_a_non_numeric_amount_names_its_line_and_field() -> None:
    error = refused(broken(80, 1, b"00000123X0"))
    assert (error.line, error.field) == (2, "引落金額")


def test_a_bad_trailer_total_is_refused() -> None:
    error = refused(broken(7, 3, b"000001012301"))
    assert (error.line, error.field) == (4, "合計金額")
    error = refused(broken(1, 3, b"000003"))
    assert (error.line, error.field) == (4, "合計件数")


def test_an_unknown_result_code_is_refused() -> None:
    error = refused(broken(111, 2, b"7", result=True), result=True)
    assert (error.line, error.field) == (3, "振替結果コード")
    # A request carries 0 only.
    error = refused(broken(111, 1, b"1"))
    assert (error.line, error.field) == (2, "振替結果コード")


def test_result_counts_must_match_the_codes() -> None:
    results = [dataclasses.replace(RECORDS[0], result_code="0"), dataclasses.replace(RECORDS[1], result_code="1")]
    records = lines(zengin.write_file(HEADER, results, result=True))
    records[3] = records[3][:19] + b"000002" + records[3][25:]
    error = refused(b"\r\n".join(records), result=True)
    assert (error.line, error.field) == (4, "振替済件数")


def test_a_wrong_record_order_is_refused() -> None:
    records = lines(zengin.write_file(HEADER, RECORDS))
    swapped = [records[0], records[1], records[3], records[2], records[4]]
    error = refused(b"\r\n".join(swapped))
    assert (error.line, error.field) == (4, "データ区分")
    missing_end = refused(b"\r\n".join(records[:4]))
    assert "エンド" in missing_end.message
    header_late = refused(b"\r\n".join([records[1], records[0], *records[2:]]))
    assert header_late.line == 1
    unknown = refused(broken(0, 2, b"5"))
    assert (unknown.line, unknown.field) == (3, "データ区分")


def test_codes_and_characters_are_checked() -> None:
    assert refused(broken(1, 0, b"21")).field == "種別コード"
    assert refused(broken(54, 0, b"1332")).field == "引落日"
    assert refused(broken(42, 1, b"3")).field == "預金種目"
    assert refused(broken(90, 1, b"5")).field == "新規コード"
    # A full-width character (two bytes of Shift_JIS) in a name is not Zengin.
    error = refused(broken(50, 1, "山".encode("cp932")))
    assert (error.line, error.field) == (2, "預金者名")
    # Lower-case letters are not in the Zengin set either.
    assert refused(broken(50, 1, b"abc")).field == "預金者名"


def test_writing_refuses_what_the_layout_cannot_carry() -> None:
    with pytest.raises(ValueError, match="holder_name"):
        zengin.write_file(HEADER, [dataclasses.replace(RECORDS[0], holder_name="山田")])
    with pytest.raises(ValueError, match="amount"):
        zengin.write_file(HEADER, [dataclasses.replace(RECORDS[0], amount=10_000_000_000)])


def test_a_request_file_is_not_taken_for_a_result() -> None:
    # Sent back by mistake: its trailer counts no outcomes although every code is 0.
    error = refused(zengin.write_file(HEADER, RECORDS), result=True)
    assert (error.line, error.field) == (4, "振替済件数")
