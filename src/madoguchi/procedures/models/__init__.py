"""The models of procedures, one module per part: the catalog (`catalog`), forms as
versioned data (`forms`), submissions and their handling (`submissions`), signature
evidence (`signatures`) and one-stop life events (`lifeevents`)."""

from .catalog import (
    IDENTITY_ORDER,
    Availability,
    FeeTiming,
    IdentityLevel,
    Procedure,
    ProcedureCategory,
    RetentionAction,
    in_language,
)
from .forms import FormVersion
from .lifeevents import LifeEvent, LifeEventCase, LifeEventProcedure
from .signatures import SignatureEvidence, SignatureResult
from .submissions import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Attachment,
    CorrectionRequest,
    CorrectionStatus,
    EventKind,
    InternalNote,
    Submission,
    SubmissionCounter,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)

__all__ = [
    "FINAL_STATUSES",
    "IDENTITY_ORDER",
    "OPEN_STATUSES",
    "Attachment",
    "Availability",
    "CorrectionRequest",
    "CorrectionStatus",
    "EventKind",
    "FeeTiming",
    "FormVersion",
    "IdentityLevel",
    "InternalNote",
    "LifeEvent",
    "LifeEventCase",
    "LifeEventProcedure",
    "Procedure",
    "ProcedureCategory",
    "RetentionAction",
    "SignatureEvidence",
    "SignatureResult",
    "Submission",
    "SubmissionCounter",
    "SubmissionEvent",
    "SubmissionMessage",
    "SubmissionStatus",
    "in_language",
]
