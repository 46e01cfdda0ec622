"""Who acts when an API client calls: the organisation's information system."""

from __future__ import annotations

from dataclasses import dataclass

from mcf.domain.integrations.models import ApiClient


@dataclass(frozen=True)
class ApiCaller:
    """An API client authenticated by its token, with the token's scopes. It plays the
    financeur's role on its organisation's dossiers (workflow.role_of), like one of the
    organisation's gestionnaires, and is journaled as the organisation itself."""

    client: ApiClient
    scopes: frozenset[str]

    @property
    def organisation_id(self) -> int:
        return self.client.organisation_id

    @property
    def organisation(self):
        return self.client.organisation
