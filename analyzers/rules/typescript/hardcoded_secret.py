"""RL301 hardcoded-secret (TypeScript / JavaScript)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import Applicability, Edit, FixAvailability, Severity
from ...naming import credential_words, is_credential_name, words
from ...rule import Captures, Rule
from ...secrets import key_format, url_password
from ...secrets import not_a_secret_value as shared_not_a_secret_value
from ...soundness import unsound
from ...typescript.bound_literals import bound_literal_spans
from ...typescript.literals import screaming_snake, string_value, unwrap

# The catalog's secret names (credential words of naming.py, narrowed: `auth`, `cookie`
# and `session id` name many things that are not secrets in frontend code).
SECRET_WORDS = frozenset({
    "secret", "secret_key", "password", "passwd", "pwd", "passphrase", "token", "jwt", "apikey",
    "api_key", "private_key", "client_secret", "access_key", "credential",
})
# Name words that make a binding public by design (browser-exposed configuration).
PUBLIC_WORDS = frozenset({"public", "publishable", "anon", "site"})
# Values that name a token scheme, a schema type or an input type, not a secret.
SCHEME_VALUES = frozenset({
    "bearer", "basic", "digest", "jwt", "jwe", "jws", "oauth", "oauth2", "opaque", "session",
    "cookie", "cookies", "header", "headers", "query", "body", "none", "null", "undefined",
    "true", "false", "string", "number", "boolean", "text", "hidden", "required", "optional",
    "access", "refresh", "id", "email", "credentials", "database", "localstorage",
    "sessionstorage", "memory", "redacted", "object", "any",
})
# Words that mark a value as a placeholder someone is meant to replace (flagged: the
# seed finding is exactly that placeholders get deployed).
PLACEHOLDER_WORDS = frozenset({
    "your", "here", "changeme", "change", "replace", "insert", "example", "dummy", "fake",
    "dev", "default", "my", "todo", "xxx", "local", "super",
})
# Objects holding UI text: every pair inside is a label, not a secret.
LABEL_CONTAINER_WORDS = frozenset({
    "message", "messages", "label", "labels", "translation", "translations", "i18n", "l10n",
    "locale", "locales", "string", "strings", "text", "texts", "copy", "title", "titles",
    "placeholder", "placeholders", "error", "errors", "dictionary", "dict", "lang", "intl",
    "field", "fields", "column", "columns", "description", "descriptions",
    "hint", "hints", "tooltip", "tooltips", "caption", "captions", "heading", "headings",
})
# Objects listing values known to be bad (to reject them), not secrets in use.
DENYLIST_WORDS = frozenset({
    "weak", "insecure", "banned", "forbidden", "blocked", "blocklist", "blacklist", "denylist",
    "disallowed", "compromised", "leaked", "rejected", "unsafe",
})
# Words in a value saying that no secret is needed.
UNUSED_WORDS = frozenset({
    "not", "no", "unused", "ignored", "irrelevant", "needed", "required", "none", "blank", "empty",
    "avoid", "mock", "mocked", "noop", "stub", "hidden", "redacted", "masked", "filtered",
})
# Folders of translation catalogs: every string there is UI text.
_LOCALE_PATH = re.compile(r"(^|/)(locales?|i18n|l10n|lang|langs|translations?|messages)/")
_REDACTION = re.compile(r"^\[[A-Za-z _-]+\]$")
# Binding names of documentation strings: a key format or URL shown as an example.
DOC_NAME_WORDS = frozenset({
    "placeholder", "placeholders", "example", "examples", "description", "desc", "hint",
    "help", "doc", "docs", "sample", "tooltip", "label", "usage", "note", "notes",
})
_TEMPLATE_EXPR = re.compile(r"\{\{.*\}\}|\$\{.*\}|%\(\w+\)s|<%.*%>")
_PLACEHOLDER_PASSWORD = re.compile(r"^(?:<[^>]*>|\[[^\]]*\]|[A-Z][A-Z0-9_]{2,}|x+|\*+|\.\.\.)$")
_IDENTIFIER_LIKE = re.compile(r"^[A-Za-z_@][A-Za-z_.:@/-]*$")
# A capitalized word is a label ("Password", "Passwort"); a lowercase one ("admin", "changeme") may be the value.
_TITLE_WORD = re.compile(r"^[A-Z][a-z]{2,}[:*]?$")
_ENDPOINT = re.compile(r"^(?:/|\./|\.\./|#|https?://|wss?://)")
_VALIDATOR_SPEC = re.compile(r"^(?:required|optional|nullable|string|min|max)(?:[|:]|$)")


def _is_process_env(node: Node) -> bool:
    obj = node.child_by_field_name("object") if node.type in ("member_expression", "subscript_expression") else None
    return obj is not None and obj.text in (b"process.env", b"import.meta.env")


def _name_text(node: Node) -> str:
    if node.type == "string":
        return node.text.decode("utf-8", "replace")[1:-1]
    return node.text.decode("utf-8", "replace")


# Name words that make a `...token`/`...jwt` name a cursor, an anti-forgery token or a
# JWT header field, not a secret.
NOT_SECRET_WORDS = frozenset({
    "sync", "page", "next", "continuation", "cursor", "csrf", "xsrf", "typ", "alg", "kid", "iss",
    "aud", "sub", "claim", "claims", "format", "prefix", "scheme", "kind", "mode", "strategy",
})


# `*_LOCK_KEY`, `tokenStorageKey`, `TOKEN_CACHE_KEY`: the key under which something is
# stored or locked, not a key that signs or encrypts.
LOOKUP_KEY_WORDS = frozenset({
    "lock", "storage", "store", "cache", "cached", "local", "cookie", "header", "query", "param",
    "map", "state", "event", "field", "name", "prefix", "index", "lookup", "redis", "db", "kv",
})


def is_secret_name(name: str) -> bool:
    if not is_credential_name(name) or set(words(name)) & NOT_SECRET_WORDS:
        return False
    ws = words(name)
    if len(ws) >= 2 and ws[-1] in ("key", "keys") and ws[-2] in LOOKUP_KEY_WORDS:
        return False
    if not set(credential_words(name)) & SECRET_WORDS and not (words(name) and words(name)[-1] == "pass"):
        return False
    return not set(words(name)) & PUBLIC_WORDS and not name.upper().startswith(("NEXT_PUBLIC_", "VITE_", "PUBLIC_", "REACT_APP_", "EXPO_PUBLIC_", "GATSBY_"))


def is_public_env_name(name: str) -> bool:
    return name.upper().startswith(("NEXT_PUBLIC_", "VITE_", "PUBLIC_", "REACT_APP_", "EXPO_PUBLIC_", "GATSBY_"))


def secret_in_value(value: str) -> str | None:
    """What `value` is on its own (a key format or a URL with a password), else None.
    A URL whose password is a placeholder (`<PASSWORD>`, `SECRETKEY`, `xxx`) is not."""
    kind = key_format(value)
    if kind is not None:
        return kind
    password = url_password(value)
    if password is not None and not _PLACEHOLDER_PASSWORD.match(password):
        return "connection URL with a password"
    return None


def not_a_secret_value(value: str, name: str) -> bool:
    """Values that cannot be a deployed secret: empty, prose, names, scheme words, paths
    (analyzers/secrets.py), plus what TS code adds: schema words, key maps, env names."""
    reason = shared_not_a_secret_value(value, name)
    if reason is not None and not (reason == "a key or field name" and set(words(value)) & PLACEHOLDER_WORDS):
        return True
    if not value.strip() or any(ch.isspace() for ch in value):
        return True  # empty, or prose / SQL / a sentence
    if not value.isascii():
        return True  # prose or a label in another script ("密码不匹配。"); secrets are ASCII
    if _REDACTION.match(value):
        return True  # a redaction marker: "[HIDDEN]", "[REDACTED]"
    if len(value) < 3:
        return True  # "*" (all), "x" (a documented dummy basic-auth password); "***" is flagged
    if _TEMPLATE_EXPR.search(value):
        return True  # a template expression ("={{$credentials.apiKey}}", "{{ secret }}")
    if set(words(value)) & UNUSED_WORDS:
        return True  # "not-needed", "unused", "no-check": says there is no secret
    low = value.lower()
    if low in SCHEME_VALUES or _VALIDATOR_SPEC.match(low):
        return True
    if _ENDPOINT.match(value):
        return True  # a token endpoint or a path (a URL with a password is caught separately)
    if value == name or low.replace("-", "_") == "_".join(words(name)):
        return True  # a key map: { token: "token" }
    vwords = words(value)
    if (
        _IDENTIFIER_LIKE.match(value)
        and len(vwords) >= 2
        and credential_words(value)
        and not set(vwords) & PLACEHOLDER_WORDS
    ):
        return True  # the name of something holding a secret: "access_token", "GITHUB_TOKEN"
    if value.startswith(("pk_live_", "pk_test_")):
        return True  # Stripe publishable keys are public by design
    return False


# The key-format patterns a string fragment is checked against (the former query predicate),
# and their fixed parts, looked up at every position in the source.
_FORMAT_FRAGMENT = re.compile(r"AKIA|ASIA|sk-|sk_live_|sk_test_|rk_live_|gh[pousr]_|github_pat_|xox[bpars]-|PRIVATE KEY|://[^ ]*:[^ ]*@")
_FORMAT_LITERALS = (b"AKIA", b"ASIA", b"sk-", b"sk_live_", b"sk_test_", b"rk_live_", b"github_pat_", b"PRIVATE KEY", b"://")
_FORMAT_CLASSES = (re.compile(rb"gh[pousr]_"), re.compile(rb"xox[bpars]-"))


# The words of secret names (lower case): the prefilter's, which is_secret_name never
# goes beyond (tests/test_prefilter_soundness.py).
_SECRET_WORDS = (b"secret", b"pass", b"pwd", b"token", b"key", b"jwt", b"credential", b"keies")


class HardcodedSecret(Rule):
    """
    ## What it does
    Flags a non-empty string literal bound to a secret-named target: a variable or
    constant, a class field, an object key, an assignment to a property, a default
    parameter or destructuring default, and the fallback of `process.env.X ?? "..."` /
    `process.env.X || "..."` (also at the end of a chain, `opts.password ||
    process.env.DB_PASSWORD || "root"`, named after the variable or the binding).
    Secret names are whole words such as `secret`, `password`, `passwd`, `token`, `jwt`,
    `apiKey`, `privateKey`, `clientSecret`, `accessKey` (`*Url`, `*Path`, `*Name`,
    `*Header`, `*Type`, `maxTokens`, `pageToken`, `csrfToken` and the like are not).
    Anywhere in the file, it also flags connection URLs with an inline password
    (`postgresql://user:pass@host/db`; not when the password is a `${...}` placeholder)
    and well-known key formats (`AKIA...`, `sk-...`, `sk_live_...`, `ghp_...`,
    `xoxb-...`, PEM private keys).

    Placeholders (`"changeme"`, `"<your-key>"`, `"dev-secret"`) are flagged: they are
    exactly what gets deployed. Not flagged: prose and labels (`{ password: "Password" }`,
    anything inside a `messages`/`labels`/`translations` object, values with spaces),
    lists of known-bad values kept to reject them (`WEAK_DEFAULTS = { JWT_SECRET: "..." }`),
    strings in `locales/`, `i18n/`, `translations/` folders, text in another script),
    names of things that hold a secret (`const TOKEN = "access_token"` as a storage key,
    `"GITHUB_TOKEN"`), token-scheme and schema words (`token: "bearer"`,
    `password: "string"`), endpoints and paths (`tokenUrl`, `token: "/oauth/token"`),
    template expressions (`"{{ $credentials.apiKey }}"`), redaction markers
    (`"[REDACTED]"`), values that say no secret is needed (`"not-needed"`,
    `"placeholder-to-avoid-error"`), values shorter than three characters, keys and
    URLs shown as documentation (bound to `placeholder`, `example`, `description`; a
    URL whose password is `<PASSWORD>`), type-only positions, and bindings that are public by design: names with `public`,
    `publishable`, `anon` or `site`, and `NEXT_PUBLIC_*` / `VITE_*` / `REACT_APP_*`
    variables. A literal bound to a public name is still flagged when it has a private
    key format or is a URL with a password: such a value in a browser bundle is a leak,
    whatever the variable is called.

    ## Why is this bad?
    A secret in source is in every clone, fork, CI log and (for client code) in the
    JavaScript bundle every visitor downloads. Rotating it requires a code change, and
    development fallbacks (`process.env.JWT_SECRET ?? "dev-secret"`) silently become the
    production secret when the variable is missing.

    ## Example
    ```ts
    const JWT_SECRET = process.env.JWT_SECRET ?? "dev-secret";
    const stripe = new Stripe("sk_live_51H...");
    ```

    ## Use instead
    ```ts
    const JWT_SECRET = process.env.JWT_SECRET;
    if (!JWT_SECRET) throw new Error("JWT_SECRET is not set");
    const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
    ```

    ## Fix safety
    Unsafe: the literal is replaced with `process.env.NAME` (NAME is the target's name in
    SCREAMING_SNAKE_CASE; for a `process.env.X ?? "..."` fallback the fallback is
    dropped). The value becomes `string | undefined` and is missing until the variable
    is set in every environment. No fix is offered for a key or URL that is not bound to
    a name.
    """

    code = "RL301"
    # Text prefilter (necessary condition): a secret word in the binding's name (SECRET_WORDS: secret, pass*, pwd, token, jwt,
    # credential, *key; naming.py reads `keies` as `key`) or a key format / URL with a password.
    requires = r"(?i)key|://|pass|jwt|token|secret|pwd|credential|keies|akia|asia|sk-|sk_live_|sk_test_|rk_live_|gh[pousr]_|github_pat_|xox[bpars]-"
    name = "hardcoded-secret"
    language = TYPESCRIPT
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    exempt_paths = True
    messages = {
        "named": "Hardcoded secret assigned to `{binding}`: read it from the environment",
        "fallback": "Hardcoded fallback for `{binding}`: a missing variable silently uses this secret",
        "format": "Hardcoded {kind} in source",
    }
    _LIT = "[(string) (template_string)] @value"
    # Assignments, class fields and `??` / `||` expressions are matched bare and their
    # children checked in `_children` (the same conditions as the field patterns would
    # spell): tree-sitter's analysis of a child step under these expression-wide nodes
    # costs ~5 ms of query compilation each, per grammar and process (this query
    # compiled in 20 ms that way, 3.6 ms this way).
    query = f"""
    (variable_declarator name: (identifier) @name value: {_LIT})
    (pair key: [(property_identifier) (string)] @name value: {_LIT})
    (assignment_expression) @_assignment
    (public_field_definition) @_field
    (required_parameter pattern: (identifier) @name value: {_LIT})
    (assignment_pattern left: (identifier) @name right: {_LIT})
    (object_assignment_pattern left: (shorthand_property_identifier_pattern) @name right: {_LIT})
    (binary_expression) @_fallback
    """
    # Key formats in string fragments: not a query pattern (a regex on the text of every
    # string of the file) but one scan of the source in finish(), see _scan_formats().

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        # value node range -> (message id, target name, fix edit or None); first wins.
        self.named: dict[tuple[int, int], tuple[str, str, Node, Edit | None]] = {}
        self.formats: dict[tuple[int, int], tuple[Node, str]] = {}

    def anchor_spans(self, memo: dict) -> list[tuple[int, int]]:
        # Every pattern's match ends in a literal bound to a name holding a secret word,
        # or is a `?? "..."` / `|| "..."` fallback: found from the text (bound_literals.py).
        lowered = memo.get(None)
        if lowered is None:
            lowered = memo[None] = self.ctx.source.lower()
        return bound_literal_spans(lowered, _SECRET_WORDS)

    # --- collection ------------------------------------------------------------------
    def on_match(self, captures: Captures, pattern: int) -> None:
        if "value" not in captures:  # a bare pattern (`@_assignment`, `@_field`, `@_fallback`)
            captures = _children(captures)
            if captures is None or unsound(captures):
                return  # what the field pattern would not match, or the engine not trust
        value = captures["value"][0]
        if "fallback" in captures:
            # `process.env.X ?? "lit"`, `a || process.env.X || "lit"`, `opts.password || "lit"`:
            # the literal is bound to the env variable's name, else to the binding's name.
            left = unwrap(captures["left"][0])
            fallback = captures["fallback"][0]
            target = self._env_name(left) if left is not None and _is_process_env(left) else None
            if target is not None and is_public_env_name(target):
                return  # NEXT_PUBLIC_* / VITE_*: shipped to the browser by design
            if target is None or not is_secret_name(target):
                target = self._binding_name(fallback)
            if target is None or not is_secret_name(target) or is_public_env_name(target):
                return
            if not self._bindable(value, target):
                return
            edit = Edit(fallback.start_byte, fallback.end_byte, self.ctx.text(left))
            self.named.setdefault((value.start_byte, value.end_byte), ("fallback", target, value, edit))
            return
        name_node = captures["name"][0]
        target = _name_text(name_node)
        if not is_secret_name(target) or not self._bindable(value, target):
            return
        if pattern == 1 and (_LOCALE_PATH.search(self.ctx.rel_path) or self._in_label_container(value)):
            return
        if pattern == 1 and self._is_public_config(value):
            return
        default = value.parent
        if default is not None and default.type == "object_assignment_pattern" and self._destructures_env(default):
            # `const { JWT_SECRET = "dev" } = process.env`: a fallback; drop the default.
            edit = Edit(default.start_byte, default.end_byte, self.ctx.text(name_node))
            self.named.setdefault((value.start_byte, value.end_byte), ("fallback", target, value, edit))
            return
        replacement = f"process.env.{screaming_snake(target)}"
        edit = Edit(value.start_byte, value.end_byte, replacement)
        self.named.setdefault((value.start_byte, value.end_byte), ("named", target, value, edit))

    @staticmethod
    def _destructures_env(default: Node) -> bool:
        pattern = default.parent
        declarator = pattern.parent if pattern is not None else None
        if pattern is None or pattern.type != "object_pattern" or declarator is None:
            return False
        if declarator.type != "variable_declarator" or declarator.child_by_field_name("name") != pattern:
            return False
        value = unwrap(declarator.child_by_field_name("value"))
        return value is not None and value.text in (b"process.env", b"import.meta.env")

    def _bindable(self, value: Node, target: str) -> bool:
        text = string_value(value)
        if text is None:
            return False
        if not_a_secret_value(text, target):
            return False
        if value.parent is not None and value.parent.type == "pair" and _TITLE_WORD.match(text):
            return False  # a label: { password: "Password" }, { password: "Passwort" }
        return True

    def _documentation(self, lit: Node) -> bool:
        """A literal bound to `placeholder`, `example`, `description`...: shown, not used."""
        parent = lit.parent
        while parent is not None and parent.type in ("binary_expression", "parenthesized_expression", "arguments", "call_expression") :
            parent = parent.parent
        name = None
        if parent is not None and parent.type == "pair":
            k = parent.child_by_field_name("key")
            name = _name_text(k) if k is not None else None
        elif parent is not None and parent.type == "variable_declarator":
            n = parent.child_by_field_name("name")
            name = n.text.decode() if n is not None else None
        elif parent is not None and parent.type == "jsx_attribute":
            name = self.ctx.text(parent.named_children[0]) if parent.named_children else None
        return name is not None and bool(set(words(name)) & DOC_NAME_WORDS)

    @staticmethod
    def _binding_name(expr: Node) -> str | None:
        """The name an expression is bound to: variable, object key, property, field, default."""
        node = expr
        parent = node.parent
        while parent is not None and parent.type in ("binary_expression", "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"):
            node, parent = parent, parent.parent
        if parent is None:
            return None
        if parent.type in ("variable_declarator", "public_field_definition"):
            n = parent.child_by_field_name("name")
        elif parent.type == "pair":
            n = parent.child_by_field_name("key")
        elif parent.type in ("assignment_expression", "assignment_pattern"):
            n = parent.child_by_field_name("left")
            if n is not None and n.type == "member_expression":
                n = n.child_by_field_name("property")
        elif parent.type == "required_parameter":
            n = parent.child_by_field_name("pattern")
        else:
            return None
        if n is None or n.type not in ("identifier", "property_identifier", "string", "shorthand_property_identifier_pattern"):
            return None
        return _name_text(n)

    @staticmethod
    def _env_name(env: Node) -> str | None:
        if env.type == "member_expression":
            prop = env.child_by_field_name("property")
            return prop.text.decode() if prop is not None else None
        index = env.child_by_field_name("index")
        if index is not None and index.type == "string":
            return index.text.decode()[1:-1]
        return None

    @staticmethod
    def _owner_name(obj: Node) -> str | None:
        """The name an object literal is bound to (variable, key, or call argument owner)."""
        parent = obj.parent
        while parent is not None and parent.type in ("as_expression", "satisfies_expression", "parenthesized_expression"):
            parent = parent.parent
        if parent is None:
            return None
        if parent.type == "variable_declarator":
            n = parent.child_by_field_name("name")
            return n.text.decode() if n is not None else None
        if parent.type == "pair":
            k = parent.child_by_field_name("key")
            return _name_text(k) if k is not None else None
        if parent.type == "assignment_expression":
            left = parent.child_by_field_name("left")
            if left is not None and left.type == "member_expression":
                left = left.child_by_field_name("property")
            return left.text.decode() if left is not None else None
        return None

    def _in_label_container(self, value: Node) -> bool:
        obj = value.parent.parent if value.parent is not None else None
        depth = 0
        while obj is not None and obj.type == "object" and depth < 6:
            owner = self._owner_name(obj)
            if owner is not None:
                ws = set(words(owner))
                if ws & (LABEL_CONTAINER_WORDS | DENYLIST_WORDS) or owner.lower() in ("en", "de", "fr", "es", "it", "ja", "zh", "pt", "nl"):
                    return True
            pair = obj.parent
            if pair is None or pair.type != "pair":
                break
            obj = pair.parent
            depth += 1
        return False

    @staticmethod
    def _is_public_config(value: Node) -> bool:
        """A Firebase-style web config object (apiKey next to authDomain/projectId) is public."""
        obj = value.parent.parent if value.parent is not None else None
        if obj is None or obj.type != "object":
            return False
        keys = set()
        for pair in obj.named_children:
            if pair.type == "pair":
                k = pair.child_by_field_name("key")
                if k is not None:
                    keys.add(_name_text(k))
        return "authDomain" in keys or "measurementId" in keys or "appId" in keys and "projectId" in keys

    # --- reporting -------------------------------------------------------------------
    def _scan_formats(self) -> None:
        """Every string fragment the key-format regex matches, in document order: one scan
        of the source for the regex' fixed parts, then the regex on each candidate fragment."""
        source = self.ctx.source
        hits: list[int] = []
        for lit in _FORMAT_LITERALS:  # every occurrence, overlapping ones included
            at = source.find(lit)
            while at != -1:
                if lit != b"://" or _url_with_password_at(source, at):
                    hits.append(at)
                at = source.find(lit, at + 1)
        for pattern in _FORMAT_CLASSES:  # these cannot overlap themselves
            hits.extend(m.start() for m in pattern.finditer(source))
        if not hits:
            return
        hits.sort()
        root = self.ctx.tree.root_node
        seen: set[int] = set()
        for pos in hits:
            frag = root.descendant_for_byte_range(pos, pos + 1)
            if frag is None or frag.type != "string_fragment" or frag.start_byte in seen:
                continue
            if frag.is_missing or frag.has_error:
                continue  # the engine does not trust matches of broken code
            seen.add(frag.start_byte)
            if _FORMAT_FRAGMENT.search(frag.text.decode("utf-8", "replace")):
                self._format_fragment(frag)

    def _format_fragment(self, frag: Node) -> None:
        lit = frag.parent
        if lit is None or lit.type not in ("string", "template_string"):
            return
        text = lit.text.decode("utf-8", "replace")[1:-1]
        kind = secret_in_value(text)
        if kind is not None and not self._documentation(lit):
            self.formats.setdefault((lit.start_byte, lit.end_byte), (lit, kind))

    def finish(self) -> None:
        self._scan_formats()
        for key, (message_id, target, value, edit) in self.named.items():
            fix = None
            if edit is not None:
                title = (
                    f"Drop the hardcoded fallback of `{target}`"
                    if message_id == "fallback"
                    else f"Read `{target}` from process.env.{screaming_snake(target)}"
                )
                fix = self.make_fix(title, [edit], Applicability.UNSAFE)
            self.report(value, message_id, fix=fix, binding=target)
        for key, (lit, kind) in self.formats.items():
            if key not in self.named:
                self.report(lit, "format", kind=kind)


