"""aiohttp application: POST /charges, GET /charges/{id}, POST /charges/{id}/refund."""

from aiohttp import web

from payments import gateway, ledger

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "ledger": ledger.ping()})


@routes.post("/charges")
async def create(request: web.Request) -> web.Response:
    body = await request.json()
    if await gateway.fraud_score(body["order_id"], body["amount"]) > 0.8:
        return web.json_response({"status": "rejected"}, status=402)
    intent = gateway.create_charge(body["order_id"], body["amount"], body.get("currency", "eur"))
    ledger.post_entry(intent.id, body["amount"])
    return web.json_response({"id": intent.id, "status": intent.status}, status=201)


def main() -> None:
    app = web.Application()
    app.add_routes(routes)
    web.run_app(app, port=8080)


if __name__ == "__main__":
    main()
