"""The financeurs' dossiers through the API (OAuth 2 client credentials, docs/api.md).

The same dossiers as « Dossiers à instruire » (``queries.of_financeur``: never another
organisation's, never a draft), and the same acts: each POST fills the instruct page's own
form (its validation and French messages) and calls the same action function through the
page's ``ACTS`` table, so the guards, the ledger's reservation, the journal, the mails and
the webhooks are the screens' ones. Errors: 404 for a dossier that is not the client's
organisation's (existence never confirmed), 409 for an act the state or a guard refuses
(``etat``, ``perime``, ``refuse``), 422 for refused values (``errors`` by field).

``Idempotency-Key`` (REL-04): a POST repeated with the same key has one effect and gets the
first answer (status and body, header ``Idempotent-Replayed: true``); the same key with
another body is a 422 ``cle_reutilisee``. A refused act keeps no key: it can be corrected
and sent again with it.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from django.core import signing
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from ninja import Query, Router, Schema

from mcf.domain.dossiers import queries, workflow
from mcf.domain.dossiers.models import Dossier, State
from mcf.domain.idempotency.actions import KeyReused, Result, run_once
from mcf.domain.integrations.caller import ApiCaller
from mcf.web.api import dossier_schemas as out
from mcf.web.api.auth import INSTRUCT, READ
from mcf.web.api.problems import Problem, json_text
from mcf.web.api.schemas import answers
from mcf.web.professionnel.dossier_forms import AbondementFormSet
from mcf.web.professionnel.dossier_views import ACTS

router = Router(tags=["Dossiers (financeurs)"])

PAGE_MAX = 100
NOT_FOUND, NO_SUCH_DOSSIER = (
    "introuvable",
    "Aucun dossier de votre organisation ne porte ce numéro.",
)
CURSOR_SALT = "mcf.api.dossiers.cursor"
# The instruct page's field names → the API's.
FIELD_NAMES = {
    "dif": "heures_dif",
    "cpf": "heures_cpf",
    "dif_attestation_checked": "attestation_dif_verifiee",
    "hours_done": "heures_realisees",
    "message": "message",
    "motif": "motif",
    "__all__": "requete",
    "payer": "financeur",
    "hours": "heures",
    "amount": "montant",
}


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError):
        raise Problem(NOT_FOUND, NO_SUCH_DOSSIER) from None


def _dossier(caller: ApiCaller, public_id: str) -> Dossier:
    dossier = (
        queries.of_financeur(caller.organisation_id)
        .filter(public_id=_uuid_or_404(public_id))
        .select_related("holder")
        .first()
    )
    if dossier is None:
        raise Problem(NOT_FOUND, NO_SUCH_DOSSIER)
    return dossier


def _detail(dossier: Dossier, caller: ApiCaller) -> dict:
    actions = [t.name for t in workflow.available(dossier, caller)]
    counter, proposed = queries.proposed_plan(dossier)
    return out.dossier_out(dossier, actions, proposed, counter.dif_locked_at is not None)


class ListIn(Schema):
    etat: list[str] = []
    modifie_depuis: str | None = None
    curseur: str | None = None
    limite: int = 50


@router.get(
    "/dossiers",
    auth=READ,
    response=answers({200: out.DossierPageOut}, 401, 403),
    summary="Les dossiers de l'organisation",
    description=(
        "Les dossiers transmis à l'organisation du client (jamais les brouillons), du plus "
        "ancien au plus récent, par pages de `limite` (100 au plus) ; `suivant` est le "
        "curseur de la page d'après.\n\n```\ncurl -H 'Authorization: Bearer JETON' "
        "'https://www.moncompteformation.gouv.fr/api/v1/dossiers?etat=transmis&limite=50'\n```"
    ),
)
def list_dossiers(request, filters: Query[ListIn]):
    caller: ApiCaller = request.auth
    errors = {}
    unknown = [state for state in filters.etat if state not in State.values]
    if unknown:
        errors["etat"] = f"États possibles : {', '.join(State.values)}."
    if not 1 <= filters.limite <= PAGE_MAX:
        errors["limite"] = f"Entre 1 et {PAGE_MAX}."
    since = parse_datetime(filters.modifie_depuis) if filters.modifie_depuis else None
    if filters.modifie_depuis and since is None:
        errors["modifie_depuis"] = (
            "Une date et heure ISO 8601, par exemple 2026-12-01T00:00:00+01:00."
        )
    after = 0
    if filters.curseur:
        try:
            after = int(signing.loads(filters.curseur, salt=CURSOR_SALT))
        except (signing.BadSignature, ValueError, TypeError):
            errors["curseur"] = "Curseur inconnu : reprenez la liste depuis le début."
    if errors:
        raise Problem("invalide", errors=errors)
    dossiers = queries.of_financeur(caller.organisation_id).filter(pk__gt=after)
    if filters.etat:
        dossiers = dossiers.filter(state__in=filters.etat)
    if since is not None:
        dossiers = dossiers.filter(updated_at__gte=since)
    page = list(dossiers.select_related("holder").order_by("pk")[: filters.limite + 1])
    more = len(page) > filters.limite
    page = page[: filters.limite]
    return {
        "dossiers": [out.summary_out(d) for d in page],
        "suivant": signing.dumps(page[-1].pk, salt=CURSOR_SALT) if more else None,
    }


@router.get(
    "/dossiers/{public_id}",
    auth=READ,
    response=answers({200: out.DossierOut}, 401, 403, 404),
    summary="Un dossier",
    description=(
        "```\ncurl -H 'Authorization: Bearer JETON' https://www.moncompteformation.gouv.fr"
        "/api/v1/dossiers/0b6e…\n```"
    ),
)
def dossier(request, public_id: str):
    return _detail(_dossier(request.auth, public_id), request.auth)


@router.get(
    "/dossiers/{public_id}/historique",
    auth=READ,
    response=answers({200: list[out.TransitionOut]}, 401, 403, 404),
    summary="L'historique d'un dossier",
    description=(
        "Chaque transition : laquelle, de quel état à quel état, quand, par qui, avec son "
        "motif.\n\n```\ncurl -H 'Authorization: Bearer JETON' https://www.moncompteformation"
        ".gouv.fr/api/v1/dossiers/0b6e…/historique\n```"
    ),
)
def history(request, public_id: str):
    found = _dossier(request.auth, public_id)
    items = found.transitions.select_related("organisation", "api_client").order_by(
        "occurred_at", "pk"
    )
    return [out.transition_out(item) for item in items]


# ----- Acts ------------------------------------------------------------------------------------


def _form_data(name: str, payload: dict) -> tuple[dict, dict | None]:
    """The instruct page's POST for this act (its form's prefix), and its abondements'."""
    act = ACTS[name]
    by_form_name = {
        "dif": payload.get("heures_dif"),
        "cpf": payload.get("heures_cpf"),
        "dif_attestation_checked": "on" if payload.get("attestation_dif_verifiee") else "",
        "hours_done": payload.get("heures_realisees"),
        "message": payload.get("message"),
        "motif": payload.get("motif"),
    }
    fields = act.form.base_fields
    data = {
        f"{act.prefix}-{field}": "" if value is None else str(value)
        for field, value in by_form_name.items()
        if field in fields
    }
    if name != "valider":
        return data, None
    lines = payload.get("abondements") or []
    formset = {
        "abondements-TOTAL_FORMS": str(len(lines)),
        "abondements-INITIAL_FORMS": "0",
        "abondements-MIN_NUM_FORMS": "0",
        "abondements-MAX_NUM_FORMS": "20",
    }
    for i, line in enumerate(lines):
        formset[f"abondements-{i}-payer"] = line.get("financeur") or ""
        formset[f"abondements-{i}-hours"] = (
            "" if line.get("heures") is None else str(line["heures"])
        )
        formset[f"abondements-{i}-amount"] = line.get("montant") or ""
    return data, formset