_LITERALS = ("string", "template_string")


def _url_with_password_at(source: bytes, at: int) -> bool:
    """Whether `://[^ ]*:[^ ]*@` (the fragment regex' URL branch) can match at `at` in the
    source: a `:` and then an `@` before the next space. A fragment is a slice of the
    source, so a URL it matches passes; most URLs have no password and need no tree."""
    end = source.find(b" ", at)
    if end < 0:
        end = len(source)
    last_at = source.rfind(b"@", at + 3, end)
    return last_at > 0 and source.find(b":", at + 3, last_at) >= 0


def _children(captures: Captures) -> Captures | None:
    """The captures of the field patterns the bare ones stand for, or None where they
    would not match:
    `(assignment_expression left: (identifier) @name right: LIT)`,
    `(assignment_expression left: (member_expression property: (property_identifier) @name) right: LIT)`,
    `(public_field_definition name: (property_identifier) @name value: LIT)`,
    `(binary_expression left: (_) @left operator: ["??" "||"] right: LIT) @fallback`."""
    if "_fallback" in captures:
        node = captures["_fallback"][0]
        left, operator, value = (node.child_by_field_name(f) for f in ("left", "operator", "right"))
        if left is None or not left.is_named or operator is None or operator.type not in ("??", "||"):
            return None
        if value is None or value.type not in _LITERALS:
            return None
        return {"left": [left], "value": [value], "fallback": [node]}
    if "_field" in captures:
        node = captures["_field"][0]
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is not None and name.type != "property_identifier":
            return None
    else:
        node = captures["_assignment"][0]
        name, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        if name is not None and name.type == "member_expression":
            name = name.child_by_field_name("property")
            if name is None or name.type != "property_identifier":
                return None
        elif name is not None and name.type != "identifier":
            return None
    if name is None or value is None or value.type not in _LITERALS:
        return None
    return {"name": [name], "value": [value]}
