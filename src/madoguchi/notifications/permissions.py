from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

VIEW_OUTBOX = register(
    "notifications.view_outbox",
    _("送信メッセージの閲覧"),
    roles={Role.MUNICIPAL_ADMIN, Role.OFFICER, Role.AUDITOR},
    django_perms={"notifications.view_outboundmessage"},
)
MANAGE_OUTBOX = register(
    "notifications.manage_outbox",
    _("送信メッセージの再送・取消し"),
    roles={Role.MUNICIPAL_ADMIN, Role.OFFICER},
)
