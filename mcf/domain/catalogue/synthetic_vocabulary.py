# ruff: noqa: E501 - one certification per line reads best
"""The words the synthetic catalogue is made of: families of trainings as the CPF knows them.

Each family brings its certifications (real names; codes in the right shape, not all the
current ones), its Formacode® domains, how long and how dear its trainings usually are,
how often they are given at a distance, the branches whose CPNE lists carry it, and the
phrases titles, objectives, contents and strengths are built from.
"""

from __future__ import annotations

from dataclasses import dataclass

# Certification kinds and levels (the values of Certification.Kind / Certification.Level).
RNCP, RS, CQP, CLEA, VAE = "RNCP", "RS", "CQP", "CLEA", "VAE"


@dataclass(frozen=True)
class Cert:
    kind: str
    code: str
    title: str
    level: str = "0"
    short: str = ""  # how offer titles name it (« TOEIC »), the title when empty
    topic: str = ""  # what titles say is taught (« Anglais », « Excel »)
    titles: tuple[str, ...] = ()  # its own title patterns, instead of the family's
    hours: tuple[float, float] | None = None  # its own duration, instead of the family's


@dataclass(frozen=True)
class Family:
    key: str
    formacodes: tuple[tuple[str, str], ...]  # (code, libellé)
    hours: tuple[float, float]  # median and spread (log-normal sigma) of the duration
    rate: float  # median price per hour, euros TTC
    remote: float  # share of offers à distance (mixte is half as frequent)
    weight: float  # share of the catalogue
    branches: tuple[str, ...]  # IDCC of the CPNE lists that carry the family
    certifications: tuple[Cert, ...]
    titles: tuple[str, ...]  # « {cert} » is the certification's short name
    objectives: tuple[str, ...]
    modules: tuple[str, ...]


