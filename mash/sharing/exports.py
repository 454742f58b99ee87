"""Exports of what left the MASH: the receiving team's pack as a PDF, and the sharing log as CSV.

Both read only what they are given. The pack PDF is built from an `OutboundPack` and nothing
else, so sensitive items, items kept inside the MASH and unredacted text cannot reach it. The
CSV carries the sharing log's descriptive fields, never the information shared.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import timezone

if TYPE_CHECKING:
    from .models import SharingLogEntry
    from .services import OutboundPack

CLASSIFICATION = "OFFICIAL-SENSITIVE"


def _paragraphs(text: str) -> list[str]:
    """Text as escaped reportlab markup, one entry per paragraph, line breaks kept."""
    return [escape(part).replace("\n", "<br/>") for part in text.strip().split("\n\n") if part.strip()]


def _date(value: Any, fmt: str = "%d %B %Y") -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = timezone.localtime(value)
        if fmt == "%d %B %Y":
            fmt = "%d %B %Y %H:%M"
    return value.strftime(fmt)


def transfer_pack_pdf(pack: OutboundPack, *, compress: bool = True) -> bytes:
    """The outbound pack as an A4 PDF (reportlab, as the outcome letter).

    `compress=False` writes the page content uncompressed, so a test can read the text in the
    raw bytes without a PDF parser.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from mash.partnership.services import require_partnership

    contact = pack.contact
    decision = pack.decision
    child = contact.subject_child
    partnership = require_partnership()
    styles = getSampleStyleSheet()
    normal, small = styles["Normal"], styles["BodyText"]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"MASH transfer pack {contact.reference}",
        author=partnership.name,
        pageCompression=1 if compress else 0,
    )

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(
            20 * mm,
            10 * mm,
            f"{CLASSIFICATION}. MASH transfer pack {contact.reference}, page {document.page}. "
            "For the receiving team only: do not forward.",
        )
        canvas.restoreState()

    def summary(rows: Iterable[tuple[str, str]]) -> Table:
        data = [
            [
                Paragraph(f"<b>{escape(key)}</b>", small),
                [Paragraph(p, small) for p in _paragraphs(value)] or Paragraph("Not recorded", small),
            ]
            for key, value in rows
        ]
        table = Table(data, colWidths=[45 * mm, None])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    story: list[Any] = [
        Paragraph(escape(CLASSIFICATION), normal),
        Paragraph(escape(partnership.name), styles["Heading2"]),
        Paragraph(f"MASH transfer pack: contact {escape(contact.reference)}", styles["Title"]),
        Paragraph(
            "What left the Multi-Agency Safeguarding Hub with the outcome. Sensitive information and "
            "information kept inside the MASH are not included: where an agency holds sensitive "
            "information, this pack says who to ask.",
            normal,
        ),
        Spacer(1, 4 * mm),
        Paragraph("Child and contact", styles["Heading2"]),
        summary(
            [
                ("Contact reference", contact.reference),
                ("Received", _date(contact.received_at)),
                ("RAG rating", str(contact.rag_rating or "Not rated")),
                ("Child's name", child.full_name if child else "Not known"),
                ("Date of birth", _date(child.date_of_birth) if child and child.date_of_birth else "Not known"),
                (
                    "Address",
                    "\n".join(part for part in (child.address, child.postcode) if part)
                    if child and child.address
                    else "Not known",
                ),
                ("The concern", contact.concern_details),
                ("Impact on the child", contact.impact_on_child),
                ("What the child said", contact.child_voice),
            ]
        ),
        Spacer(1, 4 * mm),
        Paragraph("The MASH decision", styles["Heading2"]),
    ]
    if decision is None:
        story.append(Paragraph("The outcome has not been signed off.", normal))
    else:
        signed = _date(decision.reviewed_at)
        if decision.reviewed_by is not None:
            signed = f"{signed} by {decision.reviewed_by.display_name}"
        story.append(
            summary(
                [
                    ("Outcome", decision.get_outcome_display()),
                    ("Receiving team", str(decision.receiving_team or "None")),
                    ("Analysis", decision.analysis),
                    ("Rationale", decision.rationale),
                    ("Signed off", signed),
                ]
            )
        )
    story += [Spacer(1, 4 * mm), Paragraph("What each agency shared", styles["Heading2"])]
    if not pack.agencies:
        story.append(Paragraph("No agency information was gathered for this contact.", normal))
    for section in pack.agencies:
        story.append(Paragraph(escape(section.agency), styles["Heading3"]))
        if section.answered_at:
            story.append(Paragraph(f"Answered {escape(_date(section.answered_at))}", small))
        if section.sensitive_held:
            holders = "; ".join(section.sensitive_holders)
            story.append(
                Paragraph(
                    f"<b>Sensitive information is held by {escape(section.agency)}. It does not leave the MASH. "
                    f"Ask: {escape(holders)}</b>",
                    normal,
                )
            )
        if section.nothing_held:
            story.append(Paragraph(f"Nothing held: {escape(section.agency)} holds no relevant information.", normal))
        for index, item in enumerate(section.items, start=1):
            details = [item.kind]
            if item.source:
                details.append(f"source: {item.source}")
            if item.recorded_on:
                details.append(_date(item.recorded_on))
            if item.redacted:
                details.append("redacted before leaving the MASH")
            story.append(Paragraph(f"<b>Item {index}</b> ({escape(', '.join(details))})", small))
            story += [Paragraph(p, normal) for p in _paragraphs(item.text)]
            story.append(Spacer(1, 2 * mm))
        if section.items_kept_in_mash:
            count = section.items_kept_in_mash
            story.append(Paragraph(f"{count} further item{'s' if count != 1 else ''} kept inside the MASH.", small))
        if not section.nothing_held:
            story.append(summary([("Analysis (so what?)", section.analysis), ("Recommendation", section.recommendation)]))
        story.append(Spacer(1, 4 * mm))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the sharing log as CSV

LOG_CSV_HEADER = [
    "When",
    "Contact reference",
    "Kind",
    "Shared or not shared",
    "What",
    "From",
    "From user",
    "To",
    "Why",
    "Lawful bases",
]


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): the log holds text typed by users."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def sharing_log_csv_rows(entries: Iterable[SharingLogEntry]) -> Iterator[str]:
    """CSV lines for a streaming response: the header, then one line per log entry."""
    writer = csv.writer(_Echo())
    yield writer.writerow(LOG_CSV_HEADER)
    for entry in entries:
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                    entry.contact.reference,
                    entry.get_kind_display(),
                    "Shared" if entry.shared else "Decision not to share",
                    entry.what,
                    entry.from_party,
                    entry.from_user.display_name if entry.from_user else "Recorded automatically",
                    entry.to_party,
                    entry.why,
                    "; ".join(basis.name for basis in entry.lawful_bases.all()),
                )
            ]
        )
