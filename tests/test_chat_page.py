"""The /chat page in headless Chromium: sign in, type a message, confirm the suggestion, see the expense.

Needs Debian's `chromium` and the `playwright` package (both installed by .ci/run); skipped without them.
"""

from __future__ import annotations

import asyncio
import shutil

import pytest
import uvicorn
from sqlalchemy import select

from app.models import Expense
from tests.factories import TEST_PASSWORD, make_account
from tests.test_cli import free_port
from tests.test_groups import friends

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


async def test_type_confirm_and_see_the_expense(app, session) -> None:
    me = await make_account(session)
    friend = await make_account(session, username=f"robin{me.id}")
    await friends(session, me, friend)
    port = free_port()
    # The app in this event loop, so its requests share the test's database session like the other tests.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):  # uvicorn offers no event for "listening"; poll its flag for up to 10 s
            if server.started:
                break
            await asyncio.sleep(0.05)
        async with playwright_api.async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = await browser.new_page()
            response = await page.goto(f"http://127.0.0.1:{port}/chat")
            assert response is not None and "default-src 'none'" in response.headers["content-security-policy"]
            await page.fill("#username", me.username)
            await page.fill("#password", TEST_PASSWORD)
            await page.click("#login button")
            await page.wait_for_selector("text=Connected.")
            await page.fill("#message", f"@{friend.username} $48 dinner at the noodle bar")
            await page.press("#message", "Enter")
            suggestion = page.locator(".suggestion")
            await suggestion.wait_for()
            assert "48.00 USD · dinner at the noodle bar" in await suggestion.inner_text()
            await page.click("button.confirm")
            added = page.locator("text=Added: dinner at the noodle bar, 48.00 USD")
            await added.wait_for()
            await browser.close()
    finally:
        server.should_exit = True
        await serving
    expense = await session.scalar(select(Expense).where(Expense.created_by_id == me.id))
    assert expense is not None and expense.source == "chat" and str(expense.amount) == "48.0000"
