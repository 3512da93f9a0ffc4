"""Word plumbing for Thai documents (python-docx): page setup, paragraphs, runs, tables and cells,
the font Thai needs, and the agency's letterhead. What the documents say is in docx.py and memo.py.

The font
--------
Thai is a complex script: Word and LibreOffice take the font, size and weight of Thai text from
`w:rFonts/@w:cs`, `w:szCs` and `w:bCs`, and the language from `w:lang/@w:bidi`. Setting only
`font.name` makes them draw Thai in another font at another size, so every run written here carries
all of these (python-docx has no API for them).

Thai government documents are set in TH Sarabun New (or TH SarabunPSK) at 16 pt, and that is what
the officials' Word has installed, so the DOCX an agency downloads and edits names **TH Sarabun New**
at the usual sizes (16 pt text, 14 pt tables).

TH Sarabun New is in no package registry, so the server cannot embed it in a PDF. The PDF route
(pdf.py) writes the same document with **Laksaman** instead: Debian's `fonts-thai-tlwg-ttf` (which
`scripts/install-system-deps.sh` installs) ships it as a clone of TH Sarabun, with the same glyph
design but drawn ~1.5× larger, which is why tlwg's own fontconfig rule synthesises "TH Sarabun" as
Laksaman scaled by 0.66. LibreOffice does not apply that fontconfig matrix, so we scale the point
sizes ourselves (`ThaiFont.scale`): 16 pt TH Sarabun New becomes 10.5 pt Laksaman, and the PDF lines
break where Word would break them with the real font. Laksaman is GPL-licensed with the font
exception, so embedding it in a PDF is allowed. (PyPI's `fontpkg-sarabun`, Google's Sarabun, would
need the same scaling and a fontconfig set-up of the project's own; Laksaman is already on every
machine that runs the tests, so it costs nothing.) Where an agency's letterhead names a TH Sarabun
font, the PDF route gives those runs Laksaman at scaled sizes as well.

Speed
-----
A document has hundreds of runs and paragraphs but only a few distinct sets of properties. Each set
(`w:rPr` of a run, `w:pPr` of a paragraph) is built once per document and deep-copied into every run
or paragraph that uses it: python-docx's setters look up each child element in schema order, and doing
that for every run made the results report take seconds.

The letterhead
--------------
With `template`, the document is appended to the agency's own DOCX (python-docx opens it; a .dotx is
accepted too), so its header, footer, logo and page setup stay; a landscape document turns its pages
landscape. A file that is not a Word document raises ValueError with a Thai message.
"""
from __future__ import annotations

import zipfile
from copy import deepcopy
from dataclasses import dataclass
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph


@dataclass(frozen=True)
class ThaiFont:
    """A font family and the factor from TH Sarabun New point sizes to this font's."""
    family: str
    scale: float = 1.0

    def half_points(self, points: float) -> int:
        return round(points * self.scale * 2)


TH_SARABUN_NEW = ThaiFont("TH Sarabun New")
LAKSAMAN = ThaiFont("Laksaman", 0.66)

# Sizes in TH Sarabun New points, as Thai official documents use them.
TITLE, HEADING, BODY, TABLE, SMALL = 18, 16, 16, 14, 12
A4_SHORT, A4_LONG = Cm(21.0), Cm(29.7)
HEADER_FILL = "D9E2F3"
LINK_COLOR = "0563C1"
TH_SARABUN_PREFIX = "TH Sarabun"
_TEXT_PARTS = ("/word/document", "/word/header", "/word/footer", "/word/styles")
_TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                 "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                 "tblLook", "tblCaption", "tblDescription")
# tcPr children after w:shd, in schema order
_AFTER_SHADING = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers",
                  "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


