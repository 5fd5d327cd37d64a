"""Which Python calls block the event loop (RL201), as data.

Module-level functions are keyed by qualified name (what `PythonModule.qualified_name`
returns: `import requests as rq; rq.get` -> "requests.get"). Methods are keyed by the
class an object is inferred to be (see `python/types.py`). Each entry carries a
category, used for the message hint and to decide which fix fits.

Never listed (the catalog's must-not-flag cases): pure path functions (`os.path.*`),
cheap filesystem metadata calls (`exists`, `is_dir`, `stat`, `mkdir`, `makedirs`,
`remove`, `unlink`, `rename`), `Session.add`, and every async variant.
"""

from __future__ import annotations

# --- categories ------------------------------------------------------------------------
SLEEP = "sleep"
HTTP = "http"
FILE = "file"
PROCESS = "process"
INPUT = "input"
SOCKET = "socket"
SHUTIL = "shutil"
DIRECTORY = "directory"  # iterators over directory entries
PANDAS = "pandas"
DB = "database"
SESSION = "session"  # sync SQLAlchemy Session
CACHE = "cache"
CLOUD = "cloud"

HINTS = {
    SLEEP: "use `await asyncio.sleep(...)`",
    HTTP: "use `httpx.AsyncClient` or run it in `asyncio.to_thread`",
    FILE: "use `aiofiles` or run it in `asyncio.to_thread`",
    PROCESS: "use `asyncio.create_subprocess_exec` or run it in `asyncio.to_thread`",
    INPUT: "read input outside the event loop",
    SOCKET: "use `asyncio` streams or run it in `asyncio.to_thread`",
    SHUTIL: "run it in `asyncio.to_thread`",
    DIRECTORY: "run it in `asyncio.to_thread`",
    PANDAS: "run it in `asyncio.to_thread`",
    DB: "use an async driver or run it in `asyncio.to_thread`",
    SESSION: "use an `AsyncSession`, or make the route a plain `def` so FastAPI runs it in a thread",
    CACHE: "use `redis.asyncio` or run it in `asyncio.to_thread`",
    CLOUD: "use an async client (aioboto3, motor) or run it in `asyncio.to_thread`",
}

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

FUNCTIONS: dict[str, str] = {
    "time.sleep": SLEEP,
    "urllib.request.urlopen": HTTP,
    "urllib.request.urlretrieve": HTTP,
    "builtins.open": FILE,
    "io.open": FILE,
    "codecs.open": FILE,
    "builtins.input": INPUT,
    "os.system": PROCESS,
    "os.popen": PROCESS,
    "subprocess.run": PROCESS,
    "subprocess.call": PROCESS,
    "subprocess.check_call": PROCESS,
    "subprocess.check_output": PROCESS,
    "subprocess.Popen": PROCESS,
    "subprocess.getoutput": PROCESS,
    "subprocess.getstatusoutput": PROCESS,
    "socket.create_connection": SOCKET,
    "socket.getaddrinfo": SOCKET,
    "socket.gethostbyname": SOCKET,
    "socket.gethostbyname_ex": SOCKET,
    "socket.gethostbyaddr": SOCKET,
    "socket.getfqdn": SOCKET,
    "shutil.copy": SHUTIL,
    "shutil.copy2": SHUTIL,
    "shutil.copyfile": SHUTIL,
    "shutil.copyfileobj": SHUTIL,
    "shutil.copytree": SHUTIL,
    "shutil.rmtree": SHUTIL,
    "shutil.move": SHUTIL,
    "shutil.make_archive": SHUTIL,
    "shutil.unpack_archive": SHUTIL,
    "os.walk": DIRECTORY,
    "os.listdir": DIRECTORY,
    "os.scandir": DIRECTORY,
    "sqlite3.connect": DB,
    "psycopg2.connect": DB,
    "psycopg.connect": DB,
    "psycopg.Connection.connect": DB,
    **{f"requests.{verb}": HTTP for verb in _HTTP_VERBS},
    **{f"requests.api.{verb}": HTTP for verb in _HTTP_VERBS},
    **{f"httpx.{verb}": HTTP for verb in (*_HTTP_VERBS, "stream")},
}

# pandas readers: `pandas.read_<x>`; the in-memory ones are not I/O.
PANDAS_READER_PREFIX = "pandas.read_"
PANDAS_NOT_IO = frozenset({"pandas.read_clipboard"})  # blocking-ish but not file/network I/O

# Calls that return a lazy iterator: wrapping the call alone in to_thread would not move
# the blocking work off the loop, so the unsafe fix is not offered for them.
ITERATOR_FUNCTIONS = frozenset({"os.walk", "os.scandir", "subprocess.Popen", "os.popen"})

# --- sync client classes ----------------------------------------------------------------
ALL = "*"  # every method except the listed non-I/O ones

