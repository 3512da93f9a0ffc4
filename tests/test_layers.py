"""The code's rules that no single feature test would notice breaking."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "tracker" / "services"

# The job queues' workers commit each job as they claim and finish it, so that two workers never
# take the same one and a crash loses at most the one under way (tracker/transactions.py).
QUEUE_WORKERS = {
    "outbox.py": {"claim_batch", "_claim", "deliver_due", "_deliver", "commit"},  # _Records.commit
    "pdf_jobs.py": {"claim", "_make", "_record", "_forget_old_live"},
}


def commits_in(path: Path) -> list[tuple[str, int]]:
    """(function, line) of every `….commit()` call in the module."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(function, ast.FunctionDef):
            found += [(function.name, call.lineno) for call in ast.walk(function)
                      if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                      and call.func.attr == "commit"]
    return found


def test_services_leave_the_commit_to_their_caller():
    """Routes, commands and scheduler jobs commit (tracker.transactions.transaction); a service adds
    and flushes. Only the queue workers' own loops commit, job by job."""
    stray = []
    for path in sorted(SERVICES.rglob("*.py")):
        allowed = QUEUE_WORKERS.get(path.name, set())
        stray += [f"{path.relative_to(SERVICES)}:{line} {name}()" for name, line in commits_in(path)
                  if name not in allowed]
    assert stray == []


def test_the_check_finds_a_commit():
    sample = SERVICES / "outbox.py"
    assert {name for name, _ in commits_in(sample)} >= {"claim_batch", "deliver_due"}


WEB = SERVICES.parent / "web"


def names_used(path: Path) -> set[str]:
    """Every module imported and every name read in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found |= {node.module or ""} | {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_services_take_the_settings_they_read_from_their_caller():
    """A service reads the application's settings only from the `config` its caller passes
    (current_app.config in a route, the app's config in a command or job), so a caller can change one
    (the demo turns e-mail off) and a test can pass its own."""
    readers = [str(path.relative_to(SERVICES)) for path in sorted(SERVICES.rglob("*.py"))
               if "current_app" in names_used(path)]
    assert readers == []


def test_routes_leave_the_queries_to_services():
    """The web layer reads and writes rows through services; it builds no SQL."""
    querying = [str(path.relative_to(WEB)) for path in sorted(WEB.glob("*.py"))
                if {"sqlalchemy", "select", "db"} & names_used(path)
                or any(name.startswith("sqlalchemy") for name in names_used(path))]
    assert querying == []


def test_the_checks_find_what_they_look_for():
    assert "current_app" in names_used(WEB / "notify.py")
    assert "select" in names_used(SERVICES / "messages.py")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_imports_run_down_the_layers():
    """web → services → models, and nothing back up: a model knows no service, a service no route."""
    tracker = SERVICES.parent
    upward = []
    for folder, above in (("services", ("tracker.web",)), ("channels", ("tracker.web",)),
                          ("models", ("tracker.web", "tracker.services", "tracker.channels"))):
        for path in sorted((tracker / folder).rglob("*.py")):
            upward += [f"{path.relative_to(tracker)}: {name}" for name in sorted(imported_modules(path))
                       if name.startswith(above)]
    assert upward == []


# Each loaded by one kind of request or command only; loading them with the app cost a second and
# 80 MB in every command and worker (issue 15).
LOADED_WHERE_USED = ("alembic", "apscheduler", "docx", "icalendar", "linebot", "openpyxl", "zxcvbn")


def test_starting_the_app_loads_no_library_that_only_some_requests_use():
    probe = f"import sys, wsgi; print(' '.join(m for m in {LOADED_WHERE_USED!r} if m in sys.modules))"
    started = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert started.stdout.split() == []


def test_the_migrations_still_load_for_flask_db():
    shown = subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "db", "--help"], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    assert "upgrade" in shown.stdout and "downgrade" in shown.stdout
