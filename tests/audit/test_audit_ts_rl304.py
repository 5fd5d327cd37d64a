"""Audit of RL304 cors-wildcard-credentials (TS) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL304"
SRV = "server/index.ts"
HEAD = 'import express from "express";\nimport cors from "cors";\nconst app = express();\n'

TABLE = [
    ("origin-star-credentials", SRV, HEAD + 'app.use(cors({ origin: "*", credentials: true }));\n', [4]),
    ("origin-true-credentials", SRV, HEAD + "app.use(cors({ origin: true, credentials: true }));\n", [4]),
    ("reversed-order-multiline", SRV, HEAD + 'app.use(\n  cors({\n    credentials: true,\n    origin: "*",\n  }),\n);\n', [7]),  # reported at the origin
    ("options-in-const", SRV, HEAD + 'const corsOptions = { origin: "*", credentials: true };\napp.use(cors(corsOptions));\n', [4]),  # at the options object
    ("require-js", "server/app.js",
     'const express = require("express");\nconst cors = require("cors");\nconst app = express();\napp.use(cors({ origin: "*", credentials: true }));\n', [4]),
    ("route-level", SRV, HEAD + 'app.get("/me", cors({ origin: true, credentials: true }), (req, res) => res.json({}));\n', [4]),
    ("test-file-not-exempt", "tests/server.test.ts", HEAD + 'app.use(cors({ origin: "*", credentials: true }));\n', [4]),
    ("credentials-false-not", SRV, HEAD + 'app.use(cors({ origin: "*", credentials: false }));\n', []),
    ("no-credentials-not", SRV, HEAD + 'app.use(cors({ origin: "*" }));\napp.use(cors());\n', []),
    ("explicit-origin-not", SRV, HEAD + 'app.use(cors({ origin: "https://app.example.com", credentials: true }));\n', []),
    ("origin-list-not", SRV, HEAD + 'app.use(cors({ origin: ["https://a.example.com"], credentials: true }));\n', []),
    ("origin-env-not", SRV, HEAD + "app.use(cors({ origin: process.env.WEB_ORIGIN, credentials: true }));\n", []),
    ("other-function-not", SRV, 'function configure(o: object) { return o; }\nconfigure({ origin: "*", credentials: true });\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl304(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_no_fix(tmp_path):
    (f,) = check(tmp_path, SRV, HEAD + 'app.use(cors({ origin: "*", credentials: true }));\n', CODE)
    assert f.fix is None
