"""What staff may do with the audit log."""

from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

VIEW_LOG = register("audit.view_log", _("監査ログの検索・閲覧"), roles={Role.AUDITOR, Role.MUNICIPAL_ADMIN})
EXPORT_LOG = register("audit.export_log", _("監査ログのCSV出力"), roles={Role.AUDITOR, Role.MUNICIPAL_ADMIN})
# Integrations of the auditors (e.g. a log archive) read the log through the API with a
# token of a staff account that holds the auditor role.
READ_LOG_API = register("audit.read_log_api", _("監査ログのAPIでの取得"), roles={Role.AUDITOR})
