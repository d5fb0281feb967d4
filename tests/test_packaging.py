"""The package as it is shipped: a wheel built from the tracked files, installed into a fresh
virtual environment outside the checkout with pywikibot at the lowest version pyproject.toml
allows, runs a move; the user-configs load in that pywikibot; requirements.txt (the Build
Service's lock file) pins what pyproject.toml asks for."""

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import META_PATH
from tests.test_toolforge import USER_CONFIG, load_in_pywikibot

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_USER_CONFIG = ROOT / "user-config.py.sample"
LOCK = ROOT / "requirements.txt"
DEPENDENCIES = [
    Requirement(text)
    for text in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
]


def pywikibot_floor() -> str:
    (pywikibot,) = [r for r in DEPENDENCIES if r.name == "pywikibot"]
    (floor,) = [s.version for s in pywikibot.specifier if s.operator == ">="]
    return floor


def clean_environment() -> dict[str, str]:
    """No trace of the checkout or of the test venv's configuration."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV"} and not k.startswith(("PYWIKIBOT_", "CHBOT_"))
    }


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{command}: {done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from the files git tracks, so that nothing lying about in the checkout gets in."""
    source = tmp_path_factory.mktemp("source")
    tracked = run("git", "ls-files", "-z", cwd=ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, source, cwd=out)
    (built,) = out.glob("conversation_hours_bot-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel and pywikibot at its floor, from the index."""
    folder = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", folder, cwd=folder)
    python = folder / "bin" / "python"
    run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        wheel,
        f"pywikibot=={pywikibot_floor()}",
        cwd=folder,
    )
    return folder


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A working directory that is not the checkout."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_the_wheel_holds_every_module_and_template_of_the_package(wheel):
    tracked = run("git", "ls-files", "bot", cwd=ROOT).stdout.split()
    shipped = {n for n in tracked if n.endswith((".py", ".j2"))}
    assert any(n.startswith("bot/templates/") for n in shipped)
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = {n for n in archive.namelist() if n.startswith("bot/")}
    assert shipped <= in_wheel, f"missing from the wheel: {sorted(shipped - in_wheel)}"


def test_the_installed_package_is_the_wheel_not_the_checkout(venv, elsewhere):
    where = run(venv / "bin" / "python", "-c", "import bot; print(bot.__file__)", cwd=elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(venv)


def test_an_installed_wheel_moves_past_sessions_from_another_folder(venv, elsewhere):
    new = elsewhere / "new.wikitext"
    done = run(
        venv / "bin" / "conversation-hours-bot",
        "run",
        "--file",
        META_PATH,
        "--now",
        "2023-07-01T00:00:00Z",
        "--output",
        new,
        "--json",
        cwd=elsewhere,
    )
    report = json.loads(done.stdout)
    assert report["changed"] is True
    assert [m["start"] for m in report["moved"]] == ["2023-06-26T12:00:00Z", "2023-06-30T16:00:00Z"]
    # The log entry comes from the template shipped in the wheel.
    assert "June 26, 2023 (12:00 UTC)" in new.read_text(encoding="utf-8")


def test_the_fresh_venv_has_pywikibot_at_the_floor(venv, elsewhere):
    probe = "from importlib.metadata import version; print(version('pywikibot'))"
    installed = run(venv / "bin" / "python", "-c", probe, cwd=elsewhere).stdout.strip()
    assert Requirement(f"pywikibot=={pywikibot_floor()}").specifier.contains(installed)


@pytest.mark.parametrize(
    ("user_config", "env"),
    [
        (SAMPLE_USER_CONFIG, {}),
        (USER_CONFIG, {"CHBOT_USERNAME": "Conversation Hours Bot"}),
    ],
    ids=["sample", "toolforge"],
)
def test_user_config_loads_without_warnings_in_pywikibot_at_the_floor(
    venv, elsewhere, user_config, env
):
    loaded = load_in_pywikibot(user_config, elsewhere, str(venv / "bin" / "python"), **env)
    assert loaded["warnings"] == []
    assert loaded["limits"][:2] == [5, 30]  # write_maxlag and read_maxlag were taken


def test_sample_user_agent_links_the_bots_user_page_once(venv, elsewhere):
    agent = load_in_pywikibot(SAMPLE_USER_CONFIG, elsewhere, str(venv / "bin" / "python"))["agent"]
    assert agent.count("meta.wikimedia.org/wiki/User") == 1, agent
    assert "operator@example.org" in agent


# --- requirements.txt, the lock file of the Build Service image ----------------------------


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, equals, version = line.partition("==")
        assert equals and version and " " not in line, f"not a pin: {line!r}"
        assert canonicalize_name(name) not in found, f"pinned twice: {name}"
        found[canonicalize_name(name)] = version
    return found


def test_lock_file_pins_every_runtime_dependency():
    missing = {canonicalize_name(r.name) for r in DEPENDENCIES} - set(pins())
    assert not missing, f"run scripts/toolforge/lock: not pinned: {sorted(missing)}"


def test_lock_file_pins_lie_in_pyprojects_ranges():
    pinned = pins()
    for requirement in DEPENDENCIES:
        version = pinned[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version), (
            f"run scripts/toolforge/lock: {requirement.name}=={version} is outside {requirement}"
        )


def test_lock_file_has_pywikibots_oauth_support_for_the_image():
    assert {"mwoauth", "requests-oauthlib"} <= set(pins())
