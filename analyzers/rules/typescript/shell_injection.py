"""RL307 shell-injection (TypeScript / JavaScript)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import Severity
from ...rule import Captures, Rule
from ...typescript.gated import gated_matches
from ...typescript.literals import const_value, string_value, unwrap

# Qualified names of functions that hand their first argument to a shell.
SHELL_FUNCTIONS = frozenset({
    "child_process.exec", "child_process.execSync", "shelljs.exec", "shelljs",
})
# Run a shell only with `{ shell: true }`.
SPAWN_FUNCTIONS = frozenset({"child_process.spawn", "child_process.spawnSync"})
PROMISIFIERS = frozenset({"util.promisify", "node:util.promisify", "promisify", "bluebird.promisify"})
PATH_FUNCTIONS = frozenset({"path.join", "path.resolve", "path.dirname", "path.basename", "path.normalize"})
# Template substitutions that cannot carry outside input.
SAFE_GLOBALS = frozenset({"__dirname", "__filename", "process.execPath", "process.pid", "process.platform",
                          "process.arch", "process.cwd()", "import.meta.dirname", "import.meta.filename"})

_MEMBER_CALLEE = re.compile(r"\.(exec|execSync|spawn|spawnSync)$")


class ShellInjection(Rule):
    """
    ## What it does
    Flags `child_process.exec(...)` / `execSync(...)` (imports resolved: `import { exec }
    from "child_process"`, `import cp from "node:child_process"`, `require`, and a
    `promisify(exec)` wrapper), shelljs' `exec`, and `spawn(...)` with
    `{ shell: true }`, when the command is a template literal with substitutions or a
    `+` concatenation with a non-literal part, written inline or held in a `const` of the
    same file. Substitutions of constants (`${__dirname}`, a string `const`) are not
    outside input and do not count.

    Not flagged: literal commands, `execFile` / `execFileSync` / `spawn` with an
    argument array (no shell parses the arguments), and commands passed as a variable
    the rule cannot see built.

    ## Why is this bad?
    `exec` runs its command through `/bin/sh`: a value containing `;`, `&&`, `` ` `` or
    `$(...)` runs commands of the caller's choosing on the server. Quoting by hand
    (`"${file}"`) does not help: `$(...)` expands inside double quotes.

    ## Example
    ```ts
    import { exec } from "node:child_process";

    exec(`convert ${req.query.file} out.png`);
    ```

    ## Use instead
    ```ts
    import { execFile } from "node:child_process";

    execFile("convert", [String(req.query.file), "out.png"]);
    ```

    ## Fix safety
    No fix: splitting a shell command into a program and arguments changes what it does
    whenever the command relies on shell features (pipes, globs, `&&`).
    """

    code = "RL307"
    # Text prefilter (necessary condition): no finding resolves without child_process / shelljs in the file (_mentions_shell).
    requires = r"child_process|shelljs"
    name = "shell-injection"
    language = TYPESCRIPT
    severity = Severity.ERROR
    messages = {
        "default": "`{callee}` runs a command built from {how} through a shell: pass arguments with `execFile`/`spawn` instead",
    }
    # The last name of a member callee is narrowed in the query (cheap: one short text);
    # the member's whole text is checked in Python for the few calls that get through.
    # The rule's patterns run in finish(), only over files passing the text gate (the
    # `requires` condition): not compiled into the combined query of every process nor
    # matched in every file (typescript/gated.py).
    query = ""
    gated_query = """
    (call_expression
      function: (identifier) @fn
      arguments: (arguments . [(template_string) (binary_expression) (identifier) (parenthesized_expression)] @cmd)
      (#match? @fn "^[A-Za-z_$][A-Za-z0-9_$]*$")) @call
    (call_expression
      function: (member_expression property: (property_identifier) @_name) @fn
      arguments: (arguments . [(template_string) (binary_expression) (identifier) (parenthesized_expression)] @cmd)
      (#any-of? @_name "exec" "execSync" "spawn" "spawnSync")) @call
    """

    def finish(self) -> None:
        if self._mentions_shell():
            for pattern, captures in gated_matches(self.ctx, self.gated_query):
                self.on_match(captures, pattern)

    def on_match(self, captures: Captures, pattern: int) -> None:
        call, fn = captures["call"][0], captures["fn"][0]
        if pattern == 1 and not _MEMBER_CALLEE.search(fn.text.decode("utf-8", "replace")):
            return
        if not self._mentions_shell():
            return  # no finding can resolve without child_process / shelljs in the file
        qualified = self._resolve(fn)
        if qualified is None:
            return
        if qualified in SPAWN_FUNCTIONS and not self._shell_option(call):
            return
        cmd = unwrap(captures["cmd"][0])
        if cmd is None:
            return
        built = cmd
        if cmd.type == "identifier":
            value = const_value(self.ctx, cmd)
            if value is None:
                return
            built = unwrap(value)
        self._call = call
        how = self._dynamic(built)
        if how is not None:
            self.report(call, callee=fn.text.decode("utf-8", "replace"), how=how)

    def _resolve(self, fn: Node) -> str | None:
        if fn.type == "identifier" and fn.text.decode() not in self.ctx.ts.imports and not self._imports_shell():
            return None
        qualified = self.ctx.ts.qualified_name(fn)
        if qualified is not None:
            if qualified in SHELL_FUNCTIONS or qualified in SPAWN_FUNCTIONS:
                return qualified
            if fn.type == "member_expression" and qualified.startswith("shelljs."):
                return None
            return None
        if fn.type == "member_expression":
            # require("child_process").exec(...)
            obj = unwrap(fn.child_by_field_name("object"))
            prop = fn.child_by_field_name("property")
            if obj is not None and obj.type == "call_expression" and prop is not None:
                callee = obj.child_by_field_name("function")
                args = obj.child_by_field_name("arguments")
                if callee is not None and callee.text == b"require" and args is not None and args.named_children:
                    module = (string_value(args.named_children[0]) or "").removeprefix("node:")
                    name = f"{module}.{prop.text.decode()}"
                    if name in SHELL_FUNCTIONS or name in SPAWN_FUNCTIONS:
                        return name
            return None
        # const run = promisify(exec) / util.promisify(cp.exec)
        value = unwrap(const_value(self.ctx, fn))
        if value is not None and value.type == "call_expression":
            wrapper = value.child_by_field_name("function")
            args = value.child_by_field_name("arguments")
            wrapped = self.ctx.ts.qualified_name(wrapper) or (wrapper.text.decode() if wrapper is not None else "")
            if wrapped in PROMISIFIERS and args is not None and args.named_children:
                inner = self.ctx.ts.qualified_name(unwrap(args.named_children[0]))
                if inner in SHELL_FUNCTIONS:
                    return inner
        return None

    def _allow_listed(self, ident: Node) -> bool:
        """`if (!ALLOWED.includes(x)) { throw / return / process.exit() }` before the call, in
        an enclosing block: `x` is one of a fixed set of values."""
        name = ident.text
        call = getattr(self, "_call", None)
        if call is None:
            return False
        block = call.parent
        while block is not None:
            if block.type in ("statement_block", "program"):
                for stmt in block.named_children:
                    if stmt.start_byte >= call.start_byte:
                        break
                    if stmt.type == "if_statement" and _rejects_unless_listed(stmt, name):
                        return True
            block = block.parent
        return False

    def _mentions_shell(self) -> bool:
        key = "RL307.mentions_shell"
        if key not in self.ctx.cache:
            source = self.ctx.source
            self.ctx.cache[key] = b"child_process" in source or b"shelljs" in source
        return self.ctx.cache[key]

    def _imports_shell(self) -> bool:
        key = "RL307.imports_shell"
        if key not in self.ctx.cache:
            self.ctx.cache[key] = any(
                v.split(".")[0] in ("child_process", "shelljs") for v in self.ctx.ts.imports.values()
            )
        return self.ctx.cache[key]

    @staticmethod
    def _shell_option(call: Node) -> bool:
        args = call.child_by_field_name("arguments")
        if args is None:
            return False
        for arg in args.named_children:
            arg = unwrap(arg)
            if arg is not None and arg.type == "object":
                for pair in arg.named_children:
                    if pair.type == "pair":
                        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                        if key is not None and key.text == b"shell" and value is not None and value.type != "false":
                            return True
        return False

    def _dynamic(self, node: Node) -> str | None:
        """How the command is built from non-constant parts, or None when it is constant."""
        if node.type == "template_string":
            for sub in node.named_children:
                if sub.type == "template_substitution" and sub.named_children and not self._constant(sub.named_children[0]):
                    return "a template literal"
            return None
        if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
            parts = _concat_parts(node)
            if any(not self._constant(p) for p in parts):
                return "string concatenation"
        return None

    def _constant(self, node: Node | None, depth: int = 0) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type in ("string", "number", "true", "false"):
            return True
        if node.type == "template_string":
            return all(
                sub.type != "template_substitution" or (sub.named_children and self._constant(sub.named_children[0], depth + 1))
                for sub in node.named_children
            )
        if node.text.decode("utf-8", "replace") in SAFE_GLOBALS:
            return True
        if node.type == "identifier" and depth < 8:
            value = const_value(self.ctx, node)
            if value is not None and self._constant(value, depth + 1):
                return True
            return self._allow_listed(node)
        if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
            return all(self._constant(p, depth + 1) for p in _concat_parts(node))
        if node.type == "call_expression" and depth < 8:
            # path.join(__dirname, "build.js"), path.resolve("bin", "tool")
            qualified = self.ctx.ts.qualified_name(node.child_by_field_name("function")) or ""
            args = node.child_by_field_name("arguments")
            if qualified in PATH_FUNCTIONS and args is not None:
                return all(self._constant(a, depth + 1) for a in args.named_children)
        return False


def _concat_parts(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = unwrap(stack.pop())
        if n is not None and n.type == "binary_expression" and n.child_by_field_name("operator").type == "+":
            stack.append(n.child_by_field_name("right"))
            stack.append(n.child_by_field_name("left"))
        elif n is not None:
            out.append(n)
    return out


def _rejects_unless_listed(stmt: Node, name: bytes) -> bool:
    cond = unwrap(stmt.child_by_field_name("condition"))
    if cond is None or cond.type != "unary_expression" or not cond.text.startswith(b"!"):
        return False
    inner = unwrap(cond.child_by_field_name("argument"))
    if inner is None or inner.type != "call_expression":
        return False
    fn = inner.child_by_field_name("function")
    args = inner.child_by_field_name("arguments")
    if fn is None or fn.type != "member_expression" or args is None or len(args.named_children) != 1:
        return False
    prop = fn.child_by_field_name("property")
    if prop is None or prop.text not in (b"includes", b"has") or args.named_children[0].text != name:
        return False
    body = stmt.child_by_field_name("consequence")
    text = body.text if body is not None else b""
    return b"throw" in text or b"return" in text or b"process.exit" in text
