"""htmx endpoints of the Japanese input fields: postal code → address autofill, the
names of a bank and a branch while their codes are typed, and the bank and branch
pickers (search by name, choose to fill the code).

They answer with out-of-band swaps only (the requesting input has hx-swap="none"): the
inputs to fill, rendered again with their value (see `autofill`), and a message in the
requesting field's role=status region. Postal and bank codes are public data, so these
endpoints need no sign-in and no permission; they read nothing of any municipality.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from . import autofill, banks, postal
from .forms.banking import bank_status, branch_status
from .normalize import normalize_digits


def _fragments(*parts: SafeString) -> HttpResponse:
    response = HttpResponse("".join(parts))
    # The answer depends only on the query, but holds nothing worth caching.
    response["Cache-Control"] = "no-store"
    return response


def _fill_request(request: HttpRequest, parts: tuple[str, ...] = ()) -> autofill.FillRequest | None:
    try:
        return autofill.decode(request.GET.get("autofill", ""), parts=parts)
    except ValueError:
        return None


@require_GET
def postal_code_lookup(request: HttpRequest) -> HttpResponse:
    """GET /postal-codes/lookup/?autofill=<description>&<source>=<code>."""
    fill = _fill_request(request, postal.AUTOFILL_PARTS)
    if fill is None:
        return HttpResponseBadRequest()
    typed = request.GET.get(fill.source, "")
    digits = normalize_digits(typed.replace("〒", ""))
    if not digits or (digits.isdigit() and len(digits) < 7):
        # Still typing: nothing to say yet, and an old message would be wrong.
        return _fragments(autofill.render_status(fill.status, ""))
    code = postal.normalize_postal_code(typed)
    if code is None:
        return _fragments(
            autofill.render_status(fill.status, _("郵便番号は7桁の数字で入力してください（例：309-1611）。"))
        )
    result = postal.lookup(code)
    if result is None:
        message = _("郵便番号%(code)sの住所は見つかりませんでした。住所を入力してください。") % {"code": code}
        return _fragments(autofill.render_status(fill.status, message))
    values = result.parts()
    fills = [autofill.render_fill(t, values[t.part]) for t in fill.targets if values.get(t.part)]
    if result.is_ambiguous:
        known = f"{result.prefecture}{result.city}"
        if known and fills:
            message = _("%(address)sを入力しました。この郵便番号には複数の地域があります。続きを入力してください。") % {
                "address": known
            }
        else:
            message = _("この郵便番号には複数の地域があります。住所を入力してください。")
    elif fills:
        message = _("住所を入力しました：%(address)s") % {"address": result.areas[0].address}
    else:
        message = _("住所：%(address)s") % {"address": result.areas[0].address}
    return _fragments(*fills, autofill.render_status(fill.status, message))


@require_GET
def bank_lookup(request: HttpRequest) -> HttpResponse:
    """GET /banks/lookup/bank/?autofill=<description>&<source>=<bank code>: the bank's
    name in the status region."""
    fill = _fill_request(request)
    if fill is None:
        return HttpResponseBadRequest()
    code = normalize_digits(request.GET.get(fill.source, ""))
    if not code or (code.isdigit() and len(code) < 4):
        return _fragments(autofill.render_status(fill.status, ""))
    bank = banks.get_bank(code) if len(code) == 4 else None
    message = bank_status(bank) if bank else _("この金融機関コードの金融機関は見つかりません。")
    return _fragments(autofill.render_status(fill.status, message))


@require_GET
def branch_lookup(request: HttpRequest) -> HttpResponse:
    """GET /banks/lookup/branch/?autofill=…&bank_field=<name>&<bank>=…&<source>=…:
    the branch's name, in the bank typed into the same form."""
    fill = _fill_request(request)
    bank_field = request.GET.get("bank_field", "")
    if fill is None or not autofill.is_field_name(bank_field):
        return HttpResponseBadRequest()
    code = normalize_digits(request.GET.get(fill.source, ""))
    if not code or (code.isdigit() and len(code) < 3):
        return _fragments(autofill.render_status(fill.status, ""))
    bank = banks.get_bank(request.GET.get(bank_field, ""))
    if bank is None:
        message = _("先に金融機関コードを入力してください。")
    else:
        branch = banks.get_branch(bank.code, code) if len(code) == 3 else None
        if branch is None:
            message = _("「%(bank)s」にこの支店コードの支店はありません。") % {"bank": bank.name}
        else:
            message = branch_status(branch)
    return _fragments(autofill.render_status(fill.status, message))