# fmt: off
FAMILIES: tuple[Family, ...] = (
    Family(
        "langues",
        (("15254", "Anglais"), ("15235", "Espagnol"), ("15234", "Allemand")),
        (35, 0.6),
        38,
        0.45,
        14,
        ("1486", "1979", "2120"),
        (
            Cert(RS, "RS3635", "Test of English for International Communication (TOEIC)", "0", "TOEIC", "Anglais"),
            Cert(RS, "RS5064", "Linguaskill Business (ex-Bulats)", "0", "Bulats Linguaskill", "Anglais"),
            Cert(RS, "RS6261", "Test Bright English", "0", "Bright English", "Anglais"),
            Cert(RS, "RS5252", "Certificat de compétences en langues de l'enseignement supérieur (CLES) anglais", "0", "CLES anglais", "Anglais"),
            Cert(RS, "RS6335", "Test de langue espagnole LILATE", "0", "LILATE espagnol", "Espagnol"),
            Cert(RS, "RS5187", "Goethe-Zertifikat (allemand)", "0", "Goethe-Zertifikat", "Allemand"),
            Cert(RS, "RS3997", "Diplôme de compétence en langue (DCL) anglais", "0", "DCL anglais", "Anglais"),
        ),
        (
            "{topic} professionnel — préparation au {cert}",
            "{topic} tous niveaux avec certification {cert}",
            "{topic} intensif : du niveau A2 au niveau B2 ({cert})",
            "{topic} des affaires — {cert}",
            "{topic} à distance avec un formateur natif — {cert}",
            "Remise à niveau en {topic_lower} et passage du {cert}",
        ),
        (
            "Comprendre et se faire comprendre dans les situations courantes de la vie professionnelle.",
            "Mener une conversation téléphonique, rédiger un courriel et présenter son activité.",
            "Progresser d'un niveau du Cadre européen commun de référence pour les langues.",
            "Obtenir un score reconnu par les employeurs et valoriser son CV.",
        ),
        (
            "Test de positionnement et objectifs individualisés",
            "Grammaire et vocabulaire professionnel",
            "Compréhension orale : réunions, appels, présentations",
            "Expression écrite : courriels, comptes rendus",
            "Entraînement aux épreuves blanches de la certification",
            "Passage de la certification en centre agréé ou en ligne",
        ),
    ),
    Family(
        "bureautique",
        (("70332", "Bureautique"), ("70354", "Tableur"), ("70322", "Traitement de texte")),
        (21, 0.5),
        45,
        0.5,
        12,
        ("1486", "2098", "1527"),
        (
            Cert(RS, "RS6198", "TOSA Excel", "0", "TOSA Excel", "Excel"),
            Cert(RS, "RS6199", "TOSA Word", "0", "TOSA Word", "Word"),
            Cert(RS, "RS6200", "TOSA PowerPoint", "0", "TOSA PowerPoint", "PowerPoint"),
            Cert(RS, "RS5436", "ICDL — Tableur", "0", "ICDL Tableur", "Excel"),
            Cert(RS, "RS6289", "PCIE — Passeport de compétences informatique européen", "0", "PCIE", "Bureautique"),
            Cert(RS, "RS5188", "Certification Microsoft Office Specialist (MOS) Excel", "0", "MOS Excel", "Excel"),
        ),
        (
            "{topic} initiation et perfectionnement — {cert}",
            "{topic} : les fonctions avancées ({cert})",
            "Maîtriser {topic} au quotidien — {cert}",
            "{topic} pour débutants ({cert})",
            "{topic} expert — préparation au {cert}",
        ),
        (
            "Créer, mettre en forme et exploiter des tableaux de calcul.",
            "Gagner du temps dans la production de documents professionnels.",
            "Analyser des données avec les formules, filtres et tableaux croisés dynamiques.",
        ),
        (
            "Prise en main de l'interface et des raccourcis",
            "Formules, fonctions logiques et recherches",
            "Mise en forme conditionnelle et graphiques",
            "Tableaux croisés dynamiques",
            "Publipostage et modèles de documents",
            "Passage de la certification",
        ),
    ),
    Family(
        "caces",
        (("31812", "Cariste"), ("31815", "Conduite engin levage"), ("31768", "Nacelle")),
        (21, 0.35),
        42,
        0.0,
        7,
        ("0016", "2216", "3248", "1597", "1702"),
        (
            Cert(RS, "RS5018", "CACES® R489 — Chariots de manutention automoteurs à conducteur porté", "0", "CACES R489"),
            Cert(RS, "RS5020", "CACES® R486 — Plates-formes élévatrices mobiles de personnes", "0", "CACES R486"),
            Cert(RS, "RS5019", "CACES® R482 — Engins de chantier", "0", "CACES R482"),
            Cert(RS, "RS5017", "CACES® R485 — Chariots de manutention à conducteur accompagnant", "0", "CACES R485"),
            Cert(RS, "RS5021", "CACES® R490 — Grues de chargement", "0", "CACES R490"),
        ),
        (
            "{cert} catégories 1A, 3 et 5 — initial",
            "{cert} catégorie 3 : chariot élévateur frontal",
            "Conduite en sécurité — {cert} (recyclage)",
            "{cert} — débutant, tests théorique et pratique",
            "Cariste : préparation et passage du {cert}",
        ),
        (
            "Conduire l'engin en sécurité dans le respect de la réglementation.",
            "Obtenir le certificat d'aptitude à la conduite en sécurité exigé par l'employeur.",
            "Connaître les règles de circulation, de stabilité et de manutention des charges.",
        ),
        (
            "Réglementation et responsabilités du conducteur",
            "Technologie des engins et dispositifs de sécurité",
            "Prise de poste et vérifications",
            "Exercices pratiques de manutention",
            "Test théorique et test pratique par un testeur certifié",
        ),
    ),
    Family(
        "soudure",
        (("23054", "Soudage"), ("23066", "Chaudronnerie")),
        (280, 0.7),
        24,
        0.0,
        3,
        ("3248",),
        (
            Cert(RNCP, "RNCP35260", "Titre professionnel Soudeur assembleur industriel", "3", "TP Soudeur assembleur industriel"),
            Cert(RNCP, "RNCP34434", "Titre professionnel Chaudronnier", "4", "TP Chaudronnier"),
            Cert(CQP, "CQPM0193", "CQPM Soudeur industriel", "0", "CQPM Soudeur industriel"),
            Cert(RS, "RS5390", "Qualification de soudeur selon la norme NF EN ISO 9606-1", "0", "qualification ISO 9606-1"),
        ),
        (
            "Soudeur TIG, MIG, MAG — {cert}",
            "Soudure à l'arc électrode enrobée — {cert}",
            "Devenir soudeur : {cert}",
            "Perfectionnement soudage TIG acier inoxydable ({cert})",
        ),
        (
            "Réaliser des assemblages soudés conformes à un mode opératoire.",
            "Lire un plan et préparer les pièces à souder.",
            "Obtenir une qualification reconnue dans l'industrie.",
        ),
        (
            "Lecture de plans et symbolisation des soudures",
            "Procédés TIG, MIG/MAG et électrode enrobée",
            "Préparation des bords et pointage",
            "Contrôle visuel et défauts des soudures",
            "Hygiène, sécurité et environnement à l'atelier",
        ),
    ),
    Family(
        "comptabilite",
        (("32663", "Comptabilité"), ("32654", "Gestion comptable")),
        (180, 0.9),
        22,
        0.35,
        6,
        ("0787", "2120", "1486"),
        (
            Cert(RNCP, "RNCP37000", "Titre professionnel Comptable assistant", "4", "TP Comptable assistant"),
            Cert(RNCP, "RNCP37001", "Titre professionnel Gestionnaire comptable et fiscal", "5", "TP Gestionnaire comptable et fiscal"),
            Cert(RNCP, "RNCP38272", "BTS Comptabilité et gestion", "5", "BTS CG"),
            Cert(RNCP, "RNCP35521", "Diplôme de comptabilité et de gestion (DCG)", "6", "DCG"),
            Cert(RS, "RS5826", "Certificat de compétences en comptabilité informatisée (Sage)", "0", "certification Sage"),
        ),
        (
            "Comptabilité générale : des écritures au bilan ({cert})",
            "Devenir comptable assistant — {cert}",
            "Préparation au {cert} en alternance ou à distance",
            "Comptabilité pour non-comptables ({cert})",
            "Logiciel de comptabilité et clôture des comptes — {cert}",
        ),
        (
            "Tenir la comptabilité courante d'une entreprise.",
            "Préparer les déclarations fiscales et sociales.",
            "Participer à la clôture des comptes annuels.",
        ),
        (
            "Principes de la comptabilité en partie double",
            "Saisie des pièces et rapprochements bancaires",
            "TVA et déclarations fiscales",
            "Travaux d'inventaire et de clôture",
            "Analyse financière et tableaux de bord",
        ),
    ),
    Family(
        "paie",
        (("32688", "Paie"), ("33054", "Gestion ressources humaines")),
        (150, 0.8),
        24,
        0.4,
        4,
        ("0787", "1486"),
        (
            Cert(RNCP, "RNCP35961", "Titre professionnel Gestionnaire de paie", "5", "TP Gestionnaire de paie"),
            Cert(RNCP, "RNCP35030", "Titre professionnel Assistant ressources humaines", "5", "TP Assistant RH"),
            Cert(RS, "RS5720", "Réaliser la paie avec un logiciel de paie", "0", "certification paie"),
        ),
        (
            "Gestionnaire de paie — {cert}",
            "Paie et administration du personnel ({cert})",
            "Les fondamentaux de la paie — {cert}",
            "Assistant ressources humaines — {cert}",
        ),
        (
            "Établir les bulletins de salaire et les déclarations sociales (DSN).",
            "Assurer l'administration du personnel, de l'embauche à la sortie.",
        ),
        (
            "Cadre juridique : Code du travail et conventions collectives",
            "Éléments du bulletin : heures, absences, congés",
            "Cotisations sociales et DSN",
            "Soldes de tout compte",
            "Pratique sur logiciel de paie",
        ),
    ),
    Family(
        "sanitaire",
        (("43436", "Aide-soignant"), ("43441", "Auxiliaire puériculture")),
        (1000, 0.5),
        8,
        0.0,
        3,
        ("0029", "0413", "2264"),
        (
            Cert(RNCP, "RNCP35830", "Diplôme d'État d'aide-soignant (DEAS)", "4", "DEAS"),
            Cert(RNCP, "RNCP35832", "Diplôme d'État d'auxiliaire de puériculture", "4", "DEAP"),
            Cert(RNCP, "RNCP36004", "Diplôme d'État d'accompagnant éducatif et social (DEAES)", "3", "DEAES"),
            Cert(RNCP, "RNCP36542", "Diplôme d'État d'ambulancier", "3", "DEA ambulancier"),
        ),
        (
            "Préparation au {cert}",
            "Devenir aide-soignant : {cert}",
            "{cert} — parcours complet ou partiel",
            "Formation qualifiante {cert} en cursus partiel (passerelle)",
        ),
        (
            "Accompagner la personne dans les activités de sa vie quotidienne.",
            "Évaluer l'état clinique d'une personne et mettre en œuvre des soins adaptés.",
            "Travailler en équipe pluriprofessionnelle en établissement ou à domicile.",
        ),
        (
            "Accompagnement de la personne dans les actes de la vie quotidienne",
            "Soins courants et évaluation de l'état clinique",
            "Relation et communication avec les personnes et leur entourage",
            "Hygiène et prévention des infections",
            "Stages en structures de soins",
        ),
    ),
    Family(
        "developpement_web",
        (("31054", "Informatique"), ("31025", "Développement web")),
        (400, 0.8),
        18,
        0.55,
        6,
        ("1486", "2148"),
        (
            Cert(RNCP, "RNCP37674", "Titre professionnel Développeur web et web mobile", "5", "TP Développeur web et web mobile"),
            Cert(RNCP, "RNCP37873", "Titre professionnel Concepteur développeur d'applications", "6", "TP CDA"),
            Cert(RNCP, "RNCP36061", "Développeur intégrateur web", "5", "Développeur intégrateur web"),
            Cert(RS, "RS5789", "Développer des applications web avec Python", "0", "certification Python"),
            Cert(RS, "RS6112", "Programmer en JavaScript", "0", "certification JavaScript"),
        ),
        (
            "Développeur web et web mobile — {cert}",
            "Bootcamp développement web full stack ({cert})",
            "Python pour le développement web — {cert}",
            "JavaScript, React et Node.js — {cert}",
            "Reconversion : devenir développeur ({cert})",
        ),
        (
            "Développer la partie front-end et back-end d'une application web sécurisée.",
            "Concevoir une base de données et développer des composants d'accès aux données.",
            "Travailler en mode projet avec les méthodes agiles.",
        ),
        (
            "HTML, CSS et accessibilité",
            "JavaScript et frameworks front-end",
            "Développement back-end et API REST",
            "Bases de données relationnelles et SQL",
            "Git, tests et déploiement",
            "Projet fil rouge et préparation au jury",
        ),
    ),
    Family(
        "cybersecurite",
        (("31006", "Sécurité informatique"), ("31048", "Réseau informatique")),
        (120, 0.9),
        40,
        0.5,
        3,
        ("1486", "2148", "2120"),
        (
            Cert(RNCP, "RNCP36924", "Administrateur d'infrastructures sécurisées", "6", "TP AIS"),
            Cert(RS, "RS5643", "Certified Information Systems Security Professional (CISSP)", "0", "CISSP"),
            Cert(RS, "RS6227", "Sensibilisation à la cybersécurité (SecNumacadémie)", "0", "certification cybersécurité"),
            Cert(RS, "RS5171", "ISO/IEC 27001 Lead Implementer", "0", "ISO 27001 Lead Implementer"),
        ),
        (
            "Cybersécurité : les fondamentaux ({cert})",
            "Préparation à la certification {cert}",
            "Sécurité des systèmes et réseaux — {cert}",
            "Analyste SOC et réponse aux incidents ({cert})",
        ),
        (
            "Identifier les menaces et protéger un système d'information.",
            "Mettre en œuvre une politique de sécurité conforme aux normes.",
        ),
        (
            "Panorama des menaces et cadre réglementaire (RGPD, NIS 2)",
            "Sécurité des réseaux et pare-feux",
            "Gestion des identités et des accès",
            "Supervision, détection et réponse aux incidents",
            "Audit et analyse de risques (EBIOS RM)",
        ),
    ),
    Family(
        "management",
        (("32047", "Management"), ("32032", "Gestion projet")),
        (70, 0.9),
        45,
        0.35,
        7,
        ("3248", "1486", "2120", "1672", "2216"),
        (
            Cert(RNCP, "RNCP35595", "Manager d'équipe", "6", "Manager d'équipe"),
            Cert(RNCP, "RNCP37615", "Responsable de projet", "7", "Responsable de projet"),
            Cert(RS, "RS5364", "Certification Project Management Professional (PMP)", "0", "PMP"),
            Cert(RS, "RS5477", "Manager une équipe de proximité", "0", "certification management de proximité"),
            Cert(RS, "RS6003", "PRINCE2 Foundation", "0", "PRINCE2 Foundation"),
        ),
        (
            "Manager une équipe au quotidien — {cert}",
            "Prendre son premier poste de manager ({cert})",
            "Gestion de projet : méthodes classiques et agiles ({cert})",
            "Leadership et conduite du changement — {cert}",
        ),
        (
            "Animer, motiver et faire progresser son équipe.",
            "Conduire un projet du cadrage à la clôture.",
            "Mener les entretiens annuels et professionnels.",
        ),
        (
            "Posture et rôle du manager",
            "Communication, délégation et feedback",
            "Gestion des conflits",
            "Planification et pilotage d'un projet",
            "Conduite du changement",
        ),
    ),
    Family(
        "clea",
        (("15061", "Socle connaissances compétences"),),
        (90, 0.6),
        20,
        0.2,
        4,
        (),
        (
            Cert(CLEA, "CLEA", "Certificat CléA — socle de connaissances et de compétences professionnelles", "0", "CléA"),
            Cert(CLEA, "CLEANUM", "CléA numérique — socle de compétences numériques", "0", "CléA numérique"),
        ),
        (
            "Certificat {cert} : évaluation préalable et parcours",
            "Se préparer au {cert}",
            "Parcours {cert} individualisé",
        ),
        (
            "Faire reconnaître ses compétences de base par un certificat national.",
            "Consolider les savoirs fondamentaux utiles à l'emploi.",
        ),
        (
            "Évaluation préalable des sept domaines du socle",
            "Communication en français et calcul",
            "Usage des outils numériques",
            "Travail en équipe et autonomie",
            "Évaluation finale et jury",
        ),
    ),
    Family(
        "vae",
        (("44591", "Validation acquis expérience"),),
        (24, 0.3),
        75,
        0.4,
        3,
        (),
        (Cert(VAE, "", "Accompagnement à la validation des acquis de l'expérience (VAE)", "0", "VAE"),),
        (
            "Accompagnement {cert} tous diplômes",
            "Accompagnement {cert} : rédaction du livret 2 et préparation au jury",
            "{cert} : faire reconnaître son expérience",
        ),
        (
            "Obtenir tout ou partie d'une certification grâce à son expérience.",
            "Rédiger le dossier de validation et se préparer à l'entretien avec le jury.",
        ),
        (
            "Analyse du parcours et choix de la certification",
            "Méthodologie de rédaction du livret 2",
            "Entretiens individuels d'accompagnement",
            "Simulation de l'entretien avec le jury",
        ),
    ),
    Family(
        "permis",
        (("31706", "Permis B"), ("31734", "Permis C")),
        (30, 0.4),
        55,
        0.0,
        8,
        ("0016", "3127"),
        (
            Cert(RS, "RS5429", "Épreuve pratique du permis de conduire de la catégorie B", "0", "permis B"),
            Cert(RS, "RS5430", "Épreuve théorique générale du permis de conduire (code)", "0", "code de la route"),
            Cert(RNCP, "RNCP35309", "Titre professionnel Conducteur du transport routier de marchandises sur porteur", "3", "TP Conducteur porteur"),
            Cert(RS, "RS5031", "Formation initiale minimale obligatoire (FIMO) marchandises", "0", "FIMO marchandises"),
        ),
        (
            "Permis B — forfait 20 heures de conduite ({cert})",
            "Préparation au {cert} en boîte automatique",
            "Code de la route en ligne et examen ({cert})",
            "Conducteur routier : {cert}",
        ),
        (
            "Obtenir le permis de conduire pour accéder à l'emploi ou le conserver.",
            "Conduire en sécurité dans toutes les situations de circulation.",
        ),
        (
            "Évaluation de départ",
            "Code de la route et sécurité routière",
            "Leçons de conduite en circulation",
            "Examen blanc et présentation à l'examen",
        ),
    ),
    Family(
        "logistique",
        (("31814", "Magasinage"), ("31841", "Logistique")),
        (250, 0.7),
        20,
        0.1,
        4,
        ("0016", "2216", "0573"),
        (
            Cert(RNCP, "RNCP34858", "Titre professionnel Préparateur de commandes en entrepôt", "3", "TP Préparateur de commandes"),
            Cert(RNCP, "RNCP38413", "Titre professionnel Agent magasinier", "3", "TP Agent magasinier"),
            Cert(RNCP, "RNCP35197", "Titre professionnel Technicien supérieur en méthodes et exploitation logistique", "5", "TP TSMEL"),
            Cert(CQP, "CQP-LOG-01", "CQP Agent logistique", "0", "CQP Agent logistique"),
        ),
        (
            "Agent magasinier avec CACES — {cert}",
            "Logistique d'entrepôt : {cert}",
            "Préparateur de commandes — {cert}",
            "Responsable d'exploitation logistique ({cert})",
        ),
        (
            "Réceptionner, stocker et préparer des commandes en entrepôt.",
            "Organiser les flux et optimiser les stocks.",
        ),
        (
            "Réception et contrôle des marchandises",
            "Gestion des stocks et inventaires",
            "Préparation et expédition des commandes",
            "Outils informatiques de gestion d'entrepôt",
            "Sécurité et gestes et postures",
        ),
    ),
    Family(
        "commerce",
        (("34566", "Vente"), ("34582", "Relation client")),
        (300, 0.8),
        17,
        0.3,
        6,
        ("2216", "1517", "1483", "1606", "1090"),
        (
            Cert(RNCP, "RNCP37098", "Titre professionnel Employé commercial en magasin", "3", "TP Employé commercial"),
            Cert(RNCP, "RNCP37099", "Titre professionnel Vendeur conseil en magasin", "4", "TP Vendeur conseil"),
            Cert(RNCP, "RNCP38368", "BTS Négociation et digitalisation de la relation client", "5", "BTS NDRC"),
            Cert(CQP, "CQP-CDR-02", "CQP Vendeur conseil en magasin (commerce de détail)", "0", "CQP Vendeur conseil"),
        ),
        (
            "Vendeur conseil en magasin — {cert}",
            "Techniques de vente et relation client ({cert})",
            "Négociation commerciale — {cert}",
            "Employé commercial : {cert}",
        ),
        (
            "Accueillir, conseiller et fidéliser la clientèle.",
            "Mener un entretien de vente et conclure.",
        ),
        (
            "Accueil et découverte des besoins du client",
            "Argumentation et traitement des objections",
            "Merchandising et tenue du rayon",
            "Encaissement et outils numériques de vente",
        ),
    ),
    Family(
        "batiment",
        (("22252", "Électricité bâtiment"), ("22454", "Maçonnerie"), ("42866", "Habilitation électrique")),
        (200, 1.0),
        22,
        0.0,
        6,
        ("1596", "1597", "2609", "1702"),
        (
            Cert(RNCP, "RNCP35811", "Titre professionnel Électricien d'équipement du bâtiment", "3", "TP Électricien"),
            Cert(RNCP, "RNCP34854", "Titre professionnel Maçon", "3", "TP Maçon"),
            Cert(RS, "RS5107", "Habilitation électrique B0-H0V (personnel non électricien)", "0", "habilitation électrique B0-H0V"),
            Cert(RS, "RS5108", "Habilitation électrique BR-BC-B2V", "0", "habilitation électrique BR"),
            Cert(CQP, "CQP-BTP-11", "CQP Coffreur-boiseur", "0", "CQP Coffreur-boiseur"),
        ),
        (
            "Électricien du bâtiment — {cert}",
            "Préparation à l'{cert}",
            "Maçon en rénovation : {cert}",
            "{cert} — initiale ou recyclage",
        ),
        (
            "Réaliser des travaux conformes aux normes et aux règles de sécurité.",
            "Intervenir en sécurité au voisinage des installations électriques.",
        ),
        (
            "Lecture de plans et normes (NF C 15-100)",
            "Mise en œuvre sur plateau technique",
            "Prévention des risques sur chantier",
            "Évaluation théorique et pratique",
        ),
    ),
    Family(
        "hotellerie",
        (("42752", "Cuisine"), ("42784", "Hygiène alimentaire")),
        (200, 1.1),
        18,
        0.05,
        6,
        ("1979", "1501", "1266", "0843"),
        (
            Cert(RNCP, "RNCP34852", "Titre professionnel Cuisinier", "3", "TP Cuisinier"),
            Cert(RNCP, "RNCP37859", "CAP Cuisine", "3", "CAP Cuisine"),
            Cert(RS, "RS5577", "Hygiène alimentaire dans la restauration commerciale (HACCP)", "0", "HACCP", "", ("Hygiène alimentaire en restauration commerciale — {cert}", "HACCP : plan de maîtrise sanitaire (14 heures)"), (14, 0.15)),
            Cert(CQP, "CQP-HCR-03", "CQP Commis de cuisine", "0", "CQP Commis de cuisine"),
            Cert(RS, "RS5433", "Permis d'exploitation (licence de débit de boissons)", "0", "permis d'exploitation", "", ("Permis d'exploitation de débit de boissons", "Licence IV : {cert} (20 heures)"), (20, 0.15)),
        ),
        (
            "Cuisinier en restauration traditionnelle — {cert}",
            "Hygiène alimentaire {cert} (14 heures)",
            "Reconversion en cuisine : {cert}",
            "Ouvrir un restaurant : {cert}",
        ),
        (
            "Préparer et dresser des plats en respectant les règles d'hygiène.",
            "Appliquer la méthode HACCP dans son établissement.",
        ),
        (
            "Techniques culinaires de base",
            "Organisation du poste et production en service",
            "Hygiène, plan de maîtrise sanitaire et HACCP",
            "Gestion des approvisionnements et des coûts",
        ),
    ),
    Family(
        "services_personne",
        (("42056", "Aide domicile"), ("44054", "Garde enfant")),
        (250, 0.8),
        14,
        0.1,
        4,
        ("3127", "2941", "3239"),
        (
            Cert(RNCP, "RNCP37715", "Titre professionnel Assistant de vie aux familles (ADVF)", "3", "TP ADVF"),
            Cert(CQP, "CQP-SAP-01", "CQP Assistant de vie dépendance", "0", "CQP Assistant de vie"),
            Cert(RNCP, "RNCP37716", "Titre professionnel Agent de propreté et d'hygiène", "3", "TP Agent de propreté"),
        ),
        (
            "Assistant de vie aux familles — {cert}",
            "Aide à domicile : {cert}",
            "Agent de propreté et d'hygiène ({cert})",
        ),
        (
            "Accompagner les personnes âgées ou dépendantes à leur domicile.",
            "Entretenir le cadre de vie dans le respect des règles d'hygiène.",
        ),
        (
            "Entretien du logement et du linge",
            "Accompagnement dans les actes essentiels du quotidien",
            "Relais des parents dans la garde d'enfants",
            "Prévention des risques et gestes de premiers secours",
        ),
    ),
    Family(
        "securite",
        (("42829", "Sauveteur secouriste travail"), ("42854", "Sécurité des biens")),
        (60, 1.0),
        25,
        0.0,
        5,
        ("1351", "3043", "3248"),
        (
            Cert(RS, "RS5186", "Sauveteur secouriste du travail (SST)", "0", "SST", "", ("Sauveteur secouriste du travail ({cert}) — formation initiale", "{cert} : maintien et actualisation des compétences"), (14, 0.2)),
            Cert(RNCP, "RNCP34507", "Titre professionnel Agent de sûreté et de sécurité privée", "3", "TP Agent de sûreté"),
            Cert(RS, "RS5644", "Service de sécurité incendie et d'assistance à personnes (SSIAP 1)", "0", "SSIAP 1"),
        ),
        (
            "{cert} — formation initiale",
            "Agent de sécurité : {cert}",
            "{cert} : maintien et actualisation des compétences",
        ),
        (
            "Intervenir face à une situation d'accident du travail.",
            "Assurer la sécurité des personnes et des biens.",
        ),
        (
            "Cadre juridique de l'intervention",
            "Protéger, examiner, alerter, secourir",
            "Prévention des risques professionnels",
            "Mises en situation et évaluation",
        ),
    ),
    Family(
        "numerique_marketing",
        (("46324", "Marketing numérique"), ("46315", "Communication web")),
        (90, 0.9),
        35,
        0.6,
        4,
        ("1486", "2098"),
        (
            Cert(RS, "RS5374", "Google Ads — certification Recherche", "0", "Google Ads"),
            Cert(RNCP, "RNCP37805", "Chargé de communication et marketing digital", "6", "Chargé de marketing digital"),
            Cert(RS, "RS5927", "Créer et animer des réseaux sociaux professionnels", "0", "certification réseaux sociaux"),
        ),
        (
            "Marketing digital et réseaux sociaux — {cert}",
            "Référencement et publicité en ligne ({cert})",
            "Community manager : {cert}",
        ),
        (
            "Définir une stratégie de présence en ligne et la mesurer.",
            "Créer des contenus et animer une communauté.",
        ),
        (
            "Stratégie de marque et personas",
            "Référencement naturel et payant",
            "Réseaux sociaux et création de contenus",
            "Mesure de l'audience et tableaux de bord",
        ),
    ),
    Family(
        "creation_entreprise",
        (("32024", "Création entreprise"),),
        (35, 0.6),
        40,
        0.5,
        3,
        (),
        (
            Cert(RS, "RS5576", "Entrepreneur — créer et piloter son entreprise", "0", "certification création d'entreprise"),
            Cert(RS, "RS6009", "Acquérir les fondamentaux de la gestion d'entreprise", "0", "gestion d'entreprise"),
        ),
        (
            "Créer ou reprendre une entreprise — {cert}",
            "Micro-entrepreneur : réussir son lancement ({cert})",
            "Business plan et financement du projet — {cert}",
        ),
        (
            "Construire et chiffrer son projet de création d'entreprise.",
            "Choisir un statut juridique et préparer son lancement.",
        ),
        (
            "Étude de marché et positionnement",
            "Prévisionnel financier",
            "Statuts juridiques, fiscaux et sociaux",
            "Démarches de création et financements",
        ),
    ),
    Family(
        "coiffure_esthetique",
        (("42007", "Coiffure"), ("42019", "Esthétique")),
        (400, 0.8),
        14,
        0.0,
        2,
        ("2596", "3032"),
        (
            Cert(RNCP, "RNCP35941", "CAP Métiers de la coiffure", "3", "CAP Coiffure"),
            Cert(RNCP, "RNCP37436", "CAP Esthétique, cosmétique, parfumerie", "3", "CAP Esthétique"),
            Cert(CQP, "CQP-ESTH-01", "CQP Styliste ongulaire", "0", "CQP Styliste ongulaire"),
        ),
        (
            "{cert} en un an pour adultes",
            "Reconversion : {cert}",
            "Préparation au {cert} en candidat libre",
        ),
        (
            "Réaliser les techniques de base du métier en salon ou en institut.",
            "Conseiller la clientèle et vendre des produits.",
        ),
        (
            "Techniques professionnelles",
            "Hygiène et sécurité",
            "Relation clientèle et vente",
            "Période de formation en milieu professionnel",
        ),
    ),
)
# fmt: on

