"""Demo accounts loaded by `make run` (DEBUG only). Printed at start-up, listed in the README.

The TOTP secrets are public like the passwords: add them to any authenticator app (FreeOTP,
Google Authenticator…) by scanning the printed otpauth:// address or typing the secret.
"""

from typing import NamedTuple


class DemoLogin(NamedTuple):
    space: str
    login: str
    password: str
    totp_secret: str = ""  # base32, as authenticator apps want it typed


DEMO_OPERATOR_USERNAME = "operateur.demo"
DEMO_OPERATOR_PASSWORD = "Gestion-demo-2026"  # noqa: S105 - demo only, refused when DEBUG is off  # nosec B105
DEMO_OPERATOR_TOTP_SECRET = "DEMOOPERATEURGESTIONMCFTOTPCLEFA"  # noqa: S105 - demo only  # nosec B105

# A valid NIR (key checked) of a holder born in May 1985, and the seed's holder name.
DEMO_HOLDER_NIR = "2 85 05 75 112 345 76"
DEMO_HOLDER_PASSWORD = "Demo-titulaire-2026"  # noqa: S105 - demo only  # nosec B105

# « OPCA Démo » (a fictitious SIRET with valid keys) and its administrateur principal,
# created through the back office's action; his identifier is made from his name.
DEMO_ORGANISATION_NAME = "OPCA Démo"
DEMO_ORGANISATION_SIRET = "99900000300015"
DEMO_PRO_ADMIN_FIRST_NAME = "Amandine"
DEMO_PRO_ADMIN_LAST_NAME = "Démo"
DEMO_PRO_ADMIN_USERNAME = "amandine.demo"
DEMO_PRO_ADMIN_PASSWORD = "Financeur-OPCA-2026"  # noqa: S105 - demo only  # nosec B105
DEMO_PRO_ADMIN_TOTP_SECRET = "DEMOOPCAADMINISTRATEURPRINCIPALX"  # noqa: S105 - demo only  # nosec B105
# A gestionnaire of « OPCA Démo », who instructs dossiers (created by the administrateur
# principal through « Comptes gestionnaires », his provisional password replaced).
DEMO_GESTIONNAIRE_FIRST_NAME = "Karim"
DEMO_GESTIONNAIRE_LAST_NAME = "Démo"
DEMO_GESTIONNAIRE_USERNAME = "karim.demo"
DEMO_GESTIONNAIRE_PASSWORD = "Instruction-OPCA-2026"  # noqa: S105 - demo only  # nosec B105
DEMO_GESTIONNAIRE_TOTP_SECRET = "DEMOOPCAGESTIONNAIREINSTRUCTIONX"  # noqa: S105 - demo only  # nosec B105

# « Garage Démo », an employer of the professional space (a fictitious SIRET with valid keys)
# under an accord de gestion directe du 0,2 %, named as employer in Touria Orange's dossier
# sur temps de travail: its administrateur principal answers the accord request and sees
# the employees who delegate to it.
DEMO_EMPLOYER_NAME = "Garage Démo"
DEMO_EMPLOYER_SIRET = "99900002900010"
DEMO_EMPLOYER_ADMIN_FIRST_NAME = "Paul"
DEMO_EMPLOYER_ADMIN_LAST_NAME = "Démo"
DEMO_EMPLOYER_ADMIN_USERNAME = "paul.demo"
DEMO_EMPLOYER_ADMIN_PASSWORD = "Employeur-Garage-2026"  # noqa: S105 - demo only  # nosec B105
DEMO_EMPLOYER_ADMIN_TOTP_SECRET = "DEMOGARAGEEMPLOYEURADMINISTRATEU"  # noqa: S105 - demo only  # nosec B105

# Jean Dupont, a second holder, to whom Touria Orange may give a délégation (his address is
# the one to invite).
DEMO_SECOND_HOLDER_NIR = "1 90 03 13 055 012 74"
DEMO_SECOND_HOLDER_PASSWORD = "Demo-delegataire-2026"  # noqa: S105 - demo only  # nosec B105
DEMO_SECOND_HOLDER_EMAIL = "jean.dupont@demo.moncompteformation.example"

DEMO_LOGINS = (
    DemoLogin("Espace Titulaire (/titulaire/connexion/)", DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD),
    DemoLogin(
        "Espace professionnel, administrateur principal d'OPCA Démo (/professionnel/connexion/)",
        DEMO_PRO_ADMIN_USERNAME,
        DEMO_PRO_ADMIN_PASSWORD,
        DEMO_PRO_ADMIN_TOTP_SECRET,
    ),
    DemoLogin(
        "Espace professionnel, gestionnaire d'OPCA Démo (/professionnel/connexion/)",
        DEMO_GESTIONNAIRE_USERNAME,
        DEMO_GESTIONNAIRE_PASSWORD,
        DEMO_GESTIONNAIRE_TOTP_SECRET,
    ),
    DemoLogin(
        "Espace Titulaire, Jean Dupont (à inviter : " + DEMO_SECOND_HOLDER_EMAIL + ")",
        DEMO_SECOND_HOLDER_NIR,
        DEMO_SECOND_HOLDER_PASSWORD,
    ),
    DemoLogin(
        "Espace professionnel, employeur Garage Démo (/professionnel/connexion/)",
        DEMO_EMPLOYER_ADMIN_USERNAME,
        DEMO_EMPLOYER_ADMIN_PASSWORD,
        DEMO_EMPLOYER_ADMIN_TOTP_SECRET,
    ),
    DemoLogin(
        "Back office (/gestion/)",
        DEMO_OPERATOR_USERNAME,
        DEMO_OPERATOR_PASSWORD,
        DEMO_OPERATOR_TOTP_SECRET,
    ),
)
