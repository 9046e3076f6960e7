"""What staff may do with procedures (電子申請・届出).

Staff see and process the submissions of their own department; those who hold
`VIEW_ALL_DEPARTMENTS` (the municipality's administrators and auditors) see every
department's."""

from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

VIEW_SUBMISSIONS = register(
    "procedures.view_submissions",
    _("申請の閲覧"),
    roles={Role.COUNTER_CLERK, Role.OFFICER, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN, Role.AUDITOR},
)
PROCESS_SUBMISSIONS = register(
    "procedures.process_submissions",
    _("申請の処理（受付・審査・補正依頼・完了）"),
    roles={Role.COUNTER_CLERK, Role.OFFICER, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
DECIDE_SUBMISSIONS = register(
    "procedures.decide_submissions",
    _("申請の承認・却下"),
    roles={Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
VIEW_ALL_DEPARTMENTS = register(
    "procedures.view_all_departments",
    _("全部署の申請の閲覧"),
    roles={Role.MUNICIPAL_ADMIN, Role.AUDITOR},
)
MANAGE_PROCEDURES = register(
    "procedures.manage_procedures",
    _("手続と様式の管理"),
    roles={Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
