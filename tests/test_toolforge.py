"""The Toolforge deployment files: the jobs as the jobs framework reads them, the bootstrap
script, and a pywikibot user-config.py that holds no secret."""

import ast
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.cli.main import build_parser
from tests.conftest import assert_usage_error

ROOT = Path(__file__).resolve().parent.parent
TOOLFORGE = ROOT / "scripts" / "toolforge"
JOBS = TOOLFORGE / "jobs.yaml"
BOOTSTRAP = TOOLFORGE / "bootstrap"
USER_CONFIG = TOOLFORGE / "user-config.py"
README_SECTION = ROOT / "README.md"  # its "Deploy on Toolforge" section
PROCFILE = ROOT / "Procfile"  # the Build Service image's process types

#: $HOME inside a Toolforge job: the tool's home, also the job's working directory.
TOOL_HOME = "/data/project/example-tool"

# What `toolforge jobs load` accepts in a job, as the jobs framework's own source has it:
# - toolforge-jobs-cli 16.2.3 (PyPI; formerly toolforge-jobs-framework-cli), jobs_cli/cli.py:
#   RUN_ARGS, the `toolforge jobs run` options; `load` turns every YAML key into the option of
#   the same name (_job_to_arg_parser_args), `continuous`, `filelog`, `no-filelog` and
#   `webservice` only from a YAML true, and get_api_payload checks the choices of `emails`,
#   `retry` and `mount`, that a job is not both continuous and scheduled, that `timeout` goes
#   with a schedule only, `retry` not with a continuous job, and `port`, `replicas`, health
#   checks and `publish` with a continuous one only. The `--mount` help: default 'none' on
#   Build Service images, 'all' otherwise.
# - jobs-api, tjf/core/models.py: the job name (JOBNAME_PATTERN, at most JOBNAME_MAX_LENGTH = 52
#   characters), EmailOption, retry 0 to 5, file logs only with `mount: all`;
#   tjf/core/cron.py: the @-macros (AT_MAPPING) or five cron fields; tjf/core/utils.py,
#   resolve_filelog_path: a relative log path is taken from the tool's home;
#   tjf/runtimes/k8s/command.py: the command runs as `/bin/sh -c`, after `exec 1>>LOG` and
#   `exec 2>>LOG` for the file logs.
FIELDS = {
    "name",
    "command",
    "image",
    "schedule",
    "continuous",
    "wait",
    "retry",
    "mem",
    "cpu",
    "emails",
    "mount",
    "filelog",
    "no-filelog",
    "filelog-stdout",
    "filelog-stderr",
    "timeout",
    "health-check-script",
    "health-check-http",
    "port",
    "replicas",
    "publish",
    "webservice",
}
REQUIRED = {"name", "command", "image"}
FLAGS = {"continuous", "filelog", "no-filelog", "webservice"}  # a YAML true, or dropped
CHOICES = {
    "emails": {"none", "all", "onfinish", "onfailure"},
    "mount": {"all", "none"},
    "retry": {0, 1, 2, 3, 4, 5},
}
CONTINUOUS_ONLY = {"port", "replicas", "health-check-script", "health-check-http", "publish"}
SCHEDULED_ONLY = {"timeout"}
NOT_CONTINUOUS = {"retry"}
MACROS = {"@hourly", "@daily", "@weekly", "@monthly", "@yearly"}
JOBNAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
JOBNAME_MAX_LENGTH = 52
#: The options of `toolforge jobs run` (tjf_cli/cli.py, RUN_ARGS), for the documented commands.
RUN_OPTIONS = {f"--{field}" for field in FIELDS - {"name"}} | {"-o", "-e", "-p"}


def active_jobs() -> list[dict]:
    return yaml.safe_load(JOBS.read_text(encoding="utf-8"))


def commented_jobs() -> list[dict]:
    """The alternative that closes the file, commented out: YAML once `# ` is taken away."""
    lines = JOBS.read_text(encoding="utf-8").splitlines()
    last_yaml = max(i for i, line in enumerate(lines) if line.strip() and line[0] != "#")
    block = [line[2:] for line in lines[last_yaml + 1 :] if line.startswith(("# - ", "#   "))]
    return yaml.safe_load("\n".join(block)) or []


def every_job() -> list[dict]:
    return [*active_jobs(), *commented_jobs()]


def scheduled_job() -> dict:
    (job,) = [j for j in active_jobs() if "schedule" in j]
    return job


each_job = pytest.mark.parametrize("job", every_job(), ids=lambda job: job.get("name", "?"))


