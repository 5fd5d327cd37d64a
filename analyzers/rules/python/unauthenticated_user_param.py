"""RL308 unauthenticated-user-param (Python)."""

from __future__ import annotations

import os
import re

from tree_sitter import Node

from ...languages import PYTHON
from ...model import FixAvailability, Severity
from ...project_scans import INCLUDE_ROUTER
from ...python.fastapi_app import Construction, fastapi_file, route_decorators_of, string_value
from ...rule import Captures, Rule
from ...soundness import unsound

USER_PARAMS = frozenset({"user_id", "owner_id", "account_id"})
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "api_route"})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"})
SECURITY = frozenset({"fastapi.Security", "fastapi.params.Security", "fastapi.param_functions.Security"})
PATH_OR_QUERY = frozenset({"fastapi.Query", "fastapi.Path", "fastapi.params.Query", "fastapi.params.Path", "fastapi.param_functions.Query", "fastapi.param_functions.Path"})
NOT_PATH_OR_QUERY = frozenset({"Body", "Header", "Cookie", "Form", "File"})
SCALARS = re.compile(
    r"^(?:typing\.)?(?:Optional\[|Union\[)?\s*(?:int|str|uuid\.UUID|UUID|UUID4|UUID1|PydanticObjectId|ObjectId|PositiveInt|conint\(.*\)|constr\(.*\))\s*(?:,\s*None\s*)?\]?(?:\s*\|\s*None)?$"
)
# Substrings (of the lowercased name without `_`) that say a dependency resolves or
# checks the caller.
AUTH_MARKERS = ("auth", "verif", "token", "currentuser", "getuser", "login", "principal", "permission",
                "bearer", "apikey", "jwt", "credential", "superuser", "admin", "role", "scope", "session_user", "requireuser")


def authish(name: str) -> bool:
    n = re.sub(r"[^a-z0-9]", "", name.lower())
    if any(m.replace("_", "") in n for m in AUTH_MARKERS):
        return True
    return "user" in n and any(w in n for w in ("current", "require", "active", "logged", "me", "caller", "signedin"))


