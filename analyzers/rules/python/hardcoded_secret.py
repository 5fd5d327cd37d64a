"""RL301 hardcoded-secret (Python)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...anchors import substring_spans, word_spans
from ...languages import PYTHON
from ...model import Applicability, Edit, FixAvailability, Severity
from ...naming import is_redacted_name, is_secret_name, words
from ...python.edits import remove_argument_edit
from ...python.settings_classes import (
    enclosing_class,
    enum_classes,
    field_default,
    is_in,
    settings_classes,
)
from ...rule import Captures, Rule
from ...soundness import unsound
from ...secrets import env_name, key_format, not_a_secret_value, url_password

LITERAL = "[(string) (concatenated_string)]"
GETENV = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.getenvb"})
CONFIG_FACTORIES = frozenset({"starlette.config.Config", "decouple.Config", "decouple.AutoConfig"})
CONFIG_FUNCTIONS = frozenset({"decouple.config"})
SECRET_WRAPPERS = frozenset({
    "pydantic.SecretStr", "pydantic.types.SecretStr", "pydantic.SecretBytes", "pydantic.types.SecretBytes",
    "pydantic.v1.SecretStr", "starlette.datastructures.Secret", "starlette.config.Secret",
})
STARLETTE_SECRET = frozenset({"starlette.datastructures.Secret", "starlette.config.Secret"})
# Documentation examples are not configuration: `Field(examples=[...])`, `json_schema_extra`.
EXAMPLE_KEYS = frozenset({
    "example", "examples", "json_schema_extra", "schema_extra", "openapi_examples", "openapi_extra",
})
# A target whose words say it names a kind or a label rather than holding a value.
LABEL_NAME_WORDS = frozenset({"grant", "scheme", "prefix", "label", "message", "msg", "title", "description", "prompt", "placeholder", "hint", "error"})
# A name (identifier, env var, header or kebab-case key); `"/messages/count_tokens"` is not.
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_FORMAT_HINT = r"://[^ /@]*:[^ /@]+@|A[KS]IA[0-9A-Z]|sk-|[sr]k_(live|test)_|gh[pousr]_|github_pat_|xox[bpoars]-|PRIVATE KEY"
_FORMAT_HINT_RE = re.compile(_FORMAT_HINT)
# The hint's alternatives scanned one by one (a pattern that starts with a literal is
# searched for far faster than the alternation): (pattern, bytes allowed just before
# the match, which then starts there). `[sr]k_` is searched for as `k_`.
_FORMAT_HINT_PARTS = (
    (re.compile(rb"://[^ /@]*:[^ /@]+@"), None),
    (re.compile(rb"A[KS]IA[0-9A-Z]"), None),
    (re.compile(rb"sk-"), None),
    (re.compile(rb"k_(live|test)_"), b"sr"),
    (re.compile(rb"gh[pousr]_"), None),
    (re.compile(rb"github_pat_"), None),
    (re.compile(rb"xox[bpoars]-"), None),
    (re.compile(rb"PRIVATE KEY"), None),
)
_LITERAL_TYPES = ("string", "concatenated_string")
# The words of secret names (lower case): the prefilter's, which naming.py's matcher
# never goes beyond (tests/test_prefilter_soundness.py).
_SECRET_WORDS = (b"secret", b"pass", b"pwd", b"token", b"key", b"keies")


class HardcodedSecret(Rule):
    """
    ## What it does
    Flags a non-empty string literal bound to a secret-named target: a variable or
    constant, an attribute (`self.api_key = "..."`), a keyword argument
    (`connect(password="...")`), a dict key (`{"client_secret": "..."}`), a pydantic /
    `BaseSettings` field default (also `Field(default="...")`), a function default, the
    fallback of `os.getenv("SECRET_KEY", "...")` / `os.environ.get(...)` (also written
    `os.getenv("SECRET_KEY") or "..."`), a starlette
    `config("SECRET_KEY", default="...")` (any name when `cast=Secret`) and a literal
    wrapped in `SecretStr("...")`. Secret names are matched word by word: secret,
    secret_key, password, passwd, token, api_key, apikey, private_key, client_secret,
    access_key, jwt_secret.

    Anywhere in the code it also flags connection URLs with an inline password
    (`postgresql://user:pass@host/db`, `redis://:p@host`; not when the password is a
    `{...}` / `${...}` placeholder) and well-known key formats (`AKIA...`, `sk-...`,
    `ghp_...`, `xoxb-`/`xoxp-`, PEM private keys).

    Placeholders such as `changeme`, `<your-key>`, `dev-secret` and `***` are flagged: they
    are exactly what gets deployed. Not flagged: empty strings, prose (values with
    whitespace), SQL, endpoint paths and URLs (`tokenUrl="token"`), token-scheme words
    (`token_type = "bearer"`), names and labels rather than values (an environment
    variable name `"OPENAI_API_KEY"`, a config key `"rag.openai.api_key"`, a field or cookie
    name `"access_token"`, a sentinel `"__auth_check__"`, a URN, a regular expression),
    numbers bound to anything but a password, documented dummies (`"dummy"`, `"null"`,
    `api_key="ollama"`), payment providers' public test tokens (`tok_visa`), names ending in
    `_url`, `_path`, `_file`, `_field`, `_name`, `_header`, `_type` (and `_source`,
    `_alias`, ...: see the catalog's name matching), members of `Enum` classes,
    documentation examples (`Field(examples=[...])`, `json_schema_extra`), copies made for
    display (`masked_settings["api_key"] = "****"`), URL templates whose password is
    `<password>`, and test and script paths.

    ## Why is this bad?
    A secret in source code is shared with everyone who can read the repository, its
    forks, CI logs and built images, and it cannot be rotated without a release. Default
    values are the worst case: the app starts fine without configuration, so the
    placeholder `SECRET_KEY = "changeme"` signs production JWTs.

    ## Example
    ```python
    class Settings(BaseSettings):
        secret_key: str = "changeme"

    DATABASE_URL = "postgresql://app:hunter2@db:5432/app"
    ```

    ## Use instead
    ```python
    import os

    class Settings(BaseSettings):
        secret_key: str

    DATABASE_URL = os.environ["DATABASE_URL"]
    ```

    ## Fix safety
    Unsafe: the program now fails at start-up when the variable is not set. The fix
    replaces the literal with `os.environ["NAME"]` (adding `import os`), replaces an
    `os.getenv("NAME", "literal")` call (or `os.getenv("NAME") or "literal"`) with
    `os.environ["NAME"]`, drops the `default=` of a starlette `config(...)` call, and for
    a `BaseSettings` field drops the default so the setting becomes required. Literals not bound to a name (a URL passed positionally) get
    no fix.
    """

    code = "RL301"
    name = "hardcoded-secret"
    language = PYTHON
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    exempt_paths = True
    messages = {
        "named": "`{name}` is set to a hardcoded secret: read it from the environment or a secrets store",
        "settings": "settings field `{name}` has a hardcoded secret as its default: make it required",
        "fallback": "`{name}` falls back to a hardcoded secret when the variable is unset",
        "url": "connection URL with an inline password",
        "format": "hardcoded {kind}",
    }
    # A secret word in a name (any case; `Secret`/`SecretStr` too), or a key-format /
    # URL-password hint (the only way to the "format" and "url" findings). naming.py reads
    # `...ies` as `...y`, so `keies` is a `key` there.
    requires = r"(?i:pass|key|token|secret|pwd|keies)|://|AKIA|ASIA|sk-|k_live_|k_test_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|xoxb-|xoxp-|xoxo-|xoxa-|xoxr-|xoxs-"
    query = f"""
    (assignment left: (_) @target right: {LITERAL} @value (#match? @target "(?i)(secret|pass|pwd|token|key)")) @bind
    (keyword_argument name: (identifier) @target value: {LITERAL} @value (#match? @target "(?i)(secret|pass|pwd|token|key)")) @bind
    (pair key: (string) @target value: {LITERAL} @value (#match? @target "(?i)(secret|pass|pwd|token|key)")) @bind
    (default_parameter name: (identifier) @target value: {LITERAL} @value (#match? @target "(?i)(secret|pass|pwd|token|key)")) @bind
    (typed_default_parameter name: (identifier) @target value: {LITERAL} @value (#match? @target "(?i)(secret|pass|pwd|token|key)")) @bind
    (assignment left: (identifier) @target right: (call function: (_) @fn (#match? @fn "Field$") arguments: (argument_list) @args) @field) @bind
    (call function: (_) @fn (#match? @fn "(getenv|get|setdefault|config|getenvb)$") arguments: (argument_list . (string) @envname) @args) @call
    (call function: (_) @fn (#match? @fn "(SecretStr|SecretBytes|Secret)$") arguments: (argument_list . {LITERAL} @value)) @call
    (boolean_operator) @_or
    """
    # The last pattern is bare, its shape read in _or_fallback_shape: spelled out,
    #   (boolean_operator left: (call function: (_) @fn (#match? @fn "(getenv|get)$")
    #      arguments: (argument_list . (string) @envname)) @call operator: "or" right: LITERAL @value) @or
    # its three nested steps took ~1.7 ms to compile in every process.

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self._done: set[int] = set()
        self._anywhere: list[Node] = []

    def anchor_spans(self, memo: dict) -> list[tuple[int, int]]:
        # Every pattern's match holds the secret word of its name (the target, the env
        # var name, `cast=Secret`, `SecretStr`), except an `os.getenv(...) or "..."`
        # fallback judged by the name it is bound to: its `or` keyword anchors it.
        source = self.ctx.source
        return substring_spans(source, _SECRET_WORDS, memo, ignore_case=True) + word_spans(source, b"or", memo)

    # --- dispatch ------------------------------------------------------------------------
    def on_match(self, captures: Captures, pattern: int) -> None:
        if pattern <= 4:
            self._binding(captures["bind"][0], captures["target"][0], captures["value"][0], pattern)
        elif pattern == 5:
            self._field_call(captures["bind"][0], captures["target"][0], captures["field"][0])
        elif pattern == 6:
            self._env_call(captures["call"][0], captures["envname"][0], captures["args"][0])
        elif pattern == 7:
            self._wrapper(captures["call"][0], captures["value"][0])
        elif pattern == 8:
            shaped = _or_fallback_shape(captures["_or"][0])
            if shaped is not None and not unsound(shaped):  # what the spelled-out pattern would match and the engine trust
                self._or_fallback(shaped["or"][0], shaped["call"][0], shaped["envname"][0], shaped["value"][0])

    def _format_candidates(self) -> list[Node]:
        """The literals whose text contains a key-format or URL-password hint: one regex
        pass over the source instead of a `#match?` on the text of every literal. A
        literal whose text matches has a hint starting inside it (the hint regex has no
        end anchor, so a match in the literal's text is one in the source too); every
        literal around such a position is confirmed on its own text."""
        source = self.ctx.source
        # Every position where a hint starts (the hint matches there iff one of its
        # alternatives does). A plain scan finds the leftmost start of an alternative and
        # then the leftmost after each hit's end, so only starts inside a hit can be
        # missed; those are tried one by one.
        found_starts: set[int] = set()
        for pattern, lead in _FORMAT_HINT_PARTS:
            for hit in pattern.finditer(source):
                for p in (hit.start(), *(q for q in range(hit.start() + 1, hit.end()) if pattern.match(source, q))):
                    if lead is None:
                        found_starts.add(p)
                    elif p > 0 and source[p - 1] in lead:
                        found_starts.add(p - 1)
        if not found_starts:
            return []
        starts = sorted(found_starts)
        root = self.ctx.tree.root_node
        seen: set[int] = set()
        found: list[Node] = []
        last_leaf = None
        for pos in starts:
            node = root.descendant_for_byte_range(pos, pos + 1)
            if node is None or (last_leaf is not None and node == last_leaf):
                continue
            last_leaf = node
            while node is not None:
                if node.type in _LITERAL_TYPES and node.id not in seen:
                    seen.add(node.id)
                    parent = node.parent
                    if not (node.type == "string" and parent is not None and parent.type == "concatenated_string"):
                        if _FORMAT_HINT_RE.search(self.ctx.text(node)):
                            found.append(node)
                node = node.parent
        found.sort(key=lambda n: (n.start_byte, -n.end_byte))
        return found

    def finish(self) -> None:
        self._anywhere = self._format_candidates()
        for lit in self._anywhere:
            if lit.id in self._done or _is_docstring(lit):
                continue
            value = self._value(lit, allow_interpolation=True)
            if value is None:
                continue
            kind = key_format(value)
            if kind is None and url_password(value) is None:
                continue
            self._done.add(lit.id)
            name = _bound_name(self.ctx, lit)
            fix = self._environ_fix(lit, env_name(name)) if name is not None and self._value(lit) is not None else None
            if kind is not None:
                self.report(lit, "format", fix=fix, kind=kind)
            else:
                self.report(lit, "url", fix=fix)

    # --- the cases -----------------------------------------------------------------------
    def _binding(self, bind: Node, target: Node, value: Node, pattern: int) -> None:
        name = self._target_name(target)
        if name is None or not self._secret_name(name):
            return
        literal = self._value(value)
        if literal is None or not self._secret_value(literal, name):
            return
        if self._in_example(bind) or self._redacted_container(bind, target):
            return
        cls = enclosing_class(bind) if pattern == 0 else None
        if cls is not None and is_in(cls, enum_classes(self.ctx)):
            return
        if cls is not None and target.type == "identifier" and is_in(cls, settings_classes(self.ctx)):
            self._done.add(value.id)
            self.report(value, "settings", fix=self._drop_default_fix(bind, value), name=name)
            return
        self._done.add(value.id)
        self.report(value, "named", fix=self._environ_fix(value, env_name(name)), name=name)

    def _field_call(self, bind: Node, target: Node, field: Node) -> None:
        name = self.ctx.text(target)
        if not self._secret_name(name):
            return
        default = field_default(self.ctx, bind)
        if default is None or default.type not in ("string", "concatenated_string"):
            return
        literal = self._value(default)
        if literal is None or not self._secret_value(literal, name):
            return
        cls = enclosing_class(bind)
        if cls is None or is_in(cls, enum_classes(self.ctx)):
            return
        self._done.add(default.id)
        fix = None
        arg = default if default.parent is not None and default.parent.type == "argument_list" else default.parent
        if is_in(cls, settings_classes(self.ctx)) and arg is not None:
            edit = remove_argument_edit(self.ctx.source, arg)
            if edit is not None:
                fix = self.make_fix("Drop the default so the setting is required", [edit], Applicability.UNSAFE)
            self.report(default, "settings", fix=fix, name=name)
        else:
            self.report(default, "named", fix=self._environ_fix(default, env_name(name)), name=name)

    def _env_call(self, call: Node, envname: Node, args: Node) -> None:
        # The syntactic conditions first (a literal default, a secret name or a `cast=`):
        # the pattern matches every `.get("...")`, and resolving the callee costs more.
        name = self._value(envname)
        if name is None:
            return
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
        keywords = {self.ctx.text(a.child_by_field_name("name")): a for a in args.named_children if a.type == "keyword_argument"}
        default_arg = None
        default = None
        if len(positional) >= 2:
            default_arg = default = positional[1]
        elif "default" in keywords:
            default_arg = keywords["default"]
            default = default_arg.child_by_field_name("value")
        if default is None or default.type not in ("string", "concatenated_string"):
            return
        if "cast" not in keywords and not self._secret_name(name):
            return  # no `cast=Secret` can make up for a name that is no secret's
        fn = call.child_by_field_name("function")
        qn = self.ctx.py.qualified_name(fn)
        kind = None
        if qn in GETENV:
            kind = "getenv"
        elif qn in CONFIG_FUNCTIONS or self._is_config_reader(fn):
            kind = "config"
        if kind is None:
            return
        secret_cast = False
        if kind == "config" and "cast" in keywords:
            secret_cast = self.ctx.py.qualified_name(keywords["cast"].child_by_field_name("value")) in STARLETTE_SECRET
        if not (secret_cast or self._secret_name(name)):
            return
        literal = self._value(default)
        if literal is None or not self._secret_value(literal, name):
            return
        self._done.add(default.id)
        fix = None
        if kind == "getenv":
            fix = self._environ_fix(call, name)
        elif default_arg is not None:
            edit = remove_argument_edit(self.ctx.source, default_arg)
            if edit is not None:
                fix = self.make_fix("Drop the default so the setting is required", [edit], Applicability.UNSAFE)
        self.report(default, "fallback", fix=fix, name=name)

    def _or_fallback(self, expr: Node, call: Node, envname: Node, value: Node) -> None:
        """`os.getenv("DB_PASSWORD") or "postgres"`: the Python spelling of a `??` fallback."""
        if value.id in self._done or self.ctx.py.qualified_name(call.child_by_field_name("function")) not in GETENV:
            return
        name = self._value(envname)
        if name is None:
            return
        bound = _bound_name(self.ctx, expr)
        if not (self._secret_name(name) or (bound is not None and self._secret_name(bound))):
            return
        literal = self._value(value)
        if literal is None or not self._secret_value(literal, name):
            return
        self._done.add(value.id)
        self.report(value, "fallback", fix=self._environ_fix(expr, name), name=name)

    def _wrapper(self, call: Node, value: Node) -> None:
        if value.id in self._done:
            return
        if self.ctx.py.call_name(call) not in SECRET_WRAPPERS:
            return
        literal = self._value(value)
        if literal is None or not self._secret_value(literal, None):
            return
        if self._in_example(call):
            return
        self._done.add(value.id)
        name = _bound_name(self.ctx, call) or "secret"
        parent = call.parent
        if parent is not None and parent.type == "assignment" and parent.child_by_field_name("right") == call:
            cls = enclosing_class(parent)
            if cls is not None and is_in(cls, settings_classes(self.ctx)):
                self.report(value, "settings", fix=self._drop_default_fix(parent, call), name=name)
                return
        self.report(value, "named", fix=self._environ_fix(value, env_name(name)), name=name)

    # --- helpers -------------------------------------------------------------------------
    def _target_name(self, target: Node) -> str | None:
        t = target.type
        if t == "identifier":
            return self.ctx.text(target)
        if t == "attribute":
            return self.ctx.text(target.child_by_field_name("attribute"))
        if t == "string":
            return self._value(target)
        if t == "subscript":
            index = target.child_by_field_name("subscript")
            return self._value(index) if index is not None and index.type == "string" else None
        return None

    @staticmethod
    def _secret_name(name: str) -> bool:
        if not name or len(name) > 80 or not _IDENT.match(name) or not is_secret_name(name) or is_redacted_name(name):
            return False
        return not (set(words(name)) & LABEL_NAME_WORDS)

    def _secret_value(self, literal: str, name: str | None) -> bool:
        if not_a_secret_value(literal, name) is not None:
            return False
        if name is not None and literal.lower() == name.lower():
            return False  # PASSWORD = "password": a field name, not a value
        return True

    def _value(self, node: Node | None, allow_interpolation: bool = False) -> str | None:
        """The decoded value of a plain string literal (None for f-strings with fields)."""
        if node is None:
            return None
        if node.type == "concatenated_string":
            parts = [self._value(c, allow_interpolation) for c in node.named_children if c.type == "string"]
            return None if any(p is None for p in parts) else "".join(parts)  # type: ignore[arg-type]
        if node.type != "string":
            return None
        out = []
        for child in node.named_children:
            if child.type == "interpolation":
                if not allow_interpolation:
                    return None
                out.append(self.ctx.text(child))
            elif child.type in ("string_content", "escape_sequence"):
                out.append(self.ctx.text(child))
        return "".join(out)

    def _in_example(self, node: Node) -> bool:
        p = node.parent
        while p is not None and p.type not in ("module", "block", "function_definition"):
            if p.type == "keyword_argument" and self.ctx.text(p.child_by_field_name("name")) in EXAMPLE_KEYS:
                return True
            if p.type == "pair":
                key = p.child_by_field_name("key")
                if key is not None and key.type == "string" and self._value(key) in EXAMPLE_KEYS:
                    return True
            if p.type == "assignment":
                left = p.child_by_field_name("left")
                if left is not None and self.ctx.text(left) in EXAMPLE_KEYS | {"model_config"}:
                    return True
            p = p.parent
        return False

    def _redacted_container(self, bind: Node, target: Node) -> bool:
        """`masked_settings["api_key"] = "****"`, `redacted = {"password": "***"}`: a copy
        made safe for display, not configuration."""
        if target.type == "subscript":
            obj = target.child_by_field_name("value")
            return obj is not None and is_redacted_name(self.ctx.text(obj).rsplit(".", 1)[-1])
        if bind.type == "pair":
            p = bind.parent
            while p is not None and p.type in ("dictionary", "pair", "parenthesized_expression"):
                p = p.parent
            if p is not None and p.type == "assignment":
                left = p.child_by_field_name("left")
                return left is not None and is_redacted_name(self.ctx.text(left).rsplit(".", 1)[-1])
        return False

    def _is_config_reader(self, fn: Node) -> bool:
        """`config` bound at module level to `starlette.config.Config(...)` (or decouple's)."""
        if fn.type != "identifier":
            return False
        name = self.ctx.text(fn)
        for stmt in self.ctx.tree.root_node.named_children:
            if stmt.type != "expression_statement" or not stmt.named_children:
                continue
            assign = stmt.named_children[0]
            if assign.type != "assignment":
                continue
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is not None and right is not None and left.type == "identifier" and self.ctx.text(left) == name and right.type == "call":
                return self.ctx.py.call_name(right) in CONFIG_FACTORIES
        return False

    def _environ_fix(self, node: Node, env: str):
        py = self.ctx.py
        edits = [Edit(node.start_byte, node.end_byte, f'os.environ["{env}"]')]
        if py.imports.get("os") != "os":
            if py.is_bound_locally("os", node) or "os" in py.imports:
                return None
            imp = py.add_import_edit("import os")
            if imp is None or imp.start > node.start_byte:
                return None
            edits.append(imp)
        elif py.is_bound_locally("os", node):
            return None
        return self.make_fix(f'Read `{env}` from the environment', edits, Applicability.UNSAFE)

    def _drop_default_fix(self, assign: Node, value: Node):
        """`name: T = "lit"` -> `name: T`; `name = "lit"` -> `name: str`."""
        if assign.child_by_field_name("right") != value:
            return None
        left = assign.child_by_field_name("left")
        typ = assign.child_by_field_name("type")
        if typ is not None:
            edit = Edit.delete(typ.end_byte, value.end_byte)
        elif left is not None:
            edit = Edit(left.end_byte, value.end_byte, ": str")
        else:
            return None
        return self.make_fix("Drop the default so the setting is required", [edit], Applicability.UNSAFE)


def _or_fallback_shape(expr: Node) -> dict[str, list[Node]] | None:
    """The captures of the spelled-out `or` fallback pattern (see the query) for a
    `boolean_operator`, or None where it would not match."""
    operator = expr.child_by_field_name("operator")
    left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
    if operator is None or operator.type != "or" or left is None or left.type != "call":
        return None
    if right is None or right.type not in _LITERAL_TYPES:
        return None
    fn, args = left.child_by_field_name("function"), left.child_by_field_name("arguments")
    if fn is None or args is None or args.type != "argument_list" or not (fn.text or b"").endswith((b"getenv", b"get")):
        return None
    first = args.named_child(0)  # the pattern's `.` anchor: the first named child
    if first is None or first.type != "string":
        return None
    return {"fn": [fn], "envname": [first], "call": [left], "value": [right], "or": [expr]}


def _is_docstring(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "expression_statement" and parent.named_child_count == 1


def _bound_name(ctx, node: Node) -> str | None:
    """The name a literal (or call) is bound to: variable, attribute, keyword, dict key."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "assignment" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        if left is not None and left.type == "identifier":
            return ctx.text(left)
        if left is not None and left.type == "attribute":
            return ctx.text(left.child_by_field_name("attribute"))
    if parent.type == "keyword_argument":
        return ctx.text(parent.child_by_field_name("name"))
    if parent.type == "pair" and parent.child_by_field_name("value") == node:
        key = parent.child_by_field_name("key")
        if key is not None and key.type == "string":
            m = re.match(r"^[rRuU]?(['\"])([A-Za-z_][A-Za-z0-9_\-]*)\1$", ctx.text(key))
            return m.group(2) if m else None
    if parent.type in ("default_parameter", "typed_default_parameter"):
        return ctx.text(parent.child_by_field_name("name"))
    return None