# --- Pickers: search by name, choose to fill the code --------------------------------

SEARCH_LIMIT = 30


def _choice_vals(fill: autofill.FillRequest, **values: str) -> str:
    """hx-vals of a result's button: fill the code input, write into its status region."""
    [target] = fill.targets
    description = autofill.encode("code", f"{target.id}_status", [target])
    return json.dumps({"autofill": description, **values}, ensure_ascii=False)


def _results(fill: autofill.FillRequest, choose_url: str, items: list[tuple[str, str]], query: str) -> HttpResponse:
    if not query.strip():
        message = ""
    elif not items:
        message = _("見つかりませんでした。別の書き方でもお試しください。")
    elif len(items) >= SEARCH_LIMIT:
        message = _("最初の%(count)s件を表示しています。続けて入力すると絞り込めます。") % {"count": len(items)}
    else:
        message = ngettext("%(count)s件見つかりました。", "%(count)s件見つかりました。", len(items)) % {
            "count": len(items)
        }
    html = render_to_string(
        "japanese/picker_results.html",
        {"items": items, "choose_url": choose_url, "status": autofill.render_status(fill.status, message)},
    )
    return _fragments(SafeString(html))


@require_GET
def bank_search(request: HttpRequest) -> HttpResponse:
    """GET /banks/search/?autofill=…&<source>=<name>: banks whose name, kana, romaji or
    code match, as buttons that fill the bank code."""
    fill = _fill_request(request, ("code",))
    if fill is None or len(fill.targets) != 1:
        return HttpResponseBadRequest()
    query = request.GET.get(fill.source, "")[:50]
    found = banks.search_banks(query, limit=SEARCH_LIMIT) if query.strip() else []
    items = [(f"{bank_status(b)} {b.code}", _choice_vals(fill, bank_code=b.code)) for b in found]
    return _results(fill, reverse("banks:choose"), items, query)


@require_GET
def branch_search(request: HttpRequest) -> HttpResponse:
    """GET /banks/branches/search/?autofill=…&bank_field=<name>&<bank>=…&<source>=<name>:
    branches of the bank in the same form, as buttons that fill the branch code."""
    fill = _fill_request(request, ("code",))
    bank_field = request.GET.get("bank_field", "")
    if fill is None or len(fill.targets) != 1 or not autofill.is_field_name(bank_field):
        return HttpResponseBadRequest()
    bank = banks.get_bank(request.GET.get(bank_field, ""))
    query = request.GET.get(fill.source, "")[:50]
    if bank is None:
        status = autofill.render_status(fill.status, _("先に金融機関コードを入力してください。"))
        return _fragments(status)
    found = banks.search_branches(bank.code, query, limit=SEARCH_LIMIT) if query.strip() else []
    items = [
        (f"{branch_status(b)} {b.code}", _choice_vals(fill, bank_code=bank.code, branch_code=b.code)) for b in found
    ]
    return _results(fill, reverse("banks:choose"), items, query)


@require_GET
def choose(request: HttpRequest) -> HttpResponse:
    """GET /banks/choose/?autofill=…&bank_code=…[&branch_code=…]: fill the code input
    with the chosen bank's or branch's code and name it in its status region."""
    fill = _fill_request(request, ("code",))
    if fill is None or len(fill.targets) != 1:
        return HttpResponseBadRequest()
    [target] = fill.targets
    bank = banks.get_bank(request.GET.get("bank_code", ""))
    if bank is None:
        return HttpResponseBadRequest()
    branch_code = request.GET.get("branch_code")
    if branch_code is None:
        return _fragments(
            autofill.render_fill(target, bank.code),
            autofill.render_status(fill.status, _("%(name)sを選びました。") % {"name": bank_status(bank)}),
        )
    branch = banks.get_branch(bank.code, branch_code)
    if branch is None:
        return HttpResponseBadRequest()
    return _fragments(
        autofill.render_fill(target, branch.code),
        autofill.render_status(fill.status, _("%(name)sを選びました。") % {"name": branch_status(branch)}),
    )
