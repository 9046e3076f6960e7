"""Claims of the digital authentication app (standard OpenID claims) and of gBizID."""

from __future__ import annotations

from madoguchi.accounts.claims import account_claims, merged_claims

# A corporate number with a valid check digit (国税庁 法人番号 5: 9 − (Σ mod 9)).
VALID_CORPORATE_NUMBER = "7000012050002"


def test_userinfo_wins_over_the_id_token() -> None:
    merged = merged_claims({"id_token": {"sub": "1", "name": "old"}, "userinfo": {"sub": "1", "name": "新"}})
    assert merged == {"sub": "1", "name": "新"}
    # Accounts stored before allauth kept both apart are read as they are.
    assert merged_claims({"sub": "2", "email": "a@example.jp"}) == {"sub": "2", "email": "a@example.jp"}


def test_resident_standard_claims() -> None:
    mapped = account_claims(
        "resident",
        {
            "sub": "abc",
            "family_name": "笠間",
            "given_name": "花子",
            "name": "笠間 花子",
            "family_name#ja-Kana-JP": "かさま",
            "given_name#ja-Kana-JP": "ﾊﾅｺ",
            "email": "hanako@example.jp",
            "email_verified": True,
            "locale": "en-US",
        },
    )
    assert (mapped.family_name, mapped.given_name) == ("笠間", "花子")
    # Readings are stored as full-width katakana, whatever the provider sent.
    assert (mapped.family_name_kana, mapped.given_name_kana) == ("カサマ", "ハナコ")
    assert mapped.display_name == "笠間 花子"
    assert mapped.email == "hanako@example.jp"
    assert mapped.email_verified is True
    assert mapped.preferred_language == "en"


def test_resident_with_only_a_full_name() -> None:
    mapped = account_claims("resident", {"sub": "x", "name": "水戸　黄門", "email_verified": "false"})
    assert (mapped.family_name, mapped.given_name) == ("水戸", "黄門")
    assert mapped.email_verified is False
    assert mapped.family_name_kana == ""
    assert mapped.preferred_language == ""


def test_gbizid_corporation() -> None:
    mapped = account_claims(
        "business",
        {
            "sub": "gbiz-1",
            "account_type": "3",
            "corp_type": "1",
            "corporate_number": VALID_CORPORATE_NUMBER,
            "name": "株式会社笠間陶芸",
            "rep_last_nm": "代表",
            "rep_first_nm": "一郎",
            "user_last_nm": "担当",
            "user_first_nm": "二郎",
            "user_last_nm_kana": "タントウ",
            "user_first_nm_kana": "ジロウ",
            "email": "jiro@kasama-toge.example",
        },
    )
    assert mapped.kind == "business"
    # "name" is the business, never the person.
    assert mapped.organisation_name == "株式会社笠間陶芸"
    assert mapped.corporate_number == VALID_CORPORATE_NUMBER
    assert (mapped.family_name, mapped.given_name) == ("担当", "二郎")
    assert (mapped.family_name_kana, mapped.given_name_kana) == ("タントウ", "ジロウ")
    assert mapped.display_name == ""
    assert mapped.email == "jiro@kasama-toge.example"


def test_gbizid_prime_without_user_scope_is_the_representative() -> None:
    mapped = account_claims(
        "business",
        {
            "account_type": "2",
            "corp_type": "1",
            "corporate_number": VALID_CORPORATE_NUMBER,
            "name": "X社",
            "rep_last_nm": "代表",
            "rep_first_nm": "一郎",
            "rep_last_nm_kana": "ダイヒョウ",
            "rep_first_nm_kana": "いちろう",
        },
    )
    assert (mapped.family_name, mapped.given_name) == ("代表", "一郎")
    assert (mapped.family_name_kana, mapped.given_name_kana) == ("ダイヒョウ", "イチロウ")


def test_gbizid_member_without_user_scope_is_not_the_representative() -> None:
    mapped = account_claims("business", {"account_type": "3", "name": "X社", "rep_last_nm": "代表"})
    assert mapped.family_name == ""


def test_gbizid_sole_proprietor_has_no_corporate_number() -> None:
    mapped = account_claims(
        "business",
        {"corp_type": "2", "corporate_number": VALID_CORPORATE_NUMBER, "name": "笠間食堂", "user_email": "a@b.jp"},
    )
    assert mapped.corporate_number == ""
    assert mapped.organisation_name == "笠間食堂"
    assert mapped.email == "a@b.jp"


def test_a_corporate_number_with_a_wrong_check_digit_is_dropped() -> None:
    wrong = ("1" if VALID_CORPORATE_NUMBER[0] != "1" else "2") + VALID_CORPORATE_NUMBER[1:]
    assert account_claims("business", {"corp_type": 1, "corporate_number": wrong}).corporate_number == ""
    # Full-width digits and hyphens are normalised before the check.
    fullwidth = "７０００－０１２０－５０００２"
    assert (
        account_claims("business", {"corp_type": 1, "corporate_number": fullwidth}).corporate_number
        == VALID_CORPORATE_NUMBER
    )


def test_readings_that_are_not_kana_are_dropped() -> None:
    mapped = account_claims("business", {"user_last_nm_kana": "Yamada", "user_first_nm_kana": "タロウ"})
    assert (mapped.family_name_kana, mapped.given_name_kana) == ("", "タロウ")
