"""Configuration: every key of analyzers/config.py, validation errors, and file discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewlens.analyzers import config as cfg
from reviewlens.analyzers import registry
from reviewlens.analyzers.config import (
    DEFAULT_EXEMPT_PATHS,
    ConfigError,
    ConfigResolver,
    Settings,
    load_config_file,
    settings_from_table,
)
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.model import Severity

PRINT = b'def f(x):\n    print(x)\n'


def load(tmp_path: Path, text: str, name: str = "reviewlens.toml") -> Settings:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = load_config_file(path)
    assert settings is not None
    return settings


def codes(settings: Settings, rel: str = "app/main.py") -> set[str]:
    return set(settings.enabled_codes(rel, registry.all_codes(), registry.code_names()))


def test_every_known_key_is_tested():
    # Keep this list in step with the tests below (and the README's configuration reference).
    tested = {"select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
              "exempt-paths", "extend-exempt-paths", "severity", "options", "banned-modules",
              "respect-gitignore", "api-prefix"}
    assert cfg._KNOWN_KEYS == tested


def test_defaults():
    s = Settings()
    assert codes(s) == set(registry.all_codes())
    assert s.exempt_paths == DEFAULT_EXEMPT_PATHS
    assert s.respect_gitignore is True
    assert s.is_exempt("tests/test_api.py") and s.is_exempt("web/src/app.test.tsx") and s.is_exempt("scripts/seed.py")
    assert not s.is_exempt("app/main.py")


def test_select_extend_select_ignore(tmp_path):
    s = load(tmp_path, 'select = ["RL1"]\nextend-select = ["blocking-call-in-async"]\nignore = ["RL102"]\n')
    assert codes(s) == {"RL101", "RL201"}
    assert s.source == tmp_path / "reviewlens.toml" and s.root == tmp_path
    s = load(tmp_path, 'select = "RL101"\n')  # a single string is accepted
    assert codes(s) == {"RL101"}


def test_per_file_ignores(tmp_path):
    s = load(tmp_path, '[per-file-ignores]\n"app/legacy/*" = ["RL101", "RL2"]\n"**/migrations/*.py" = ["ALL"]\n')
    assert "RL101" not in codes(s, "app/legacy/old.py") and "RL201" not in codes(s, "app/legacy/old.py")
    assert "RL101" in codes(s, "app/main.py")
    assert codes(s, "db/migrations/0001.py") == set()


def test_exclude_and_extend_exclude(tmp_path):
    s = load(tmp_path, 'exclude = ["generated/"]\nextend-exclude = ["*.pb.py"]\n')
    assert s.is_excluded("generated/x.py") and s.is_excluded("api/user.pb.py")
    assert not s.is_excluded("app/main.py")


def test_exempt_paths_and_extend(tmp_path):
    s = load(tmp_path, 'exempt-paths = ["fixtures/"]\n')
    assert s.is_exempt("fixtures/a.py") and not s.is_exempt("tests/test_a.py")
    s = load(tmp_path, 'extend-exempt-paths = ["tools/"]\n')
    assert s.is_exempt("tools/x.py") and s.is_exempt("tests/test_a.py")
    # Exempt paths switch off the rules that honour them (RL101 does).
    assert check_source(PRINT, str(tmp_path / "tools" / "x.py"), s).findings == []
    assert [f.code for f in check_source(PRINT, str(tmp_path / "app" / "x.py"), s).findings] == ["RL101"]


def test_severity_overrides(tmp_path):
    s = load(tmp_path, '[severity]\nRL101 = "error"\n"RL2" = "info"\n')
    assert s.severity_map["RL101"] is Severity.ERROR and s.severity_map["RL201"] is Severity.INFO
    finding = check_source(PRINT, str(tmp_path / "app.py"), s).findings[0]
    assert finding.severity is Severity.ERROR


def test_options(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "options_of", lambda code: {"allow-in": ["cli"], "max": 3} if code == "RL101" else {})
    s = load(tmp_path, '[options.RL101]\nallow-in = ["cli", "admin"]\nmax = 5\n')
    assert s.options_map == {"RL101": {"allow-in": ["cli", "admin"], "max": 5}}
    s = load(tmp_path, '[options.debug-print]\nmax = 1\n')  # by rule name too
    assert s.options_map == {"RL101": {"max": 1}}
    with pytest.raises(ConfigError, match=r"`options.RL101.nope`: unknown option \(this rule's options: allow-in, max\)"):
        load(tmp_path, '[options.RL101]\nnope = 1\n')
    with pytest.raises(ConfigError, match=r"`options.RL101.max` must be int, got 'x'"):
        load(tmp_path, '[options.RL101]\nmax = "x"\n')
    with pytest.raises(ConfigError, match=r"`options.RL999`: unknown rule"):
        load(tmp_path, '[options.RL999]\nmax = 1\n')
    with pytest.raises(ConfigError, match=r"`options` must be a table"):
        load(tmp_path, 'options = 3\n')


def test_banned_modules(tmp_path):
    s = load(tmp_path, '[banned-modules]\nredis = "Redis is not allowed here: use MongoDB"\n')
    assert s.banned_modules == (("redis", "Redis is not allowed here: use MongoDB"),)
    with pytest.raises(ConfigError, match="`banned-modules` must be a table"):
        load(tmp_path, 'banned-modules = ["redis"]\n')


def test_respect_gitignore_and_api_prefix(tmp_path):
    s = load(tmp_path, 'respect-gitignore = false\napi-prefix = "/api/v1"\n')
    assert s.respect_gitignore is False
    assert dict(s.extra) == {"api-prefix": "/api/v1"}
    with pytest.raises(ConfigError, match="`respect-gitignore` must be true or false"):
        load(tmp_path, 'respect-gitignore = "no"\n')


@pytest.mark.parametrize("text, message", [
    ("select = [\n", "invalid TOML"),
    ('select = ["RL101"\nignore = []\n', "invalid TOML"),
    ('selekt = ["RL101"]\n', "unknown key `selekt` (known keys: api-prefix, banned-modules,"),
    ('select = ["RL999"]\n', "`select`: unknown rule selector 'RL999'"),
    ('ignore = ["not-a-rule"]\n', "`ignore`: unknown rule selector 'not-a-rule'"),
    ("select = 3\n", "`select` must be a list of strings, got 3"),
    ("select = [1, 2]\n", "`select` must be a list of strings"),
    ('per-file-ignores = ["x"]\n', "`per-file-ignores` must be a table"),
    ('[per-file-ignores]\n"a/*" = ["RL999"]\n', "unknown rule selector 'RL999'"),
    ('exclude = {a = 1}\n', "`exclude` must be a list of strings"),
    ('exempt-paths = 1\n', "`exempt-paths` must be a list of strings"),
    ('severity = "error"\n', "`severity` must be a table"),
    ('[severity]\nRL101 = "fatal"\n', "unknown severity 'fatal'"),
    ('[severity]\nRL101 = 3\n', "`severity.RL101` must be a string"),
    ('[severity]\nRL999 = "error"\n', "unknown rule selector 'RL999'"),
])
def test_errors_name_the_file_and_the_problem(tmp_path, text, message):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert info.value.path == str(tmp_path / "reviewlens.toml")
    assert message in info.value.problem
    assert str(info.value).startswith(str(tmp_path / "reviewlens.toml") + ": ")


def test_invalid_utf8_config(tmp_path):
    (tmp_path / "reviewlens.toml").write_bytes(b'select = ["\xff"]\n')
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_config_file(tmp_path / "reviewlens.toml")


def test_pyproject_table_and_passing_over(tmp_path):
    assert load_config_file(_write(tmp_path / "a" / "pyproject.toml", "[project]\nname = 'a'\n")) is None
    s = load_config_file(_write(tmp_path / "b" / "pyproject.toml", '[tool.reviewlens]\nignore = ["RL101"]\n'))
    assert s is not None and "RL101" not in codes(s)
    # reviewlens.toml may hold the keys at top level or under [tool.reviewlens].
    s = load_config_file(_write(tmp_path / "c" / "reviewlens.toml", '[tool.reviewlens]\nignore = ["RL101"]\n'))
    assert "RL101" not in codes(s)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_resolver_nearest_config_wins(tmp_path):
    _write(tmp_path / "pyproject.toml", '[tool.reviewlens]\nignore = ["RL101"]\n')
    _write(tmp_path / "api" / "reviewlens.toml", 'ignore = ["RL201"]\n')
    _write(tmp_path / "api" / "pyproject.toml", '[tool.reviewlens]\nignore = ["RL302"]\n')  # reviewlens.toml first
    _write(tmp_path / "web" / "pyproject.toml", "[project]\nname = 'web'\n")  # passed over
    r = ConfigResolver()
    assert r.for_path(tmp_path / "api" / "deep" / "x.py").ignore == ("RL201",)
    assert r.for_path(tmp_path / "web" / "x.ts").ignore == ("RL101",)
    assert r.for_path(tmp_path / "x.py").root == tmp_path
    # Paths in a config are relative to its folder.
    s = r.for_path(tmp_path / "api" / "x.py")
    assert s.relative(tmp_path / "api" / "sub" / "x.py") == "sub/x.py"


def test_resolver_passes_over_other_tools_pyproject_unparsed(tmp_path, monkeypatch):
    _write(tmp_path / "reviewlens.toml", 'ignore = ["RL101"]\n')
    _write(tmp_path / "svc" / "pyproject.toml", "[tool.black\nline-length = 100\n")  # broken, not ours
    _write(tmp_path / "lib" / "pyproject.toml", '[tool."reviewlens"]\nignore = ["RL201"]\n')
    parsed = []
    real_loads = __import__("tomllib").loads
    monkeypatch.setattr("tomllib.loads", lambda text: parsed.append(text) or real_loads(text))
    r = ConfigResolver()
    assert r.for_path(str(tmp_path / "svc" / "a" / "x.py")).ignore == ("RL101",)
    assert r.for_path(str(tmp_path / "lib" / "x.py")).ignore == ("RL201",)  # quoted key
    assert len(parsed) == 2  # the root's reviewlens.toml and lib's pyproject, never svc's
    # A file that does mention us is still parsed, and its errors are still reported.
    _write(tmp_path / "bad" / "pyproject.toml", "[tool.reviewlens\nignore = []\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        ConfigResolver().for_path(str(tmp_path / "bad" / "x.py"))


def test_resolver_override_file(tmp_path):
    other = _write(tmp_path / "ci.toml", 'select = ["RL3"]\n')
    _write(tmp_path / "app" / "reviewlens.toml", 'select = ["RL1"]\n')
    r = ConfigResolver(other)
    assert r.for_path(tmp_path / "app" / "x.py").select == ("RL3",)
    with pytest.raises(ConfigError, match="no \\[tool.reviewlens\\] table"):
        ConfigResolver(_write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n"))


def test_table_must_be_a_table():
    with pytest.raises(ConfigError, match="must be a table"):
        settings_from_table(["x"], None, None)  # type: ignore[arg-type]


def test_real_dir_resolves_like_pathlib_through_symlinks_and_dots(tmp_path):
    """config._real_dir builds a folder's real path from its parent's: every spelling
    must still come out as Path.resolve() has it."""
    import os

    from reviewlens.analyzers.config import _real_dir

    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    os.symlink(tmp_path / "a" / "b", tmp_path / "lnk")
    os.symlink("../..", tmp_path / "a" / "b" / "up")
    d = str(tmp_path)
    spellings = [f"{d}/a/b/c", f"{d}/lnk/c", f"{d}/lnk", f"{d}/a/b/up/a", f"{d}/lnk/../a", f"{d}//a//b",
                 f"{d}/a/./b", f"{d}/a/../a/b", f"{d}/a/b/.", f"{d}/missing/x", f"{d}/a/b/c/", "/"]
    for folder in spellings:
        _real_dir.cache_clear()  # each spelling from scratch, then with its parents cached
        assert _real_dir(folder) == Path(folder).resolve(), folder
    for folder in spellings:
        assert _real_dir(folder) == Path(folder).resolve(), folder


def test_options_tables_import_only_their_rules(tmp_path):
    """`[options.CODE]` is checked against that code's implementations alone: a config
    with options does not import every rule (~20 ms) to learn what they accept."""
    import subprocess
    import sys

    (tmp_path / "reviewlens.toml").write_text("[options.RL101]\nnope = 1\n")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reviewlens.analyzers.config import ConfigError, load_config_file\n"
        f"try:\n    load_config_file(Path({str(tmp_path / 'reviewlens.toml')!r}))\n"
        "except ConfigError as exc:\n    print(exc.problem)\n"
        "print(' '.join(sorted(m[27:] for m in sys.modules if m.startswith('reviewlens.analyzers.rules.') and m.count('.') == 4)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith("`options.RL101.nope`: unknown option")
    assert out[1].split() == ["python.debug_print", "typescript.debug_print"]  # RL101's two files, no other rule
