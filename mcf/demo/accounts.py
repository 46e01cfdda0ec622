"""Demo accounts loaded by `make run` (DEBUG only). Printed at start-up, listed in the README."""

DEMO_OPERATOR_USERNAME = "operateur.demo"
DEMO_OPERATOR_PASSWORD = "Gestion-demo-2026"  # noqa: S105 - demo only, refused when DEBUG is off

DEMO_LOGINS = (("Back office (/gestion/)", DEMO_OPERATOR_USERNAME, DEMO_OPERATOR_PASSWORD),)
