"""Create the demo data through the modules' services, so that it is audited like real data.

`load_demo()` is idempotent: it creates what is missing and fills in a municipality's
empty details, but never overwrites what is there (an administrator's changes made in the
demo survive the next `make demo`), so running it again changes nothing and writes no
audit entry. Everything happens in one transaction; the one piece of work
outside the database, keeping the demo API token's secret in `var/`, runs on commit.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from madoguchi.audit import services as audit
from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope

from . import AccountKind, DemoAccount, DemoData, DemoMunicipality, demo_data

if TYPE_CHECKING:
    from madoguchi.accounts.models import User

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", "testserver"})
TOKEN_FILE_NAME = "demo-api-tokens.json"  # noqa: S105 - a file name, not a secret


class DemoDataError(Exception):
    """The database holds something that conflicts with the demo data."""


def public_hosts() -> list[str]:
    """Host names in ALLOWED_HOSTS that are reachable from elsewhere than this machine."""
    return [h for h in settings.ALLOWED_HOSTS if h.lower() not in LOCAL_HOSTS and not h.lower().endswith(".localhost")]


def token_file() -> Path:
    """Where the demo keeps the secrets of the demo API tokens (like `var/secret_key`)."""
    return Path(settings.VAR_DIR) / TOKEN_FILE_NAME


def read_token_secrets(path: Path | None = None) -> dict[str, str]:
    path = path or token_file()
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_token_secrets(path: Path, secrets: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with owner-only permissions before anything is written into it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(secrets, fh, ensure_ascii=False, indent=1)
    path.chmod(0o600)


@dataclass
class LoadReport:
    """What one run did, by kind of object ("municipality", "department", "staff" …)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


