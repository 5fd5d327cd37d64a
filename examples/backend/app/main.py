import logging
import time

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .db import engine
from .routers import orders, users

logger = logging.getLogger(__name__)

app = FastAPI(title="Shop API")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

app.include_router(users.router, prefix="/api")
app.include_router(orders.router, prefix="/api")


@app.on_event("startup")
async def connect() -> None:
    print("starting up, database:", engine.url)
    engine.connect().close()


@app.on_event("shutdown")
def disconnect() -> None:
    engine.dispose()


@app.get("/api/health")
async def health():
    time.sleep(0.1)
    return {"status": "ok"}
