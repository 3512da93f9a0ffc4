"""The code's rules that no single feature test would notice breaking."""
import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "tracker" / "services"

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
