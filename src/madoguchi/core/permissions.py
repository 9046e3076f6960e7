from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

ALL_STAFF = set(Role.values)

VIEW_DEPARTMENTS = register("core.view_departments", _("部署の閲覧"), roles=ALL_STAFF)
MANAGE_MUNICIPALITY = register(
    "core.manage_municipality",
    _("団体の設定・部署・職員の管理"),
    roles={Role.MUNICIPAL_ADMIN},
    django_perms={"core.view_department", "core.add_department", "core.change_department"},
)
