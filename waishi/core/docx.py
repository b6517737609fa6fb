"""Official documents in Word (python-docx) laid out after GB/T 9704: A4, margins 37/35/28/26 mm,
title in 2号小标宋, body in 3号仿宋_GB2312, first-level headings in 黑体, second-level in 楷体."""

import io
from datetime import date
from urllib.parse import quote

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
TITLE_SIZE, BODY_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(12)


def cn_date(value: date | None) -> str:
    """2023年11月30日 (no leading zeros), as official documents write dates."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _font(run, name: str, size) -> None:
    run.font.name = name
    run.font.size = size
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def new_document(landscape: bool = False) -> Document:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = BODY_SIZE
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return document


def title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), TITLE_FONT, TITLE_SIZE)


def centered(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)


def heading(document, text: str, level: int = 1) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    _font(paragraph.add_run(text), HEADING1_FONT if level == 1 else HEADING2_FONT, BODY_SIZE)


def body(document, text: str, indent: bool = True, align_right: bool = False) -> None:
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    if align_right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)


def table(document, headers: list[str] | None, rows: list[list]) -> None:
    columns = len(headers) if headers else max((len(r) for r in rows), default=1)
    grid = document.add_table(rows=0, cols=columns)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, values in enumerate(([headers] if headers else []) + rows):
        cells = grid.add_row().cells
        for cell, value in zip(cells, values, strict=False):
            cell.text = ""
            run = cell.paragraphs[0].add_run("" if value is None else str(value))
            _font(run, HEADING1_FONT if headers and index == 0 else BODY_FONT, TABLE_SIZE)


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def disposition(filename: str) -> str:
    """A Content-Disposition that carries a Chinese file name to every browser."""
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"attachment; filename=\"document.{suffix}\"; filename*=UTF-8''{quote(filename)}"
