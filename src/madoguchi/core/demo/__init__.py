"""The demo data set: Kasama City and Mito City, their departments, and accounts of every
kind (staff in each role, residents, a business, the operator, an integration).

The data lives in the TOML files beside this module; `loader.load_demo()` creates it
through the modules' services, and the management commands `load_demo`,
`print_demo_logins` and `demo_totp` are its front ends.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name_ja: str
    name_en: str
    parent: str | None = None


@dataclass(frozen=True)
class DemoMunicipality:
    code: str
    slug: str
    name_ja: str
    name_kana: str
    name_en: str
    postal_code: str
    address: str
    phone: str
    lead_ja: str
    lead_en: str
    departments: tuple[DemoDepartment, ...]
    # Optional fields (English address, opening hours) that not every version of the
    # model has; the loader sets those that exist.
    details: dict[str, str] = field(default_factory=dict)

    def municipality_fields(self) -> dict[str, str]:
        """The required fields of `core.Municipality` this entry sets."""
        return {
            "code": self.code,
            "slug": self.slug,
            "name_ja": self.name_ja,
            "name_kana": self.name_kana,
            "name_en": self.name_en,
            "prefecture": self.code[:2],
            "postal_code": self.postal_code,
            "address": self.address,
            "phone": self.phone,
        }


class AccountKind:
    """How the demo uses an account (not the same as `accounts.AccountKind`)."""

    STAFF = "staff"
    RESIDENT = "resident"
    BUSINESS = "business"
    OPERATOR = "operator"
    SERVICE = "service"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    kind: str
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    preferred_language: str = "ja"
    password: str | None = None
    totp_secret: str | None = None
    municipality: str | None = None
    department: str | None = None
    roles: tuple[str, ...] = ()
    title: str = ""
    staff_number: str = ""
    organisation_name: str = ""
    corporate_number: str = ""
    token_name: str = ""

    @property
    def display_name(self) -> str:
        person = f"{self.family_name} {self.given_name}".strip()
        if self.organisation_name:
            return f"{self.organisation_name}（{person}）" if person else self.organisation_name
        return person


@dataclass(frozen=True)
class DemoData:
    municipalities: tuple[DemoMunicipality, ...]
    accounts: tuple[DemoAccount, ...]
    password: str
    extra: dict[str, Any] = field(default_factory=dict)

    def municipality(self, code: str) -> DemoMunicipality:
        return next(m for m in self.municipalities if m.code == code)

    def account(self, email: str) -> DemoAccount | None:
        email = email.strip().lower()
        return next((a for a in self.accounts if a.email == email), None)

    def accounts_of(self, kind: str) -> list[DemoAccount]:
        return [a for a in self.accounts if a.kind == kind]


def _read(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


def _account(kind: str, entry: dict[str, Any], password: str | None) -> DemoAccount:
    values = dict(entry)
    values["email"] = values["email"].strip().lower()
    values["roles"] = tuple(values.get("roles", ()))
    values.setdefault("password", password)
    return DemoAccount(kind=kind, **values)


@cache
def demo_data() -> DemoData:
    """The demo data set, read once from the TOML files."""
    places = _read("municipalities.toml")
    municipalities = tuple(
        DemoMunicipality(
            **{k: v for k, v in entry.items() if k not in ("department", "details")},
            details=dict(entry.get("details", {})),
            departments=tuple(DemoDepartment(**d) for d in entry.get("department", [])),
        )
        for entry in places["municipality"]
    )
    people = _read("accounts.toml")
    password: str = people["password"]
    accounts: list[DemoAccount] = []
    accounts += [_account(AccountKind.STAFF, e, password) for e in people.get("staff", [])]
    accounts += [_account(AccountKind.RESIDENT, e, password) for e in people.get("resident", [])]
    accounts += [_account(AccountKind.BUSINESS, e, password) for e in people.get("business", [])]
    if "operator" in people:
        accounts.append(_account(AccountKind.OPERATOR, people["operator"], password))
    # Integrations never sign in: no password, no second factor; they use an API token.
    accounts += [_account(AccountKind.SERVICE, e, None) for e in people.get("service_account", [])]
    return DemoData(municipalities=municipalities, accounts=tuple(accounts), password=password)