def _field_errors(form, formset) -> dict[str, str]:
    errors = {
        FIELD_NAMES.get(field, field): " ".join(messages) for field, messages in form.errors.items()
    }
    if formset is not None:
        for i, line in enumerate(formset.forms):
            for field, messages in line.errors.items():
                errors[f"abondements.{i}.{FIELD_NAMES.get(field, field)}"] = " ".join(messages)
        for message in formset.non_form_errors():
            errors["abondements"] = str(message)
    return errors


def _perform(request, public_id: str, name: str, payload: dict) -> Result:
    caller: ApiCaller = request.auth
    dossier = _dossier(caller, public_id)
    act = ACTS[name]
    data, formset_data = _form_data(name, payload)
    form = act.form(data, prefix=act.prefix)
    form.version = payload["version"]
    formset = AbondementFormSet(formset_data, prefix="abondements") if formset_data else None
    if not (form.is_valid() & (formset is None or formset.is_valid())):
        raise Problem(
            "invalide",
            "Certaines valeurs ne sont pas valables.",
            errors=_field_errors(form, formset),
        )
    try:
        act.perform(dossier, caller, form, formset)
    except workflow.NotAllowed as error:
        raise Problem(
            "introuvable", "Aucun dossier de votre organisation ne porte ce numéro."
        ) from error
    except workflow.Stale as error:
        raise Problem("perime", error.message) from error
    except workflow.DossierError as error:
        if error.errors:
            form.add_domain_errors(error.errors)
            raise Problem("invalide", error.message, errors=_field_errors(form, None)) from error
        raise Problem("etat" if error.code == "state" else "refuse", error.message) from error
    fresh = Dossier.objects.select_related("holder").get(pk=dossier.pk)
    # Through the schema, as django-ninja renders a GET: the replayed body is the same.
    answer = out.DossierOut.model_validate(_detail(fresh, caller)).model_dump(mode="json")
    return Result(request.path, status=200, body=json_text(answer))


