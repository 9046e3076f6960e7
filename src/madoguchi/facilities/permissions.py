"""What staff may do with facilities (公共施設予約). Every facility of the municipality is
open to every holder of a permission; facilities are few and shared by departments."""

from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

VIEW_BOOKINGS = register(
    "facilities.view_bookings",
    _("施設予約の閲覧"),
    roles={Role.COUNTER_CLERK, Role.OFFICER, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN, Role.AUDITOR},
)
MANAGE_BOOKINGS = register(
    "facilities.manage_bookings",
    _("施設予約の受付（窓口予約・取消・利用確認）"),
    roles={Role.COUNTER_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
REVIEW_REGISTRATIONS = register(
    "facilities.review_registrations",
    _("利用者登録の審査"),
    roles={Role.COUNTER_CLERK, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
MANAGE_LOTTERIES = register(
    "facilities.manage_lotteries",
    _("抽選の管理（優先予約・抽選の実施）"),
    roles={Role.OFFICER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
MANAGE_FACILITIES = register(
    "facilities.manage_facilities",
    _("施設・料金・休館の管理"),
    roles={Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN},
)
VIEW_STATISTICS = register(
    "facilities.view_statistics",
    _("施設の利用統計の閲覧"),
    roles={Role.OFFICER, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN, Role.AUDITOR},
)
