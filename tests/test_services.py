"""The service fixtures of tests/conftest.py give working servers (the machine's or throwaway ones)."""

from __future__ import annotations

import socket
import uuid


def _redis(host: str, port: int, *command: str) -> bytes:
    """Send one RESP command to Redis and return the raw reply."""
    payload = f"*{len(command)}\r\n" + "".join(f"${len(c.encode())}\r\n{c}\r\n" for c in command)
    with socket.create_connection((host, port), timeout=5) as conn:
        conn.sendall(payload.encode())
        return conn.recv(4096)


def test_redis_server_answers_and_keeps_a_value(redis_server) -> None:
    key = f"gkaudit-test-{uuid.uuid4().hex}"
    assert _redis(redis_server.host, redis_server.port, "PING") == b"+PONG\r\n"
    assert _redis(redis_server.host, redis_server.port, "SET", key, "年报", "EX", "60") == b"+OK\r\n"
    assert _redis(redis_server.host, redis_server.port, "GET", key) == "$6\r\n年报\r\n".encode()
    assert _redis(redis_server.host, redis_server.port, "DEL", key) == b":1\r\n"


def test_postgresql_server_gives_a_database_of_its_own(pg_server) -> None:
    with pg_server.connect() as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (pg_server.dbname,)
        assert conn.execute("SELECT 1 + 1").fetchone() == (2,)
    assert pg_server.dbname.startswith("gkaudit_test_")
