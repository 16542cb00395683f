"""The organisation's own PowerPoint template: checked on upload, then used as the base of every
exported deck (its slide master, layouts, theme fonts and colours, logo and footer).

A template is a .pptx or .potx whose slides are 16:9, like the deck's pages (960 x 540 pt): a
4:3 master would crop or squeeze every page, so it is refused with the reason. The deck's pages
go on the template's "Title Only" layout (or the layout with a title and the fewest other
placeholders), the slide title in the layout's own title placeholder; the template's sample
slides are left out. The pages are laid out in the template's frame: below its title
placeholder, above its footer and marks, with its theme fonts measured (`frame`).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Pt

from deck.layout import PAGE_H, TITLE_MIN, Frame, family_fonts

MAX_BYTES = 20 * 1024 * 1024
POTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
FOOTERS = (PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER)
DRAWING = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
# What PowerPoint assumes where a text box says nothing: 0.1 in at the sides, 0.05 in above
# and below; a title of 44 pt; a line 1.2 times the size (DejaVu's is 1.16).
INSET_X, INSET_Y, TITLE_PT, LINE = 91440, 45720, 44.0, 1.2


class TemplateError(ValueError):
    """A file that cannot serve as the deck's template; the message says why."""


@dataclass(frozen=True)
class TemplateInfo:
    layouts: tuple[str, ...]  # every layout of the template, by name
    used: str  # the layout the deck's pages go on
    width_cm: float
    height_cm: float


def _as_pptx(content: bytes) -> bytes:
    """A .potx is a .pptx with another content type for its main part: python-pptx opens only
    the latter, so the type is swapped in a copy of the package."""
    source = zipfile.ZipFile(io.BytesIO(content))
    types = source.read("[Content_Types].xml").decode("utf-8")
    if POTX_MAIN not in types:
        return content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = types.replace(POTX_MAIN, PPTX_MAIN).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def _open(content: bytes):
    if len(content) > MAX_BYTES:
        raise TemplateError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        return Presentation(io.BytesIO(_as_pptx(content)))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateError(
            "this is not a PowerPoint presentation or template (.pptx or .potx)"
        ) from exc
    except Exception as exc:  # a damaged package fails in many ways inside python-pptx
        raise TemplateError(
            f"the file cannot be read as PowerPoint ({exc.__class__.__name__})"
        ) from exc


def content_layout(presentation):
    """The layout for the deck's pages: "Title Only" by name, else the layout with a title
    placeholder and the fewest other placeholders (the least the master puts in our way)."""
    layouts = list(presentation.slide_layouts)
    for layout in layouts:
        if layout.name.strip().lower() == "title only":
            return layout
    titled = [
        layout
        for layout in layouts
        if any(p.placeholder_format.type in TITLES for p in layout.placeholders)
    ]
    if not titled:
        raise TemplateError("none of the template's layouts has a title placeholder")
    return min(titled, key=lambda layout: len(layout.placeholders))


def check(content: bytes) -> TemplateInfo:
    """What the template offers, or TemplateError with the reason it cannot be used."""
    presentation = _open(content)
    width, height = Emu(presentation.slide_width), Emu(presentation.slide_height)
    ratio = width / height
    if abs(ratio - 16 / 9) > 0.02:
        raise TemplateError(
            f"its slides are {width.cm:.2f} x {height.cm:.2f} cm (not 16:9); the deck's pages are "
            "16:9 widescreen: upload the 16:9 version of the template"
        )
    return TemplateInfo(
        layouts=tuple(layout.name for layout in presentation.slide_layouts),
        used=content_layout(presentation).name,
        width_cm=round(width.cm, 2),
        height_cm=round(height.cm, 2),
    )


def start_deck(content: bytes | None, page_w: float, page_h: float):
    """(presentation, layout, scale) to add the deck's pages to: the template without its own
    slides, or python-pptx's default look. `scale` turns the deck's points into the template's
    (a 16:9 template of another size, e.g. 25.4 x 14.29 cm, is scaled uniformly)."""
    if content is None:
        presentation = Presentation()
        presentation.slide_width, presentation.slide_height = Pt(page_w), Pt(page_h)
        return presentation, presentation.slide_layouts[6], 1.0  # "Blank"
    check(content)
    presentation = _open(content)
    slide_ids = presentation.slides._sldIdLst
    for slide_id in list(slide_ids):
        presentation.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    scale = Emu(presentation.slide_width).pt / page_w
    return presentation, content_layout(presentation), scale


def frame(content: bytes, page_w: float) -> Frame:
    """The template's frame in the deck's points (a page `page_w` wide): its title
    placeholder's box, size and insets, the top of its footer placeholders and of the marks
    in the lower half of its pages, and its theme's heading and body fonts."""
    presentation = _open(content)
    layout, master = content_layout(presentation), presentation.slide_master
    scale = Emu(presentation.slide_width).pt / page_w
    title = next(p for p in layout.placeholders if p.placeholder_format.type in TITLES)
    master_title = next(p for p in master.placeholders if p.placeholder_format.type in TITLES)

    def first(xpath: str, default: float) -> float:
        """The layout's title says it, else the master's title, else PowerPoint's default."""
        for shape in (title, master_title):
            found = shape._element.xpath(xpath)
            if found:
                return float(found[0])
        return default

    size = first("./p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr/@sz", 0) / 100
    if not size:
        found = master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")
        size = float(found[0]) / 100 if found else TITLE_PT
    bold = master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@b")
    marks = [p for p in layout.placeholders if p.placeholder_format.type in FOOTERS]
    shapes = list(layout.shapes)
    if layout._element.get("showMasterSp") != "0":
        shapes += list(master.shapes)
    marks += [s for s in shapes if not s.is_placeholder and s.top is not None]
    # A mark in the lower half (a footer, a logo) stops the content; a band at the top does not.
    marks = [s for s in marks if Emu(s.top).pt / scale > PAGE_H / 2]
    theme = etree.fromstring(master.part.part_related_by(RT.THEME).blob)

    def fonts(kind: str):
        family = theme.xpath(f"//a:fontScheme/a:{kind}/a:latin/@typeface", namespaces=DRAWING)
        return family_fonts(family[0] if family else "")

    return Frame(
        title_x=Emu(title.left).pt / scale,
        title_y=Emu(title.top).pt / scale,
        title_w=Emu(title.width).pt / scale,
        title_h=Emu(title.height).pt / scale,
        title_size=size / scale,
        title_min=min(size / scale, TITLE_MIN),
        title_bold=bool(bold) and bold[0] in ("1", "true"),
        title_inset_x=Emu(int(first("./p:txBody/a:bodyPr/@lIns", INSET_X))).pt / scale,
        title_inset_y=Emu(int(first("./p:txBody/a:bodyPr/@tIns", INSET_Y))).pt / scale,
        title_leading=LINE,
        title_fonts=fonts("majorFont"),
        fonts=fonts("minorFont"),
        foot=min([PAGE_H, *(Emu(s.top).pt / scale for s in marks)]),
    )


def title_placeholder(slide):
    return next((p for p in slide.placeholders if p.placeholder_format.type in TITLES), None)
