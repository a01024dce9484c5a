"""The notes store of ``notes_pg`` as a SQLAlchemy 2 ORM app, on the driver named by
``PG_DRIVER``: ``sqlalchemy-psycopg2``, ``sqlalchemy-psycopg`` (psycopg 3) or
``sqlalchemy-asyncpg`` (the async engine). The SDK instruments the drivers only: this proves
SQLAlchemy's dialects (connect-time checks, type-info look-ups, prepared statements) replay
through them. ``NOTES_VARIANT=extra-query`` also counts the notes sharing a title on a lookup.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

SCHEMES = {
    "sqlalchemy-psycopg2": "postgresql+psycopg2",
    "sqlalchemy-psycopg": "postgresql+psycopg",
    "sqlalchemy-asyncpg": "postgresql+asyncpg",
}


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 (SQLAlchemy's declaration)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String, unique=True)
    body: Mapped[str] = mapped_column(String)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def _row(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "title": note.title,
        "body": note.body,
        "score": note.score,
        "created": note.created,
    }


def _url(dsn: str, driver: str) -> str:
    return SCHEMES[driver] + dsn[dsn.index("://") :]


class SyncStore:
    """A sync engine (psycopg2 or psycopg 3) and one session per call."""

    def __init__(self, dsn: str, driver: str, variant: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(_url(dsn, driver), pool_size=2)
        self.variant = variant
        Base.metadata.create_all(self.engine)  # start-up, outside any exchange: not recorded

    async def start(self) -> None: ...

    async def create(self, title: str, body: str, score: Decimal) -> dict[str, Any] | None:
        with Session(self.engine, expire_on_commit=False) as session:
            note = Note(title=title, body=body, score=score)
            session.add(note)
            try:
                session.commit()
            except IntegrityError:
                return None
            return _row(note)

    async def get(self, note_id: int) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            note = session.get(Note, note_id)
            if note is not None and self.variant == "extra-query":
                session.scalar(select(func.count()).where(Note.title == note.title))
            return None if note is None else _row(note)

    async def search(self, min_score: Decimal) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            query = select(Note).where(Note.score >= min_score).order_by(Note.title)
            return [_row(n) for n in session.scalars(query)]

    async def bulk(self, rows: list[tuple[str, str, Decimal]]) -> int:
        with Session(self.engine) as session, session.begin():
            session.add_all([Note(title=t, body=b, score=s) for t, b, s in rows])
        return len(rows)

    async def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(Note)) or 0)


class AsyncStore:
    """The async engine (asyncpg) and one ``AsyncSession`` per call."""

    def __init__(self, dsn: str, driver: str, variant: str) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        self.engine = create_async_engine(_url(dsn, driver), pool_size=2)
        self.variant = variant

    async def start(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    def _session(self) -> Any:
        from sqlalchemy.ext.asyncio import AsyncSession

        return AsyncSession(self.engine, expire_on_commit=False)

    async def create(self, title: str, body: str, score: Decimal) -> dict[str, Any] | None:
        async with self._session() as session:
            note = Note(title=title, body=body, score=score)
            session.add(note)
            try:
                await session.commit()
            except IntegrityError:
                return None
            return _row(note)

    async def get(self, note_id: int) -> dict[str, Any] | None:
        async with self._session() as session:
            note = await session.get(Note, note_id)
            if note is not None and self.variant == "extra-query":
                await session.scalar(select(func.count()).where(Note.title == note.title))
            return None if note is None else _row(note)

    async def search(self, min_score: Decimal) -> list[dict[str, Any]]:
        async with self._session() as session:
            query = select(Note).where(Note.score >= min_score).order_by(Note.title)
            return [_row(n) for n in await session.scalars(query)]

    async def bulk(self, rows: list[tuple[str, str, Decimal]]) -> int:
        async with self._session() as session, session.begin():
            session.add_all([Note(title=t, body=b, score=s) for t, b, s in rows])
        return len(rows)

    async def count(self) -> int:
        async with self._session() as session:
            return int(await session.scalar(select(func.count()).select_from(Note)) or 0)


def make_store(dsn: str, driver: str, variant: str) -> SyncStore | AsyncStore:
    if driver == "sqlalchemy-asyncpg":
        return AsyncStore(dsn, driver, variant)
    return SyncStore(dsn, driver, variant)
