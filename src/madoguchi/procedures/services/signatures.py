"""Electronic signatures (公的個人認証) of submissions. (Contract for the other parts; the
signatures part fills it in.)"""

from __future__ import annotations

from ..models import Submission


def has_valid_signature(submission: Submission) -> bool:
    """Whether the submission's current data carries an accepted signature (always true
    when the procedure does not require one)."""
    return not submission.signature_required
