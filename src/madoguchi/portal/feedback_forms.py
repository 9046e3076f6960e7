"""The 「このページは役に立ちましたか」 form at the end of every website page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.japanese.normalize import remove_invisible

YES_NO = [("yes", _("はい")), ("no", _("いいえ"))]
MAX_COMMENT_LENGTH = 500


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(
        choices=YES_NO,
        label=_("このページの内容は役に立ちましたか"),
        error_messages={"required": _("「役に立った」か「役に立たなかった」を選んでください。")},
    )
    findable = forms.ChoiceField(choices=YES_NO, required=False, label=_("このページは見つけやすかったですか"))
    comment = forms.CharField(
        required=False,
        label=_("ご意見"),
        max_length=MAX_COMMENT_LENGTH,
        error_messages={
            "max_length": _("ご意見は%(limit_value)d文字以内で書いてください（今は%(show_value)d文字です）。")
        },
    )

    def clean_comment(self) -> str:
        return remove_invisible(self.cleaned_data.get("comment") or "").strip()

    def answers(self) -> dict[str, Any]:
        """(helpful, findable or None, comment) as PageFeedback fields."""
        data = self.cleaned_data
        findable = data.get("findable")
        return {
            "helpful": data["helpful"] == "yes",
            "findable": None if not findable else findable == "yes",
            "comment": data.get("comment") or "",
        }
