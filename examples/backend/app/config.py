"""Application settings."""

import os

SECRET_KEY = "changeme-super-secret"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///./shop.db")
token_type = "bearer"