class WordDocument:
    """A python-docx document whose every run is set for Thai in `font`: A4 with the margins of Thai
    official documents (or the letterhead's page setup), page numbers in the footer."""

    def __init__(self, font: ThaiFont = TH_SARABUN_NEW, *, landscape: bool = False, template: bytes | None = None,
                 page_numbers: bool = True):
        self.font = font
        self.landscape = landscape
        self._run_properties: dict[tuple, object] = {}
        self._paragraph_properties: dict[tuple, object] = {}
        if template:
            self.doc = open_template(template)
            self._drop_trailing_empty_paragraphs()
            self._orient_template()
            self._adopt_template_fonts()
        else:
            self.doc = Document()
            self._page_setup()
            self._defaults()
            if page_numbers:
                self._page_numbers()

    def to_bytes(self) -> bytes:
        out = BytesIO()
        self.doc.save(out)
        return out.getvalue()

    # ----- paragraphs and runs -----

    def para(self, text: str, *, size: float = BODY, bold: bool = False, align: str | None = None,
             justify: bool = False, before: float = 0, after: float = 0, indent_left: float = 0,
             indent_first: float = 0, hanging: float | None = None, keep_next: bool = False) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        self.format_paragraph(paragraph, size, align=align, justify=justify, before=before, after=after,
                              indent_left=indent_left, indent_first=indent_first, hanging=hanging,
                              keep_next=keep_next)
        if text:
            self.run(paragraph, text, size, bold=bold)
        return paragraph

    def run(self, paragraph: Paragraph, text: str, size: float, *, bold: bool = False):
        run = paragraph.add_run(text)
        run._r.insert(0, self.run_properties(size, bold=bold))
        return run

    def hyperlink(self, paragraph: Paragraph, url: str, text: str, size: float) -> None:
        link = OxmlElement("w:hyperlink", {qn("r:id"): paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)})
        run = OxmlElement("w:r")
        run.append(self.run_properties(size, color=LINK_COLOR, underline=True))
        t = OxmlElement("w:t", {qn("xml:space"): "preserve"})
        t.text = text
        run.append(t)
        link.append(run)
        paragraph._p.append(link)

    def run_properties(self, size: float, *, bold: bool = False, color: str | None = None, underline: bool = False):
        """A new `w:rPr`: the font for every script (ascii, hAnsi, eastAsia and cs for Thai), the size for
        both (sz, szCs), bold for both (b, bCs), and Thai as the complex-script language."""
        key = (size, bold, color, underline)
        if key not in self._run_properties:
            self._run_properties[key] = self._new_run_properties(*key)
        return deepcopy(self._run_properties[key])

    def _new_run_properties(self, size: float, bold: bool, color: str | None, underline: bool):
        family, half_points = self.font.family, str(self.font.half_points(size))
        children = [_w("rFonts", ascii=family, hAnsi=family, eastAsia=family, cs=family)]  # in schema order
        if bold:
            children += [_w("b"), _w("bCs")]
        if color:
            children.append(_w("color", val=color))
        children += [_w("sz", val=half_points), _w("szCs", val=half_points)]
        if underline:
            children.append(_w("u", val="single"))
        # Thai is the complex-script language; Latin words keep an English one, so that LibreOffice
        # breaks "Facebook" or "E-Service" as words and not letter by letter.
        children.append(_w("lang", val="en-US", bidi="th-TH"))
        r_pr = OxmlElement("w:rPr")
        r_pr.extend(children)
        return r_pr

    def format_paragraph(self, paragraph: Paragraph, size: float, *, align: str | None = None,
                         justify: bool = False, before: float = 0, after: float = 0, indent_left: float = 0,
                         indent_first: float = 0, hanging: float | None = None, keep_next: bool = False) -> None:
        layout = (size, align, justify, before, after, indent_left, indent_first, hanging, keep_next)
        p = paragraph._p
        if p.pPr is not None:  # a paragraph with properties of its own (a footer's style): add ours to them
            self._set_paragraph_format(paragraph, *layout)
            return
        if layout not in self._paragraph_properties:
            scratch = Paragraph(OxmlElement("w:p"), None)
            self._set_paragraph_format(scratch, *layout)
            self._paragraph_properties[layout] = scratch._p.pPr
        p.insert(0, deepcopy(self._paragraph_properties[layout]))

    def _set_paragraph_format(self, paragraph: Paragraph, size: float, align: str | None, justify: bool,
                              before: float, after: float, indent_left: float, indent_first: float,
                              hanging: float | None, keep_next: bool) -> None:
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.0
        fmt.widow_control = True
        if keep_next:
            fmt.keep_with_next = True
        if align == "center":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif justify:
            # Thai has no spaces between words: "distribute" justification would stretch letters;
            # THAI_JUSTIFY is Word's, LibreOffice reads it as plain justify.
            fmt.alignment = WD_ALIGN_PARAGRAPH.THAI_JUSTIFY
        else:
            fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if hanging:
            fmt.left_indent = Cm(indent_left + hanging)
            fmt.first_line_indent = Cm(-hanging)
            fmt.tab_stops.add_tab_stop(Cm(indent_left + hanging))
        else:
            if indent_left:
                fmt.left_indent = Cm(indent_left)
            if indent_first:
                fmt.first_line_indent = Cm(indent_first)
        # the paragraph mark's font sets the height of an empty line
        p_pr = paragraph._p.get_or_add_pPr()
        mark = p_pr.find(qn("w:rPr"))
        if mark is not None:
            p_pr.remove(mark)
        p_pr.insert_element_before(self.run_properties(size), "w:sectPr", "w:pPrChange")

    # ----- tables -----

    def text_width(self) -> Emu:
        section = self.doc.sections[-1]
        return Emu(section.page_width - section.left_margin - section.right_margin)

    def table(self, widths, borders: bool = True) -> Table:
        """A fixed-layout table filling the text width, its columns in proportion to `widths`."""
        available = self.text_width()
        widths = [Emu(int(available * w / sum(widths))) for w in widths]
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = OxmlElement("w:tblW")
            tbl_pr.append(tbl_w)
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(int(sum(w.twips for w in widths))))
        if borders:
            tbl_pr.append(_borders("w:tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")))
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margins.append(_w(side, w="85", type="dxa"))
        tbl_pr.append(margins)
        _order_tbl_pr(tbl_pr)
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = width  # rows added later take their cells' widths from the grid
        return table

    def add_row(self, table: Table, *, cant_split: bool = True) -> list[_Cell]:
        """A new row's cells, one a column. A row that cannot split stays on one page."""
        row = table.add_row()
        if cant_split:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        # straight from the row's own cells: python-docx's row.cells and table.cell walk the whole table
        return [_Cell(tc, table) for tc in row._tr.tc_lst]

    def header_row(self, table: Table, titles) -> None:
        row = table.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page
        for tc, title in zip(row._tr.tc_lst, titles, strict=True):
            cell = _Cell(tc, table)
            self.fill(cell, [title], size=TABLE, bold=True, align="center")
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            shade(cell, HEADER_FILL)

    def fill(self, cell: _Cell, lines: list[str], *, size: float = TABLE, bold: bool = False,
             align: str | None = None, justify: bool = False, hanging: float | None = None,
             keep_next: bool = False, after: float = 1) -> None:
        """Write lines into a table cell, one paragraph each; the cell's own empty paragraph is the first."""
        for index, line in enumerate(lines or [""]):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            self.format_paragraph(paragraph, size, align=align, justify=justify, hanging=hanging,
                                  keep_next=keep_next, after=after if index < len(lines) - 1 else 0)
            if line:
                self.run(paragraph, line, size, bold=bold)

    # ----- the page -----

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        if self.landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = A4_LONG, A4_SHORT
            section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.5)
            section.left_margin, section.right_margin = Cm(1.5), Cm(1.5)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = A4_SHORT, A4_LONG
            # Thai official documents: 3 cm on the left for binding, 2 cm on the right
            section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
            section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
        section.header_distance = section.footer_distance = Cm(1.0)

    def _defaults(self) -> None:
        """The document's default font, so that text an official adds in Word matches."""
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        r_pr_default = defaults.find(qn("w:rPrDefault"))
        r_pr_default.replace(r_pr_default.find(qn("w:rPr")), self.run_properties(BODY))
        spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")

    def _page_numbers(self) -> None:
        paragraph = self.doc.sections[0].footer.paragraphs[0]
        self.format_paragraph(paragraph, SMALL, align="center")
        self.run(paragraph, "หน้า ", SMALL)
        self._field(paragraph, "PAGE", "1")
        self.run(paragraph, " / ", SMALL)
        self._field(paragraph, "NUMPAGES", "1")

    def _field(self, paragraph: Paragraph, instruction: str, shown: str) -> None:
        field = OxmlElement("w:fldSimple", {qn("w:instr"): f" {instruction} "})
        run = OxmlElement("w:r")
        run.append(self.run_properties(SMALL))
        t = OxmlElement("w:t")
        t.text = shown
        run.append(t)
        field.append(run)
        paragraph._p.append(field)

    # ----- the letterhead -----

    def _orient_template(self) -> None:
        """Keep the letterhead's page setup; a wide table needs its pages landscape."""
        if not self.landscape:
            return
        for section in self.doc.sections:
            if section.page_width < section.page_height:
                section.page_width, section.page_height = section.page_height, section.page_width
                section.orientation = WD_ORIENT.LANDSCAPE

    def _adopt_template_fonts(self) -> None:
        """A letterhead set in TH Sarabun (New, PSK, IT๙) takes this font too, at the same scaled
        sizes, where its runs or styles name the font (the server has no TH Sarabun)."""
        if self.font.family.startswith(TH_SARABUN_PREFIX):
            return
        for part in self.doc.part.package.iter_parts():
            element = getattr(part, "_element", None)
            if element is None or not str(part.partname).startswith(_TEXT_PARTS):
                continue
            for fonts in element.iter(qn("w:rFonts")):
                names = [qn(f"w:{name}") for name in ("ascii", "hAnsi", "eastAsia", "cs")]
                if not any((fonts.get(name) or "").startswith(TH_SARABUN_PREFIX) for name in names):
                    continue
                for name in names:
                    if (fonts.get(name) or "").startswith(TH_SARABUN_PREFIX):
                        fonts.set(name, self.font.family)
                for size in (fonts.getparent().find(qn("w:sz")), fonts.getparent().find(qn("w:szCs"))):
                    if size is not None and (size.get(qn("w:val")) or "").isdecimal():
                        size.set(qn("w:val"), str(round(int(size.get(qn("w:val"))) * self.font.scale)))

    def _drop_trailing_empty_paragraphs(self) -> None:
        body = self.doc.element.body
        for element in reversed(list(body)):
            if element.tag == qn("w:sectPr"):
                continue
            has_content = (element.tag != qn("w:p") or "".join(element.itertext()).strip()
                           or element.xpath(".//w:drawing|.//w:pict|.//w:object|.//w:sectPr"))
            if has_content:
                break
            body.remove(element)


