"""Launcher: fastapi-users (a third-party users service from PyPI) behind the driftdiff SDK.

fastapi-users serves ``/users/me`` and its users router behind JWT bearer authentication
(PyJWT: signature, ``exp`` and ``aud`` checked), on a SQLite database (SQLAlchemy, aiosqlite).
This file only wires it as its documentation does: a user table, a user manager, a JWT
backend, the routers. Starlette's ``GZipMiddleware`` compresses answers *inside* the SDK's
middleware, so the SDK sees gzip bytes. One route of our own, ``/session``, reads the token's
claims and the clock the way services do ("expires in N minutes", today's date).

Environment: ``USERS_DB`` (SQLite file, created and seeded with one user at start-up),
``USERS_VARIANT`` (``v2-field-removed``: ``/users/me`` no longer returns ``is_verified``;
``v2-type-changed``: ``/session`` returns ``expires_in_minutes`` as a string).
Run: ``python -m uvicorn tests.e2e.apps.users_jwt:app --port N``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, BearerTransport, JWTStrategy
from fastapi_users.db import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from fastapi_users.jwt import decode_jwt
from fastapi_users.password import PasswordHelper
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from starlette.middleware.gzip import GZipMiddleware

#: The signing secret. Tests mint tokens with it (as an identity provider would).
SECRET = "users-jwt-e2e-signing-secret-0123456789"
AUDIENCE = ["fastapi-users:auth"]
USER_ID = uuid.UUID("5f0c6a8e-4b8e-4f61-9a52-1d1f8f0b7c11")
USER_EMAIL = "ada@example.com"
VARIANT = os.environ.get("USERS_VARIANT", "")


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserReadV2(schemas.BaseUser[uuid.UUID]):
    is_verified: bool = Field(default=False, exclude=True)  # the v2 change: no longer returned


class UserUpdate(schemas.BaseUserUpdate):
    pass


engine = create_async_engine(f"sqlite+aiosqlite:///{os.environ.get('USERS_DB', 'users.db')}")
sessions = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


async def get_user_db(session: AsyncSession = Depends(get_session)) -> AsyncIterator[Any]:
    yield SQLAlchemyUserDatabase(session, User)


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def get_user_manager(user_db: Any = Depends(get_user_db)) -> AsyncIterator[UserManager]:
    yield UserManager(user_db)


bearer = BearerTransport(tokenUrl="auth/jwt/login")


def get_jwt_strategy() -> JWTStrategy[User, uuid.UUID]:
    return JWTStrategy(secret=SECRET, lifetime_seconds=3600)


backend = AuthenticationBackend(name="jwt", transport=bearer, get_strategy=get_jwt_strategy)
users = FastAPIUsers[User, uuid.UUID](get_user_manager, [backend])
current_user = users.current_user(active=True)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    async with sessions() as session:
        session.add(
            User(
                id=USER_ID,
                email=USER_EMAIL,
                hashed_password=PasswordHelper().hash("correct horse battery staple"),
                is_active=True,
                is_verified=True,
            )
        )
        await session.commit()
    yield
    await engine.dispose()


api = FastAPI(lifespan=lifespan)
api.include_router(users.get_auth_router(backend), prefix="/auth/jwt")
read_schema = UserReadV2 if VARIANT == "v2-field-removed" else UserRead
api.include_router(users.get_users_router(read_schema, UserUpdate), prefix="/users")


@api.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.get("/session")
async def session_info(
    user: User = Depends(current_user), token: str = Depends(bearer.scheme)
) -> dict[str, Any]:
    claims = decode_jwt(token, SECRET, AUDIENCE)
    minutes = (int(claims["exp"]) - int(time.time())) // 60
    return {
        "user_id": str(user.id),
        "email": user.email,
        "expires_in_minutes": str(minutes) if VARIANT == "v2-type-changed" else minutes,
        "day": dt.date.today().isoformat(),
        "checked_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M"),
    }


api.add_middleware(GZipMiddleware, minimum_size=10)
app = DriftDiffMiddleware(api, service="users-jwt")
