"""Audit of RL403 use-client-root against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL403"
PAGE = '"use client";\nexport default function Page() {\n  return <main />;\n}\n'
LAYOUT = "'use client';\nexport default function RootLayout({ children }: { children: React.ReactNode }) {\n  return <html><body>{children}</body></html>;\n}\n"

TABLE = [
    ("root-page", "app/page.tsx", PAGE, [1]),
    ("root-layout-single-quotes", "app/layout.tsx", LAYOUT, [1]),
    ("src-app-page", "src/app/page.tsx", PAGE, [1]),
    ("root-page-after-comment", "app/page.tsx", '// Home\n"use client";\nexport default function Page() { return null; }\n', [2]),
    ("nested-page-not", "app/dashboard/page.tsx", PAGE, []),
    ("nested-layout-not", "app/(marketing)/about/layout.tsx", LAYOUT, []),
    ("component-not", "components/Header.tsx", PAGE, []),
    ("pages-router-not", "pages/index.tsx", PAGE, []),
    ("no-directive-not", "app/page.tsx", "export default function Page() { return <main />; }\n", []),
    ("directive-string-not-first-not", "app/page.tsx", 'import x from "./x";\n"use client";\nexport default function Page() { return null; }\n', []),
    ("use-server-not", "app/page.tsx", '"use server";\nexport async function act() {}\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl403(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_severity_info_no_fix(tmp_path):
    (f,) = check(tmp_path, "app/page.tsx", PAGE, CODE)
    assert f.severity.name.lower() in ("info", "information") and f.fix is None
