"""Streaming CSV reading for the CSV notice formats: one row at a time, with the line
number of each row, a required header row and a clear error for a broken file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import IO

from django.utils.translation import gettext as _

from . import NoticeFormatError


def rows(stream: IO[bytes], encoding: str, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each data row; the first row names the columns
    (in any order, extra columns allowed)."""
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")  # type: ignore[type-var]
    reader = csv.reader(text)
    line = 1
    try:
        try:
            heading = next(reader)
        except StopIteration:
            raise NoticeFormatError(1, _("ファイルが空です。")) from None
        names = [h.strip() for h in heading]
        missing = [c for c in columns if c not in names]
        if missing:
            raise NoticeFormatError(1, _("見出し行に列 %(columns)s がありません。") % {"columns": "、".join(missing)})
        index = {c: names.index(c) for c in columns}
        line = reader.line_num
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise NoticeFormatError(
                    line,
                    _("項目数が %(found)s です（見出し行は %(expected)s）。")
                    % {"found": len(row), "expected": len(names)},
                )
            yield line, {c: row[i].strip() for c, i in index.items()}
    except UnicodeDecodeError:
        raise NoticeFormatError(
            line + 1, _("文字コード %(encoding)s として読めません。") % {"encoding": encoding}
        ) from None
    except csv.Error as error:
        raise NoticeFormatError(reader.line_num, _("CSVとして読めません（%(error)s）。") % {"error": error}) from None
    finally:
        # The binary stream belongs to the caller; do not close it with the wrapper.
        text.detach()
