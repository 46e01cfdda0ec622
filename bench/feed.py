"""The yearly feed on PostgreSQL: the full import next to a raw COPY of the same file.

    DATABASE_URL= scripts/with-postgres uv run python bench/feed.py --n 1000000

Generates N declarations (deterministic seed; years 2015–2017, several lines per person and
year for some people, ordered by year then employer like employers' extracts, a few bad
lines), then for N/10 and N, in the same run and on the same server:

* a raw ``COPY`` of the file into a plain table (no index, no constraint): the baseline,
  median of 3;
* the full import (``import_declarations``) into an empty ledger, in a fresh process, whose
  peak RSS is read from ``resource.getrusage``: the same peak for N/10 and N shows that
  memory does not grow with the file. Three imports each time, the median one reported.
  (``ru_maxrss`` survives ``exec``: the files are generated in another child so that the
  parent, hence the start of each measure, stays small.)

Then the N file is loaded a second time (everything « déjà chargé »), and the N/10 file is
uploaded through the back office's code path (``submit_upload``: checks and storage, the
request's part; then the background task ``run_upload``) into an empty ledger.

Besides wall-clock time, each import reports the CPU seconds of the Python side (the
importing process and its reading helper) and of the PostgreSQL server (all its processes:
the import uses two backends; read from ``/proc``, when the server runs on this machine):
on a machine shared with other work, wall time varies with the load, CPU time much less,
and their sum bounds what two cores can do.

The benchmark works in its own database (``mcf_bench_feed``, created, migrated and dropped
on the server of DATABASE_URL): it never touches the data of DATABASE_URL's database.
Prints figures; asserts nothing about time (bench/ convention).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

# The file is made without Django: the check digits from python-stdnum, the library of the
# project's NIR and SIRET rules.
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

HERE = Path(__file__).resolve().parent
BENCH_DB = "mcf_bench_feed"
HEADER = "annee;siret;nir;nom;prenom;heures_travaillees;heures_reference;heures_absences_assimilees"
YEARS = (2015, 2016, 2017)
REPEAT = 3  # imports of each file, the median is reported
REFUSAL = (
    "bench/feed.py mesure le chemin PostgreSQL (COPY, staging, passe ensembliste) : "
    "SQLite n'est pas mesuré. Lancez : DATABASE_URL= scripts/with-postgres uv run python "
    "bench/feed.py (ou DATABASE_URL=postgres://… uv run python bench/feed.py)."
)


# --- The file ---------------------------------------------------------------------------------


def _siret(rnd: random.Random) -> str:
    siren8 = f"{rnd.randint(10_000_000, 99_999_999)}"
    first13 = siren8 + luhn.calc_check_digit(siren8) + f"{rnd.randint(1, 999):04d}"
    return first13 + luhn.calc_check_digit(first13)


def _nir(rnd: random.Random, index: int) -> str:
    department = (index // 998_001) % 95 + 1
    department_code = "2A" if department == 20 and index % 2 else f"{department:02d}"
    first13 = (
        f"{rnd.choice('12')}{rnd.randint(50, 105) % 100:02d}{rnd.randint(1, 12):02d}"
        f"{department_code}{(index // 999) % 999 + 1:03d}{index % 999 + 1:03d}"
    )
    return first13 + stdnum_nir.calc_check_digits(first13)


def _hours(rnd: random.Random, share: float = 1.0) -> tuple[str, str, str]:
    """(worked, reference, absences) for one employer's declaration."""
    roll = rnd.random()
    if roll < 0.55:  # full time, no conventional duration
        worked, reference = 1607 * share, ""
    elif roll < 0.65:  # overtime (excluded by the cap)
        worked, reference = rnd.randint(1607, 2200) * share, ""
    elif roll < 0.75:  # conventional full time
        reference = rnd.choice(["1820", "1600", "1575,5"])
        worked = float(reference.replace(",", ".")) * share
    else:  # part time or part of the year
        worked, reference = rnd.randint(200, 3200) / 2 * share, rnd.choice(["", "", "1820"])
    absences = f"{rnd.randint(1, 400)},5" if rnd.random() < 0.05 else "0"
    return f"{worked:.2f}".replace(".", ","), reference, absences


