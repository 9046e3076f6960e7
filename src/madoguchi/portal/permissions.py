from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

# Staff who hold this edit their own municipality's page tree, images and documents in
# the staff console (through a Wagtail group that follows their roles).
EDIT_WEBSITE = register("portal.edit_website", _("ホームページの編集"), roles={Role.MUNICIPAL_ADMIN})
