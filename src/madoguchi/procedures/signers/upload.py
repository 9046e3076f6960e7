"""Provider `upload`: the applicant signs the downloaded XML with their own JPKI software
and uploads the signed file on the sign page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import Provider

#: The largest signed file the sign page takes (a signed submission is a few kB).
MAX_UPLOAD_BYTES = 1024 * 1024

PROVIDER = Provider(
    key="upload",
    label=_("署名用ソフトウェアで署名したファイルをアップロードする"),
    description=_(
        "申請データ（XML）をダウンロードし、マイナンバーカードと公的個人認証の署名用ソフトウェアで"
        "署名してから、署名済みのファイルをアップロードします。"
    ),
)
