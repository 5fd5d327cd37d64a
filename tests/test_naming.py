"""The shared credential-name matcher (catalog: "Name matching") and secret values."""

from __future__ import annotations

import pytest
from reviewlens.analyzers.naming import (
    credential_words,
    is_credential_name,
    is_secret_name,
    words,
)
from reviewlens.analyzers.secrets import (
    env_name,
    key_format,
    not_a_secret_value,
    url_password,
)


@pytest.mark.parametrize("name", [
    "token", "access_token", "accessToken", "refresh_tokens", "jwt", "JWT_TOKEN", "password",
    "DB_PASSWORD", "passwd", "db_pass", "pwd", "secret", "clientSecret", "api_key", "apiKey",
    "API-KEY", "apikey", "auth", "authorization", "Authorization", "auth_header", "cookie",
    "cookies", "credentials", "creds", "private_key", "privateKey", "session_id", "sessionId",
    "password2", "x-api-key", "access_tokens", "api_tokens",
])
def test_credential_names(name):
    assert is_credential_name(name), name


@pytest.mark.parametrize("name", [
    # the catalog's counting words
    "max_tokens", "token_count", "num_tokens", "tokens_used", "token_limit", "token_usage",
    "token_type", "password_policy",
    # not whole words, or not credentials
    "tokenizer", "passenger", "bypass", "compass", "authenticated", "author", "cookbook",
    "maxTokens", "tokenCount", "token_url", "tokenUrl", "PRIVATE_KEY_PATH", "auth_provider",
    "has_password", "is_token_valid", "TOKEN_ALGORITHM", "password_reset", "secretary",
    # model-token counts
    "tokens", "prompt_tokens", "completion_tokens", "module_tokens", "cache_read_tokens",
    "api_key_source", "api_key_err",
])
def test_not_credential_names(name):
    assert not is_credential_name(name), name


def test_words_split_at_separators_case_and_digits():
    assert words("apiKey") == ("api", "key")
    assert words("DB_PASSWORD2") == ("db", "password", "2")
    assert words("x-api-key") == ("x", "api", "key")
    assert words("HTTPAuthHeader") == ("http", "auth", "header")


def test_credential_words_and_plurals():
    assert credential_words("api_key") == ("api_key",)
    assert "cookie" in credential_words("cookies")
    assert "credential" in credential_words("credentials")
    assert credential_words("secret_key") == ("secret_key", "secret")


@pytest.mark.parametrize("name,expected", [
    ("SECRET_KEY", True), ("jwt_secret", True), ("client_secret", True), ("ACCESS_KEY", True),
    ("db_password", True), ("OPENAI_API_KEY", True), ("access_token", True), ("apikey", True),
    ("auth_provider", False), ("cookie_domain", False), ("API_KEY_HEADER", False), ("token_type", False),
    ("token_url", False), ("password_file", False), ("secret_name", False), ("token_field", False),
    ("auth", False), ("session_id", False), ("token_key", False),
])
def test_secret_names(name, expected):
    assert is_secret_name(name) is expected


@pytest.mark.parametrize("value", [
    "changeme", "<your-key>", "***", "super-secret-key", "hunter2", "dev", "dev-secret",
    "my-secret-password", "sign-me", "tok_live_123", "admin",
])
def test_placeholders_are_secrets(value):
    assert not_a_secret_value(value) is None


@pytest.mark.parametrize("value", [
    "", "   ", "Could not validate credentials", "SELECT * FROM users", "bearer", "Bearer", "HS256",
    "/api/v1/auth/token", "https://auth.example.com/token", "access_token", "x-api-key", "X-API-Key",
    "{password}", "${DB_PASSWORD}", "OPENAI_API_KEY", "rag.openai.api_key", "client_secret",
    "ui-token", "on_behalf_of", "countTokens", "dummy", "null", "__auth_check__", "8192",
    "urn:ietf:params:oauth:token-type:id_token", "tok_visa", "[A-Za-z0-9._-]{8,512}", "ollama",
])
def test_values_that_are_not_secrets(value):
    assert not_a_secret_value(value) is not None


@pytest.mark.parametrize("value,password", [
    ("postgresql://user:pass@host/db", "pass"),
    ("mongodb+srv://u:p@cluster0.example.net/db", "p"),
    ("redis://:s3cret@cache:6379/0", "s3cret"),
    ("postgresql://user:{password}@host/db", None),
    ("postgresql://user:${DB_PASSWORD}@host/db", None),
    ("redis://localhost:6379/0", None),
    ("see postgresql://user:pass@host/db for details", None),
])
def test_url_password(value, password):
    assert url_password(value) == password


@pytest.mark.parametrize("value,found", [
    ("AKIAIOSFODNN7EXAMPLE", True), ("sk-proj-Abcdefghijklmnopqrstuvwxyz012345", True),
    ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", True), ("xoxb-123456789012-123456789012-abcdef", True),
    ("-----BEGIN RSA PRIVATE KEY-----", True), ("-----BEGIN PRIVATE KEY-----", True),
    ("sk-learn", False), ("AKIA", False), ("-----BEGIN PUBLIC KEY-----", False), ("ghp_short", False),
])
def test_key_formats(value, found):
    assert (key_format(value) is not None) is found


def test_env_name():
    assert env_name("apiKey") == "API_KEY"
    assert env_name("self.db_password") == "DB_PASSWORD"


def test_numbers_are_secrets_only_for_passwords():
    assert not_a_secret_value("123456", "DB_PASSWORD") is None
    assert not_a_secret_value("8192", "CONTEXT_TOKENS") is not None
