"""HTTP routes of the orders service."""

from flask import Blueprint, jsonify, request

from app.cache import cart
from app.checkout import checkout
from app.repository import recent_orders_with_customers

bp = Blueprint("orders", __name__)


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


@bp.route("/orders")
def list_orders():
    return jsonify(recent_orders_with_customers(int(request.args.get("limit", 50))))


@bp.route("/orders/<int:order_id>/checkout", methods=["POST"])
def place(order_id: int):
    current = cart(request.json["cart_id"])
    if current is None:
        return {"error": "cart not found"}, 404
    return jsonify(checkout(order_id, current, request.json["address"]))
