"""The bot's HTTP port answers each request without waiting for the client's delayed ACK.

Slack retries a request it has no answer to within 3 seconds, and every acknowledgement waits
for this socket: an answer held back by Nagle's algorithm arrives ~40 ms late (the client
delays its ACK of the headers, the server waits for that ACK before sending the body)."""

from __future__ import annotations

import asyncio
import socket

from adapters.web.server import bind


async def test_connections_accepted_on_the_bots_port_send_without_delay() -> None:
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Record(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            if not seen.done():
                seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Record, sock=sock)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(seen, 5) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
