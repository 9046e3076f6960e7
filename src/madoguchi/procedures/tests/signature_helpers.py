"""Fixtures of the signature tests: a demo CA of their own in a temporary directory
(never var/), configured as the only trust anchor and CRL, and a draft to sign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from madoguchi.accounts.models import User
from madoguchi.procedures import democa, xmlsig
from madoguchi.procedures.models import IdentityLevel, Submission, SubmissionStatus
from madoguchi.testing.factories import UserFactory

from .factories import SubmissionFactory

__all__ = ["applicant", "demo_ca", "demo_ca_dir", "draft", "make_draft", "signed_with"]


@pytest.fixture(scope="session")
def demo_ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Made once per session: RSA keys take a moment to generate.
    return democa.ensure(tmp_path_factory.mktemp("demo-ca"))


@pytest.fixture
def demo_ca(demo_ca_dir: Path, settings: Any) -> Path:
    settings.DEMO_CA_DIR = demo_ca_dir
    settings.SIGNATURE_TRUST_ANCHORS = []
    settings.SIGNATURE_CRLS = []
    settings.SIGNING_SANDBOX = True
    return demo_ca_dir


@pytest.fixture
def applicant(db: None) -> User:
    user: User = UserFactory.create(email="hanako@resident.example", family_name="山田", given_name="花子")
    return user


def make_draft(applicant: User | None = None, **kwargs: Any) -> Submission:
    """A draft of a procedure that requires an electronic signature."""
    submission: Submission = SubmissionFactory.create(
        status=SubmissionStatus.DRAFT,
        number="",
        submitted_at=None,
        applicant=applicant,
        signature_required=True,
        form_version__procedure__identity_level=IdentityLevel.SIGNATURE,
        **kwargs,
    )
    return submission


@pytest.fixture
def draft(applicant: User) -> Submission:
    return make_draft(applicant)


def signed_with(submission: Submission, name: str, directory: Path) -> bytes:
    """The submission's canonical data signed with a test certificate of the demo CA."""
    key, cert = democa.load_signer(name, directory)
    return xmlsig.sign(xmlsig.canonical_xml(submission), key, cert)
