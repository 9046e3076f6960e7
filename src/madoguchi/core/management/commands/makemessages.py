"""`manage.py makemessages`, extracting `_t(...)` too: views import `gettext as _t` where
`_` is already the lazy gettext, and those messages must reach the catalogues."""

from __future__ import annotations

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=_t"]
