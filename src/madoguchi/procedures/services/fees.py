"""Fees (手数料) through payments: an invoice at the right moment, and the submission
continues when it is paid. (Contract for the other parts; the fees part fills it in.)"""

from __future__ import annotations

from typing import Any

from ..models import Submission


def on_submitted(submission: Submission, *, actor: Any = None) -> Any:
    """Called by `applying.submit()` in its transaction: issue the invoice when the
    procedure's fee is due on submission; returns the invoice or None."""
    return None


def on_approved(submission: Submission, *, actor: Any = None) -> Any:
    """Called by `processing` when a submission is approved: issue the invoice when the
    fee is due on approval; returns the invoice or None."""
    return None


def invoice_for(submission: Submission) -> Any:
    """The submission's open or paid fee invoice, or None."""
    return None


def is_settled(submission: Submission) -> bool:
    """Whether nothing is owed: no fee, or its invoice is paid."""
    return True
