"""The editorial pages of the public site, declared once.

The menus, the home page blocks, the site search and the URL routes are all built from this
registry. To add a page: write its template under ``templates/public/pages/`` (it extends
``public/content_page.html``) and add one ``ContentPage`` line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class ContentPage:
    slug: str
    title: str
    # One-sentence summary, shown in the site search results and in « EN SAVOIR + » pages.
    summary: str

    @property
    def template(self) -> str:
        return f"public/pages/{self.slug}.html"

    @property
    def url(self) -> str:
        return reverse("public:page", args=[self.slug])


PAGES: tuple[ContentPage, ...] = (
    # Le compte personnel de formation
    ContentPage(
        "mes-droits",
        "Mes droits",
        "Qui a un compte personnel de formation, combien d'heures il reçoit et comment "
        "les utiliser.",
    ),
    ContentPage(
        "alimentation-du-compte",
        "L'alimentation du compte en heures",
        "24 heures par an jusqu'à 120 heures, puis 12 heures par an, dans la limite de "
        "150 heures : le calcul pas à pas.",
    ),
    ContentPage(
        "heures-dif",
        "Les heures DIF",
        "Le droit individuel à la formation acquis jusqu'au 31 décembre 2014 et l'attestation "
        "de votre employeur.",
    ),
    ContentPage(
        "formations-eligibles",
        "Les formations éligibles",
        "Socle CléA, accompagnement VAE et certifications inscrites sur une liste : LNI, "
        "COPAREF ou CPNE.",
    ),
    ContentPage(
        "dossier-de-formation",
        "Le dossier de formation",
        "De la création du dossier à sa clôture : étapes, accord de l'employeur et délais.",
    ),
    ContentPage(
        "mes-interlocuteurs",
        "Mes interlocuteurs",
        "Conseil en évolution professionnelle, OPCA, Pôle emploi, Région : qui contacter "
        "pour quoi.",
    ),
    # Employeurs
    ContentPage(
        "informer-sur-les-heures-dif",
        "Informer sur les heures DIF",
        "L'attestation de solde DIF à remettre à chaque salarié et ce que le salarié en fait.",
    ),
    ContentPage(
        "accompagnement-opca",
        "L'accompagnement par l'OPCA",
        "Le rôle de l'organisme paritaire collecteur agréé dans le financement et le suivi "
        "des formations.",
    ),
    ContentPage(
        "competences-et-parcours-professionnel",
        "Compétences et parcours professionnel des salariés",
        "Entretien professionnel, formation sur le temps de travail et délégation "
        "de gestion du compte.",
    ),
    ContentPage(
        "financement-du-compte-personnel-de-formation",
        "Le financement du compte personnel de formation",
        "Contribution de 0,2 %, accord d'entreprise, abondements : qui paie quoi.",
    ),
    # Professionnels
    ContentPage(
        "espace-professionnel",
        "Espace professionnel",
        "Financeurs et conseillers en évolution professionnelle : instruire, valider et "
        "clore les dossiers de formation.",
    ),
    # Espaces dédiés (« EN SAVOIR + »)
    ContentPage(
        "espace-titulaire",
        "Espace titulaire",
        "Tout ce qu'un salarié ou un demandeur d'emploi peut faire avec son compte.",
    ),
    ContentPage(
        "espace-employeurs",
        "Espace employeurs",
        "Les obligations et les possibilités de l'employeur autour du compte personnel "
        "de formation.",
    ),
    ContentPage(
        "espace-professionnels",
        "Espace des professionnels de l'emploi et de la formation professionnelle",
        "Financeurs, conseillers et organismes de formation : votre rôle et vos outils.",
    ),
    # Questions fréquentes
    ContentPage(
        "questions-frequentes",
        "Questions fréquentes",
        "Les réponses aux questions les plus posées par les titulaires, les employeurs et "
        "les professionnels.",
    ),
    # Pages réglementaires (footer)
    ContentPage(
        "mentions-legales",
        "Mentions légales",
        "Éditeur, hébergement et responsable du traitement du service.",
    ),
    ContentPage(
        "accessibilite",
        "Accessibilité",
        "Déclaration d'accessibilité du service et voies de recours.",
    ),
    ContentPage(
        "donnees-personnelles",
        "Données personnelles",
        "Quelles données le service traite, pourquoi, combien de temps, et vos droits.",
    ),
)

PAGES_BY_SLUG: dict[str, ContentPage] = {page.slug: page for page in PAGES}
