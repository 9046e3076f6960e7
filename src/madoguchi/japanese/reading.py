"""Readings of Japanese text (よみ) from pykakasi's dictionary: the hiragana reading of a
title for kana search, and furigana (ruby) for pages written in やさしい日本語.

The dictionary does not know every place name (it reads 佐白山 さはくさん, 稲田 いねだ):
an editor's reading of a title always wins over the guess made here.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from .kana import to_hiragana

#: Characters that take furigana: kanji (CJK unified ideographs, extension A, the
#: compatibility block) and the iteration and abbreviation marks 々 〆 ヶ.
KANJI_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006"
_KANJI_RE = re.compile(f"[{KANJI_CHARS}]")
_KANJI_RUN_RE = re.compile(f"([{KANJI_CHARS}]+)")

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    # Loading the dictionary takes half a second: once per process, on first use.
    import pykakasi

    return pykakasi.kakasi()


@lru_cache(maxsize=8192)
def _convert(text: str) -> tuple[tuple[str, str], ...]:
    with _lock:
        items = _kakasi().convert(text)
    return tuple((item["orig"], item["hira"]) for item in items)


def has_kanji(text: str) -> bool:
    return bool(_KANJI_RE.search(text or ""))


def reading_of(text: str) -> str:
    """The hiragana reading of `text` as the dictionary guesses it: 「笠間稲荷神社」 →
    「かさまいなりじんじゃ」. Katakana become hiragana; letters and digits stay."""
    if not text:
        return ""
    return "".join(hira for _orig, hira in _convert(text))


def furigana(text: str) -> list[tuple[str, str | None]]:
    """`text` cut into (characters, reading or None): the reading is given for runs of
    kanji only, so okurigana stay outside the ruby — 「市役所へ行きます」 →
    [("市役所", "しやくしょ"), ("へ", None), ("行", "い"), ("きます", None)]. Text the
    dictionary cannot split back into itself comes back whole, without readings."""
    if not has_kanji(text):
        return [(text, None)] if text else []
    pieces: list[tuple[str, str | None]] = []
    items = _convert(text)
    if "".join(orig for orig, _hira in items) != text:
        return [(text, None)]
    for orig, hira in items:
        pieces.extend(_split_okurigana(orig, hira))
    return _merge_plain(pieces)


def _split_okurigana(orig: str, hira: str) -> list[tuple[str, str | None]]:
    """One dictionary word: its kanji runs with their readings, its kana as they are."""
    if not has_kanji(orig) or not hira or hira == orig:
        return [(orig, None)]
    runs = [run for run in _KANJI_RUN_RE.split(orig) if run]
    # The kana between the kanji runs are literal; each kanji run reads as some kana.
    pattern = "".join("(.+?)" if _KANJI_RE.match(run) else re.escape(to_hiragana(run)) for run in runs)
    match = re.fullmatch(pattern, hira)
    if match is None:
        return [(orig, hira)]
    pieces: list[tuple[str, str | None]] = []
    groups = iter(match.groups())
    for run in runs:
        pieces.append((run, next(groups)) if _KANJI_RE.match(run) else (run, None))
    return pieces


def _merge_plain(pieces: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    merged: list[tuple[str, str | None]] = []
    for text, reading in pieces:
        if reading is None and merged and merged[-1][1] is None:
            merged[-1] = (merged[-1][0] + text, None)
        else:
            merged.append((text, reading))
    return merged
