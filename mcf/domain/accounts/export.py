"""Export of the personal data we hold about a holder (PRIV-03, GDPR art. 15, domain.md §8).

A JSON document with French keys, readable as is: identity (the NIR masked unless the
holder asks for it in full), contact, situation, account, hours counter and every ledger
entry, history, open sessions, a pending e-mail change, the dossiers de formation. Only
rows that belong to the holder are read (AC-01). Délégations join it when they exist.

Dossiers: every field the holder typed or his pages show (the organisme's contact he typed
in included), the plan, the abondements, the employer's agreement, the motifs. **(choice)**
Of the financeur, only what the holder's own pages show: the organisation's name, and in
the history the actor's label as it was written for him (« OPCA Démo (Amandine D.) »: a
first name and an initial). Never a professional's full name, identifier or e-mail: they
are the professional's personal data, not the holder's, and the right of access (GDPR
art. 15) is to the data about the person who asks.

The export is an action of its own (journaled), reached after a recent password (SESS-05).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.accounts.models import EmailChangeRequest, EmploymentStatus, User, UserSession
from mcf.domain.dossiers.models import Dossier
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.identity.nir import Nir
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action, JournalEntry

FORMAT_VERSION = 1


def _date(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _named(obj, code_attr: str) -> dict | None:
    return {"code": getattr(obj, code_attr), "nom": obj.name} if obj else None


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _dossiers(user: User):
    """The holder's dossiers with their financeur and abondements: two queries."""
    return (
        Dossier.objects.filter(holder=user)
        .select_related("financeur")
        .prefetch_related("abondements")
        .order_by("created_at", "id")
    )


def _dossier(dossier: Dossier) -> dict:
    return {
        "numero": dossier.number,
        "etat": dossier.holder_state.label,
        "etape": dossier.get_state_display(),
        "formation": {
            "code_cpf": dossier.code_cpf,
            "intitule": dossier.training_title,
            "certification": dossier.certification_title,
            "liste_d_origine": dossier.list_label,
        },
        "organisme_de_formation": dossier.organisme_details(),
        "date_de_debut": _day(dossier.start_date),
        "date_de_fin": _day(dossier.end_date),
        "duree_heures": dossier.duration_hours,
        "cout_ttc_euros": str(dossier.cost) if dossier.cost is not None else None,
        "situation": EmploymentStatus(dossier.employment_status).label
        if dossier.employment_status in EmploymentStatus.values
        else dossier.employment_status,
        "siret_de_l_employeur": dossier.employer_siret,
        "temps_de_travail": dossier.get_working_time_display() if dossier.working_time else None,
        "financeur": dossier.financeur.name if dossier.financeur else None,
        "confidentiel": dossier.confidential,
        "commentaires": dossier.comments,
        "accord_mobilisation_des_heures_le": _date(dossier.consent_at),
        "accord_de_l_employeur": {
            "demande_le": _day(dossier.employer_requested_on),
            "reponse": dossier.get_employer_answer_display() if dossier.employer_answer else None,
            "reponse_le": _day(dossier.employer_answered_on),
        },
        "plan_des_heures": {
            "heures_dif": dossier.plan_dif,
            "heures_cpf": dossier.plan_cpf,
            "attestation_dif_verifiee": dossier.dif_attestation_checked,
        },
        "abondements": [
            {
                "finance_par": a.get_payer_display(),
                "heures": a.hours,
                "montant_euros": str(a.amount),
            }
            for a in dossier.abondements.all()
        ],
        "heures_realisees": dossier.hours_done,
        "heures_dif_debitees": dossier.used_dif,
        "heures_cpf_debitees": dossier.used_cpf,
        "complement_demande": dossier.complement_message,
        "motif_d_annulation": dossier.cancel_reason,
        "cree_le": _date(dossier.created_at),
        "modifie_le": _date(dossier.updated_at),
        "transmis_le": _date(dossier.sent_at),
        "valide_le": _date(dossier.validated_at),
        "clos_le": _date(dossier.closed_at),
        "annule_le": _date(dossier.cancelled_at),
    }


def personal_data(user: User, *, full_nir: bool = False) -> dict:
    """Everything we hold about ``user``, as a JSON-ready dict (reads only)."""
    user = User.objects.select_related("branch", "work_region", "home_region").get(pk=user.pk)
    nir = Nir.parse(user.nir) if user.nir else None
    counter = Counter.objects.filter(holder=user).first()
    entries = Entry.objects.filter(counter=counter).order_by("created_at", "id") if counter else []
    change = (
        EmailChangeRequest.objects.filter(user=user, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return {
        "document": "Mon compte formation — vos données personnelles",
        "version_du_format": FORMAT_VERSION,
        "exporte_le": _date(timezone.now()),
        "identite": {
            "numero_securite_sociale": (nir.formatted if full_nir else nir.masked) if nir else None,
            "numero_securite_sociale_masque": not full_nir,
            "civilite": user.get_civility_display(),
            "prenom": user.first_name,
            "nom_de_naissance": user.birth_name,
            "nom_d_usage": user.last_name,
            "contrat_d_apprentissage_declare": user.apprenticeship_declared,
        },
        "coordonnees": {
            "courriel": user.email,
            "changement_de_courriel_en_attente": change.new_email if change else None,
            "telephone_fixe": user.landline,
            "telephone_portable": user.mobile,
        },
        "situation": {
            "situation_professionnelle": user.get_employment_status_display(),
            "branche_professionnelle": _named(user.branch, "idcc"),
            "region_du_lieu_de_travail": _named(user.work_region, "code"),
            "region_du_domicile": _named(user.home_region, "code"),
        },
        "compte": {
            "identifiant_public": str(user.public_id),
            "cgu_version_acceptee": user.cgu_version,
            "cgu_acceptees_le": _date(user.cgu_accepted_at),
            "active_le": _date(user.activated_at),
            "derniere_connexion": _date(user.last_login),
            "espace_ferme_le": _date(user.closed_at),
        },
        "compteur_d_heures": (
            {
                "solde_cpf_heures": counter.cpf_balance,
                "heures_cpf_reservees": counter.cpf_reserved,
                "solde_dif_heures": counter.dif_balance,
                "heures_dif_reservees": counter.dif_reserved,
                "mouvements": [
                    {
                        "date": _date(entry.created_at),
                        "type": entry.get_kind_display(),
                        "compteur": entry.get_account_display(),
                        "heures": entry.hours,
                        "annee_d_activite": entry.year,
                        "libelle": entry.label,
                    }
                    for entry in entries
                ],
            }
            if counter
            else None
        ),
        "historique": [
            {
                "date": _date(entry.occurred_at),
                "action": entry.get_action_display(),
                "par": entry.actor,
                "precisions": entry.details,
            }
            for entry in JournalEntry.objects.filter(holder=user).order_by("occurred_at", "id")
        ],
        "dossiers_de_formation": [_dossier(d) for d in _dossiers(user)],
        "sessions_ouvertes": [
            {
                "ouverte_le": _date(s.created_at),
                "derniere_activite": _date(s.last_seen_at),
                "adresse_ip": s.ip,
                "navigateur": s.user_agent,
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
    }


def export_personal_data(user: User, *, full_nir: bool = False) -> dict:
    """The export, journaled (« Téléchargement de vos données personnelles ») first, so
    the document's history shows it."""
    with transaction.atomic():
        journal.record(
            user,
            Action.DATA_EXPORTED,
            details="Avec le numéro de Sécurité sociale complet." if full_nir else "",
        )
        data = personal_data(user, full_nir=full_nir)
    security_event("data_export", outcome="success", user=user.public_id, full_nir=full_nir)
    return data