def argv(job: dict) -> list[str]:
    """The job's command as the job's shell splits it, with $HOME expanded."""
    command = job["command"].replace("$HOME", TOOL_HOME)
    assert "$" not in command, f"only $HOME is known to be set in a job: {command}"
    return shlex.split(command)


def test_jobs_file_is_a_list_of_jobs_with_distinct_names():
    jobs = active_jobs()
    assert isinstance(jobs, list) and jobs
    assert all(isinstance(job, dict) for job in jobs)
    names = [job.get("name") for job in every_job()]
    assert len(names) == len(set(names))


def test_commented_alternative_is_one_continuous_job():
    (job,) = commented_jobs()
    assert job["continuous"] is True


@each_job
def test_job_uses_only_fields_the_jobs_framework_accepts(job):
    assert set(job) <= FIELDS, f"unknown to the jobs framework: {set(job) - FIELDS}"


@each_job
def test_job_has_a_name_a_command_and_an_image(job):
    assert set(job) >= REQUIRED
    assert all(isinstance(job[key], str) and job[key].strip() for key in REQUIRED)


@each_job
def test_job_name_is_one_kubernetes_accepts(job):
    assert JOBNAME.match(job["name"])
    assert len(job["name"]) <= JOBNAME_MAX_LENGTH


@each_job
def test_job_fields_have_values_the_jobs_framework_accepts(job):
    for key in FLAGS & set(job):
        assert job[key] is True, f"{key}: the loader takes only a YAML true"
    for key, allowed in CHOICES.items():
        if key in job:
            assert job[key] in allowed, f"{key}: {job[key]!r} is not one of {sorted(allowed)}"
    if "schedule" in job:
        schedule = job["schedule"]
        assert isinstance(schedule, str)
        assert schedule in MACROS or len(schedule.split()) == 5


@each_job
def test_job_is_either_scheduled_or_continuous(job):
    assert ("schedule" in job) != bool(job.get("continuous"))
    if "schedule" in job:
        assert not CONTINUOUS_ONLY & set(job)
    else:
        assert not (SCHEDULED_ONLY | NOT_CONTINUOUS) & set(job)


@each_job
def test_job_file_logs_have_the_nfs_mount_they_need(job):
    logs = job.get("filelog") or "filelog-stdout" in job or "filelog-stderr" in job
    assert logs
    assert job.get("mount", "all") == "all"
    assert not job.get("no-filelog")


@each_job
def test_job_log_paths_are_files_under_logs_in_the_tools_home(job):
    # Not expanded by a shell before the jobs framework resolves them: no $HOME here.
    for key in ("filelog-stdout", "filelog-stderr"):
        path = job[key]
        assert "$" not in path and not path.startswith(("/", "~"))
        assert Path(path).parent == Path("logs")


@each_job
def test_job_runs_in_the_python311_image(job):
    assert job["image"] == "python3.13"


def test_scheduled_job_runs_hourly_with_the_macro():
    assert scheduled_job()["schedule"] == "@hourly"


def test_scheduled_job_emails_on_failure():
    assert scheduled_job()["emails"] == "onfailure"


@each_job
def test_job_leaves_out_what_a_toolforge_image_does_by_default(job):
    # In a Toolforge image (not a Build Service one) a job mounts NFS and keeps file logs.
    assert "mount" not in job and "filelog" not in job
    assert {"filelog-stdout", "filelog-stderr"} <= set(job)


def test_scheduled_job_is_stopped_before_the_next_pass_is_due():
    timeout = scheduled_job()["timeout"]
    assert isinstance(timeout, int) and not isinstance(timeout, bool)
    assert 60 <= timeout < 3600


@each_job
def test_job_runs_the_bot_from_the_tools_venv_with_its_pywikibot_folder(job):
    # `exec` makes the bot the job's main process, so it gets the SIGTERM that stops the job.
    exec_, env, pywikibot_dir, program, *_ = argv(job)
    assert (exec_, env) == ("exec", "env")
    assert pywikibot_dir == f"PYWIKIBOT_DIR={TOOL_HOME}/.pywikibot"
    assert program == f"{TOOL_HOME}/venv/bin/conversation-hours-bot"


@each_job
def test_job_command_is_one_the_bots_own_parser_accepts(job):
    try:
        args = build_parser().parse_args(argv(job)[4:])
    except SystemExit:
        pytest.fail(f"conversation-hours-bot rejects the arguments of {job['name']}")
    assert args.command == ("schedule" if job.get("continuous") else "run")
    assert args.config == Path(TOOL_HOME, "conversation-hours-bot.toml")
    assert args.state == Path(TOOL_HOME, ".local/state/conversation-hours-bot")


