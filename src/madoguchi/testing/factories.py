"""factory_boy factories for the foundation's models."""

from __future__ import annotations

from typing import Any

import factory
from django.db.models.signals import post_save
from factory.django import DjangoModelFactory

from madoguchi.accounts.models import AccountKind, Role, StaffProfile, User
from madoguchi.core.models import Department, Municipality
from madoguchi.japanese.checkdigits import local_government_code_check_digit

DEFAULT_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test accounts only


def _lg_code(n: int) -> str:
    # Prefecture 08 (Ibaraki), town numbers from 500 upwards (not used by real towns' tests).
    first_five = f"08{500 + n:03d}"
    return first_five + str(local_government_code_check_digit(first_five))


class MunicipalityFactory(DjangoModelFactory[Municipality]):
    """Creates the municipality through the service, so it has its home pages too."""

    class Meta:
        model = Municipality

    code = factory.Sequence(_lg_code)
    name_ja = factory.Sequence(lambda n: f"テスト{n}市")
    name_en = factory.Sequence(lambda n: f"Test City {n}")
    prefecture = "08"
    slug = factory.Sequence(lambda n: f"test{n}")

    @classmethod
    def _create(cls, model_class: type[Municipality], *args: Any, **kwargs: Any) -> Municipality:
        from madoguchi.core import services

        return services.create_municipality(**kwargs)


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"D{n:03d}")
    name_ja = factory.Sequence(lambda n: f"テスト課{n}")
    name_en = factory.Sequence(lambda n: f"Test Division {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    kind = AccountKind.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:  # noqa: N805
        """Residents' e-mail addresses are verified unless `verified=False`."""
        if create:
            from allauth.account.models import EmailAddress

            obj.save()
            if extracted is not False:
                EmailAddress.objects.update_or_create(
                    user=obj, email=obj.email, defaults={"verified": True, "primary": True}
                )


@factory.django.mute_signals(post_save)
class StaffProfileFactory(DjangoModelFactory[StaffProfile]):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, kind=AccountKind.STAFF)
    municipality = factory.SubFactory(MunicipalityFactory)
    department = factory.SubFactory(DepartmentFactory, municipality=factory.SelfAttribute("..municipality"))
    roles = factory.LazyFunction(lambda: [Role.OFFICER])


def make_staff(municipality: Municipality, *roles: str, email: str | None = None, mfa: bool = True) -> User:
    """A staff account of the municipality with the roles, and (by default) a TOTP
    authenticator enrolled, so that it can pass the second-factor requirement."""
    kwargs: dict[str, Any] = {"user__email": email} if email else {}
    profile: StaffProfile = StaffProfileFactory.create(
        municipality=municipality, roles=list(roles) or [Role.OFFICER], **kwargs
    )
    user: User = profile.user
    # Factories bypass accounts.services; tell the modules that follow staff roles.
    from madoguchi.accounts.signals import staff_changed

    staff_changed.send(sender=StaffProfile, profile=profile)
    if mfa:
        enrol_totp(user)
    return user


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - test accounts only


def enrol_totp(user: User, secret: str = TEST_TOTP_SECRET) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    """The current code of the authenticator app (allauth refuses a code used twice)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    # allauth accepts only the current 30-second window: a code taken in the last moments
    # of one would be checked in the next, so wait for the new window then.
    if 30 - time.time() % 30 < 2:
        time.sleep(30 - time.time() % 30 + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
