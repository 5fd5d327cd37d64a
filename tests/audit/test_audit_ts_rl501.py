"""Audit of RL501 bare-except (TS/JS: empty catch) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL501"
LIB = "lib/storage.ts"

TABLE = [
    ("empty-catch-binding", LIB, "export function f() {\n  try {\n    JSON.parse('x');\n  } catch (e) {}\n}\n", [4]),
    ("empty-optional-binding", LIB, "export function f() {\n  try {\n    run();\n  } catch {}\n}\n", [4]),
    ("empty-multiline", LIB, "try {\n  run();\n} catch (err) {\n}\n", [3]),
    ("with-finally", LIB, "try {\n  run();\n} catch (e) {} finally {\n  done();\n}\n", [3]),
    ("async-route", "app/api/x/route.ts", "export async function GET() {\n  try {\n    await run();\n  } catch {}\n  return new Response();\n}\n", [4]),
    ("jsx-file", "components/A.jsx", "export function A() {\n  try { x(); } catch (e) {}\n  return null;\n}\n", [2]),
    ("test-files-still-flagged", "lib/storage.test.ts", "try { run(); } catch {}\n", [1]),
    ("lone-empty-statement", LIB, "try { run(); } catch (e) { ; }\n", [1]),
    ("line-comment-not", LIB, "try {\n  localStorage.setItem('a', 'b');\n} catch {\n  // quota exceeded: ignore\n}\n", []),
    ("block-comment-not", LIB, "try { run(); } catch (e) { /* best effort */ }\n", []),
    ("handled-not", LIB, "try { run(); } catch (e) {\n  console.error(e);\n}\n", []),
    ("rethrow-not", LIB, "try { run(); } catch (e) {\n  throw new Error('wrapped', { cause: e });\n}\n", []),
    ("promise-catch-not", LIB, "run().catch(() => {});\n", []),
    ("empty-try-not", LIB, "try {} finally { done(); }\n", []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl501(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected
