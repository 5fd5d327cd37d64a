"""RL404 mutable-module-singleton (TypeScript / JavaScript)."""

from __future__ import annotations

from tree_sitter import Node

from ...anchors import word_spans
from ...languages import TYPESCRIPT
from ...model import FixAvailability, Severity
from ...rule import Captures, Rule
from ...typescript.scope import (
    declarators,
    declares_parameter,
    enclosing_function,
    find_binding,
)
from ...typescript.semantic import FUNCTION_TYPES, function_name

# Callbacks of test hooks: `let page; beforeEach(() => { page = ... })` is fixture setup.
# The catalog runs RL404 everywhere (it is not among the default-exempt rules), so test
# files are checked too; only test-framework callbacks are skipped.
TEST_HOOKS = frozenset({
    "beforeEach", "beforeAll", "afterEach", "afterAll", "before", "after", "setup", "teardown",
    "it", "test", "describe",
})
ASSIGN_OPS = ("=", "||=", "??=", "&&=")


class MutableModuleSingleton(Rule):
    """
    ## What it does
    Flags a module-level `let` that a function reassigns: `let db; export function
    setDb(x) { db = x }` (global mutable service injection). One finding per variable, on
    its declaration, naming the function that reassigns it.

    Not flagged: write-once lazy initialisation (`if (!client) client = create()`,
    `client ??= create()`, `client = client ?? create()`), counters updated with `++` or
    `+=`, reassignments at module level, and test fixtures assigned in `beforeEach` /
    `beforeAll` / `afterEach` / `afterAll` / `it` / `test` / `describe` callbacks. Like
    every rule outside the catalog's default-exempt list, it also runs in tests and
    `scripts/` (add an exemption in the configuration to skip them).

    ## Why is this bad?
    A module is evaluated once per process and shared by every request on a server (and by
    every component on a page): a value swapped in by one caller leaks into all others,
    requests race on it, and tests bleed state into each other. Hidden injection through a
    setter also makes the dependency invisible at the call site.

    ## Example
    ```ts
    let mailer: Mailer;
    export function configureMailer(m: Mailer) {
      mailer = m;
    }
    export async function sendWelcome(to: string) {
      await mailer.send(to, "Welcome");
    }
    ```

    ## Use instead
    ```ts
    export function createWelcomeSender(mailer: Mailer) {
      return async (to: string) => mailer.send(to, "Welcome");
    }
    ```

    ## Fix safety
    No fix: passing the dependency explicitly changes every call site.
    """

    code = "RL404"
    # Text prefilter (necessary condition): a module-level `let`.
    requires = r"\blet\b"
    name = "mutable-module-singleton"
    language = TYPESCRIPT
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    messages = {
        "default": "Module-level `let {name}` is reassigned in {where}: mutable module state is shared by "
        "every caller; pass the dependency explicitly or make it `const`",
    }
    query = """
    (assignment_expression left: (identifier) @target) @assign
    (augmented_assignment_expression left: (identifier) @target) @assign
    """

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self._module_lets: dict[str, Node] | None = None
        self._reported: set[str] = set()

    def _lets(self) -> dict[str, Node]:
        if self._module_lets is None:
            self._module_lets = {}
            for kind, d in declarators(self.ctx.tree.root_node):
                name = d.child_by_field_name("name")
                if kind == "let" and name is not None and name.type == "identifier":
                    self._module_lets[name.text.decode()] = name
        return self._module_lets

    def anchor_spans(self, memo: dict) -> list[tuple[int, int]]:
        # Only assignments to a module-level `let` matter: its name is the anchor.
        source = self.ctx.source
        return [span for name in self._lets() for span in word_spans(source, name.encode())]

    def on_match(self, captures: Captures, pattern: int) -> None:
        assign = captures["assign"][0]
        if pattern == 1:
            op = assign.child_by_field_name("operator")
            if op is None or op.type not in ASSIGN_OPS:
                return  # += and friends: counters and accumulators
            if op.type in ("||=", "??="):
                return  # write-once lazy initialisation
        name = captures["target"][0].text.decode()
        if name in self._reported:
            return
        decl = self._lets().get(name)
        if decl is None:
            return
        func = enclosing_function(assign)
        if func is None or _shadowed(name, assign, func):
            return
        if _in_test_hook(func) or self._lazy_init(assign, name) or _memoized(func, name):
            return
        self._reported.add(name)
        fname = _outer_name(func)
        self.report(decl, name=name, where=f"`{fname}()`" if fname else "a function")

    def _lazy_init(self, assign: Node, name: str) -> bool:
        """`x = x ?? make()`, `x = x || make()`, or inside `if (!x)` / `if (x == null)` /
        `if (x === undefined)` / `if (!x) { ...; x = ... }` guarding the same name."""
        right = assign.child_by_field_name("right")
        if right is not None and right.type == "binary_expression":
            op = right.child_by_field_name("operator")
            left = right.child_by_field_name("left")
            if op is not None and op.type in ("??", "||") and left is not None and left.text.decode() == name:
                return True
        p = assign.parent
        while p is not None and p.type not in ("function_declaration", "arrow_function", "function_expression", "method_definition"):
            if p.type == "if_statement":
                cond = p.child_by_field_name("condition")
                if cond is not None and _tests_empty(cond, name):
                    return True
            p = p.parent
        return False


