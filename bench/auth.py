"""python -m bench auth: login (argon2 included) and GET /users/me against one serve process."""

from __future__ import annotations

import argparse

from bench.harness import PASSWORD, closed_loop, open_loop, register_users, report, serving


async def run(args: argparse.Namespace) -> None:
    async with serving(args.workers) as (port, _, _):
        users = await register_users(port, args.clients)
        print(f"serve with {args.workers} API process(es) on 127.0.0.1:{port}; {len(users)} users registered")

        def login(index: int):  # type: ignore[no-untyped-def]
            body = {"login": users[index % len(users)].username, "password": PASSWORD}
            return "POST", "/api/v1/auth/login", body, None, 200

        latencies, errors, elapsed = await closed_loop(port, args.login_clients, args.seconds, login)
        report(f"login, {args.login_clients} clients", latencies, elapsed, errors)

        def me(index: int):  # type: ignore[no-untyped-def]
            return "GET", "/api/v1/users/me", None, users[index].headers, 200

        await closed_loop(port, args.clients, 2, me)  # warm up pools and caches
        latencies, errors, elapsed = await closed_loop(port, args.clients, args.seconds, me)
        report(f"GET /users/me, {args.clients} clients back to back (saturation)", latencies, elapsed, errors)
        for rate in args.rates:
            latencies, errors, elapsed = await open_loop(port, args.clients, rate, args.seconds, me)
            name = f"GET /users/me, {args.clients} clients sending {rate:g}/s in all"
            report(name, latencies, elapsed, errors)