def generate(path: Path, n: int, seed: int = 2026) -> dict[str, int]:
    """Write ``n`` declaration lines; return counts (people, lines per year…)."""
    rnd = random.Random(seed)
    employers = [_siret(rnd) for _ in range(max(10, n // 40))]
    by_year: dict[int, list[tuple[str, str]]] = {year: [] for year in YEARS}
    lines = people = 0
    while lines < n:
        nir = _nir(rnd, people)
        people += 1
        kept = rnd.random()
        years = YEARS if kept < 0.6 else rnd.sample(YEARS, 2 if kept < 0.85 else 1)
        main = rnd.choice(employers)
        for year in sorted(years):
            roll = rnd.random()
            jobs = 1 if roll < 0.8 else (2 if roll < 0.95 else 3)
            for job in range(jobs):
                siret = main if job == 0 else rnd.choice(employers)
                worked, reference, absences = _hours(rnd, 1.0 if jobs == 1 else 1 / jobs)
                if rnd.random() < 0.001:  # a few bad lines: wrong NIR key or negative hours
                    nir_or_bad = nir[:-2] + f"{(int(nir[-2:]) + 1) % 97:02d}"
                    worked = worked if rnd.random() < 0.5 else "-" + worked
                else:
                    nir_or_bad = nir
                by_year[year].append(
                    (
                        siret,
                        f"{year};{siret};{nir_or_bad};NOM{people % 997};Prénom;"
                        f"{worked};{reference};{absences}\n",
                    )
                )
                lines += 1
                if lines >= n:
                    break
            if lines >= n:
                break
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for year in YEARS:
            by_year[year].sort(key=lambda item: item[0])  # by employer, as extracted
            out.writelines(text for _, text in by_year[year])
    return {"people": people, "lines": lines}


# --- Measurements -----------------------------------------------------------------------------


def _n(value: float) -> str:
    """French grouping with a narrow no-break space: 1 000 000."""
    return f"{value:,.0f}".replace(",", "\u202f")


def _cpu_or_dash(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _cpu_text(result: dict) -> str:
    server = result.get("server_cpu")
    text = f"CPU Python {result['python_cpu']:.1f} s"
    return text + (f", serveur {server:.1f} s" if server is not None else "")


def _bench_url(url: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{BENCH_DB}"))


def _child(args: list[str], url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _backend_cpu() -> tuple[int | None, float | None]:
    """(pid of the PostgreSQL server's postmaster, CPU seconds of the server so far), if the
    server runs on this machine. The server's CPU is its postmaster's and all its processes'
    (the import uses two backends; the one that reads closes before the end, its time is
    then counted in the postmaster's ``cutime``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = _stat(backend)
    if fields is None:
        return None, None  # a remote server, or no /proc
    postmaster = int(fields[1])
    return postmaster, _server_cpu(postmaster)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state is [0], ppid [1])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _process_cpu(pid: int | None, *, with_children: bool = False) -> float | None:
    fields = _stat(pid) if pid else None
    if fields is None:
        return None
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])  # children waited for (exited backends)
    return ticks / os.sysconf("SC_CLK_TCK")


def _server_cpu(postmaster: int | None) -> float | None:
    total = _process_cpu(postmaster, with_children=True)
    if total is None:
        return None
    for entry in Path("/proc").iterdir():
        if (
            entry.name.isdigit()
            and (fields := _stat(int(entry.name)))
            and fields[1] == str(postmaster)
        ):
            total += _process_cpu(int(entry.name)) or 0.0
    return total


def _python_cpu() -> float:
    """CPU seconds of this process and of its children waited for (the reading helper)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _cpu_since(pid, server_start, python_start) -> dict[str, float | None]:
    server_now = _server_cpu(pid)
    return {
        "python_cpu": _python_cpu() - python_start,
        "server_cpu": None
        if server_start is None or server_now is None
        else server_now - server_start,
    }


def run_child_import(path: str) -> None:
    """In a fresh process: one import, its duration, CPU and the process's peak RSS."""
    import _setup  # noqa: F401 - Django on DATABASE_URL

    from mcf.domain.hours.feed import import_declarations

    pid, server_start = _backend_cpu()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    python_start = _python_cpu()
    started = time.perf_counter()
    report = import_declarations(path)
    elapsed = time.perf_counter() - started
    time.sleep(0.5)  # the reading backend's exit is counted once the postmaster reaps it
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    helper_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                **_cpu_since(pid, server_start, python_start),
                "seconds": elapsed,
                "rss_before_kib": before,
                "rss_peak_kib": peak,
                "rss_helper_kib": helper_peak,
                "lines": report.lines_read,
                "rejected": report.lines_rejected,
                "persons": report.persons,
                "years_loaded": report.years_loaded,
                "already_loaded": report.already_loaded,
                "hours": report.hours_credited,
                "timings": report.timings,
            }
        )
    )


def run_child_upload(path: str) -> None:
    """In a fresh process: the back office's upload of ``path`` — ``submit_upload`` (what
    the request does: checks, storage, queueing) then ``run_upload`` (the task)."""
    import _setup  # noqa: F401
    from django.conf import settings
    from django.core.files import File

    from mcf.domain.accounts.models import User
    from mcf.domain.hours.feed.uploads import run_upload, submit_upload
    from mcf.domain.hours.models import FeedImport

    operator, _ = User.objects.get_or_create(
        username="bench-operatrice", defaults={"is_staff": True}
    )
    with tempfile.TemporaryDirectory(prefix="mcf-bench-upload-") as folder:
        settings.FEED_UPLOAD_DIR = folder
        started = time.perf_counter()
        with open(path, "rb") as handle:
            run = submit_upload(File(handle, name=Path(path).name), operator)
        request_seconds = time.perf_counter() - started
        pid, server_start = _backend_cpu()
        python_start = _python_cpu()
        started = time.perf_counter()
        outcome = run_upload(run.pk)
        task_seconds = time.perf_counter() - started
        cpu = _cpu_since(pid, server_start, python_start)
        run = FeedImport.objects.get(pk=run.pk)
    print(
        json.dumps(
            {
                "request_seconds": request_seconds,
                "task_seconds": task_seconds,
                "outcome": outcome,
                "status": run.status,
                "lines": run.lines_read,
                **cpu,
            }
        )
    )


def run_child_migrate() -> None:
    import _setup  # noqa: F401
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps({"migrated": True}))


def raw_copy(conninfo: str, path: Path) -> float:
    import psycopg

    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_raw_copy (annee text, siret text, nir text, nom text, "
            "prenom text, heures_travaillees text, heures_reference text, "
            "heures_absences_assimilees text)"
        )
        conn.commit()
        started = time.perf_counter()
        with (
            path.open("rb") as source,
            cursor.copy(
                "COPY bench_raw_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_copy")
        conn.commit()
    return elapsed


def empty_ledger(conninfo: str) -> None:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("TRUNCATE hours_entry, hours_counter, journal_journalentry")
        conn.execute("VACUUM ANALYZE hours_entry, hours_counter")
        with contextlib.suppress(psycopg.Error):  # CHECKPOINT needs a privileged role
            conn.execute("CHECKPOINT")  # start each measure with no dirty buffers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="declarations (1 000 000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--upload", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if "_setup" not in sys.modules else [])
    sys.path.insert(0, str(HERE))
    if args.child:
        run_child_import(args.child)
        return
    if args.upload:
        run_child_upload(args.upload)
        return
    if args.migrate:
        run_child_migrate()
        return
    if args.generate:
        target, size, seed = args.generate
        print(json.dumps(generate(Path(target), int(size), int(seed))))
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print(REFUSAL)
        if "_setup" not in sys.modules:  # run alone (not by run_all.py after the others)
            sys.exit(2)
        return

    import psycopg

    bench_url = _bench_url(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
        version = admin.execute("SHOW server_version").fetchone()[0]
    try:
        _child(["--migrate"], bench_url)
        with tempfile.TemporaryDirectory(prefix="mcf-bench-feed-") as folder:
            sizes = [max(1, args.n // 10), args.n]
            print(
                f"PostgreSQL {version}, {os.cpu_count()} cœurs, charge "
                f"{os.getloadavg()[0]:.1f} au départ ; graine {args.seed}"
            )
            rows = []
            for size in sizes:
                path = Path(folder) / f"declarations-{size}.csv"
                started = time.perf_counter()
                # In a child process too: the parent stays small, so that the import's
                # child (forked from it) starts from a small resident set.
                counts = _child(["--generate", str(path), str(size), str(args.seed)], bench_url)
                print(
                    f"fichier de {_n(size)} déclarations ({_n(counts['people'])} personnes, "
                    f"{path.stat().st_size / 1e6:.0f} Mo) généré en "
                    f"{time.perf_counter() - started:.1f} s"
                )
                raw = statistics.median(raw_copy(bench_url, path) for _ in range(3))
                # Three imports, each into an empty ledger: the median one is reported (the
                # machine is shared; a single run moves by ±5 %).
                results = []
                for _ in range(REPEAT):
                    empty_ledger(bench_url)
                    results.append(_child(["--child", str(path)], bench_url))
                results.sort(key=lambda result: result["seconds"])
                result = results[len(results) // 2]
                rows.append((size, raw, result))
                print(
                    f"  imports : {', '.join(f'{run["seconds"]:.2f}' for run in results)} s "
                    "(la médiane est retenue)"
                )
                timings = ", ".join(f"{k} {v:.1f} s" for k, v in result["timings"].items())
                print(
                    f"  import : {result['seconds']:.1f} s ({timings}) ; "
                    f"{_n(result['years_loaded'])} années-personnes, "
                    f"{_n(result['rejected'])} lignes rejetées ; {_cpu_text(result)}"
                )
            print()
            print(
                f"{'déclarations':>13} {'import (s)':>10} {'décl./s':>9} "
                f"{'COPY brut (s)':>13} {'COPY/s':>9} {'ratio':>6} {'RSS max (Mio)':>14} "
                f"{'CPU Python (s)':>14} {'CPU serveur (s)':>15}"
            )
            for size, raw, result in rows:
                rate = size / result["seconds"]
                raw_rate = size / raw
                print(
                    f"{_n(size):>13} {result['seconds']:>10.2f} {_n(rate):>9} {raw:>13.2f} "
                    f"{_n(raw_rate):>9} {rate / raw_rate:>6.1%} "
                    f"{result['rss_peak_kib'] / 1024:>14.0f} {result['python_cpu']:>14.1f} "
                    f"{_cpu_or_dash(result.get('server_cpu')):>15}"
                )
            # The same file again: every person-year is « déjà chargé » (idempotent re-run).
            again = _child(["--child", str(path)], bench_url)
            print(
                f"{'même fichier rechargé':>24} : {again['seconds']:.1f} s, "
                f"{_n(size / again['seconds'])} décl./s, "
                f"{_n(again['already_loaded'])} années-personnes déjà chargées, "
                f"{_n(again['years_loaded'])} chargées ; {_cpu_text(again)}"
            )
            empty_ledger(bench_url)
            small_file = Path(folder) / f"declarations-{sizes[0]}.csv"
            upload = _child(["--upload", str(small_file)], bench_url)
            print(
                f"dépôt en gestion de {_n(sizes[0])} déclarations : requête (contrôles, "
                f"enregistrement, mise en file) {upload['request_seconds'] * 1000:.0f} ms ; "
                f"tâche {upload['task_seconds']:.1f} s ({upload['outcome']}, "
                f"{_n(sizes[0] / upload['task_seconds'])} décl./s ; {_cpu_text(upload)})"
            )
            small, large = rows[0][2]["rss_peak_kib"], rows[1][2]["rss_peak_kib"]
            print(
                f"mémoire : pic {large / 1024:.0f} Mio pour N contre {small / 1024:.0f} Mio pour "
                f"N/10 ({(large - small) / 1024:+.0f} Mio pour 10 fois plus de lignes) ; "
                f"processus de lecture auxiliaire : {rows[1][2]['rss_helper_kib'] / 1024:.0f} Mio "
                f"pour N, {rows[0][2]['rss_helper_kib'] / 1024:.0f} Mio pour N/10 ; "
                f"charge {os.getloadavg()[0]:.1f} à la fin"
            )
    finally:
        if not args.keep:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
