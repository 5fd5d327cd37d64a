""""What class is this object?" for the few library classes rules care about.

A small, local inference from the tree (no jedi): it knows the constructors and
factories of sync clients (`redis.Redis(...)`, `requests.Session()`, `sessionmaker(...)()`,
`boto3.client(...)`, `Path(...)`, `pd.read_csv(...)`), follows a name to its assignment
in the enclosing function or at module level, `self.x` to its assignment in any method
of the class (or a class-level annotation), parameters to their annotation
(`db: Session = Depends(get_db)`, `Annotated[Session, Depends(...)]`, `Optional[...]`,
`X | None`, string annotations) or, without one, to a `Depends(f)` whose `f` is defined
in the same file. Results are class names such as "redis.Redis" (see TYPE_METHODS in
`blocking_apis.py`); None means unknown, and unknown is never treated as blocking.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tree_sitter import Node, Query, QueryCursor

from ..languages import language
from .blocking_apis import PANDAS_READER_PREFIX

if TYPE_CHECKING:
    from .semantic import PythonModule

SCOPES = ("function_definition", "lambda", "class_definition")
# Bare patterns, their shapes checked in _assignments(): a pattern step with children
# costs ~0.3-0.6 ms to compile (tree-sitter's analysis), in every process.
_ASSIGNMENTS = """
(assignment) @assign
(with_item) @with
"""


@functools.cache
def _query(src: str) -> Query:
    return Query(language("python"), src)


def _assigns_a_name(assign: Node) -> bool:
    """`(assignment left: (identifier))`."""
    left = assign.child_by_field_name("left")
    return left is not None and left.type == "identifier"


def _with_as_a_name(item: Node) -> bool:
    """`(with_item value: (as_pattern alias: (as_pattern_target (identifier))))`."""
    value = item.child_by_field_name("value")
    target = value.child_by_field_name("alias") if value is not None and value.type == "as_pattern" else None
    return target is not None and target.type == "as_pattern_target" and any(
        c.type == "identifier" for c in target.named_children
    )


MAX_DEPTH = 12

# qualified callee -> class of the result
CONSTRUCTORS: dict[str, str] = {
    "redis.Redis": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
    "redis.client.Redis": "redis.Redis",
    "redis.client.StrictRedis": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.StrictRedis.from_url": "redis.Redis",
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_pool": "redis.Redis",
    "requests.Session": "requests.Session",
    "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "httpx.Client": "httpx.Client",
    "pathlib.Path": "pathlib.Path",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
    "pathlib.Path.cwd": "pathlib.Path",
    "pandas.DataFrame": "pandas.DataFrame",
    "pandas.concat": "pandas.DataFrame",
    "pandas.merge": "pandas.DataFrame",
    "sqlite3.connect": "sqlite3.Connection",
    "psycopg2.connect": "psycopg2.connection",
    "psycopg.connect": "psycopg2.connection",
    "psycopg.Connection.connect": "psycopg2.connection",
    "pymongo.MongoClient": "pymongo.MongoClient",
    "pymongo.mongo_client.MongoClient": "pymongo.MongoClient",
    "boto3.client": "boto3.client",
    "boto3.resource": "boto3.resource",
    "boto3.Session": "boto3.Session",
    "boto3.session.Session": "boto3.Session",
    "sqlalchemy.orm.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlmodel.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.session.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.create_engine": "sqlalchemy.Engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy.Engine",
    "sqlmodel.create_engine": "sqlalchemy.Engine",
    "socket.socket": "socket.socket",
    "socket.create_connection": "socket.socket",
}

# qualified annotation -> class
ANNOTATIONS: dict[str, str] = {
    "sqlalchemy.orm.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlmodel.Session": "sqlalchemy.orm.Session",
    "sqlmodel.orm.session.Session": "sqlalchemy.orm.Session",
    "redis.Redis": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
    "redis.client.Redis": "redis.Redis",
    "requests.Session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "httpx.Client": "httpx.Client",
    "pathlib.Path": "pathlib.Path",
    "pathlib.PosixPath": "pathlib.Path",
    "pandas.DataFrame": "pandas.DataFrame",
    "sqlite3.Connection": "sqlite3.Connection",
    "sqlite3.Cursor": "sqlite3.Cursor",
    "psycopg2.extensions.connection": "psycopg2.connection",
    "psycopg2.extensions.cursor": "psycopg2.cursor",
    "psycopg.Connection": "psycopg2.connection",
    "psycopg.Cursor": "psycopg2.cursor",
    "pymongo.MongoClient": "pymongo.MongoClient",
    "pymongo.database.Database": "pymongo.Database",
    "pymongo.collection.Collection": "pymongo.Collection",
    "socket.socket": "socket.socket",
    "sqlalchemy.Engine": "sqlalchemy.Engine",
    "sqlalchemy.engine.Engine": "sqlalchemy.Engine",
    "sqlalchemy.Connection": "sqlalchemy.Connection",
    "sqlalchemy.engine.Connection": "sqlalchemy.Connection",
}

# (class, method) -> class of the result of calling that method
METHOD_RESULTS: dict[tuple[str, str], str] = {
    ("sqlite3.Connection", "cursor"): "sqlite3.Cursor",
    ("sqlite3.Connection", "execute"): "sqlite3.Cursor",
    ("sqlite3.Cursor", "execute"): "sqlite3.Cursor",
    ("psycopg2.connection", "cursor"): "psycopg2.cursor",
    ("pymongo.MongoClient", "get_database"): "pymongo.Database",
    ("pymongo.MongoClient", "get_default_database"): "pymongo.Database",
    ("pymongo.Database", "get_collection"): "pymongo.Collection",
    ("redis.Redis", "pipeline"): "redis.Pipeline",
    ("boto3.Session", "client"): "boto3.client",
    ("boto3.Session", "resource"): "boto3.resource",
    ("boto3.resource", "Table"): "boto3.Table",
    ("boto3.resource", "Bucket"): "boto3.Bucket",
    ("boto3.resource", "Object"): "boto3.Object",
    ("boto3.Bucket", "Object"): "boto3.Object",
    ("sqlalchemy.Engine", "connect"): "sqlalchemy.Connection",
    ("sqlalchemy.Engine", "begin"): "sqlalchemy.Connection",
    ("sqlalchemy.orm.sessionmaker", "begin"): "sqlalchemy.orm.Session",
    ("pathlib.Path", "with_suffix"): "pathlib.Path",
    ("pathlib.Path", "with_name"): "pathlib.Path",
    ("pathlib.Path", "with_stem"): "pathlib.Path",
    ("pathlib.Path", "joinpath"): "pathlib.Path",
    ("pathlib.Path", "resolve"): "pathlib.Path",
    ("pathlib.Path", "absolute"): "pathlib.Path",
    ("pathlib.Path", "expanduser"): "pathlib.Path",
    ("pathlib.Path", "relative_to"): "pathlib.Path",
}

# (class, attribute) -> class of the attribute (attribute access, not a call)
ATTRIBUTE_RESULTS: dict[tuple[str, str], str] = {
    ("pathlib.Path", "parent"): "pathlib.Path",
}
SUBSCRIPT_OR_ATTR_RESULTS = {
    "pymongo.MongoClient": "pymongo.Database",
    "pymongo.Database": "pymongo.Collection",
}
# Calling an object of this class gives an object of that class.
CALL_RESULTS = {
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.Session",
}
ASYNC_MARKERS = ("AsyncSession", "async_sessionmaker", "async_scoped_session")


def _unwrap_annotation(node: Node | None) -> list[Node]:
    """The candidate class expressions of an annotation (Optional/Annotated/unions peeled)."""
    if node is None:
        return []
    if node.type == "type":
        inner = node.named_children
        return _unwrap_annotation(inner[0]) if inner else []
    if node.type == "binary_operator":  # X | None
        return _unwrap_annotation(node.child_by_field_name("left")) + _unwrap_annotation(node.child_by_field_name("right"))
    if node.type in ("generic_type", "subscript"):
        if node.type == "generic_type":
            head = node.named_children[0] if node.named_children else None
            params = next((c for c in node.named_children if c.type == "type_parameter"), None)
            args = [c for c in params.named_children] if params is not None else []
        else:
            head = node.child_by_field_name("value")
            args = node.children_by_field_name("subscript")
        head_text = head.text.decode().rsplit(".", 1)[-1] if head is not None else ""
        if head_text == "Annotated":
            return _unwrap_annotation(args[0]) if args else []
        if head_text in ("Optional", "Union"):
            out: list[Node] = []
            for a in args:
                out += _unwrap_annotation(a)
            return out
        if head_text in ("Generator", "Iterator", "Iterable", "ContextManager", "AbstractContextManager"):
            return _unwrap_annotation(args[0]) if args else []
        return []
    return [node]


class TypeInference:
    def __init__(self, py: PythonModule) -> None:
        self.py = py
        self.root = py.root
        self._all_assignments: dict[int, dict[str, list[tuple[int, Node, str]]]] | None = None
        self._assigned_names: set[str] = set()
        self._self_attrs: dict[int, dict[str, list[tuple[Node, str]]]] = {}
        self._functions: dict[str, Node] | None = None

    # --- public ----------------------------------------------------------------------
    def type_of(self, expr: Node | None, depth: int = 0) -> str | None:
        if expr is None or depth > MAX_DEPTH:
            return None
        t = expr.type
        if t == "parenthesized_expression":
            inner = expr.named_children
            return self.type_of(inner[0], depth + 1) if inner else None
        if t == "identifier":
            return self._type_of_name(expr, depth)
        if t == "call":
            return self._type_of_call(expr, depth)
        if t == "attribute":
            obj = expr.child_by_field_name("object")
            attr = expr.child_by_field_name("attribute")
            if obj is None or attr is None:
                return None
            name = attr.text.decode()
            if obj.type == "identifier" and obj.text == b"self":
                found = self._type_of_self_attr(expr, name, depth)
                if found is not None:
                    return found
            root = obj
            while root.type == "attribute":
                root = root.child_by_field_name("object")
            if root.type == "identifier" and root.text.decode() in self.py.imports:
                return None  # a module attribute (`settings.redis` of an imported module)
            base = self.type_of(obj, depth + 1)
            if base is None:
                return None
            if (base, name) in ATTRIBUTE_RESULTS:
                return ATTRIBUTE_RESULTS[(base, name)]
            if base in SUBSCRIPT_OR_ATTR_RESULTS and not name.startswith("_"):
                return SUBSCRIPT_OR_ATTR_RESULTS[base]
            return None
        if t == "subscript":
            base = self.type_of(expr.child_by_field_name("value"), depth + 1)
            return SUBSCRIPT_OR_ATTR_RESULTS.get(base) if base else None
        if t == "binary_operator":
            op = expr.child_by_field_name("operator")
            if op is not None and op.type == "/":
                left = self.type_of(expr.child_by_field_name("left"), depth + 1)
                if left == "pathlib.Path":
                    return left
            return None
        if t == "boolean_operator":  # `client or redis.Redis(...)`
            for side in ("left", "right"):
                found = self.type_of(expr.child_by_field_name(side), depth + 1)
                if found is not None:
                    return found
            return None
        if t == "conditional_expression":
            kids = expr.named_children
            if kids:
                return self.type_of(kids[0], depth + 1)
        return None

    def annotation_type(self, annotation: Node | None, depth: int = 0) -> str | None:
        for cand in _unwrap_annotation(annotation):
            if cand.type == "identifier" and depth < 3 and cand.text.decode() not in self.py.imports:
                # A type alias: `SessionDep = Annotated[Session, Depends(get_db)]`.
                assigned = self._assignments(None).get(cand.text.decode())
                if assigned:
                    _, value, _kind = assigned[-1]
                    found = self.annotation_type(value, depth + 1)
                    if found is not None:
                        return found
                continue
            if cand.type == "string":
                text = cand.text.decode().strip("'\"")
                head = text.split("[")[0].split("|")[0].strip()
                qn = self._qualify_dotted(head, cand)
            else:
                qn = self._import_qualified_name(cand, ANNOTATIONS)
            if qn in ANNOTATIONS:
                return ANNOTATIONS[qn]
        return None

    # --- calls -----------------------------------------------------------------------
    def _type_of_call(self, call: Node, depth: int) -> str | None:
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        qn = self._import_qualified_name(fn)
        if qn is not None:
            if qn in ("sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker",
                      "sqlalchemy.orm.scoped_session") and self._mentions_async(call):
                return None
            if qn in CONSTRUCTORS:
                return CONSTRUCTORS[qn]
            if qn.startswith(PANDAS_READER_PREFIX):
                return "pandas.DataFrame"
            return None
        if fn.type == "attribute":
            obj = fn.child_by_field_name("object")
            method = fn.child_by_field_name("attribute")
            base = self.type_of(obj, depth + 1)
            if base is not None and method is not None:
                return METHOD_RESULTS.get((base, method.text.decode()))
            return None
        if fn.type == "identifier":
            # A factory defined here: `def get_redis() -> redis.Redis`, or a sessionmaker instance.
            func = self._local_function(fn)
            if func is not None:
                return self._function_result(func, depth)
            base = self._type_of_name(fn, depth)
            if base in CALL_RESULTS:
                return CALL_RESULTS[base]
        return None

    def _import_qualified_name(self, fn: Node, known: dict[str, str] = CONSTRUCTORS) -> str | None:
        """`qualified_name` for a callee we know (a constructor), skipping the costly
        shadowing check for every other call."""
        root = fn
        while root is not None and root.type == "attribute":
            root = root.child_by_field_name("object")
        if root is None or root.type != "identifier":
            return None
        name = root.text.decode()
        base = self.py.imports.get(name)
        if base is None:
            return None
        guess = base + "".join(fn.text.decode()[len(name):].split())
        if guess not in known and not (known is CONSTRUCTORS and guess.startswith(PANDAS_READER_PREFIX)):
            return guess  # not a constructor: the exact answer does not matter
        return self.py.qualified_name(fn)

    def _mentions_async(self, call: Node) -> bool:
        args = call.child_by_field_name("arguments")
        text = args.text.decode() if args is not None else ""
        return any(m in text for m in ASYNC_MARKERS)

    def _local_function(self, ident: Node) -> Node | None:
        if self._functions is None:
            self._functions = {}
            for stmt in self.root.named_children:
                node = stmt
                if node.type == "decorated_definition":
                    node = node.child_by_field_name("definition")
                if node is not None and node.type == "function_definition":
                    name = node.child_by_field_name("name")
                    if name is not None:
                        self._functions[name.text.decode()] = node
        name = ident.text.decode()
        func = self._functions.get(name)
        if func is None:
            return None
        # The call must see the module-level function, not a local of the same name.
        scope = _scope_of(ident)
        while scope is not None:
            if scope.type != "class_definition" and self.py.binds(name, scope):
                return None
            scope = _scope_of(scope)
        return func

    def _function_result(self, func: Node, depth: int) -> str | None:
        """The class a module-level factory / dependency returns or yields."""
        ret = self.annotation_type(func.child_by_field_name("return_type"))
        if ret is not None:
            return ret
        body = func.child_by_field_name("body")
        if body is None:
            return None
        stack = list(body.named_children)
        while stack:
            n = stack.pop()
            if n.type in SCOPES:
                continue
            if n.type in ("return_statement", "yield"):
                value = n.named_children[0] if n.named_children else None
                if value is not None and value.type != "expression_list":
                    found = self.type_of(value, depth + 1)
                    if found is not None:
                        return found
            stack.extend(n.named_children)
        return None

    # --- names -----------------------------------------------------------------------
    def _type_of_name(self, ident: Node, depth: int) -> str | None:
        name = ident.text.decode()
        scope = _scope_of(ident)
        pos = ident.start_byte
        self._assignments(None)
        if name not in self._assigned_names and name != "self":
            # Never assigned in this file: only a parameter can tell its class.
            s = scope
            while s is not None and _parameter(s, name) is None:
                s = _scope_of(s)
            if s is None:
                return None
        while scope is not None:
            if scope.type == "class_definition":
                scope = _scope_of(scope)
                continue
            param = _parameter(scope, name)
            if param is not None:
                return self._type_of_parameter(param, depth)
            assigned = self._assignments(scope).get(name)
            if assigned:
                return self._pick(assigned, pos, depth)
            if self.py.binds(name, scope):
                return None  # bound here in a way we do not follow (loop variable, ...)
            scope = _scope_of(scope)
            pos = -1  # the outer assignment happened before the function ran: take the last one
        assigned = self._assignments(None).get(name)
        if assigned:
            return self._pick(assigned, pos, depth)
        return None

    def _pick(self, assigned: list[tuple[int, Node, str]], pos: int, depth: int) -> str | None:
        before = [a for a in assigned if pos < 0 or a[0] < pos]
        chosen = before[-1] if before else assigned[0]
        _at, node, kind = chosen
        if kind == "annotation":
            return self.annotation_type(node)
        return self.type_of(node, depth + 1)

    def _type_of_parameter(self, param: Node, depth: int) -> str | None:
        annotation = param.child_by_field_name("type")
        if annotation is not None:
            return self.annotation_type(annotation)
        default = param.child_by_field_name("value")
        if default is not None and default.type == "call":
            qn = self.py.qualified_name(default.child_by_field_name("function"))
            if qn in ("fastapi.Depends", "fastapi.params.Depends", "fastapi.Security"):
                args = default.child_by_field_name("arguments")
                dep = args.named_children[0] if args is not None and args.named_children else None
                if dep is not None and dep.type == "identifier":
                    func = self._local_function(dep)
                    if func is not None:
                        return self._function_result(func, depth + 1)
        return None

    def _assignments(self, scope: Node | None) -> dict[str, list[tuple[int, Node, str]]]:
        """name -> [(position, value or annotation node, kind)] bound directly in `scope`.

        Built for the whole file at once with one query (C speed), then grouped by the
        scope each binding executes in."""
        if self._all_assignments is None:
            self._all_assignments = {}
            caps = QueryCursor(_query(_ASSIGNMENTS)).captures(self.root)
            found: list[tuple[int, str, Node, str, Node]] = []
            for a in caps.get("assign", []):
                if not _assigns_a_name(a):
                    continue
                left, right, ann = a.child_by_field_name("left"), a.child_by_field_name("right"), a.child_by_field_name("type")
                name = left.text.decode()
                if ann is not None:
                    found.append((a.start_byte, name, ann, "annotation", a))
                elif right is not None:
                    value = right
                    while value.type == "assignment" and value.child_by_field_name("right") is not None:
                        value = value.child_by_field_name("right")  # a = b = value
                    found.append((a.start_byte, name, value, "value", a))
            for item in caps.get("with", []):
                if not _with_as_a_name(item):
                    continue
                value = item.child_by_field_name("value")
                target = value.child_by_field_name("alias")
                ctx_expr = value.named_children[0] if value is not None and value.named_children else None
                ident = target.named_children[0] if target is not None and target.named_children else None
                if ident is not None and ident.type == "identifier" and ctx_expr is not None:
                    found.append((item.start_byte, ident.text.decode(), ctx_expr, "value", item))
            found.sort(key=lambda f: f[0])
            self._assigned_names = {f[1] for f in found}
            for pos, name, node, kind, anchor in found:
                owner = _scope_of(anchor)
                key = owner.id if owner is not None else -1
                self._all_assignments.setdefault(key, {}).setdefault(name, []).append((pos, node, kind))
        return self._all_assignments.get(scope.id if scope is not None else -1, {})

    # --- self attributes -------------------------------------------------------------
    def _type_of_self_attr(self, expr: Node, name: str, depth: int) -> str | None:
        func = _scope_of(expr)
        while func is not None and func.type == "lambda":
            func = _scope_of(func)
        if func is None or func.type != "function_definition":
            return None
        params = _parameter_nodes(func)
        if not params or _param_name(params[0]) != "self":
            return None
        cls = _scope_of(func)
        if cls is None or cls.type != "class_definition":
            return None
        attrs = self._class_attrs(cls)
        found = attrs.get(name)
        if not found:
            return None
        # Prefer __init__ / class-level declarations; any consistent answer is fine.
        for node, kind in found:
            t = self.annotation_type(node) if kind == "annotation" else self.type_of(node, depth + 1)
            if t is not None:
                return t
        return None

    def _class_attrs(self, cls: Node) -> dict[str, list[tuple[Node, str]]]:
        cached = self._self_attrs.get(cls.id)
        if cached is not None:
            return cached
        out: dict[str, list[tuple[Node, str]]] = {}
        body = cls.child_by_field_name("body")
        methods: list[Node] = []
        for stmt in body.named_children if body is not None else []:
            node = stmt
            if node.type == "decorated_definition":
                node = node.child_by_field_name("definition")
            if node is None:
                continue
            if node.type == "function_definition":
                methods.append(node)
            elif node.type == "expression_statement" and node.named_children and node.named_children[0].type == "assignment":
                a = node.named_children[0]
                left, right, ann = a.child_by_field_name("left"), a.child_by_field_name("right"), a.child_by_field_name("type")
                if left is not None and left.type == "identifier":
                    if ann is not None:
                        out.setdefault(left.text.decode(), []).append((ann, "annotation"))
                    if right is not None:
                        out.setdefault(left.text.decode(), []).append((right, "value"))
        methods.sort(key=lambda m: 0 if m.child_by_field_name("name") is not None and m.child_by_field_name("name").text == b"__init__" else 1)
        for m in methods:
            params = _parameter_nodes(m)
            if not params:
                continue
            self_name = _param_name(params[0])
            body = m.child_by_field_name("body")
            stack = list(body.named_children) if body is not None else []
            while stack:
                n = stack.pop()
                if n.type in SCOPES:
                    continue
                if n.type == "assignment":
                    left, right, ann = n.child_by_field_name("left"), n.child_by_field_name("right"), n.child_by_field_name("type")
                    if left is not None and left.type == "attribute":
                        obj, attr = left.child_by_field_name("object"), left.child_by_field_name("attribute")
                        if obj is not None and obj.type == "identifier" and obj.text.decode() == self_name and attr is not None:
                            if ann is not None:
                                out.setdefault(attr.text.decode(), []).append((ann, "annotation"))
                            if right is not None:
                                out.setdefault(attr.text.decode(), []).append((right, "value"))
                stack.extend(n.named_children)
        self._self_attrs[cls.id] = out
        return out

    def _qualify_dotted(self, dotted: str, at: Node) -> str | None:
        head, _, rest = dotted.partition(".")
        if not head or self.py.is_bound_locally(head, at):
            return None
        base = self.py.imports.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base


def _scope_of(node: Node) -> Node | None:
    """The scope `node` executes in: parameter defaults, annotations and decorators of a
    def run in the scope around it."""
    child = node
    p = node.parent
    while p is not None:
        if p.type in SCOPES:
            body = p.child_by_field_name("body")
            if body is not None and child.id == body.id:
                return p
            if p.type == "lambda" and body is not None and child.id == body.id:
                return p
            # name, parameters, return type, superclasses: evaluated outside
        child = p
        p = p.parent
    return None


def _parameter_nodes(func: Node) -> list[Node]:
    params = func.child_by_field_name("parameters")
    return [p for p in params.named_children if p.type != "comment"] if params is not None else []


def _param_name(p: Node) -> str | None:
    if p.type == "identifier":
        return p.text.decode()
    name = p.child_by_field_name("name")
    if name is None:
        for c in p.named_children:
            if c.type == "identifier":
                return c.text.decode()
        return None
    return name.text.decode() if name.type == "identifier" else None


def _parameter(func: Node, name: str) -> Node | None:
    if func.type not in ("function_definition", "lambda"):
        return None
    for p in _parameter_nodes(func):
        if _param_name(p) == name:
            return p
    return None
