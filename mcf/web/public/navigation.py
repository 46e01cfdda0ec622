"""Menus of the header and blocks of the home page, with the seed's exact labels."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from mcf.web.public.pages import PAGES_BY_SLUG


@dataclass(frozen=True)
class Link:
    label: str
    # Either a ContentPage slug ("page:mes-droits") or a URL name ("titulaire:login").
    target: str

    @property
    def url(self) -> str:
        kind, _, name = self.target.partition(":")
        if kind == "page":
            return PAGES_BY_SLUG[name].url
        return reverse(self.target)


@dataclass(frozen=True)
class Menu:
    label: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class AudienceBlock:
    title: str
    subtitle: str
    links: tuple[Link, ...]
    more: Link  # « EN SAVOIR + »


MAIN_MENU: tuple[Menu, ...] = (
    Menu(
        "Le compte personnel de formation",
        (
            Link("Mes droits", "page:mes-droits"),
            Link("L'alimentation du compte en heures", "page:alimentation-du-compte"),
            Link("Les heures DIF", "page:heures-dif"),
            Link("Les formations éligibles", "page:formations-eligibles"),
            Link("Rechercher une formation", "public:training_search"),
            Link("Le dossier de formation", "page:dossier-de-formation"),
            Link("Le financement", "page:financement-du-compte-personnel-de-formation"),
            Link("Mes interlocuteurs", "page:mes-interlocuteurs"),
        ),
    ),
    Menu(
        "Questions fréquentes",
        (
            Link("Toutes les questions fréquentes", "page:questions-frequentes"),
            Link("Nous contacter", "public:contact"),
        ),
    ),
    Menu(
        "Espaces dédiés",
        (
            Link("Titulaire", "page:espace-titulaire"),
            Link("Employeurs", "page:espace-employeurs"),
            Link("Professionnels", "page:espace-professionnels"),
        ),
    ),
)

HOME_BLOCKS: tuple[AudienceBlock, ...] = (
    AudienceBlock(
        "Titulaire",
        "",
        (
            Link("Mes droits", "page:mes-droits"),
            Link("Mes interlocuteurs", "page:mes-interlocuteurs"),
            Link("Accéder à mon espace sécurisé", "titulaire:login"),
            Link("Rechercher une formation", "public:training_search"),
        ),
        Link("EN SAVOIR +", "page:espace-titulaire"),
    ),
    AudienceBlock(
        "Employeurs",
        "",
        (
            Link("Informer sur les heures DIF", "page:informer-sur-les-heures-dif"),
            Link("L'accompagnement par l'OPCA", "page:accompagnement-opca"),
            Link(
                "Compétences et parcours professionnel des salariés",
                "page:competences-et-parcours-professionnel",
            ),
            Link(
                "Le financement du compte personnel de formation",
                "page:financement-du-compte-personnel-de-formation",
            ),
        ),
        Link("EN SAVOIR +", "page:espace-employeurs"),
    ),
    AudienceBlock(
        "Professionnels",
        "de l'emploi et de la formation professionnelle",
        (
            Link("Espace professionnel", "page:espace-professionnel"),
            Link("Accéder à mon espace sécurisé", "professionnel:login"),
            Link("Rechercher une formation", "public:training_search"),
        ),
        Link("EN SAVOIR +", "page:espace-professionnels"),
    ),
)

FOOTER_LINKS: tuple[Link, ...] = (
    Link("Conditions Générales d'Utilisation", "public:cgu"),
    Link("Nous contacter", "public:contact"),
    Link("Accessibilité : non conforme", "page:accessibilite"),
    Link("Mentions légales", "page:mentions-legales"),
    Link("Données personnelles", "page:donnees-personnelles"),
    Link("Gestion des cookies", "public:cookies"),
)
