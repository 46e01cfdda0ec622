"""Run every benchmark of bench/ and print their figures."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SCRIPTS = [
    "hashers.py",
    "login.py",
    "outbox.py",
    "registration.py",
    "feed.py",
    "search.py",
    "dossiers.py",
]
for script in SCRIPTS:
    print(f"\n== {script} ==")
    runpy.run_path(str(HERE / script), run_name="__main__")
