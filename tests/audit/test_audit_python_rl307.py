"""Audit of RL307 shell-injection (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import assert_fixes_sound, assert_runs_everywhere, cases, check, lines

CODE = "RL307"
APP = "app/tasks.py"

TABLE = [
    ("run-fstring-shell", APP, 'import subprocess\ndef f(name):\n    subprocess.run(f"convert {name} out.png", shell=True)\n', [3]),
    ("from-import-run", APP, 'from subprocess import run\ndef f(name):\n    run("ls " + name, shell=True)\n', [3]),
    ("alias-module", APP, 'import subprocess as sp\ndef f(cmd):\n    sp.check_output(cmd, shell=True)\n', [3]),
    ("popen-format", APP, 'import subprocess\ndef f(b):\n    subprocess.Popen("git checkout {}".format(b), shell=True)\n', [3]),
    ("call-percent", APP, 'import subprocess\ndef f(b):\n    subprocess.call("git checkout %s" % b, shell=True)\n', [3]),
    ("check-call-variable", APP, 'import subprocess\ndef f(b):\n    cmd = "rm -rf " + b\n    subprocess.check_call(cmd, shell=True)\n', [4]),
    ("os-system-fstring", APP, 'import os\ndef f(host):\n    os.system(f"ping -c 1 {host}")\n', [3]),
    ("os-popen-concat", APP, 'import os\ndef f(p):\n    return os.popen("cat " + p).read()\n', [3]),
    ("os-system-param", APP, 'import os\ndef f(cmd):\n    os.system(cmd)\n', [3]),
    ("bash-c", APP, 'import subprocess\ndef f(cmd):\n    subprocess.run(["bash", "-c", cmd])\n', [3]),
    ("tests-not-exempt", "tests/test_x.py", 'import os\ndef f(cmd):\n    os.system(cmd)\n', [3]),
    # must not flag
    ("literal-shell", APP, 'import subprocess\ndef f():\n    subprocess.run("ls -la | wc -l", shell=True)\n', []),
    ("os-system-literal", APP, 'import os\nos.system("clear")\n', []),
    ("argv-no-shell", APP, 'import subprocess\ndef f(name):\n    subprocess.run(["convert", name, "out.png"], check=True)\n', []),
    ("shell-false", APP, 'import subprocess\ndef f(name):\n    subprocess.run(f"convert {name}", shell=False)\n', []),
    ("shlex-quote", APP, 'import shlex, subprocess\ndef f(name):\n    subprocess.run(f"convert {shlex.quote(name)} out.png", shell=True)\n', []),
    ("other-system", APP, 'def f(platform, cmd):\n    platform.system(cmd)\n', []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl307(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_message_and_no_fix():
    (f,) = check(TABLE[0][2], CODE, APP)
    assert f.fix is None and "shell" in f.message.lower()


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('import os\ndef f(c):\n    os.system(c)\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
