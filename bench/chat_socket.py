"""Chat sockets: many open WebSockets on one `serve` process, each sending messages at a human pace;
the time from sending a message to its suggestion arriving (the system parser, the message stored).

Open loop: the sockets together send `rate` messages a second, evenly spread, whether or not answers
have come back, so queueing shows up in the latencies instead of slowing the senders down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid

import websockets

from bench.harness import process_cpu_seconds, register_users, report, serving
from tests.chat_corpus import load_cases


class Socket:
    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []
        self.errors = 0

    async def read(self) -> None:
        async for raw in self.connection:
            event = json.loads(raw)
            if event["type"] == "suggestion" and (started := self.sent.pop(event.get("client_message_id"), None)):
                self.latencies.append(time.perf_counter() - started)
            elif event["type"] == "error":
                self.errors += 1

    async def send(self, content: str) -> None:
        client_id = uuid.uuid4().hex
        self.sent[client_id] = time.perf_counter()
        await self.connection.send(json.dumps({"type": "message", "content": content, "client_message_id": client_id}))


async def measure(sockets: list[Socket], rate: float, seconds: float, messages: list[str]) -> tuple[list[float], int]:
    for socket in sockets:
        socket.latencies.clear()
        socket.sent.clear()
    interval = len(sockets) / rate  # each socket's own pace

    async def sender(index: int, socket: Socket) -> None:
        await asyncio.sleep(interval * index / len(sockets))  # spread the sockets over one interval
        deadline = time.perf_counter() + seconds
        next_at = time.perf_counter()
        while next_at < deadline:
            await socket.send(random.choice(messages))
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    await asyncio.gather(*(sender(i, s) for i, s in enumerate(sockets)))
    await asyncio.sleep(1)  # let the last answers arrive
    latencies = [value for socket in sockets for value in socket.latencies]
    lost = sum(len(socket.sent) for socket in sockets)
    return latencies, lost + sum(socket.errors for socket in sockets)


async def run(args: argparse.Namespace) -> None:
    messages = [case.message for case in load_cases()]
    async with serving(1) as (port, _, process):
        readers: list[asyncio.Task[None]] = []
        try:
            users = await register_users(port, args.users)
            sockets = []
            for index in range(args.sockets):
                url = f"ws://127.0.0.1:{port}/api/v1/ws/chat?token={users[index % len(users)].token}"
                connection = await websockets.connect(url, max_queue=None)
                assert json.loads(await connection.recv())["type"] == "ready"
                sockets.append(Socket(connection))
            readers = [asyncio.create_task(socket.read()) for socket in sockets]
            print(f"serve (1 API process) on 127.0.0.1:{port}: {len(sockets)} sockets open for {len(users)} users")
            await measure(sockets, min(args.rates), 2, messages)  # warm up
            for rate in args.rates:
                cpu_before = process_cpu_seconds(process.pid)
                latencies, errors = await measure(sockets, rate, args.seconds, messages)
                cpu = process_cpu_seconds(process.pid) - cpu_before
                name = f"message -> suggestion, {len(sockets)} sockets sending {rate:g}/s in all"
                report(name, latencies, args.seconds, errors)
                print(f"  serve CPU {cpu / max(1, len(latencies)) * 1000:.2f} ms per message")
        finally:
            for reader in readers:
                reader.cancel()
