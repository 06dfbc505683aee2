"""Every PDF the application prints is written here, in the fonts the project ships.

A layout measured with the system's fonts changes from one server to another: Liberation Sans
comes only with Chromium's recommended packages, and a bare Debian server has only DejaVu Sans,
wider, which hyphenates table heads and pushes columns past the page. The documents' styles
(mairie/pdf_base.html, rendered by mairie.documents) name FAMILY, which only the Liberation
Sans 2 files of `pdf_fonts/` (SIL Open Font License 1.1, see `pdf_fonts/OFL.txt`) answer to: a
family of its own, so that no system font of the same name, older or newer, is chosen instead.

This module imports neither Django nor the project's apps: the PDF pool's processes import it.
"""

from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

FONT_FOLDER = Path(__file__).resolve().parent / "pdf_fonts"
FAMILY = "Liberation Sans Mairie"
# (file, font-weight, font-style): every face the styles use, so that none is synthesised.
FACES = [
    ("LiberationSans-Regular.ttf", "normal", "normal"),
    ("LiberationSans-Bold.ttf", "bold", "normal"),
    ("LiberationSans-Italic.ttf", "normal", "italic"),
    ("LiberationSans-BoldItalic.ttf", "bold", "italic"),
]
FONT_FACES = "\n".join(
    f'@font-face {{ font-family: "{FAMILY}"; src: url("{(FONT_FOLDER / name).as_uri()}"); '
    f"font-weight: {weight}; font-style: {style}; }}"
    for name, weight, style in FACES
)


def write_pdf(html: str, base_url: str) -> bytes:
    """The PDF of a document whose styles name FAMILY; `base_url` resolves its relative links."""
    font_config = FontConfiguration()
    fonts = CSS(string=FONT_FACES, font_config=font_config)
    return HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=[fonts], font_config=font_config
    )
