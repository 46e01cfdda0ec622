"""What the API reads and writes (pydantic schemas of django-ninja), with their French
descriptions for the OpenAPI document. Identity data never appears: no NIR, no holder's
name in full (AC matrix, docs/api.md)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from mcf.domain.catalogue.models import ListedCertification, Offer, Session
from mcf.domain.catalogue.search.criteria import SearchResults
from mcf.web.catalogue.forms import MAX_PLACE, MAX_TEXT


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str = Field(description="URI stable du type d'erreur")
    title: str = Field(description="Phrase française du type d'erreur")
    status: int
    detail: str = Field(description="Ce qui s'est passé cette fois-ci")
    code: str = Field(description="Code stable, pour les programmes")
    instance: str = ""
    request_id: str = Field(description="Identifiant à citer au support")
    errors: dict[str, str] | None = Field(None, description="Message par champ refusé")


def answers(ok: dict, *problems: int) -> dict:
    """An operation's documented answers: its successes, then its problems (422: a value
    refused, 429: the rate limit; always possible)."""
    return {**ok, **{status: ProblemOut for status in sorted({*problems, 422, 429})}}


# ----- Catalogue -----------------------------------------------------------------------------


class SearchIn(Schema):
    """The search page's parameters (validated by the page's own form)."""

    # The lengths are documented, not checked here: the form refuses with its message.
    q: str | None = Field(
        None, description="Mots-clés ou code CPF", json_schema_extra={"maxLength": MAX_TEXT}
    )
    lieu: str | None = Field(
        None,
        description="Commune, code postal, département ou région",
        json_schema_extra={"maxLength": MAX_PLACE},
    )
    rayon: str | None = Field(None, description="Rayon en km autour de la commune de `lieu`")
    statut: str | None = Field(None, description="`salarie` ou `demandeur_emploi`")
    region_situation: str | None = Field(None, description="Région de la situation")
    branche: str | None = Field(None, description="IDCC de la branche (salarié)")
    duree_min: str | None = Field(None, description="Durée minimale en heures")
    duree_max: str | None = Field(None, description="Durée maximale en heures")
    prix_min: str | None = Field(None, description="Prix minimal en euros")
    prix_max: str | None = Field(None, description="Prix maximal en euros")
    du: str | None = Field(None, description="Session commençant à partir du (AAAA-MM-JJ)")
    au: str | None = Field(None, description="Session commençant au plus tard le")
    type: list[str] = Field([], description="Types de certification (RNCP, RS, CQP…)")
    niveau: list[str] = Field([], description="Niveaux de sortie (0, 3 à 8)")
    modalite: list[str] = Field([], description="Modalités (presentiel, distance, mixte)")
    region: str | None = Field(None, description="Code de la région (facette)")
    tri: str | None = Field(None, description="pertinence, distance, prix ou duree")
    code_cpf: str | None = Field(None, description="Code CPF exact")
    page: str | None = Field(None, description="Numéro de page (20 formations par page)")


def query_parameters(schema: type[Schema]) -> list[dict]:
    """OpenAPI query parameters from a schema's fields (text, or a repeated text)."""
    parameters = []
    for name, field in schema.model_fields.items():
        many = field.annotation == list[str]
        text = {"type": "string", **(field.json_schema_extra or {})}
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": field.description or "",
                "schema": {"type": "array", "items": text} if many else text,
                **({"style": "form", "explode": True} if many else {}),
            }
        )
    return parameters


class OrganismeOut(Schema):
    siret: str
    raison_sociale: str


class CertificationRef(Schema):
    type: str
    code: str
    intitule: str
    niveau: str


class OfferSummary(Schema):
    id: int
    numero: str
    intitule: str
    organisme: OrganismeOut
    certification: CertificationRef
    code_cpf: int | None
    listes: list[str] = Field(description="Listes qui rendent l'offre éligible pour la recherche")
    duree_heures: int
    prix_ttc: str = Field(description="En euros, deux décimales")
    modalite: str
    commune: str
    code_postal: str
    distance_km: float | None = None


class FacetValueOut(Schema):
    valeur: str
    libelle: str
    nombre: int


class FacetOut(Schema):
    nom: str = Field(description="Le paramètre que la facette règle (type, niveau…)")
    libelle: str
    valeurs: list[FacetValueOut]


class SearchOut(Schema):
    total: int
    page: int
    pages: int
    par_page: int
    formations: list[OfferSummary]
    facettes: list[FacetOut]


class ListingOut(Schema):
    liste: str
    type_liste: str
    code_cpf: int
    eligible_depuis: datetime.date
    eligible_jusqu_au: datetime.date | None


class SessionOut(Schema):
    debut: datetime.date
    fin: datetime.date


class OfferOut(OfferSummary):
    objectif: str
    contenu: str
    adresse: str
    region: str | None
    sessions: list[SessionOut]
    listes_eligibilite: list[ListingOut]


class CertificationOut(Schema):
    code_cpf: int
    certification: CertificationRef
    listes_eligibilite: list[ListingOut]


def _certification(certification) -> dict:
    return {
        "type": certification.kind,
        "code": certification.code,
        "intitule": certification.title,
        "niveau": certification.level,
    }


def _offer_summary(offer: Offer, *, code_cpf, lists, distance_km=None) -> dict:
    return {
        "id": offer.pk,
        "numero": offer.number,
        "intitule": offer.title,
        "organisme": {"siret": offer.organisme.siret, "raison_sociale": offer.organisme.name},
        "certification": _certification(offer.certification),
        "code_cpf": code_cpf,
        "listes": list(lists),
        "duree_heures": offer.duration_hours,
        "prix_ttc": f"{offer.price:.2f}",
        "modalite": offer.modality,
        "commune": offer.city,
        "code_postal": offer.postal_code,
        "distance_km": round(distance_km, 1) if distance_km is not None else None,
    }


def search_out(results: SearchResults) -> dict:
    return {
        "total": results.total,
        "page": results.criteria.page,
        "pages": results.page_count,
        "par_page": results.criteria.page_size,
        "formations": [
            _offer_summary(
                hit.offer, code_cpf=hit.code_cpf, lists=hit.lists, distance_km=hit.distance_km
            )
            for hit in results.hits
        ],
        "facettes": [
            {
                "nom": facet.name,
                "libelle": facet.label,
                "valeurs": [
                    {"valeur": v.value, "libelle": v.label, "nombre": v.count} for v in facet.values
                ],
            }
            for facet in results.facets
        ],
    }


def _listing(item: ListedCertification) -> dict:
    return {
        "liste": str(item.eligibility_list),
        "type_liste": item.eligibility_list.kind,
        "code_cpf": item.code_cpf,
        "eligible_depuis": item.valid_from,
        "eligible_jusqu_au": item.valid_until,
    }


def offer_out(offer: Offer, listings: list[ListedCertification], sessions: list[Session]) -> dict:
    return {
        **_offer_summary(
            offer,
            code_cpf=listings[0].code_cpf if listings else None,
            lists=[str(item.eligibility_list) for item in listings],
        ),
        "objectif": offer.objective,
        "contenu": offer.content,
        "adresse": offer.address,
        "region": offer.region.name if offer.region_id else None,
        "sessions": [{"debut": s.start_date, "fin": s.end_date} for s in sessions],
        "listes_eligibilite": [_listing(item) for item in listings],
    }


def certification_out(code_cpf: int, listings: list[ListedCertification]) -> dict:
    return {
        "code_cpf": code_cpf,
        "certification": _certification(listings[0].certification),
        "listes_eligibilite": [_listing(item) for item in listings],
    }