# class -> (category, blocking method names or ALL, non-I/O methods when ALL)
TYPE_METHODS: dict[str, tuple[str, frozenset[str] | str, frozenset[str]]] = {
    "requests.Session": (HTTP, frozenset((*_HTTP_VERBS, "send")), frozenset()),
    "httpx.Client": (HTTP, frozenset((*_HTTP_VERBS, "send", "stream")), frozenset()),
    "pathlib.Path": (FILE, frozenset({"read_text", "write_text", "read_bytes", "write_bytes", "open"}), frozenset()),
    "pandas.DataFrame": (
        PANDAS,
        frozenset({
            "to_csv", "to_excel", "to_json", "to_parquet", "to_sql", "to_pickle", "to_feather",
            "to_hdf", "to_stata", "to_orc", "to_html", "to_xml", "to_markdown", "to_latex", "to_gbq",
        }),
        frozenset(),
    ),
    "redis.Redis": (
        CACHE,
        ALL,
        frozenset({
            "pipeline", "pubsub", "lock", "register_script", "get_encoder", "get_connection_kwargs",
            "set_response_callback", "get_retry", "set_retry", "close", "monitor", "client",
            "from_url", "from_pool",
        }),
    ),
    "redis.Pipeline": (CACHE, frozenset({"execute", "watch", "unwatch", "reset"}), frozenset()),
    "sqlite3.Connection": (
        DB,
        frozenset({"execute", "executemany", "executescript", "commit", "rollback", "backup", "iterdump"}),
        frozenset(),
    ),
    "sqlite3.Cursor": (
        DB,
        frozenset({"execute", "executemany", "executescript", "fetchone", "fetchall", "fetchmany"}),
        frozenset(),
    ),
    "psycopg2.connection": (DB, frozenset({"commit", "rollback", "execute"}), frozenset()),
    "psycopg2.cursor": (
        DB,
        frozenset({"execute", "executemany", "fetchone", "fetchall", "fetchmany", "callproc", "copy_from",
                   "copy_to", "copy_expert", "scroll"}),
        frozenset(),
    ),
    "pymongo.MongoClient": (
        CLOUD,
        frozenset({"list_database_names", "list_databases", "server_info", "drop_database", "start_session"}),
        frozenset(),
    ),
    "pymongo.Database": (
        CLOUD,
        frozenset({"command", "list_collection_names", "list_collections", "create_collection",
                   "drop_collection", "validate_collection", "aggregate"}),
        frozenset(),
    ),
    "pymongo.Collection": (
        CLOUD,
        frozenset({
            "find", "find_one", "find_raw_batches", "insert_one", "insert_many", "update_one", "update_many",
            "replace_one", "delete_one", "delete_many", "aggregate", "aggregate_raw_batches", "count_documents",
            "estimated_document_count", "distinct", "find_one_and_update", "find_one_and_replace",
            "find_one_and_delete", "bulk_write", "create_index", "create_indexes", "drop_index", "drop_indexes",
            "drop", "index_information", "list_indexes", "rename", "watch", "options",
        }),
        frozenset(),
    ),
    "boto3.client": (
        CLOUD,
        ALL,
        frozenset({
            "generate_presigned_url", "generate_presigned_post", "get_paginator", "get_waiter", "can_paginate",
            "close",
        }),
    ),
    "boto3.Table": (
        CLOUD,
        frozenset({"get_item", "put_item", "update_item", "delete_item", "query", "scan", "load", "reload",
                   "delete", "wait_until_exists"}),
        frozenset(),
    ),
    "boto3.Bucket": (
        CLOUD,
        frozenset({"upload_file", "download_file", "upload_fileobj", "download_fileobj", "put_object",
                   "delete_objects", "load", "create", "delete", "copy"}),
        frozenset(),
    ),
    "boto3.Object": (
        CLOUD,
        frozenset({"get", "put", "delete", "load", "reload", "upload_file", "download_file", "upload_fileobj",
                   "download_fileobj", "copy_from", "copy"}),
        frozenset(),
    ),
    "sqlalchemy.orm.Session": (
        SESSION,
        # `exec` is SQLModel's `execute`.
        frozenset({"query", "execute", "exec", "scalar", "scalars", "get", "commit", "flush", "refresh", "merge"}),
        frozenset(),
    ),
    "sqlalchemy.Engine": (DB, frozenset({"connect", "begin", "execute", "dispose"}), frozenset()),
    "sqlalchemy.Connection": (DB, frozenset({"execute", "scalar", "scalars", "commit", "rollback", "exec_driver_sql"}), frozenset()),
    "socket.socket": (
        SOCKET,
        frozenset({"connect", "accept", "recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "send",
                   "sendall", "sendto", "sendmsg", "sendfile", "connect_ex"}),
        frozenset(),
    ),
}

# (class, method) whose result is lazy: offloading just the call moves no I/O off the loop.
LAZY_METHODS = frozenset({
    ("sqlalchemy.orm.Session", "query"),
    ("pymongo.Collection", "find"),
    ("pymongo.Collection", "aggregate"),
    ("pymongo.Collection", "watch"),
    ("pymongo.Collection", "find_raw_batches"),
})

# Pandas writers that return a string when given no target (`df.to_csv()`): only I/O with one.
PANDAS_OPTIONAL_TARGET = frozenset({"to_csv", "to_json", "to_html", "to_xml", "to_markdown", "to_latex", "to_string"})
PANDAS_TARGET_KEYWORDS = ("path_or_buf", "buf", "path", "excel_writer", "name")

# Calls that run a function given by reference in a worker thread.
OFFLOAD_LAST_NAMES = frozenset({"to_thread", "run_in_executor", "run_in_threadpool", "run_sync", "sync_to_async",
                                "submit", "defer_to_thread"})


def blocking_method(type_name: str, method: str) -> str | None:
    """The category when `method` of an object of `type_name` blocks, else None."""
    entry = TYPE_METHODS.get(type_name)
    if entry is None:
        return None
    category, methods, exceptions = entry
    if methods == ALL:
        if method in exceptions or method.startswith("_"):
            return None
        return category
    return category if method in methods else None


def method_names_for(types: set[str]) -> tuple[set[str], bool]:
    """(method names that may block for these types, whether some type blocks on any method)."""
    names: set[str] = set()
    any_method = False
    for t in types:
        entry = TYPE_METHODS.get(t)
        if entry is None:
            continue
        if entry[1] == ALL:
            any_method = True
        else:
            names |= entry[1]
    return names, any_method
