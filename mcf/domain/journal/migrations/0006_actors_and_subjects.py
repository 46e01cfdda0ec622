"""The history knows who acted and on what (issue 13): actor kind, user and organisation,
subject, structured changes; the entries written so far get their actor from the label
they show (« Vous », « Le service », « La Caisse des Dépôts »).

The history is append-only, and on PostgreSQL a trigger (0002) refuses every UPDATE: this
migration disables that one trigger around its own UPDATEs, in its transaction, and turns it
back on before committing (a failure rolls the whole back, trigger included).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "journal_journalentry"
TRIGGER = "journal_append_only"
# The labels written before this migration (mcf.domain.journal.actions, ledger.correct_cpf).
KINDS_BY_LABEL = {"Le service": "service", "La Caisse des Dépôts": "operateur"}


def set_actors(apps, schema_editor):
    JournalEntry = apps.get_model("journal", "JournalEntry")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
    entries = JournalEntry.objects.using(schema_editor.connection.alias)
    for label, kind in KINDS_BY_LABEL.items():
        entries.filter(actor=label).update(actor_kind=kind)
    # « Vous » and anything else: the holder himself (the only other label ever written).
    entries.filter(actor_kind="titulaire").update(actor_user=models.F("holder"))
    if postgresql:
        # The foreign keys are checked at commit (DEFERRABLE): check them now, as ALTER TABLE
        # refuses a table with pending trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0005_hours_corrected_action"),
        ("organisations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="actor_kind",
            field=models.CharField(
                choices=[
                    ("titulaire", "Titulaire"),
                    ("professionnel", "Professionnel"),
                    ("operateur", "Opérateur de la Caisse des Dépôts"),
                    ("service", "Le service"),
                ],
                default="titulaire",
                max_length=20,
                verbose_name="type d'auteur",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="journalentry",
            name="actor_organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="organisation de l'auteur",
            ),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="actor_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="compte de l'auteur",
            ),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="changes",
            field=models.JSONField(blank=True, default=dict, verbose_name="modifications"),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="subject_id",
            field=models.UUIDField(blank=True, null=True, verbose_name="identifiant de l'objet"),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="subject_type",
            field=models.CharField(blank=True, max_length=30, verbose_name="objet"),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("inscription", "Inscription enregistrée"),
                    ("activation", "Compte activé"),
                    ("connexion", "Connexion"),
                    ("connexion_echec", "Échec de connexion"),
                    ("connexion_suspendue", "Connexion suspendue après plusieurs échecs"),
                    ("deconnexion", "Déconnexion"),
                    ("mdp_oublie", "Demande de nouveau mot de passe"),
                    ("mdp_reinitialise", "Nouveau mot de passe choisi (mot de passe oublié)"),
                    ("mdp_modifie", "Mot de passe modifié"),
                    ("session_fermee", "Session fermée à distance"),
                    ("alimentation", "Alimentation de votre compte CPF"),
                    ("dif", "Saisie du solde d'heures DIF"),
                    ("correction", "Correction de votre compte CPF"),
                    ("mdp_confirme", "Mot de passe confirmé avant une action sensible"),
                    ("mdp_confirme_echec", "Échec de la confirmation du mot de passe"),
                    ("telephones", "Téléphones modifiés"),
                    ("situation", "Situation professionnelle modifiée"),
                    ("courriel_demande", "Demande de changement d'adresse courriel"),
                    ("courriel_modifie", "Adresse courriel modifiée"),
                    ("export", "Téléchargement de vos données personnelles"),
                    ("fermeture", "Fermeture de votre espace personnel"),
                    ("reouverture", "Réouverture de votre espace personnel"),
                    ("dossier_cree", "Dossier de formation créé"),
                    ("dossier_modifie", "Dossier de formation modifié"),
                    ("dossier_accord_heures", "Accord pour la mobilisation de vos heures"),
                    ("dossier_transmis", "Dossier transmis au financeur"),
                    ("dossier_repris", "Dossier repris pour modification"),
                    ("dossier_complement", "Complément demandé par le financeur"),
                    ("dossier_valide", "Dossier validé"),
                    ("dossier_clos", "Dossier clos"),
                    ("dossier_annule", "Dossier annulé"),
                    ("employeur_demande", "Demande d'accord à l'employeur enregistrée"),
                    ("employeur_reponse", "Réponse de l'employeur enregistrée"),
                    ("employeur_accord_tacite", "Accord tacite de l'employeur"),
                    (
                        "compte_modifie_cdc",
                        "Informations de votre compte modifiées par la Caisse des Dépôts",
                    ),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                fields=["subject_type", "subject_id", "occurred_at"], name="journal_subject_idx"
            ),
        ),
        migrations.RunPython(set_actors, migrations.RunPython.noop, elidable=False),
    ]