def open_template(template: bytes):
    """python-docx opens .docx; a Word template (.dotx) differs only in its main content type."""
    try:
        with zipfile.ZipFile(BytesIO(template)) as source:
            types = source.read("[Content_Types].xml")
            if b"wordprocessingml.template.main+xml" in types:
                out = BytesIO()
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                    for info in source.infolist():
                        content = source.read(info.filename)
                        if info.filename == "[Content_Types].xml":
                            content = content.replace(b"wordprocessingml.template.main+xml",
                                                      b"wordprocessingml.document.main+xml")
                        target.writestr(info, content)
                template = out.getvalue()
        return Document(BytesIO(template))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ValueError("ไฟล์หัวจดหมายไม่ใช่เอกสาร Word (.docx) ที่เปิดได้") from error


def merge_down(rows: list[list[_Cell]], column: int) -> _Cell:
    """The cell of `column` spanning these new, still empty rows (so there is no content to move, which
    is all python-docx's slower `merge` would add)."""
    top, *below = [row[column] for row in rows]
    if below:
        top._tc.vMerge = "restart"
        for cell in below:
            cell._tc.vMerge = "continue"
    return top


def shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.insert_element_before(_w("shd", val="clear", color="auto", fill=fill), *_AFTER_SHADING)


def _w(tag: str, **values: str):
    """A new w: element with w: attributes, in the order given."""
    return OxmlElement(f"w:{tag}", {qn(f"w:{name}"): value for name, value in values.items()})


def _borders(tag: str, sides, size: int = 4, color: str = "000000"):
    borders = OxmlElement(tag)
    for side in sides:
        borders.append(_w(side, val="single", sz=str(size), space="0", color=color))
    return borders


def _order_tbl_pr(tbl_pr) -> None:
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    children = sorted(tbl_pr, key=lambda child: _TBL_PR_ORDER.index(child.tag.split("}")[1]))
    for child in children:
        tbl_pr.append(child)  # moves it: the children end in schema order
