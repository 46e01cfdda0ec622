"""A dossier de formation's « récapitulatif » (PDF): what the holder hands to his employer
or keeps — the dossier's fields, its hours plan, the employer's agreement, the abondements,
the hours done and its history of operations.

Made like the « attestation de droits » (attestation.py: fpdf2, Marianne embedded, every
string through ``printable()``). The holder's NIR is masked (PRIV-02), as on every page.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.formats import date_format

from mcf.domain.dossiers import deadlines, plan
from mcf.domain.dossiers.models import Abondement, Dossier, State, WorkingTime
from mcf.domain.identity.siret import format_siret
from mcf.domain.journal.models import JournalEntry
from mcf.web.catalogue.templatetags.catalogue import euros, hours
from mcf.web.titulaire.attestation import (
    FAMILY,
    GREY_LINE,
    GREY_TEXT,
    HEADING,
    SERVICE,
    Document,
    open_document,
    printable,
    section,
    user_nir_masked,
)


class _Recap(Document):
    def footer_text(self) -> str:
        return (
            f"{SERVICE} — récapitulatif du dossier n° {self.reference} — page "
            f"{self.page_no()} sur {{nb}}\nÉtabli d'après les informations connues du service à "
            "sa date ; seul l'état « Validé » vaut accord de prise en charge du financeur."
        )


def _day(value) -> str:
    if value is None:
        return "–"
    if not isinstance(value, date) or hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return f"{value:%d/%m/%Y}"


def _facts(pdf: Document, rows) -> None:
    """A two-column table of label / value."""
    with pdf.table(
        col_widths=(62, 112), first_row_as_headings=False, line_height=6, padding=(1, 2)
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(printable(label), style=HEADING)
            row.cell(printable(value if value not in (None, "") else "–"))
    pdf.ln(5)


def render_recap(
    dossier: Dossier, entries: list[JournalEntry], *, abondements: list[Abondement]
) -> bytes:
    today = timezone.localdate()
    pdf = open_document(
        _Recap, f"Dossier de formation n° {dossier.number_display}", dossier.number_display
    )
    pdf.set_draw_color(*GREY_LINE)
    pdf.set_line_width(0.2)

    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(
        0,
        9,
        printable(f"Dossier de formation n° {dossier.number_display}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*GREY_TEXT)
    pdf.cell(
        0,
        5,
        printable(
            f"Récapitulatif établi le {date_format(today, 'j F Y')} — état : "
            f"{dossier.holder_state.label}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)

    holder = dossier.holder
    _facts(
        pdf,
        [
            ("Titulaire", holder.display_name),
            ("Numéro de Sécurité sociale", user_nir_masked(holder)),
            ("État du dossier", f"{dossier.holder_state.label} ({dossier.get_state_display()})"),
        ],
    )

    section(pdf, "La formation")
    _facts(
        pdf,
        [
            ("Intitulé", dossier.training_title),
            ("Code CPF", str(dossier.code_cpf)),
            ("Certification", dossier.certification_title),
            ("Liste d'origine", dossier.list_label),
        ],
    )

    section(pdf, "L'organisme de formation")
    address = " ".join(
        part
        for part in (
            dossier.organisme_address,
            dossier.organisme_postal_code,
            dossier.organisme_city,
        )
        if part
    )
    _facts(
        pdf,
        [
            ("Raison sociale", dossier.organisme_name),
            (
                "SIRET",
                format_siret(dossier.organisme_siret) if dossier.organisme_siret else "",
            ),
            ("Contact", dossier.organisme_contact),
            ("Courriel du contact", dossier.organisme_email),
            ("Téléphone du contact", dossier.organisme_phone),
            ("Adresse", address),
        ],
    )

    section(pdf, "Dates, durée, coût et financement")
    _facts(
        pdf,
        [
            ("Date de début", _day(dossier.start_date)),
            ("Date de fin", _day(dossier.end_date)),
            ("Durée", hours(dossier.duration_hours)),
            ("Coût TTC", euros(dossier.cost) if dossier.cost is not None else ""),
            ("Temps de travail", dossier.get_working_time_display()),
            ("Financeur", dossier.financeur.name if dossier.financeur_id else ""),
            ("Dossier confidentiel", "Oui" if dossier.confidential else "Non"),
            (
                "Accord pour la mobilisation des heures",
                f"donné le {_day(dossier.consent_at)}" if dossier.consent_at else "non donné",
            ),
            ("Transmis le", _day(dossier.sent_at)),
            ("Validé le", _day(dossier.validated_at)),
            ("Clos le", _day(dossier.closed_at)),
            ("Annulé le", _day(dossier.cancelled_at)),
            ("Commentaires", dossier.comments),
        ],
    )

    section(pdf, "Plan des heures")
    financed = plan.HoursPlan(dossier.duration_hours or 0, dossier.plan_dif, dossier.plan_cpf, 0, 0)
    rows = [
        ("Heures DIF", hours(financed.dif)),
        ("Heures CPF", hours(financed.cpf)),
        ("Heures à financer autrement (abondement)", hours(financed.to_finance)),
    ]
    if dossier.state == State.CLOS:
        rows += [
            ("Heures réalisées", hours(dossier.hours_done)),
            ("Heures débitées", f"{hours(dossier.used_dif)} DIF, {hours(dossier.used_cpf)} CPF"),
        ]
    rows += [
        (f"Abondement : {a.get_payer_display()}", f"{hours(a.hours)}, {euros(a.amount)}")
        for a in abondements
    ]
    _facts(pdf, rows)

    if dossier.working_time == WorkingTime.SUR:
        agreement = deadlines.employer_agreement(dossier)
        section(pdf, "L'accord de l'employeur (sur temps de travail)")
        _facts(
            pdf,
            [
                ("Demande au plus tard le", _day(agreement.deadline)),
                ("Demande faite le", _day(agreement.requested_on)),
                ("Réponse attendue au plus tard le", _day(agreement.answer_due)),
                (
                    "Réponse de l'employeur",
                    f"{dossier.get_employer_answer_display()} le "
                    f"{_day(dossier.employer_answered_on)}"
                    if dossier.employer_answer
                    else "en attente",
                ),
            ],
        )

    if dossier.cancel_reason or dossier.complement_message:
        section(pdf, "Motif")
        _facts(
            pdf,
            [
                ("Motif de l'annulation", dossier.cancel_reason),
                ("Complément demandé", dossier.complement_message),
            ],
        )

    section(pdf, "Historique des opérations")
    pdf.set_font(FAMILY, "", 8.5)
    with pdf.table(
        col_widths=(30, 96, 48),
        line_height=5,
        padding=(1, 2),
        headings_style=HEADING,
    ) as table:
        table.row(["Date", "Opération", "Par"])
        for entry in entries:
            text = entry.get_action_display()
            if entry.details:
                text += f" — {entry.details}"
            table.row(
                [
                    f"{timezone.localtime(entry.occurred_at):%d/%m/%Y %H:%M}",
                    printable(text),
                    printable(entry.actor),
                ]
            )
    return bytes(pdf.output())
