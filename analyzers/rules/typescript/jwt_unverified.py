"""RL303 jwt-unverified (TypeScript / JavaScript)."""

from __future__ import annotations

import functools
import re

from tree_sitter import Query, QueryCursor

from ...languages import TYPESCRIPT, language
from ...model import Severity
from ...naming import words
from ...rule import Rule

# Qualified names (analyzers/typescript/semantic.py) of the functions that read a JWT's
# claims without checking its signature.
DECODERS = {
    "jsonwebtoken.decode": "jsonwebtoken",
    "jose.decodeJwt": "jose",
    "jwt-decode": "jwt-decode",
    "jwt-decode.default": "jwt-decode",
    "jwt-decode.jwtDecode": "jwt-decode",
}
DECODER_MODULES = ("jsonwebtoken", "jose", "jwt-decode")
# Library functions that check a JWT's signature (or decrypt and authenticate a JWE).
VERIFIERS = frozenset({
    "jsonwebtoken.verify", "jose.jwtVerify", "jose.compactVerify", "jose.flattenedVerify",
    "jose.generalVerify", "jose.jwtDecrypt", "next-auth/jwt.getToken", "next-auth/jwt.decode",
    "@auth/core/jwt.getToken", "@auth/core/jwt.decode", "jwks-rsa", "express-jwt.expressjwt",
    "aws-jwt-verify", "@clerk/backend.verifyToken", "firebase-admin/auth.getAuth",
})
_VERIFY = re.compile(r"verif", re.IGNORECASE)
# A project helper named `verify...` checks a token when its name says what it verifies.
TOKEN_WORDS = frozenset({
    "token", "tokens", "jwt", "jws", "jwe", "session", "auth", "signature", "sig", "access",
    "id", "claims", "credentials", "request", "bearer", "cookie", "user",
})

_CALLS = """
(call_expression function: [(identifier) (member_expression)] @fn) @call
"""


@functools.cache
def _calls_query(grammar: str) -> Query:
    return Query(language(grammar), _CALLS)


class JwtUnverified(Rule):
    """
    ## What it does
    In server code (route handlers, API routes, middleware, server modules: see the
    catalog's file roles), flags `jwt.decode(...)` from `jsonwebtoken`, `decodeJwt(...)`
    from `jose` and `jwtDecode(...)` from `jwt-decode` when the module never calls a
    verify function (`jwt.verify`, `jwtVerify`, `compactVerify`, `jwtDecrypt`, or a
    helper of its own named for what it verifies: `verifyToken`, `verifySession`,
    `verifyJwt`; `verifyEmail` or `verifyCaptcha` do not count). Imports are resolved, so `import * as jose`,
    `import { decode } from "jsonwebtoken"`, a renamed default import and `require` all
    count. Client and shared modules are not checked: reading a token's claims in the
    browser (to show a name or an expiry) is normal, the server is what must verify.

    ## Why is this bad?
    Decoding is not verifying: anyone can forge a token with `{"sub": "admin"}` and any
    signature. A server that trusts decoded claims lets every caller pick their identity.

    ## Example
    ```ts
    import jwt from "jsonwebtoken";

    export async function GET(req: Request) {
      const token = req.headers.get("authorization")!.slice(7);
      const user = jwt.decode(token) as { sub: string };
      return Response.json(await getOrders(user.sub));
    }
    ```

    ## Use instead
    ```ts
    import jwt from "jsonwebtoken";

    export async function GET(req: Request) {
      const token = req.headers.get("authorization")!.slice(7);
      const user = jwt.verify(token, process.env.JWT_SECRET!) as { sub: string };
      return Response.json(await getOrders(user.sub));
    }
    ```

    ## Fix safety
    No fix: verifying needs the key and the algorithms the issuer uses.
    """

    code = "RL303"
    # Text prefilter (necessary condition): only files importing a JWT library.
    requires = r"jsonwebtoken|jose|jwt-decode"
    name = "jwt-unverified"
    language = TYPESCRIPT
    severity = Severity.ERROR
    messages = {
        "default": "`{callee}()` ({lib}) reads JWT claims without checking the signature, and this server module never verifies one",
    }
    # Matching runs in finish(), only for server files importing a JWT library: the
    # generic call pattern would otherwise cost a callback per call in every file.
    query = ""

    def finish(self) -> None:
        imports = self.ctx.ts.imports
        if not any(v.split(".")[0] in DECODER_MODULES or v.startswith(DECODER_MODULES) for v in imports.values()):
            return
        if self.ctx.role != "server":
            return
        decodes = []
        verified = False
        for _, caps in QueryCursor(_calls_query(self.ctx.grammar)).matches(self.ctx.tree.root_node):
            fn = caps["fn"][0]
            qualified = self.ctx.ts.qualified_name(fn)
            if self._is_verifier(fn, qualified):
                verified = True
                break
            if qualified in DECODERS:
                decodes.append((caps["call"][0], DECODERS[qualified]))
        if verified:
            return
        for call, what in decodes:
            self.report(call, callee=self.ctx.ts.callee_text(call), lib=what)

    @staticmethod
    def _is_verifier(fn, qualified: str | None) -> bool:
        if qualified is not None and (qualified in VERIFIERS or qualified.split(".")[0] in ("jwks-rsa", "aws-jwt-verify")):
            return True
        last = fn.child_by_field_name("property") if fn.type == "member_expression" else fn
        if last is None:
            return False
        name = last.text.decode("utf-8", "replace")
        if not _VERIFY.search(name):
            return False
        ws = set(words(name))
        return name.lower() in ("verify", "verified") or bool(ws & TOKEN_WORDS)