def test_the_program_the_jobs_call_is_the_projects_console_script():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "conversation-hours-bot" in scripts


def bootstrap(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CHBOT_", "PYWIKIBOT_")) and k not in {"VENV", "PYTHON"}
    }
    return subprocess.run(
        [str(BOOTSTRAP), *args],
        env={**clean, "HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def pywikibot_folder(home: Path, password_mode: int | None = None) -> Path:
    folder = home / ".pywikibot"
    folder.mkdir(mode=0o700)
    (folder / "user-config.py").write_text(USER_CONFIG.read_text())
    if password_mode is not None:
        secrets = folder / "user-password.py"
        secrets.write_text("('ExampleConversationBot', BotPassword('toolforge', 'x'))\n")
        secrets.chmod(password_mode)
    return folder


def test_bootstrap_script_is_executable():
    assert os.access(BOOTSTRAP, os.X_OK)


def test_bootstrap_script_is_valid_bash():
    assert subprocess.run(["bash", "-n", str(BOOTSTRAP)]).returncode == 0


def test_bootstrap_creates_the_folders_the_jobs_write_to(tmp_path):
    assert bootstrap(tmp_path, "--check").returncode == 0
    for job in every_job():
        for key in ("filelog-stdout", "filelog-stderr"):
            assert (tmp_path / job[key]).parent.is_dir()
        state = build_parser().parse_args(argv(job)[4:]).state
        assert (tmp_path / state.relative_to(TOOL_HOME)).is_dir()


def test_bootstrap_warns_about_a_password_file_others_can_read(tmp_path):
    pywikibot_folder(tmp_path, password_mode=0o644)
    done = bootstrap(tmp_path, "--check")
    assert done.returncode == 0
    assert "WARNING:" in done.stderr
    assert "user-password.py" in done.stderr and "chmod 600" in done.stderr


def test_bootstrap_accepts_a_password_file_with_mode_0600(tmp_path):
    pywikibot_folder(tmp_path, password_mode=0o600)
    done = bootstrap(tmp_path, "--check")
    assert done.returncode == 0
    assert "WARNING" not in done.stderr


def test_bootstrap_warns_when_the_pywikibot_folder_is_missing(tmp_path):
    done = bootstrap(tmp_path, "--check")
    assert done.returncode == 0
    assert "WARNING:" in done.stderr and ".pywikibot" in done.stderr


def test_bootstrap_can_run_again_with_the_same_result(tmp_path):
    pywikibot_folder(tmp_path, password_mode=0o600)
    first, second = bootstrap(tmp_path, "--check"), bootstrap(tmp_path, "--check")
    assert first.returncode == second.returncode == 0
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)


def test_bootstrap_refuses_to_build_with_a_python_the_jobs_do_not_run(tmp_path):
    other = tmp_path / "python3"
    other.write_text("#!/bin/sh\necho 3.9\n")
    other.chmod(0o755)
    done = bootstrap(tmp_path, PYTHON=str(other))
    assert done.returncode == 1
    assert "python3.13 image" in done.stderr
    assert not (tmp_path / "venv").exists()


@pytest.mark.parametrize("document", [BOOTSTRAP, README_SECTION], ids=lambda p: p.name)
def test_documented_jobs_run_commands_use_real_options(document):
    text = document.read_text(encoding="utf-8").replace("\\\n", " ")
    commands = re.findall(r"toolforge jobs run [^\n]*", text)
    assert commands
    for command in commands:
        words = [w.lstrip("#").strip() for w in shlex.split(command, comments=False)]
        options = {w for w in words if w.startswith("-")}
        assert options <= RUN_OPTIONS, f"not a `toolforge jobs run` option: {options - RUN_OPTIONS}"
        assert {"--image", "--command"} <= options


def user_config_tree() -> ast.Module:
    return ast.parse(USER_CONFIG.read_text(encoding="utf-8"), filename=str(USER_CONFIG))


def run_user_config() -> dict:
    """The file as pywikibot runs it: with pywikibot's defaults for the names it sets."""
    scope = {"usernames": defaultdict(dict), "authenticate": {}, "password_file": None}
    exec(compile(USER_CONFIG.read_text(encoding="utf-8"), str(USER_CONFIG), "exec"), scope)
    return scope


@pytest.fixture
def environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("CHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CHBOT_USERNAME", "Conversation Hours Bot")
    return monkeypatch


OAUTH = {
    "CHBOT_OAUTH_CONSUMER_TOKEN": "consumer-token",
    "CHBOT_OAUTH_CONSUMER_SECRET": "consumer-secret",
    "CHBOT_OAUTH_ACCESS_TOKEN": "access-token",
    "CHBOT_OAUTH_ACCESS_SECRET": "access-secret",
}


def test_user_config_compiles():
    compile(USER_CONFIG.read_text(encoding="utf-8"), str(USER_CONFIG), "exec")


def test_user_config_holds_no_secret():
    # OAuth keys are 32 hex digits; BotPasswords 32 letters and digits. Names of environment
    # variables (CHBOT_OAUTH_ACCESS_SECRET) are what the file should hold instead.
    secret_like = re.compile(r"[A-Za-z0-9+/=_-]{28,}")
    variable_name = re.compile(r"[A-Z][A-Z0-9_]*")
    for node in ast.walk(user_config_tree()):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            assert variable_name.fullmatch(text) or not secret_like.search(text), (
                f"looks like a secret: {text!r}"
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "BotPassword", "a BotPassword belongs in the password file"


def test_user_config_reads_nothing_but_environment_variables():
    tree = user_config_tree()
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [(n.module, [a.name for a in n.names]) for n in imports] == [("os", ["environ"])]
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and hasattr(n.func, "id")}
    assert not calls & {"open", "exec", "eval", "__import__", "compile"}


def test_user_config_takes_the_oauth_keys_from_the_environment(environment):
    for name, value in OAUTH.items():
        environment.setenv(name, value)
    environment.setenv("CHBOT_USERNAME", "Conversation Hours Bot")
    scope = run_user_config()
    assert scope["authenticate"] == {"meta.wikimedia.org": tuple(OAUTH.values())}
    assert scope["usernames"]["meta"]["meta"] == "Conversation Hours Bot"
    assert scope["password_file"] is None


def test_user_config_refuses_to_load_without_the_account_name(environment):
    environment.delenv("CHBOT_USERNAME")
    with pytest.raises(ValueError, match="CHBOT_USERNAME is not set"):
        run_user_config()


def test_user_config_names_the_missing_account_in_one_line_and_exit_2(tmp_path):
    (tmp_path / "user-config.py").write_text(USER_CONFIG.read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHBOT_", "PYWIKIBOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--dry-run", "--dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_usage_error(done, "CHBOT_USERNAME is not set")


def test_user_config_without_oauth_keys_reads_the_password_file(environment):
    scope = run_user_config()
    assert scope["authenticate"] == {}
    assert scope["password_file"] == "user-password.py"


def test_user_config_refuses_half_configured_oauth_without_showing_values(environment):
    environment.setenv("CHBOT_OAUTH_CONSUMER_TOKEN", "consumer-token")
    with pytest.raises(ValueError, match="CHBOT_OAUTH_ACCESS_SECRET") as refused:
        run_user_config()
    assert "consumer-token" not in str(refused.value)


#: Loads a user-config.py as pywikibot does and reports what pywikibot made of it, with the
#: user agent it would send to Meta (from a stand-in for the Site: the parts the user agent
#: reads, so that no request is made).
PROBE = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import pywikibot.config as c
from pywikibot.comms import http
from pywikibot.family import Family

class Meta:
    sitename, code, family = "meta:meta", "meta", Family.load("meta")
    def username(self):
        return c.usernames["meta"]["meta"]
    def base_url(self, path):
        return self.family.base_url(self.code, path)

print(json.dumps({
    "warnings": [str(w.message) for w in caught],
    "site": [c.family, c.mylang],
    "user": c.usernames["meta"]["meta"],
    "agent": http.user_agent(Meta()),
    "limits": [c.write_maxlag, c.read_maxlag, c.put_throttle],
}))
"""


def load_in_pywikibot(user_config: Path, folder: Path, python: str = sys.executable, **env):
    """What `PROBE` reports for `user_config`, loaded by `python`'s pywikibot."""
    (folder / "user-config.py").write_text(user_config.read_text())
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CHBOT_", "PYWIKIBOT_"))}
    done = subprocess.run(
        [python, "-c", PROBE],
        env={**clean, "PYWIKIBOT_DIR": str(folder), **env},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_user_config_loads_in_pywikibot_without_warnings(tmp_path):
    loaded = load_in_pywikibot(USER_CONFIG, tmp_path, CHBOT_USERNAME="Conversation Hours Bot")
    assert loaded["warnings"] == []
    assert loaded["site"] == ["meta", "meta"]
    assert loaded["user"] == "Conversation Hours Bot"
    assert loaded["limits"] == [5, 30, 10]


def test_user_agent_links_the_bots_user_page_once(tmp_path):
    loaded = load_in_pywikibot(
        USER_CONFIG,
        tmp_path,
        CHBOT_USERNAME="Conversation Hours Bot",
        CHBOT_CONTACT="operator@example.org",
        TOOL_DATA_DIR="/data/project/example-tool",
    )
    agent = loaded["agent"]
    assert agent.count("meta.wikimedia.org/wiki/User") == 1, agent
    assert "meta.wikimedia.org/wiki/User:Conversation_Hours_Bot" in agent
    assert "Toolforge tool example-tool; operator@example.org" in agent


# --- the Build Service image: Procfile and the documented jobs that run it ------------------


def procfile() -> dict[str, str]:
    """Process type -> command, as the Procfile buildpack reads `type: command` lines."""
    entries = {}
    for line in PROCFILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, colon, command = line.partition(":")
            assert colon and re.fullmatch(r"[A-Za-z0-9_-]+", name), f"not a process: {line!r}"
            assert name not in entries, f"{name} declared twice"
            entries[name] = command.strip()
    return entries


def test_procfile_has_the_pass_the_dry_run_and_the_scheduler():
    assert set(procfile()) == {"pass", "dry-run", "scheduler", "check"}


#: How a Procfile command names the tool's home: an explicit variable, checked by the shell.
CHECKED_HOME = re.compile(r"\$\{CHBOT_HOME:\?([^}]*)\}")


@pytest.mark.parametrize("process", sorted(procfile()))
def test_procfile_command_is_one_the_bots_own_parser_accepts(process):
    command = procfile()[process]
    [why] = CHECKED_HOME.findall(command)  # the first use fails with a message when unset
    assert "toolforge envvars create CHBOT_HOME" in why
    command = CHECKED_HOME.sub(TOOL_HOME, command).replace("$CHBOT_HOME", TOOL_HOME)
    assert "$" not in command
    exec_, env, pywikibot_dir, program, *args = shlex.split(command)
    assert (exec_, env, pywikibot_dir) == ("exec", "env", f"PYWIKIBOT_DIR={TOOL_HOME}/.pywikibot")
    assert program == "conversation-hours-bot"  # pywikibot names the script after it
    args = build_parser().parse_args(args)
    assert args.command == {"scheduler": "schedule", "check": "check"}.get(process, "run")
    assert args.config == Path(TOOL_HOME, "conversation-hours-bot.toml")
    if process != "check":  # the pre-flight checks the state folder the configuration names
        assert args.state == Path(TOOL_HOME, ".local/state/conversation-hours-bot")
    assert getattr(args, "dry_run", False) == (process == "dry-run")


@pytest.mark.parametrize("process", sorted(procfile()))
def test_procfile_command_says_in_one_line_that_chbot_home_is_missing(process, tmp_path):
    command = procfile()[process].replace("exec env", "echo", 1)
    env = {k: v for k, v in os.environ.items() if k != "CHBOT_HOME"}
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env)
    assert done.returncode != 0 and done.stdout == ""
    assert "CHBOT_HOME: is not set: toolforge envvars create CHBOT_HOME" in done.stderr


def test_the_build_service_python_is_pinned():
    assert (ROOT / ".python-version").read_text().strip() == "3.13"


def build_service_commands() -> list[list[str]]:
    text = README_SECTION.read_text(encoding="utf-8").replace("\\\n", " ")
    commands = [shlex.split(c) for c in re.findall(r"toolforge jobs run [^\n]*", text)]
    return [c for c in commands if c[c.index("--image") + 1].startswith("tool-")]


def test_documented_build_service_jobs_run_procfile_processes_with_the_nfs_mount():
    commands = build_service_commands()
    assert len(commands) >= 2
    for command in commands:
        assert command[command.index("--command") + 1] in procfile()
        assert command[command.index("--image") + 1] == "tool-<tool>/tool-<tool>:latest"
        assert command[command.index("--mount") + 1] == "all"


def test_documented_scheduled_pass_has_a_timeout_below_the_hour():
    (scheduled,) = [c for c in build_service_commands() if "--schedule" in c]
    assert 60 <= int(scheduled[scheduled.index("--timeout") + 1]) < 3600
