"""config.Globs: the joined-regex fast path agrees with pathspec on every path."""

from __future__ import annotations

import itertools

import pathspec
import pytest

from reviewlens.analyzers.config import DEFAULT_EXEMPT_PATHS, Globs

PATTERN_LISTS = [
    list(DEFAULT_EXEMPT_PATHS),
    ["legacy/**", "*.gen.py", "/top_only.py", "docs/*.py"],
    ["**/migrations/*.py", "src/**/fixtures/", "a?c.ts", "[ab]*.tsx", "\\#odd.py"],
    ["build", "*.min.js", "# a comment", "", "   "],
    ["tests/", "!tests/keep.py"],  # a negation: pathspec decides
    ["*.py", "!app/", "app/main.py"],
    ["**", "*"],
    ["a/**/b", "**/x", "x/**", "foo/**/", "dir/", "a/b/", "?.py", "[a-z]*.ts", "[!a]*.py"],
    [],
]
PATHS = [
    "app/main.py", "tests/test_x.py", "app/tests/helpers.py", "tests/keep.py", "pkg/test_util.py",
    "pkg/util_test.py", "conftest.py", "web/src/a.test.tsx", "web/src/b.spec.ts", "setupTests.js",
    "scripts/seed.py", "legacy/old/x.py", "x/legacy/y.py", "api.gen.py", "top_only.py", "sub/top_only.py",
    "docs/conf.py", "docs/sub/conf.py", "a/migrations/0001.py", "src/x/fixtures/a.json", "abc.ts", "a/abc.ts",
    "b1.tsx", "c1.tsx", "#odd.py", "build/x.js", "lib/build/y.js", "dist/a.min.js", "e2e/flow.ts",
    "cypress/e2e/a.cy.ts", "playwright/t.ts", "__tests__/a.tsx", "testsuite/x.py", "mytests/x.py",
    "a/b", "a/c/d/b", "q/x", "x/inner.py", "foo/bar/baz.py", "dir/f.py", "z.py", "ab.ts", "Ab.ts", "b.py",
]


@pytest.mark.parametrize("patterns", PATTERN_LISTS, ids=lambda p: ",".join(p)[:40] or "empty")
def test_globs_match_like_pathspec(patterns):
    globs = Globs(patterns)
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    for path in PATHS + [f"./{p}" for p in PATHS[:5]]:
        assert globs.match_file(path) == spec.match_file(path), (patterns, path)


def test_fast_path_is_used_without_negation_and_not_with_it():
    assert Globs(DEFAULT_EXEMPT_PATHS).regex is not None
    assert Globs(["tests/", "!tests/keep.py"]).regex is None
    assert Globs([]).empty and not Globs([]).match_file("a.py")


def test_every_pair_of_default_patterns_agrees():
    for a, b in itertools.combinations(DEFAULT_EXEMPT_PATHS, 2):
        globs, spec = Globs([a, b]), pathspec.GitIgnoreSpec.from_lines([a, b])
        for path in PATHS:
            assert globs.match_file(path) == spec.match_file(path), (a, b, path)


def test_precompiled_default_regexes_match_what_pathspec_compiles():
    # Not the same regex text: pathspec 0.12 writes `tests(?P<ps_d>/).*$`, 1.x `tests/`.
    import re

    from reviewlens.analyzers.config import _DEFAULT_REGEXES

    assert set(_DEFAULT_REGEXES) == set(DEFAULT_EXEMPT_PATHS)
    paths = PATHS + ["tests", "a/tests", "tests/a/b.py", "x/scripts/y/z.ts", "test_.py", "a/test_b.pyc",
                     "b_test.py/c", "x.test.", "conftest.pyi", "setupTests.", "e2e", "e2e/x/y"]
    for pattern, regex in _DEFAULT_REGEXES.items():
        (compiled,) = pathspec.GitIgnoreSpec.from_lines([pattern]).patterns
        assert compiled.include, pattern
        for path in paths:
            assert (re.match(regex, path) is not None) == (compiled.regex.match(path) is not None), (pattern, path)
    # A list mixing them with other patterns goes through pathspec (and still agrees).
    mixed = Globs(list(DEFAULT_EXEMPT_PATHS) + ["!tests/keep.py"])
    assert mixed.regex is None and not mixed.match_file("tests/keep.py") and mixed.match_file("tests/a.py")


def test_default_settings_do_not_import_pathspec(tmp_path):
    import subprocess
    import sys

    (tmp_path / "reviewlens.toml").write_text("respect-gitignore = false\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text("print(1)\n")
    code = (
        "import sys\n"
        "from reviewlens.analyzers.config import ConfigResolver\n"
        f"s = ConfigResolver(None).for_path({str(tmp_path / 'tests' / 't.py')!r})\n"
        f"assert s.is_exempt('tests/t.py') and not s.is_exempt('app/t.py') and not s.is_excluded('app/t.py')\n"
        "assert 'pathspec' not in sys.modules, 'pathspec imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
