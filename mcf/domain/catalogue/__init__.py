"""The catalogue of eligible trainings (domain.md §4).

- ``models``: the referentials (régions, départements, communes, branches), organismes,
  certifications, eligibility lists and their items (each with a code CPF), offers and
  sessions;
- ``search``: « Rechercher une formation » — one entry point, ``search(criteria)``.
"""
