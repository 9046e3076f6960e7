"""What an OpenID Connect provider says about the person signing in, as account fields.

Two kinds of provider (the `kind` of its OIDC_PROVIDERS entry):

- `resident` — the Digital Agency's digital authentication app and other providers of
  standard claims (OpenID Connect Core 5.1): `family_name`, `given_name`, `name`,
  `email`, `email_verified`, `locale`; katakana readings from language-tagged claims
  (`family_name#ja-Kana-JP`, `given_name#ja-Kana-JP`, Core 5.2).
- `business` — gBizID (GビズID 接続システム向けガイドライン 3.4.1, userinfo): under the
  `profile` scope `name` is the business's name (法人名 or 屋号), `corporate_number` the
  法人番号, `corp_type` 1 for a corporation and 2 for a sole proprietor, `account_type`
  1 entry / 2 prime / 3 member, `rep_last_nm`… the representative; under `user`,
  `user_last_nm`, `user_first_nm`, `user_last_nm_kana`, `user_first_nm_kana` the
  person signing in; under `email`, `email` (formerly `user_email`).

A claim that does not fit (a corporate number with a wrong check digit, a reading that
is not kana) is left out rather than stored: the person can complete it on the profile
page, and nothing unverified passes for verified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jaconv

from madoguchi.japanese.checkdigits import is_valid_corporate_number
from madoguchi.japanese.normalize import to_halfwidth_digits

GBIZ_CORPORATION = "1"
GBIZ_SOLE_PROPRIETOR = "2"
GBIZ_PRIME = "2"

_KANA_RE = re.compile(r"^[ァ-ヶー・　 ]+$")
_SPACES = re.compile(r"[\s　]+")


@dataclass(frozen=True)
class AccountClaims:
    """The account fields a provider's claims fill in."""

    kind: str
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    display_name: str = ""
    organisation_name: str = ""
    corporate_number: str = ""
    email: str = ""
    email_verified: bool = False
    preferred_language: str = ""


def merged_claims(extra_data: dict[str, Any] | None) -> dict[str, Any]:
    """allauth keeps the ID token's claims and the userinfo response side by side;
    userinfo is the fuller of the two (gBizID puts nothing personal in its ID token)."""
    data = extra_data or {}
    if "userinfo" in data or "id_token" in data:
        merged: dict[str, Any] = {}
        for part in ("id_token", "userinfo"):
            if isinstance(data.get(part), dict):
                merged.update(data[part])
        return merged
    return dict(data)


def _text(value: Any, limit: int) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return _SPACES.sub(" ", str(value)).strip()[:limit]


def normalise_kana(value: str) -> str:
    """Readings are stored in full-width katakana; hiragana and half-width katakana are
    converted."""
    value = jaconv.h2z(_SPACES.sub(" ", value or "").strip(), kana=True, ascii=False, digit=False)
    return jaconv.hira2kata(value)


def is_kana(value: str) -> bool:
    return bool(_KANA_RE.match(value))


def _kana(value: Any) -> str:
    reading = normalise_kana(_text(value, 50))
    return reading if reading and is_kana(reading) else ""


# Separators people type between the digits: spaces, hyphens, dashes, minus signs and
# the long-vowel mark that Japanese keyboards produce for "-".
_NUMBER_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−－ー]")


def normalise_corporate_number(value: str) -> str:
    return _NUMBER_SEPARATORS.sub("", to_halfwidth_digits(value or ""))


def _split_name(name: str) -> tuple[str, str]:
    family, _sep, given = name.partition(" ")
    return family, given


def _verified(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _language(claims: dict[str, Any]) -> str:
    locale = _text(claims.get("locale"), 20).lower()
    return "en" if locale.startswith("en") else ("ja" if locale.startswith("ja") else "")


def resident_claims(claims: dict[str, Any]) -> AccountClaims:
    family = _text(claims.get("family_name#ja-Hani-JP") or claims.get("family_name"), 50)
    given = _text(claims.get("given_name#ja-Hani-JP") or claims.get("given_name"), 50)
    name = _text(claims.get("name#ja-Hani-JP") or claims.get("name"), 100)
    if name and not (family or given):
        family, given = _split_name(name)
    return AccountClaims(
        kind="resident",
        family_name=family[:50],
        given_name=given[:50],
        family_name_kana=_kana(claims.get("family_name#ja-Kana-JP")),
        given_name_kana=_kana(claims.get("given_name#ja-Kana-JP")),
        display_name=name,
        email=_text(claims.get("email"), 254),
        email_verified=_verified(claims.get("email_verified")),
        preferred_language=_language(claims),
    )


def business_claims(claims: dict[str, Any]) -> AccountClaims:
    corp_type = _text(claims.get("corp_type"), 2)
    number = normalise_corporate_number(_text(claims.get("corporate_number") or claims.get("corp_num"), 20))
    # A sole proprietor's gBizID carries a management number, not a 法人番号.
    if corp_type == GBIZ_SOLE_PROPRIETOR or not is_valid_corporate_number(number):
        number = ""
    family = _text(claims.get("user_last_nm") or claims.get("family_name"), 50)
    given = _text(claims.get("user_first_nm") or claims.get("given_name"), 50)
    family_kana = claims.get("user_last_nm_kana")
    given_kana = claims.get("user_first_nm_kana")
    if not (family or given) and _text(claims.get("account_type"), 2) == GBIZ_PRIME:
        # A prime account is the representative (or the proprietor) in person.
        family = _text(claims.get("rep_last_nm"), 50)
        given = _text(claims.get("rep_first_nm"), 50)
        family_kana = claims.get("rep_last_nm_kana")
        given_kana = claims.get("rep_first_nm_kana")
    organisation = _text(claims.get("name") or claims.get("corp_name") or claims.get("organization"), 200)
    return AccountClaims(
        kind="business",
        family_name=family,
        given_name=given,
        family_name_kana=_kana(family_kana),
        given_name_kana=_kana(given_kana),
        organisation_name=organisation,
        corporate_number=number,
        email=_text(claims.get("email") or claims.get("user_email"), 254),
        email_verified=_verified(claims.get("email_verified")),
        preferred_language=_language(claims),
    )


def account_claims(kind: str, claims: dict[str, Any]) -> AccountClaims:
    """Map the claims of a provider of the given kind to account fields."""
    return business_claims(claims) if kind == "business" else resident_claims(claims)