class UnauthenticatedUserParam(Rule):
    """
    ## What it does
    Flags a FastAPI route handler (`@app.get|post|put|patch|delete(...)` or
    `@router...(...)` on an app or router built in the same file with `FastAPI()` /
    `APIRouter()`, through any import alias) that takes `user_id`, `owner_id` or
    `account_id` as a path or query parameter and has no dependency that resolves or
    checks the caller.

    A handler counts as authenticated when one of its parameters is a `Security(...)`
    dependency, or a `Depends(...)` whose dependency name says it resolves the caller
    (it contains `current_user`, `get_user`, `auth`, `verify`, `token`, `login`,
    `permission`, `superuser`, `admin`, `role`, ...; `get_current_active_user` counts);
    an `Annotated[User, Depends(get_current_user)]` annotation or an alias of one
    (`CurrentUser`, `TokenDep`) counts the same way. Dependencies attached to the route
    (`dependencies=[Depends(verify_token)]`), to its `APIRouter(dependencies=...)`, to
    an `include_router(router, dependencies=...)` in the same file or in another file
    of the project (`app.include_router(users.router, dependencies=[...])` in
    `main.py`, directly or through one intermediate router of that file), or to the
    app count too, as does a handler that reads `request.user` / `request.state.user`
    (authentication middleware). Parameters taken from the body, headers, cookies or a
    dependency (`user_id: int = Depends(current_user_id)`) are not path/query input.

    ## Why is this bad?
    A client-supplied `user_id` with nothing that establishes who the caller is lets
    anyone read or change any user's data by editing a number in the URL (an insecure
    direct object reference, OWASP API1). The identity must come from the credential,
    and the route must then check that the caller may act on that id.

    ## Example
    ```python
    @router.get("/users/{user_id}/orders")
    async def list_orders(user_id: int, db: Session = Depends(get_db)):
        return db.query(Order).filter(Order.user_id == user_id).all()
    ```

    ## Use instead
    ```python
    @router.get("/users/me/orders")
    async def list_orders(current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
        return db.query(Order).filter(Order.user_id == current_user.id).all()
    ```

    ## Fix safety
    No fix: the route's contract changes (the id comes from the token, or an ownership
    check is added), which needs the author's decision. Mounting chains longer than one
    intermediate router, and authentication done only by middleware that the handler
    never reads, are not seen: declare the dependency on the router, or suppress the
    finding with `# noqa: RL308`.
    """

    code = "RL308"
    name = "unauthenticated-user-param"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    messages = {
        "default": "route `{method} {path}` takes `{param}` from the {where} without a dependency that authenticates the caller: derive the user from `Depends(get_current_user)` or check ownership",
    }
    # The parameter names are fixed.
    requires = r"\b(?:user_id|owner_id|account_id)\b"
    # Anchor: the parameter's name (in the matched function's parameters).
    anchor = requires
    # One bare pattern; each route-like decorator is read in _routes, as the spelled-out
    #   (decorated_definition
    #     (decorator (call function: (attribute object: (identifier) @obj attribute: (identifier) @method
    #       (#any-of? @method <HTTP_METHODS>)) arguments: (argument_list) @args))
    #     definition: (function_definition parameters: (parameters) @params) @func)
    # would match it (one match per decorator), whose nested steps took ~1.5 ms to compile
    # in every process. The parameters are walked in Python too (a nested parameter
    # alternation in a query kept partial matches alive at every decorated function).
    query = """
    (decorated_definition) @_decorated
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        for shaped in _routes(captures["_decorated"][0]):
            if not unsound(shaped):  # what the engine would not trust in the spelled-out match
                self._route(shaped)

    def _route(self, captures: Captures) -> None:
        names = [n for n in map(_user_param_name, captures["params"][0].named_children) if n is not None]
        if not names:
            return
        method = self.ctx.text(captures["method"][0])
        fa = fastapi_file(self.ctx)
        owner = fa.resolve(captures["obj"][0])
        if owner is None:
            return
        func = captures["func"][0]
        args = captures["args"][0]
        path = _route_path(args)
        for name_node in names:
            param = name_node.parent if name_node.parent.type != "parameters" else name_node
            where = self._source_of(param, name_node.text.decode(), path)
            if where is None:
                continue
            if self._guarded(func, args, owner):
                continue
            self.report(
                name_node,
                method=(_api_route_methods(args) if method == "api_route" else method.upper()),
                path=path if path is not None else "?",
                param=name_node.text.decode(),
                where=where,
            )

    # --- where the parameter comes from ----------------------------------------------
    def _source_of(self, param: Node, name: str, path: str | None) -> str | None:
        """"path", "query string" or None (body, header, dependency, unknown model)."""
        in_path = path is not None and re.search(r"\{" + re.escape(name) + r"(?::[^}]*)?\}", path) is not None
        annotation = param.child_by_field_name("type") if param.type != "identifier" else None
        default = param.child_by_field_name("value") if param.type in ("default_parameter", "typed_default_parameter") else None
        marker = self._param_function(default)
        ann_marker = None
        base_type = annotation
        if annotation is not None:
            inner = _unwrap_type(annotation)
            if inner.type == "generic_type" or inner.type == "subscript":
                head = self.ctx.text(inner).split("[", 1)[0].strip()
                if head.endswith("Annotated"):
                    items = _subscript_items(inner)
                    if items:
                        base_type = items[0]
                        for extra in items[1:]:
                            ann_marker = self._param_function(extra) or ann_marker
        for m in (marker, ann_marker):
            if m is not None and m not in ("Query", "Path"):
                return None  # Body/Header/Cookie/Form/File/Depends/Security
        if in_path:
            return "path"
        if "Path" in (marker, ann_marker):
            return "path"
        if "Query" in (marker, ann_marker):
            return "query string"
        if base_type is None:
            return "query string"
        if SCALARS.match(self.ctx.text(base_type).strip()):
            return "query string"
        return None  # a model or another class: FastAPI reads it from the body

    def _param_function(self, node: Node | None) -> str | None:
        """`Query`, `Path`, `Body`, `Depends`, ... when `node` is a call to one."""
        if node is None or node.type != "call":
            return None
        fn = node.child_by_field_name("function")
        target = self.ctx.py.qualified_name(fn) or ""
        short = self.ctx.text(fn).rsplit(".", 1)[-1]
        if target in PATH_OR_QUERY:
            return short if short in ("Query", "Path") else target.rsplit(".", 1)[-1]
        if target in DEPENDS or (not target and short == "Depends"):
            return "Depends"
        if target in SECURITY or (not target and short == "Security"):
            return "Security"
        if short in NOT_PATH_OR_QUERY or short in ("Query", "Path"):
            return short
        return None

    # --- authentication ----------------------------------------------------------------
    def _guarded(self, func: Node, route_args: Node, owner: Construction) -> bool:
        fa = fastapi_file(self.ctx)
        params = func.child_by_field_name("parameters")
        for p in params.named_children if params is not None else ():
            if p.type == "identifier":
                continue
            annotation = p.child_by_field_name("type")
            default = p.child_by_field_name("value") if p.type in ("default_parameter", "typed_default_parameter") else None
            if default is not None and self._auth_dependency(default):
                return True
            if default is not None and self._param_function(default) == "Depends" and _caller_name(self.ctx.text(_param_name(p))):
                return True  # `user=Depends(load_user)`: a dependency that yields the caller
            if annotation is not None and self._auth_annotation(annotation):
                return True
        deps: list[Node] = []
        for arg in route_args.named_children:
            if arg.type == "keyword_argument" and self.ctx.text(arg.child_by_field_name("name")) == "dependencies":
                value = arg.child_by_field_name("value")
                deps.extend(value.named_children if value is not None and value.type in ("list", "tuple") else [value])
        deps.extend(fa.router_dependencies(owner))
        for app in fa.constructions:
            if app.kind == "app" and app is not owner:
                # An app in this file that includes this router (or any app-level dependency
                # when the router is mounted by it) guards it too.
                deps.extend(fa.router_dependencies(app) if self._includes(app, owner) else [])
        if any(d is not None and self._auth_dependency(d) for d in deps):
            return True
        body = func.child_by_field_name("body")
        text = self.ctx.text(body)
        if re.search(r"\brequest\.(?:user|auth)\b|\.state\.(?:user|current_user|auth|principal)\b", text):
            return True
        return owner.kind == "router" and self._included_with_auth_elsewhere(owner)

    # --- routers mounted in another file -------------------------------------------------
    def _included_with_auth_elsewhere(self, router: Construction) -> bool:
        """`app.include_router(users.router, dependencies=[Depends(get_current_user)])` in
        another file of the project (FastAPI's "bigger applications" layout), directly or
        through one intermediate router of that file."""
        key = ("rl308_included", router.name)
        if key in self.ctx.cache:
            return self.ctx.cache[key]
        self.ctx.cache[key] = result = self._scan_includers(router)
        return result

    def _scan_includers(self, router: Construction) -> bool:
        ws = self.ctx.workspace
        lister = getattr(ws, "list_files", None)
        if lister is None:
            return False
        here = os.path.abspath(self.ctx.path)
        root = ws.root_of(here) or str(getattr(self.ctx.settings, "root", "") or "")
        if not root:
            return False
        parts = self.ctx.rel_path.rsplit("/", 2)
        stem = parts[-1].rsplit(".", 1)[0]
        if stem == "__init__" and len(parts) > 1:
            stem = parts[-2]
        scan = INCLUDE_ROUTER  # declared apart, so that a batch run can scan ahead
        needles = (scan.needle, stem)
        contains_all = getattr(ws, "contains_all", None)
        for path in lister(root, scan.suffixes, limit=scan.limit):
            if os.path.abspath(path) == here:
                continue
            if contains_all is not None and not contains_all(path, needles):
                continue  # most files: read as bytes, never decoded or kept
            text = ws.read_text(path)
            if not text or "include_router" not in text or stem not in text:
                continue
            refs = _router_refs(text, stem, router.name)
            if refs and _mounted_with_auth(text, refs):
                return True
        return False

    def _includes(self, app: Construction, router: Construction) -> bool:
        if router.kind != "router":
            return False
        pattern = re.compile(r"\b" + re.escape(app.name) + r"\.include_router\(\s*" + re.escape(router.name) + r"\b")
        return pattern.search(self.ctx.source.decode("utf-8", "replace")) is not None

    def _auth_dependency(self, node: Node) -> bool:
        """`Depends(get_current_user)`, `Security(...)`, `Depends(RoleChecker(...))`."""
        if node.type != "call":
            return False
        kind = self._param_function(node)
        if kind == "Security":
            return True
        if kind != "Depends":
            return False
        args = node.child_by_field_name("arguments")
        dep = None
        for a in args.named_children if args is not None else ():
            if a.type == "keyword_argument":
                if self.ctx.text(a.child_by_field_name("name")) == "dependency":
                    dep = a.child_by_field_name("value")
            elif a.type != "comment" and dep is None:
                dep = a
        if dep is None:
            return False
        if dep.type == "call":
            dep = dep.child_by_field_name("function")
        return authish(self.ctx.text(dep))

    def _auth_annotation(self, annotation: Node) -> bool:
        inner = _unwrap_type(annotation)
        text = self.ctx.text(inner)
        if "Annotated" in text.split("[", 1)[0]:
            for extra in _subscript_items(inner)[1:]:
                if self._auth_dependency(extra):
                    return True
            return False
        if inner.type == "identifier":
            alias = self._type_alias(text)
            if alias is not None:
                return self._auth_annotation(alias)
            # An imported alias such as `CurrentUser` / `TokenDep` (defined as
            # `Annotated[User, Depends(get_current_user)]` in a deps module).
            return self.ctx.py.qualified_name(inner) is not None and authish(text) and text[:1].isupper()
        return False

    def _type_alias(self, name: str) -> Node | None:
        for stmt in self.ctx.tree.root_node.named_children:
            if stmt.type == "expression_statement" and stmt.named_children and stmt.named_children[0].type == "assignment":
                assign = stmt.named_children[0]
                left = assign.child_by_field_name("left")
                right = assign.child_by_field_name("right")
                if left is not None and right is not None and self.ctx.text(left) == name and "Annotated" in self.ctx.text(right):
                    return right
            elif stmt.type == "type_alias_statement":
                left = stmt.child_by_field_name("left")
                if left is not None and self.ctx.text(left) == name:
                    return stmt.child_by_field_name("right")
        return None


def _api_route_methods(args: Node) -> str:
    """`@router.api_route(path, methods=["GET", "POST"])` -> "GET|POST" (FastAPI's default: GET)."""
    for a in args.named_children:
        if a.type == "keyword_argument" and a.child_by_field_name("name").text.decode() == "methods":
            value = a.child_by_field_name("value")
            names = [string_value(i) for i in value.named_children] if value is not None and value.type in ("list", "tuple", "set") else []
            if names and all(names):
                return "|".join(n.upper() for n in names)
            return "API_ROUTE"
    return "GET"


def _route_path(args: Node) -> str | None:
    for a in args.named_children:
        if a.type == "string":
            return string_value(a)
        if a.type == "keyword_argument" and a.child_by_field_name("name").text.decode() == "path":
            value = a.child_by_field_name("value")
            return string_value(value) if value is not None else None
        if a.type != "comment":
            return None
    return None


def _subscript_items(node: Node) -> list[Node]:
    """The items of `Annotated[a, b, c]` in either tree shape (subscript / generic_type)."""
    if node.type == "subscript":
        return [c for c in node.children_by_field_name("subscript")]
    if node.type == "generic_type":
        for c in node.named_children:
            if c.type == "type_parameter":
                return [t.named_children[0] if t.type == "type" and t.named_children else t for t in c.named_children]
    return []


def _unwrap_type(node: Node) -> Node:
    if node.type == "type" and node.named_children:
        return node.named_children[0]
    return node


CALLER_NAMES = frozenset({"user", "current_user", "caller", "me", "principal", "requester", "viewer", "actor", "auth_user", "authenticated_user", "session_user", "identity", "claims"})


def _caller_name(name: str) -> bool:
    return name.lower() in CALLER_NAMES


def _user_param_name(p: Node) -> Node | None:
    """The name of a plain, typed or defaulted parameter called `user_id` & co."""
    t = p.type
    if t == "identifier":
        name = p
    elif t == "typed_parameter":
        name = p.named_children[0] if p.named_child_count else None
        if name is not None and name.type != "identifier":
            return None
    elif t in ("default_parameter", "typed_default_parameter"):
        name = p.child_by_field_name("name")
        if name is None or name.type != "identifier":
            return None
    else:
        return None
    return name if name is not None and name.text.decode() in USER_PARAMS else None


def _param_name(p: Node) -> Node | None:
    name = p.child_by_field_name("name")
    if name is None:
        name = next((c for c in p.named_children if c.type == "identifier"), None)
    return name


_INCLUDE = re.compile(r"([A-Za-z_][\w.]*)\.include_router\(")
_DEP_NAME = re.compile(r"\b(Depends|Security)\(\s*(?:dependency\s*=\s*)?([A-Za-z_][\w.]*)?")


def _router_refs(text: str, stem: str, router_name: str) -> set[str]:
    """How another file spells this module's router: `users.router`, an alias of the
    module (`from .api import users as u` -> `u.router`) or of the router itself
    (`from .api.users import router as users_router`)."""
    refs = {f"{stem}.{router_name}"}
    imported = [m.group(1) for m in re.finditer(r"^\s*from\s+[\w.]+\s+import\s+([^(\n]+)$", text, re.M)]
    imported += [m.group(1) for m in re.finditer(r"\bfrom\s+[\w.]+\s+import\s*\(([^)]*)\)", text)]
    for names in imported:
        for item in names.split(","):
            bits = item.split()
            if len(bits) == 3 and bits[1] == "as" and bits[0] == stem:
                refs.add(f"{bits[2]}.{router_name}")
    for m in re.finditer(r"^\s*import\s+[\w.]*\b" + re.escape(stem) + r"\s+as\s+(\w+)", text, re.M):
        refs.add(f"{m.group(1)}.{router_name}")
    for m in re.finditer(r"^\s*from\s+[\w.]*\b" + re.escape(stem) + r"\s+import\s+(.+)$", text, re.M):
        for item in m.group(1).strip("() ").split(","):
            bits = item.split()
            if bits and bits[0] == router_name:
                refs.add(bits[2] if len(bits) == 3 and bits[1] == "as" else router_name)
    return refs


def _call_args(text: str, open_paren: int) -> str:
    depth = 0
    for i in range(open_paren, min(len(text), open_paren + 4000)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return text[open_paren + 1 : i]
    return ""


def _auth_deps_in(args: str) -> bool:
    if "dependencies" not in args:
        return False
    deps = args[args.index("dependencies"):]
    return any(kind == "Security" or (name and authish(name)) for kind, name in _DEP_NAME.findall(deps))


def _mounted_with_auth(text: str, refs: set[str], depth: int = 0) -> bool:
    for m in _INCLUDE.finditer(text):
        args = _call_args(text, m.end() - 1)
        first = args.split(",", 1)[0].strip()
        if first not in refs:
            continue
        if _auth_deps_in(args):
            return True
        receiver = m.group(1)
        if depth == 0 and "." not in receiver:
            # `api_router.include_router(users.router)` then
            # `app.include_router(api_router, dependencies=[...])` or
            # `api_router = APIRouter(dependencies=[...])` in the same file.
            ctor = re.search(r"^\s*" + re.escape(receiver) + r"\s*(?::[^=\n]+)?=\s*(?:[\w.]*)APIRouter\(", text, re.M)
            if ctor and _auth_deps_in(_call_args(text, ctor.end() - 1)):
                return True
            if _mounted_with_auth(text, {receiver}, depth + 1):
                return True
    return False


_METHOD_BYTES = frozenset(m.encode() for m in HTTP_METHODS)


def _routes(decorated: Node) -> list[dict[str, list[Node]]]:
    """The captures of the spelled-out pattern (see the query), one per `@obj.method(...)`
    decorator of a function with `method` an HTTP method name."""
    out = []
    for obj, method, _call, args, func in route_decorators_of(decorated):
        params = func.child_by_field_name("parameters")
        if method.text in _METHOD_BYTES and params is not None and params.type == "parameters":
            out.append({"obj": [obj], "method": [method], "args": [args], "params": [params], "func": [func]})
    return out
