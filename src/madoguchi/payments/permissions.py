"""What staff may do with payments (収納)."""

from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

VIEW_INVOICES = register(
    "payments.view_invoices",
    _("納付書・収納の閲覧"),
    roles={Role.COUNTER_CLERK, Role.OFFICER, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN, Role.AUDITOR},
)
MANAGE_INVOICES = register(
    "payments.manage_invoices",
    _("納付書の作成・取消し・取込"),
    roles={Role.OFFICER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
RECORD_PAYMENTS = register(
    "payments.record_payments",
    _("収納の記録・消込"),
    roles={Role.COUNTER_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
APPROVE_REFUNDS = register(
    "payments.approve_refunds",
    _("還付の決定"),
    roles={Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
MANAGE_SETTINGS = register(
    "payments.manage_settings",
    _("収納の設定"),
    roles={Role.MUNICIPAL_ADMIN},
)
