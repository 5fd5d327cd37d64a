"""Audit of RL301 hardcoded-secret (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import (
    apply_fixes,
    assert_exempt_paths,
    assert_fixes_sound,
    cases,
    check,
    lines,
)

CODE = "RL301"
APP = "app/config.py"
BS = "from pydantic_settings import BaseSettings\n"

TABLE = [
    ("constant", APP, 'SECRET_KEY = "s3cr3t-value-9f8a"\n', [1]),
    ("placeholder-changeme", APP, 'SECRET_KEY = "changeme"\n', [1]),
    ("placeholder-angle", APP, 'API_KEY = "<your-key>"\n', [1]),
    ("placeholder-stars", APP, 'PASSWORD = "***"\n', [1]),
    ("attribute", APP, 'class C:\n    def __init__(self):\n        self.api_key = "abc123def"\n', [3]),
    ("keyword-arg", APP, 'import psycopg2\nconn = psycopg2.connect(host="db", password="hunter2")\n', [2]),
    ("dict-key", APP, 'CONFIG = {"client_secret": "abcd1234", "name": "x"}\n', [1]),
    ("settings-field", APP, BS + 'class Settings(BaseSettings):\n    jwt_secret: str = "dev"\n', [3]),
    ("settings-intermediate-base", APP, BS + 'class Base(BaseSettings):\n    debug: bool = False\nclass Settings(Base):\n    secret_key: str = "changeme"\n', [5]),
    ("settings-field-default", APP, BS + 'from pydantic import Field\nclass Settings(BaseSettings):\n    api_key: str = Field(default="abc123")\n', [4]),
    ("function-default", APP, 'def connect(password="admin123"):\n    pass\n', [1]),
    ("getenv-fallback", APP, 'import os\nSECRET_KEY = os.getenv("SECRET_KEY", "insecure-dev-key")\n', [2]),
    ("environ-get-fallback", APP, 'import os\nkey = os.environ.get("JWT_SECRET", "devsecret")\n', [2]),
    ("getenv-or-fallback", APP, 'import os\nDB_PASSWORD = os.getenv("DB_PASSWORD") or "postgres"\n', [2]),
    ("annotated-constant", APP, 'SECRET_KEY: str = "changeme"\n', [1]),
    ("fastapi-docs-secret", APP, 'SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"\nALGORITHM = "HS256"\n', [1]),
    ("config-subscript", APP, 'app.config["SECRET_KEY"] = "hunter2x"\n', [1]),
    ("pydantic-model-default", APP, 'from pydantic import BaseModel\nclass Login(BaseModel):\n    password: str = "admin"\n', [3]),
    ("settings-url-field", APP, BS + 'class S(BaseSettings):\n    database_url: str = "postgresql://user:pass@localhost/db"\n', [3]),
    ("starlette-config", APP, 'from starlette.config import Config\nconfig = Config(".env")\nSECRET_KEY = config("SECRET_KEY", default="changeme")\n', [3]),
    ("starlette-config-cast-secret", APP, 'from starlette.config import Config\nfrom starlette.datastructures import Secret\nconfig = Config(".env")\nDB = config("DB_THING", cast=Secret, default="xyz789")\n', [4]),
    ("secretstr", APP, 'from pydantic import SecretStr\nk = SecretStr("abc123xyz")\n', [2]),
    ("private-key-access-key", APP, 'PRIVATE_KEY = "abcdef"\nAWS_ACCESS_KEY = "abcdef"\n', [1, 2]),
    ("passwd-token", APP, 'passwd = "pw1"\ntoken = "a1b2c3d4e5f6"\n', [1, 2]),
    ("postgres-url", APP, 'DATABASE_URL = "postgresql://user:pass@host/db"\n', [1]),
    ("mongo-srv-url", APP, 'client_uri = "mongodb+srv://u:p@cluster0.example.net/app"\n', [1]),
    ("redis-url", APP, 'r = connect("redis://:p@localhost:6379/0")\n', [1]),
    ("aws-key-format", APP, 'x = "AKIAIOSFODNN7EXAMPLE"\n', [1]),
    ("openai-key-format", APP, 'client = OpenAI(key_value="sk-proj-abcdefghijklmnopqrstuvwx1234")\n', [1]),
    ("github-token-format", APP, 'h = {"X": "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}\n', [1]),
    ("slack-token-format", APP, 'hook = "xoxb-123456789012-abcdefghijkl"\n', [1]),
    ("pem", APP, 'K = """-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"""\n', [1]),
    # must not flag
    ("or-fallback-not-secret", APP, 'import os\nLOG_LEVEL = os.getenv("LOG_LEVEL") or "info"\n', []),
    ("enum-member", APP, 'from enum import Enum\nclass K(str, Enum):\n    TOKEN = "token_value"\n', []),
    ("message-and-label-constants", APP, 'PASSWORD_REQUIRED = "password_required"\nINVALID_TOKEN = "invalid_token"\nERR_INVALID_PASSWORD = "ERR_INVALID_PASSWORD"\nAUTH_TOKEN_KEY = "auth_token"\nWRONG_PASSWORD = "wrong-password"\n', []),
    ("config-names-not-values", APP, 'PASSWORD_HASH_ALGORITHM = "bcrypt"\nTOKEN_PREFIX = "Bearer"\nJWT_AUDIENCE = "my-api"\nsecret_arn = "arn:aws:secretsmanager:us-east-1:123:secret:x"\napi_key_env = "OPENAI_API_KEY"\n', []),
    ("empty", APP, 'SECRET_KEY = ""\n', []),
    ("token-type-bearer", APP, 'token_type = "bearer"\n', []),
    ("token-url", APP, 'token_url = "https://auth.example.com/token"\nsecret_path = "/run/secrets/key"\nsecret_file = "key.pem"\npassword_field = "password"\nsecret_name = "prod/db"\napi_key_header = "X-API-Key"\n', []),
    ("oauth-token-endpoint", APP, 'from fastapi.security import OAuth2PasswordBearer\noauth2 = OAuth2PasswordBearer(tokenUrl="token")\n', []),
    ("prose", APP, 'password_message = "Your password is too short"\nPASSWORD_HELP = "must be 8 chars long"\n', []),
    ("sql", APP, 'password_query = "SELECT password FROM users WHERE id = %s"\n', []),
    ("env-var-name", APP, 'import os\nAPI_KEY = os.environ["OPENAI_API_KEY"]\n', []),
    ("placeholder-url-braces", APP, 'DATABASE_URL = f"postgresql://{user}:{password}@{host}/db"\nTEMPLATE = "postgresql://user:{password}@host/db"\nT2 = "postgresql://user:${DB_PASSWORD}@host/db"\n', []),
    ("url-without-password", APP, 'DATABASE_URL = "postgresql://user@host/db"\nR = "redis://localhost:6379/0"\n', []),
    ("non-secret-name", APP, 'APP_NAME = "abc123def"\nmax_tokens = "4096"\n', []),
    ("settings-no-default", APP, BS + 'class Settings(BaseSettings):\n    secret_key: str\n', []),
    ("tests-exempt", "tests/conftest.py", 'SECRET_KEY = "test-secret"\n', []),
    ("scripts-exempt", "scripts/seed.py", 'PASSWORD = "admin"\n', []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl301(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_messages():
    (f,) = check('SECRET_KEY = "changeme"\n', CODE, APP)
    assert "SECRET_KEY" in f.message
    (u,) = check('DATABASE_URL = "postgresql://user:pass@host/db"\n', CODE, APP)
    assert "password" in u.message


def test_fix_constant_to_environ():
    out = apply_fixes('SECRET_KEY = "changeme"\n', CODE)
    assert 'SECRET_KEY = os.environ["SECRET_KEY"]' in out and "import os\n" in out


def test_fix_getenv_fallback():
    out = apply_fixes('import os\n\nSECRET_KEY = os.getenv("SECRET_KEY", "insecure")\n', CODE)
    assert 'SECRET_KEY = os.environ["SECRET_KEY"]' in out and out.count("import os") == 1


def test_fix_settings_field_becomes_required():
    out = apply_fixes(BS + '\n\nclass Settings(BaseSettings):\n    secret_key: str = "changeme"\n', CODE)
    assert "    secret_key: str\n" in out and "changeme" not in out


def test_fix_settings_field_through_intermediate_base():
    src = BS + '\n\nclass Base(BaseSettings):\n    debug: bool = False\n\n\nclass Settings(Base):\n    api_key: str = "abc"\n'
    out = apply_fixes(src, CODE)
    assert "    api_key: str\n" in out


def test_url_passed_positionally_has_no_fix():
    (f,) = check('r = connect("redis://:p@localhost:6379/0")\n', CODE, APP)
    assert f.fix is None


def test_fix_getenv_or_fallback():
    out = apply_fixes('import os\n\nDB_PASSWORD = os.getenv("DB_PASSWORD") or "postgres"\n', CODE)
    assert 'DB_PASSWORD = os.environ["DB_PASSWORD"]\n' in out


def test_default_exempt_paths():
    assert_exempt_paths('SECRET_KEY = "changeme"\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
