"""Create an API client (and optionally a webhook address) for an organisation, as its
administrateur principal would in « Accès API »: for the operators' bootstrap of a
partner and for bench/api_client_demo.py. Prints JSON: the client id, its secret and the
webhook's secret — shown this once, as on the page."""

import json

from django.core.management.base import BaseCommand, CommandError

from mcf.domain.integrations import webhooks
from mcf.domain.integrations.actions import IntegrationError, create_api_client
from mcf.domain.integrations.models import SCOPES
from mcf.domain.organisations.models import Organisation, ProfessionalProfile


class Command(BaseCommand):
    help = "Crée un client API (et un webhook) pour une organisation ; affiche ses secrets."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="nom exact de l'organisation")
        parser.add_argument("name", help="nom du client")
        parser.add_argument("--scopes", nargs="+", default=sorted(SCOPES), choices=sorted(SCOPES))
        parser.add_argument("--webhook", default="", help="adresse https des événements")

    def handle(self, organisation, name, scopes, webhook, **options):
        found = Organisation.objects.filter(name=organisation).first()
        if found is None:
            raise CommandError(f"Aucune organisation ne s'appelle « {organisation} ».")
        admin = found.members.filter(role=ProfessionalProfile.Role.ADMINISTRATEUR_PRINCIPAL).first()
        if admin is None:
            raise CommandError("Cette organisation n'a pas d'administrateur principal.")
        try:
            client, secret = create_api_client(found, name=name, scopes=scopes, by=admin.user)
            answer = {"client_id": client.client_id, "client_secret": secret}
            if webhook:
                _, answer["webhook_secret"] = webhooks.register_endpoint(
                    found, webhook, by=admin.user
                )
        except IntegrationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(json.dumps(answer))