def _memoized(func: Node, name: str) -> bool:
    """A cache filled by the function that reads it: `if (cached) return cached; ... cached = x`."""
    body = func.child_by_field_name("body")
    if body is None:
        return False
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type == "if_statement":
            cons = n.child_by_field_name("consequence")
            cond = n.child_by_field_name("condition")
            if cons is not None and cond is not None and _mentions(cond, name) and _returns(cons, name):
                return True
        if n.type not in FUNCTION_TYPES or n == body:
            stack.extend(n.named_children)
    return False


def _mentions(node: Node, name: str) -> bool:
    return any(c.type == "identifier" and c.text.decode() == name for c in _walk(node))


def _returns(node: Node, name: str) -> bool:
    for c in _walk(node):
        if c.type == "return_statement" and c.named_children:
            value = c.named_children[0]
            while value.type in ("parenthesized_expression", "as_expression", "non_null_expression") and value.named_children:
                value = value.named_children[0]
            if value.type == "identifier" and value.text.decode() == name:
                return True
    return False


def _walk(node: Node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.named_children)


def _tests_empty(cond: Node, name: str) -> bool:
    while cond.type == "parenthesized_expression" and cond.named_children:
        cond = cond.named_children[0]
    if cond.type == "unary_expression" and cond.children[0].type == "!":
        arg = cond.named_children[0] if cond.named_children else None
        return arg is not None and arg.text.decode() == name
    if cond.type == "binary_expression":
        op = cond.child_by_field_name("operator")
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if op is None or left is None or right is None:
            return False
        if op.type in ("||", "&&"):
            return _tests_empty(left, name) or (op.type == "||" and _tests_empty(right, name))
        if op.type in ("==", "==="):
            sides = {left.text.decode(), right.text.decode()}
            return name in sides and bool(sides & {"null", "undefined"})
    return False


def _shadowed(name: str, node: Node, stop: Node) -> bool:
    """A parameter or local declaration between the assignment and the module."""
    binding = find_binding(name, node)
    if binding is not None and binding.declarator.parent is not None and binding.declarator.parent.parent is not None:
        container = binding.declarator.parent.parent
        if container.type == "export_statement":
            container = container.parent
        if container is not None and container.type != "program":
            return True
    p = node.parent
    while p is not None:
        if p.type in FUNCTION_TYPES and declares_parameter(p, name):
            return True
        p = p.parent
    return binding is None


def _in_test_hook(func: Node) -> bool:
    p = func
    while p is not None:
        if p.type == "arguments" and p.parent is not None and p.parent.type == "call_expression":
            fn = p.parent.child_by_field_name("function")
            if fn is not None and fn.type == "identifier" and fn.text.decode() in TEST_HOOKS:
                return True
        p = p.parent
    return False


def _outer_name(func: Node) -> str | None:
    name = function_name(func)
    if name:
        return name
    p = func.parent
    while p is not None:
        if p.type in ("function_declaration", "method_definition", "variable_declarator"):
            return function_name(p) if p.type != "variable_declarator" else (
                p.child_by_field_name("name").text.decode() if p.child_by_field_name("name") is not None else None
            )
        p = p.parent
    return None
