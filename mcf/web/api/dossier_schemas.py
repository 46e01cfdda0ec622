"""The financeurs' dossiers as the API shows them: what the instruct page shows, but the
holder's identity (initials only; never the NIR, AC matrix)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from mcf.domain.dossiers.models import Dossier, DossierTransition


class TrainingOut(Schema):
    code_cpf: int
    intitule: str
    certification: str
    liste: str


class OrganismeDossierOut(Schema):
    siret: str
    raison_sociale: str
    contact: str
    courriel: str
    telephone: str
    adresse: str
    code_postal: str
    commune: str


class EmployerOut(Schema):
    siret: str
    demande_le: datetime.date | None
    reponse: str = Field(description="accord, refus, tacite ou vide")
    reponse_le: datetime.date | None


class HoursOut(Schema):
    dif: int
    cpf: int


class DossierSummaryOut(Schema):
    id: str = Field(description="Identifiant public (UUID)")
    numero: str
    etat: str
    version: int = Field(description="À renvoyer avec chaque action (contrôle de concurrence)")
    intitule: str
    titulaire: str = Field(description="Initiales du titulaire")
    duree_heures: int | None
    debut: datetime.date | None
    modifie_le: datetime.datetime


class DossierOut(DossierSummaryOut):
    formation: TrainingOut
    organisme: OrganismeDossierOut
    fin: datetime.date | None
    cout_ttc: str | None
    temps_de_travail: str
    situation: str
    confidentiel: bool
    commentaires: str
    employeur: EmployerOut
    plan: HoursOut = Field(description="Heures réservées à la validation")
    plan_propose: HoursOut = Field(
        description="Ce que les règles proposent maintenant (DIF d'abord, 150 h au plus), "
        "comme la page « Instruire »"
    )
    attestation_dif_requise: bool = Field(
        description="Des heures DIF seraient mobilisées pour la première fois : "
        "vérifier l'attestation DIF de l'employeur"
    )
    heures_realisees: int | None
    heures_debitees: HoursOut
    complement_demande: str
    motif_annulation: str
    transmis_le: datetime.datetime | None
    valide_le: datetime.datetime | None
    clos_le: datetime.datetime | None
    annule_le: datetime.datetime | None
    actions_possibles: list[str]


class DossierPageOut(Schema):
    dossiers: list[DossierSummaryOut]
    suivant: str | None = Field(description="Curseur de la page suivante (null : la fin)")


class TransitionOut(Schema):
    nom: str
    de: str
    vers: str
    le: datetime.datetime
    par: str
    motif: str


class AbondementIn(Schema):
    financeur: str = Field(description="Qui finance l'abondement (valeurs de l'écran)")
    heures: int | None = None
    montant: str | None = Field(None, description="En euros, par exemple « 450,00 »")


class ValidateIn(Schema):
    version: int
    heures_dif: int
    heures_cpf: int
    attestation_dif_verifiee: bool = False
    abondements: list[AbondementIn] = Field([], max_length=20)


class ComplementIn(Schema):
    version: int
    message: str


class MotifIn(Schema):
    version: int
    motif: str


class CloseIn(Schema):
    version: int
    heures_realisees: int


def initials(user) -> str:
    names = [user.first_name, user.last_name or getattr(user, "birth_name", "")]
    return " ".join(f"{name.strip()[0].upper()}." for name in names if name and name.strip())


def summary_out(dossier: Dossier) -> dict:
    return {
        "id": str(dossier.public_id),
        "numero": dossier.number_display,
        "etat": dossier.state,
        "version": dossier.version,
        "intitule": dossier.training_title,
        "titulaire": initials(dossier.holder),
        "duree_heures": dossier.duration_hours,
        "debut": dossier.start_date,
        "modifie_le": dossier.updated_at,
    }


def dossier_out(dossier: Dossier, actions: list[str], proposed, dif_locked: bool) -> dict:
    return {
        **summary_out(dossier),
        "formation": {
            "code_cpf": dossier.code_cpf,
            "intitule": dossier.training_title,
            "certification": dossier.certification_title,
            "liste": dossier.list_label,
        },
        "organisme": dossier.organisme_details(),
        "fin": dossier.end_date,
        "cout_ttc": f"{dossier.cost:.2f}" if dossier.cost is not None else None,
        "temps_de_travail": dossier.working_time,
        "situation": dossier.employment_status,
        "confidentiel": dossier.confidential,
        "commentaires": dossier.comments,
        "employeur": {
            "siret": dossier.employer_siret,
            "demande_le": dossier.employer_requested_on,
            "reponse": dossier.employer_answer,
            "reponse_le": dossier.employer_answered_on,
        },
        "plan": {"dif": dossier.plan_dif, "cpf": dossier.plan_cpf},
        "plan_propose": {"dif": proposed.dif, "cpf": proposed.cpf},
        "attestation_dif_requise": proposed.dif > 0 and not dif_locked,
        "heures_realisees": dossier.hours_done,
        "heures_debitees": {"dif": dossier.used_dif, "cpf": dossier.used_cpf},
        "complement_demande": dossier.complement_message,
        "motif_annulation": dossier.cancel_reason,
        "transmis_le": dossier.sent_at,
        "valide_le": dossier.validated_at,
        "clos_le": dossier.closed_at,
        "annule_le": dossier.cancelled_at,
        "actions_possibles": actions,
    }


def transition_out(item: DossierTransition) -> dict:
    if item.api_client_id:
        by = f"{item.organisation.name} (API : {item.api_client.name})"
    elif item.organisation_id:
        by = item.organisation.name
    else:
        by = "Le titulaire"
    return {
        "nom": item.name,
        "de": item.source,
        "vers": item.target,
        "le": item.occurred_at,
        "par": by,
        "motif": item.motif,
    }