def _answer(request, public_id: str, name: str, payload: Schema) -> HttpResponse:
    data = payload.dict()
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        result, first = _perform(request, public_id, name, data), True
    else:
        if len(key) > 200 or not key.isascii() or not key.isprintable():
            raise Problem(
                "requete_invalide", "Idempotency-Key : 200 caractères ASCII imprimables au plus."
            )
        client = request.auth.client.client_id
        claim = hashlib.sha256(f"api:{client}:{key}".encode()).hexdigest()
        fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        try:
            result, first = run_once(
                claim,
                action=f"api:{name}:{public_id}"[:100],
                fingerprint=fingerprint,
                perform=lambda: _perform(request, public_id, name, data),
            )
        except KeyReused as error:
            raise Problem(
                "cle_reutilisee",
                "Cette clé a déjà servi pour une autre requête : prenez-en une nouvelle.",
            ) from error
    response = HttpResponse(result.body, status=result.status, content_type="application/json")
    if not first:
        response["Idempotent-Replayed"] = "true"
    return response


def _act_route(path: str, name: str, body: type[Schema], summary: str, example: str):
    def act(request, public_id: str, payload):
        return _answer(request, public_id, name, payload)

    # The body's schema is a variable: given as a real annotation (this module's are
    # strings, which django-ninja would resolve in its globals).
    act.__annotations__ = {"public_id": str, "payload": body}
    act.__name__ = f"dossier_{name}"
    return router.post(
        f"/dossiers/{{public_id}}/{path}",
        auth=INSTRUCT,
        response=answers({200: out.DossierOut}, 400, 401, 403, 404, 409),
        summary=summary,
        description=(
            f"{workflow.TRANSITIONS[name].label}. Renvoie le dossier après l'action.\n\n"
            "```\ncurl -X POST -H 'Authorization: Bearer JETON' -H 'Idempotency-Key: "
            "3f1c…' -H 'Content-Type: application/json' -d '" + example + "' "
            f"https://www.moncompteformation.gouv.fr/api/v1/dossiers/0b6e…/{path}\n```"
        ),
        operation_id=f"dossier_{name}",
    )(act)


valider = _act_route(
    "valider",
    "valider",
    out.ValidateIn,
    "Valider un dossier (plan de financement)",
    '{"version": 3, "heures_dif": 120, "heures_cpf": 30}',
)
demander_complement = _act_route(
    "demander-complement",
    "demander_complement",
    out.ComplementIn,
    "Demander un complément au titulaire",
    '{"version": 3, "message": "Ajoutez le devis signé par l\'organisme."}',
)
refuser = _act_route(
    "refuser",
    "refuser",
    out.MotifIn,
    "Refuser un dossier",
    '{"version": 3, "motif": "Formation hors du champ de la branche."}',
)
clore = _act_route(
    "clore",
    "clore",
    out.CloseIn,
    "Clore un dossier validé",
    '{"version": 4, "heures_realisees": 140}',
)
annuler = _act_route(
    "annuler",
    "annuler_financeur",
    out.MotifIn,
    "Annuler un dossier validé",
    '{"version": 4, "motif": "Session annulée par l\'organisme."}',
)
