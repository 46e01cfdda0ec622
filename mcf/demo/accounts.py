"""Demo accounts loaded by `make run` (DEBUG only). Printed at start-up, listed in the README."""

DEMO_OPERATOR_USERNAME = "operateur.demo"
DEMO_OPERATOR_PASSWORD = "Gestion-demo-2026"  # noqa: S105 - demo only, refused when DEBUG is off

# A valid NIR (key checked) of a holder born in May 1985, and the seed's holder name.
DEMO_HOLDER_NIR = "2 85 05 75 112 345 76"
DEMO_HOLDER_PASSWORD = "Demo-titulaire-2026"  # noqa: S105 - demo only

DEMO_LOGINS = (
    ("Espace Titulaire (/titulaire/connexion/)", DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD),
    ("Back office (/gestion/)", DEMO_OPERATOR_USERNAME, DEMO_OPERATOR_PASSWORD),
)