STRENGTHS = (
    "Formateurs issus du métier.",
    "Petits groupes de 8 stagiaires au plus.",
    "Plateau technique équipé.",
    "Entrées et sorties permanentes.",
    "Taux de réussite à la certification supérieur à 90 %.",
    "Accompagnement individuel tout au long du parcours.",
    "Plateforme en ligne accessible 24 h/24.",
    "Centre accessible aux personnes en situation de handicap.",
    "Possibilité de financement complémentaire par l'employeur.",
    "Examen passé sur place.",
    "Horaires aménagés, compatibles avec une activité professionnelle.",
    "Certifié Qualiopi.",
)

ORGANISME_PATTERNS = (
    "{root} Formation",
    "Institut {root}",
    "Centre de formation {root}",
    "{root} Conseil et Formation",
    "Académie {root}",
    "École {root}",
    "{root} Compétences",
    "Atelier {root}",
    "{root} Learning",
    "Greta {city}",
    "CCI Formation {city}",
    "Campus {city}",
    "AFPA {city}",
    "Formaposte {city}",
    "Centre {city} Formation",
)

# fmt: off
ORGANISME_ROOTS = (
    "Alpha", "Horizon", "Cap", "Évolution", "Atlantique", "Azur", "Boréal", "Cèdre",
    "Delta", "Écume", "Futura", "Galilée", "Hélios", "Iris", "Jade", "Kairos",
    "Lumière", "Méridien", "Nova", "Odyssée", "Pléiade", "Quartz", "Rivage", "Sirius",
    "Tremplin", "Ulysse", "Vauban", "Waldeck", "Zénith", "Archipel", "Boussole", "Carrefour",
    "Dynamique", "Envol", "Faubourg", "Grand Ouest", "Harmonie", "Impulsion", "Jalons", "Levant",
)
# fmt: on
