"""Seeded, in-memory data of the example shop.

Everything is deterministic: ids come from ``uuid5`` over a fixed namespace and timestamps from a
fixed clock, so a replay of a build against its own recording answers byte for byte the same, and
outbound calls (whose bodies carry the order id) match their recording.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal

NAMESPACE = uuid.UUID("6f1c2b7e-3a4d-5e6f-8a9b-0c1d2e3f4a5b")
EPOCH = datetime(2024, 3, 1, 9, 0, 0, tzinfo=timezone.utc)


def stable_uuid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def stable_time(step: int) -> str:
    """``EPOCH`` plus ``step`` minutes, ISO 8601 with a ``Z``."""
    return (EPOCH + timedelta(minutes=step)).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    description: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str


@dataclass
class OrderLine:
    product_id: int
    quantity: int
    unit_price: Decimal


@dataclass
class Order:
    id: str
    user_id: int
    status: str
    lines: list[OrderLine]
    created_at: str
    note: str | None = None
    payment_id: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0"))


PRODUCTS: dict[int, Product] = {
    p.id: p
    for p in [
        Product(
            1,
            "BK-1001",
            "The Pragmatic Programmer",
            "books",
            Decimal("39.90"),
            "Classic advice on the craft of software.",
            ("bestseller",),
        ),
        Product(
            2,
            "BK-1002",
            "Designing Data-Intensive Applications",
            "books",
            Decimal("45.00"),
            "Reliable, scalable and maintainable systems.",
            ("bestseller", "new"),
        ),
        Product(
            3,
            "BK-1003",
            "Release It!",
            "books",
            Decimal("32.50"),
            "Design and deploy production-ready software.",
        ),
        Product(
            4,
            "GD-2001",
            "Garden Hose 25m",
            "garden",
            Decimal("24.99"),
            "Kink-free hose with brass fittings.",
        ),
        Product(
            5,
            "GD-2002",
            "Pruning Shears",
            "garden",
            Decimal("18.75"),
            "Bypass shears for branches up to 20 mm.",
            ("new",),
        ),
        Product(
            6,
            "GD-2003",
            "Raised Bed Kit",
            "garden",
            Decimal("89.00"),
            "Untreated larch, 120 x 80 cm.",
        ),
        Product(
            7,
            "KT-3001",
            "Chef's Knife 20cm",
            "kitchen",
            Decimal("59.00"),
            "Forged stainless steel.",
            ("bestseller",),
        ),
        Product(
            8, "KT-3002", "Cast Iron Skillet", "kitchen", Decimal("42.00"), "Pre-seasoned, 26 cm."
        ),
        Product(
            9,
            "KT-3003",
            "Pour-over Coffee Set",
            "kitchen",
            Decimal("27.40"),
            "Ceramic dripper, glass carafe and filters.",
        ),
        Product(10, "KT-3004", "Spice Rack", "kitchen", Decimal("15.00"), "Bamboo, 12 jars."),
    ]
}

USERS: dict[int, User] = {
    u.id: u
    for u in [
        User(1, "Ada Lovelace", "ada@example.com"),
        User(2, "Grace Hopper", "grace@example.com"),
        User(3, "Alan Turing", "alan@example.com"),
    ]
}


@dataclass
class Store:
    """The mutable part: orders. Seeded the same way at every start."""

    orders: dict[str, Order] = field(default_factory=dict)
    created: int = 0

    @classmethod
    def seeded(cls) -> Store:
        store = cls()
        seed = [
            (1, "shipped", [(1, 1), (7, 1)], "gift wrap please"),
            (1, "delivered", [(9, 2)], None),
            (2, "pending", [(4, 1), (5, 2)], None),
            (2, "shipped", [(2, 1)], "leave at the door"),
        ]
        for n, (user_id, status, lines, note) in enumerate(seed):
            order_id = stable_uuid(f"seed-order-{n}")
            store.orders[order_id] = Order(
                id=order_id,
                user_id=user_id,
                status=status,
                lines=[OrderLine(pid, qty, PRODUCTS[pid].price) for pid, qty in lines],
                created_at=stable_time(n * 60),
                note=note,
                payment_id=stable_uuid(f"payment-{order_id}"),
            )
        return store

    def next_order_id(self) -> tuple[str, str]:
        """A new order's id and creation time, both derived from a counter."""
        self.created += 1
        return stable_uuid(f"order-{self.created}"), stable_time(24 * 60 + self.created)


def seeded_order_ids() -> list[str]:
    """The ids of the seeded orders, in seeding order (``examples/traffic.py`` uses them)."""
    return [stable_uuid(f"seed-order-{n}") for n in range(4)]
