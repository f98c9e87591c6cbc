"""Benchmarks of a real `expense-tracker serve` process (embedded PostgreSQL and Valkey under a
temporary DATA_DIR), driven over HTTP from this process.

    python -m bench auth      login (argon2id included) and GET /users/me
    python -m bench expenses  balances, settle-up, expense lists and expense creation on a large ledger
    python -m bench chat-parser  the system chat parser's accuracy on the corpus and its time per message
    python -m bench chat-socket  many chat WebSockets on one serve process: message -> suggestion latency
    python -m bench statements  PDF statements: parser pages/s, end to end through the worker, and monopoly
    python -m bench analytics  the nightly analytics job and the analytics endpoints on 1,000,000 expenses
    python -m bench reports  a report of 100,000 expenses in CSV, XLSX and PDF, opened again

Each prints one line per measurement: requests, throughput, p50/p95/p99/max latency and errors.
"""

from __future__ import annotations

import argparse
import asyncio

from bench import analytics, auth, chat_parser, chat_socket, expenses, reports, statements


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="benchmark", required=True)

    auth_args = sub.add_parser("auth", help="login and GET /users/me")
    auth_args.add_argument("--clients", type=int, default=50, help="concurrent GET /users/me clients")
    auth_args.add_argument("--login-clients", type=int, default=4, help="concurrent login clients")
    auth_args.add_argument("--seconds", type=float, default=15, help="length of each measurement")
    auth_args.add_argument("--workers", type=int, default=1, help="API processes of the serve command")
    auth_args.add_argument(
        "--rates", type=float, nargs="*", default=[100, 200, 300], help="total rates of the open-loop runs"
    )

    expense_args = sub.add_parser("expenses", help="balances, settle-up, lists and creation on a large ledger")
    expense_args.add_argument("--group-expenses", type=int, default=100_000, help="expenses in the measured group")
    expense_args.add_argument("--total-expenses", type=int, default=1_000_000, help="expenses in the database")
    expense_args.add_argument("--members", type=int, default=20, help="members of the measured group")
    expense_args.add_argument("--clients", type=int, default=10, help="concurrent clients per measurement")
    expense_args.add_argument("--seconds", type=float, default=10, help="length of each measurement")
    expense_args.add_argument("--rate", type=float, default=50, help="total rate of the open-loop read runs")
    expense_args.add_argument("--workers", type=int, default=1, help="API processes of the serve command")
    expense_args.add_argument(
        "--measure", choices=("all", "reads", "create"), default="all", help="which measurements to run"
    )

    parser_args = sub.add_parser("chat-parser", help="the system chat parser's accuracy and speed")
    parser_args.add_argument("--repeat", type=int, default=20, help="timed passes over each corpus")
    parser_args.add_argument("--show-failures", action="store_true", help="list the messages parsed wrong")

    socket_args = sub.add_parser("chat-socket", help="message -> suggestion latency over many WebSockets")
    socket_args.add_argument("--sockets", type=int, default=200, help="open WebSockets")
    socket_args.add_argument("--users", type=int, default=50, help="users the sockets belong to (round robin)")
    socket_args.add_argument("--seconds", type=float, default=15, help="length of each measurement")
    socket_args.add_argument("--rates", type=float, nargs="*", default=[50, 100, 200], help="messages a second in all")

    statement_args = sub.add_parser("statements", help="PDF statement parsing and import throughput")
    statement_args.add_argument("--statements", type=int, default=6, help="generated statements")
    statement_args.add_argument("--days", type=int, default=365, help="days in each statement (about 12 pages/year)")
    statement_args.add_argument("--monopoly-python", help="a Python with monopoly-core installed, to compare with")

    analytics_args = sub.add_parser("analytics", help="the analytics jobs and endpoints on a large ledger")
    analytics_args.add_argument("--group-expenses", type=int, default=100_000, help="expenses in the group")
    analytics_args.add_argument("--total-expenses", type=int, default=1_000_000, help="expenses in the database")
    analytics_args.add_argument("--backfill-days", type=int, default=400, help="days computed before measuring")
    analytics_args.add_argument("--clients", type=int, default=4, help="concurrent clients per measurement")
    analytics_args.add_argument("--seconds", type=float, default=10, help="length of each measurement")

    report_args = sub.add_parser("reports", help="report generation in each format")
    report_args.add_argument("--expenses", type=int, default=100_000, help="expenses in the report")

    args = parser.parse_args()
    module = {
        "auth": auth,
        "expenses": expenses,
        "chat-parser": chat_parser,
        "chat-socket": chat_socket,
        "statements": statements,
        "analytics": analytics,
        "reports": reports,
    }[args.benchmark]
    asyncio.run(module.run(args))


if __name__ == "__main__":
    main()
