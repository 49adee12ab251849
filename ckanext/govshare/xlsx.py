"""Small helpers for the XLSX exports (filing, assessment), in openpyxl's write-only mode."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

__all__ = ["header_row"]


def header_row(ws: Any, texts: Iterable[str], widths: Mapping[int, int],
               default_width: int) -> None:
    """Set the column widths of a write-only sheet ``ws`` (by 0-based index), freeze the first
    row and append it in bold."""
    texts = list(texts)
    for i in range(len(texts)):
        ws.column_dimensions[get_column_letter(i + 1)].width = widths.get(i, default_width)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
