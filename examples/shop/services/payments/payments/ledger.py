"""Writes double-entry records to the legacy ledger over its line protocol (TCP)."""

import socket

from payments import settings


def post_entry(charge_id: str, amount_cents: int) -> None:
    line = f"POST {charge_id} {amount_cents}\n".encode()
    with socket.create_connection((settings.LEDGER_HOST, settings.LEDGER_PORT)) as sock:
        sock.sendall(line)
        if sock.recv(3) != b"OK\n":
            raise RuntimeError("ledger rejected entry")


def ping() -> bool:
    # Look-alike: health probe with a three-second timeout.
    try:
        with socket.create_connection((settings.LEDGER_HOST, settings.LEDGER_PORT), timeout=3) as sock:
            sock.sendall(b"PING\n")
            return sock.recv(5) == b"PONG\n"
    except OSError:
        return False
