"""Queries behind the order pages and the nightly report."""

from sqlalchemy.orm import selectinload

from app.db import Order, Session, reporting_connection


def recent_orders_with_customers(limit: int = 50) -> list[dict]:
    session = Session()
    orders = session.query(Order).order_by(Order.id.desc()).limit(limit).all()
    result = []
    for order in orders:
        # N+1: each access to order.customer lazy-loads one row (50 orders -> 51 queries).
        result.append({"id": order.id, "customer": order.customer.email, "total": str(order.total)})
    return result


def recent_orders_eager(limit: int = 50) -> list[dict]:
    """Look-alike: the customer relationship is loaded up front in one extra query."""
    session = Session()
    orders = (session.query(Order).options(selectinload(Order.customer))
              .order_by(Order.id.desc()).limit(limit).all())
    return [{"id": o.id, "customer": o.customer.email, "total": str(o.total)} for o in orders]


def daily_line_counts(order_ids: list[int]) -> dict[int, int]:
    conn = reporting_connection()
    counts: dict[int, int] = {}
    with conn.cursor() as cur:
        for order_id in order_ids:
            # N+1: one round trip per order instead of one GROUP BY over ANY(%s).
            cur.execute("SELECT count(*) FROM order_lines WHERE order_id = %s", (order_id,))
            counts[order_id] = cur.fetchone()[0]
    return counts