class DemoLoader:
    """Creates the demo data set; `out` receives one line per step (progress)."""

    def __init__(
        self,
        data: DemoData | None = None,
        *,
        out: Callable[[str], None] | None = None,
        token_path: Path | None = None,
    ) -> None:
        self.data = data or demo_data()
        self.out = out or (lambda line: None)
        self.token_path = token_path or token_file()
        self.report = LoadReport()
        self.municipalities: dict[str, Municipality] = {}

    def _count(self, kind: str, outcome: str) -> None:
        getattr(self.report, outcome)[kind] += 1

    # --- municipalities and departments --------------------------------------------

    def _municipality(self, entry: DemoMunicipality) -> Municipality:
        from madoguchi.core import services

        wanted = entry.municipality_fields()
        known = {f.name for f in Municipality._meta.get_fields()}
        wanted.update({k: v for k, v in entry.details.items() if k in known})
        skipped = sorted(set(entry.details) - known)
        if skipped:
            self.out(f"  この版のモデルにない項目は省きます / fields this model lacks, skipped: {', '.join(skipped)}")
        municipality = Municipality.objects.filter(code=entry.code).first()
        if municipality is None:
            clash = Municipality.objects.filter(slug=entry.slug).first()
            if clash is not None:
                raise DemoDataError(
                    f"URL名 {entry.slug!r} は {clash.name_ja}（{clash.code}）が使っています / "
                    f"the slug {entry.slug!r} belongs to {clash.code}"
                )
            municipality = services.create_municipality(lead_ja=entry.lead_ja, lead_en=entry.lead_en, **wanted)
            self._count("municipality", "created")
            self.out(f"{entry.name_ja} / {entry.name_en} ({entry.code}): 作成 / created")
        else:
            changes: dict[str, Any] = {k: v for k, v in wanted.items() if v and not getattr(municipality, k)}
            if changes:
                services.update_municipality(municipality, **changes)
                self._count("municipality", "updated")
                self.out(
                    f"{entry.name_ja} / {entry.name_en} ({entry.code}): 補完 / filled in {', '.join(sorted(changes))}"
                )
            else:
                self._count("municipality", "unchanged")
                self.out(f"{entry.name_ja} / {entry.name_en} ({entry.code}): 登録済み / already there")
        self._departments(municipality, entry)
        return municipality

    def _departments(self, municipality: Municipality, entry: DemoMunicipality) -> None:
        from madoguchi.core import services

        created = 0
        with municipality_scope(municipality):
            by_code = {d.code: d for d in Department.objects.all()}
        for order, item in enumerate(entry.departments, start=1):
            if item.code in by_code:
                self._count("department", "unchanged")
                continue
            parent = by_code.get(item.parent) if item.parent else None
            if item.parent and parent is None:
                raise DemoDataError(f"部署 {item.code}: 上位部署 {item.parent} が先に必要です / parent must come first")
            by_code[item.code] = services.create_department(
                municipality,
                code=item.code,
                name_ja=item.name_ja,
                name_en=item.name_en,
                parent=parent,
                sort_order=order * 10,
            )
            created += 1
            self._count("department", "created")
        existing = len(entry.departments) - created
        self.out(f"  部署 / departments: {created} 作成 / created, {existing} 登録済み / already there")

    # --- accounts ---------------------------------------------------------------------

    def _existing_user(self, account: DemoAccount) -> User | None:
        from madoguchi.accounts.models import User

        return User.objects.filter(email__iexact=account.email).first()

    def _check_password(self, account: DemoAccount) -> None:
        from madoguchi.accounts.models import User

        if account.password:
            # The demo's accounts follow the same password rules as everyone else's.
            validate_password(account.password, user=User(email=account.email))

    def _verified_email(self, user: User, municipality: Municipality | None) -> None:
        from allauth.account.models import EmailAddress

        if EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
            return
        address = EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        audit.record(
            action=audit.Action.CREATE,
            obj=address,
            fields=["email", "verified", "primary"],
            personal_data=True,
            subject=user,
            municipality=municipality,
        )

    def _authenticator(self, user: User, secret: str, municipality: Municipality | None) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return
        totp = TOTP.activate(user, secret)
        audit.record(
            action=audit.Action.CREATE, obj=totp.instance, fields=["type"], subject=user, municipality=municipality
        )

    def _staff(self, account: DemoAccount) -> User:
        from madoguchi.accounts import services as accounts

        municipality = self.municipalities[account.municipality or ""]
        user = self._existing_user(account)
        if user is None:
            self._check_password(account)
            with municipality_scope(municipality):
                department = Department.objects.get(code=account.department)
                profile = accounts.create_staff(
                    email=account.email,
                    municipality=municipality,
                    department=department,
                    roles=list(account.roles),
                    family_name=account.family_name,
                    given_name=account.given_name,
                    password=account.password,
                    staff_number=account.staff_number,
                    title=account.title,
                )
            user = profile.user
            self._count(account.kind, "created")
        else:
            profile_or_none = user.staff_profile_or_none
            if profile_or_none is None or profile_or_none.municipality_id != municipality.pk:
                raise DemoDataError(
                    f"{account.email} は {municipality.name_ja} の職員ではありません / "
                    f"exists, but is not staff of {municipality.name_en}"
                )
            self._count(account.kind, "unchanged")
        if account.kind == AccountKind.STAFF:
            self._verified_email(user, municipality)
            if account.totp_secret:
                self._authenticator(user, account.totp_secret, municipality)
        return user

    def _member_of_public(self, account: DemoAccount) -> User:
        """A resident or a business: an account of the deployment, e-mail verified."""
        from madoguchi.accounts.models import AccountKind as UserKind
        from madoguchi.accounts.models import User
        from madoguchi.japanese.checkdigits import validate_corporate_number

        user = self._existing_user(account)
        if user is None:
            self._check_password(account)
            if account.corporate_number:
                validate_corporate_number(account.corporate_number)
            kind = UserKind.BUSINESS if account.kind == AccountKind.BUSINESS else UserKind.RESIDENT
            fields = {
                "family_name": account.family_name,
                "given_name": account.given_name,
                "family_name_kana": account.family_name_kana,
                "given_name_kana": account.given_name_kana,
                "preferred_language": account.preferred_language,
                "organisation_name": account.organisation_name,
                "corporate_number": account.corporate_number,
            }
            user = User.objects.create_user(email=account.email, password=account.password, kind=kind, **fields)
            audit.record(
                action=audit.Action.CREATE,
                obj=user,
                fields=["email", "kind", *sorted(k for k, v in fields.items() if v)],
                personal_data=True,
                subject=user,
            )
            self._count(account.kind, "created")
        else:
            self._count(account.kind, "unchanged")
        self._verified_email(user, None)
        return user

    def _operator(self, account: DemoAccount) -> User:
        from madoguchi.accounts.models import User

        user = self._existing_user(account)
        if user is None:
            self._check_password(account)
            user = User.objects.create_superuser(
                email=account.email,
                password=account.password,
                family_name=account.family_name,
                given_name=account.given_name,
            )
            audit.record(action=audit.Action.CREATE, obj=user, fields=["email", "is_staff", "is_superuser"])
            self._count(account.kind, "created")
        elif not user.is_superuser:
            raise DemoDataError(f"{account.email} は運用者ではありません / exists, but is not a superuser")
        else:
            self._count(account.kind, "unchanged")
        self._verified_email(user, None)
        if account.totp_secret:
            self._authenticator(user, account.totp_secret, None)
        return user

    def _api_token(self, account: DemoAccount, user: User) -> None:
        """The integration's token. Only its hash is in the database, so the demo keeps the
        secret in var/ to show it again; a token whose secret is lost is replaced."""
        from madoguchi.api import services as api
        from madoguchi.api.models import ApiToken, hash_token

        municipality = self.municipalities[account.municipality or ""]
        secrets = read_token_secrets(self.token_path)
        with municipality_scope(municipality):
            token = ApiToken.objects.filter(user=user, name=account.token_name, revoked_at__isnull=True).first()
            known = secrets.get(account.token_name)
            if token is not None and known and hash_token(known) == token.key_hash:
                self._count("api_token", "unchanged")
                return
            if token is not None:
                api.revoke_token(token)
                self._count("api_token", "updated")
            else:
                self._count("api_token", "created")
            _token, raw = api.issue_token(municipality=municipality, user=user, name=account.token_name)
        secrets[account.token_name] = raw
        path = self.token_path
        transaction.on_commit(lambda: _write_token_secrets(path, secrets))

    # --- the whole set ----------------------------------------------------------------

    def load(self) -> LoadReport:
        with transaction.atomic():
            for entry in self.data.municipalities:
                self.municipalities[entry.code] = self._municipality(entry)
            handlers: dict[str, Callable[[DemoAccount], Any]] = {
                AccountKind.STAFF: self._staff,
                AccountKind.RESIDENT: self._member_of_public,
                AccountKind.BUSINESS: self._member_of_public,
                AccountKind.OPERATOR: self._operator,
                AccountKind.SERVICE: self._staff,
            }
            for kind, label in (
                (AccountKind.STAFF, "職員 / staff"),
                (AccountKind.RESIDENT, "住民 / residents"),
                (AccountKind.BUSINESS, "事業者 / businesses"),
                (AccountKind.OPERATOR, "運用者 / operator"),
                (AccountKind.SERVICE, "連携用アカウント / integrations"),
            ):
                accounts = self.data.accounts_of(kind)
                if not accounts:
                    continue
                before = self.report.created[kind]
                for account in accounts:
                    user = handlers[kind](account)
                    if kind == AccountKind.SERVICE and account.token_name:
                        self._api_token(account, user)
                made = self.report.created[kind] - before
                self.out(f"{label}: {made} 作成 / created, {len(accounts) - made} 登録済み / already there")
            from madoguchi.payments import demo as payments_demo

            payments_demo.load(self)
            from madoguchi.procedures import demo as procedures_demo

            procedures_demo.load(self)
            from madoguchi.facilities import demo as facilities_demo

            facilities_demo.load(self)
            from madoguchi.portal import demo as portal_demo

            portal_demo.load(self)
        return self.report


def load_demo(*, out: Callable[[str], None] | None = None, token_path: Path | None = None) -> LoadReport:
    """Create whatever of the demo data set is missing."""
    return DemoLoader(out=out, token_path=token_path).load()
