"""Side menu of the holder's space, with the seed's labels (URL names of this space)."""

SPACE_MENU = (
    ("home", "Accueil"),
    ("personal_information", "Mes informations personnelles"),
    ("hours", "Mon compte d'heures"),
    ("training_search", "Rechercher une formation"),
    ("dossiers", "Mes dossiers de formation"),
    ("delegations", "Mes délégations"),
)

# What a delegate's menu shows in the account delegated to him (holder_required(delegates=)).
DELEGATE_MENU = frozenset({"home", "hours", "training_search", "dossiers"})

# Entries whose feature is not built yet: an honest page, never a 404 or an empty page.
COMING_SOON: dict[str, str] = {}
