"""The printed documents (attestations, lists, tableaux): one base template, one way to render.

A document is a template that extends `mairie/pdf_base.html`, which sets the A4 page, the
project's fonts (mairie.pdf), the running footer with "Page N / M", the letterhead's style, the
title band and the signature block. The template fills these blocks:

- `title`: the PDF's title (its metadata; the author is "Mairie de <commune>");
- `page_size` ("A4 portrait" by default, or "A4 landscape") and `page_margin`;
- `page_margin_boxes`: the page's margin boxes, to replace the footer or add to it with
  `{{ block.super }}` (the electoral registers add a running header);
- `style`: the document's own CSS rules, after the shared ones, which it may override;
- `body`: the content. It usually holds, in this order:
  - `<p class="pied coupe">…</p>`: the footer text, printed left of the page numbers;
  - `{% include "mairie/pdf_entete.html" %}`: the letterhead (seal, mairie, the Republic);
  - `<div class="titre"><h1>…</h1><p>…</p></div>`: the title band;
  - `{% include "mairie/pdf_signature.html" with signataire="Le maire"
    nom=collectivite.maire_as_printed %}`: the signature block (`fait_le=date` adds
    "Fait à <commune>, le <date>" above it).

The context must hold `collectivite`. Wrap long words in an element of class `coupe`, so that
they break rather than run past the page: tests/mairie/test_pdf.py prints every document with
the longest values the fields keep and checks that every word lies inside the page.

For example, an election document:

    data = render_pdf("electoral/proces_verbal_pdf.html", {"collectivite": collectivite, ...})

A long document whose parts are rendered in parallel (exports.pdf_pool, which imports no Django)
gives the pool `document_html(...)` of each part and `base_url()` instead.
"""

from django.conf import settings
from django.template.loader import render_to_string

from mairie.pdf import FAMILY, write_pdf


def base_url() -> str:
    """Where a document's relative links (uploaded images) are resolved."""
    return str(settings.MEDIA_ROOT)


def document_html(template_name: str, context: dict) -> str:
    """The HTML of a document whose template extends mairie/pdf_base.html."""
    return render_to_string(template_name, {**context, "pdf_font_family": FAMILY})


def render_pdf(template_name: str, context: dict) -> bytes:
    """The PDF of a document whose template extends mairie/pdf_base.html (see above)."""
    return write_pdf(document_html(template_name, context), base_url())
