"""Run every benchmark of bench/ and print their figures."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

for script in ["hashers.py", "login.py", "outbox.py", "registration.py", "feed.py", "search.py"]:
    print(f"\n== {script} ==")
    runpy.run_path(str(HERE / script), run_name="__main__")
