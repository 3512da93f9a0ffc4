"""What the security checks skip is explained in one place (docs/security-checks.md), and the
system-package step of `make run` and `make test` is quiet when there is nothing to install."""
import re
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
EXPLANATIONS = (PROJECT / "docs" / "security-checks.md").read_text()
CHECKED = ("tracker", "config", "scripts", "wsgi.py")


def skipped_tests() -> list[str]:
    settings = (PROJECT / "bandit.yaml").read_text()
    return re.findall(r"^\s*-\s*(B\d{3})\b", settings, flags=re.MULTILINE)


def nosec_lines() -> list[tuple[str, str]]:
    """(file, test id) for every `# nosec` in the code bandit reads."""
    files = [PROJECT / "wsgi.py"] + [path for folder in CHECKED[:-1] for path in (PROJECT / folder).rglob("*.py")]
    found = []
    for path in files:
        for line in path.read_text().splitlines():
            if "# nosec" in line:
                found.append((str(path.relative_to(PROJECT)), line.split("# nosec", 1)[1].strip()))
    return found


def test_every_test_bandit_skips_is_explained():
    assert skipped_tests(), "bandit.yaml names no skipped test: is it still read?"
    for test_id in skipped_tests():
        assert f"| {test_id} " in EXPLANATIONS, f"{test_id} is skipped in bandit.yaml but not explained"


def test_every_nosec_line_names_its_test_and_is_explained():
    for path, rest in nosec_lines():
        test_id = re.fullmatch(r"B\d{3}", rest)
        assert test_id, f"{path}: a bare or annotated `# nosec` ({rest!r}); name the one test id"
        assert f"`{path}`" in EXPLANATIONS and f"| {rest} " in EXPLANATIONS, f"{path}: {rest} is not explained"


def test_the_system_package_step_says_nothing_when_everything_is_installed():
    # The machine running the tests has every package the tests need, so neither step installs.
    for purpose in ("run", "test"):
        result = subprocess.run(["scripts/install-system-deps.sh", purpose], cwd=PROJECT, capture_output=True,
                                text=True, timeout=60)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_system_package_step_refuses_an_unknown_purpose():
    result = subprocess.run(["scripts/install-system-deps.sh", "everything"], cwd=PROJECT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "usage" in result.stderr
