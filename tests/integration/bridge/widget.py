"""Driving the chat widget in a real Chromium (Debian's, not Playwright's download)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import (
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Route,
    WebSocket,
    async_playwright,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
TIMEOUT_MS = 30_000

# Records the reply's text each time it changes, to tell a streamed reply from one
# that appeared whole. Runs in the page; the widget's shadow root is open.
WATCH_REPLIES = """() => {
  window.seenReplyTexts = [];
  const log = document.querySelector("mangaassist-chat").shadowRoot.querySelector(".log");
  new MutationObserver(() => {
    const texts = log.querySelectorAll(".msg.bot:not(.greeting) .text");
    if (texts.length) window.seenReplyTexts.push(texts[texts.length - 1].textContent);
  }).observe(log, { childList: true, subtree: true, characterData: true });
}"""


@dataclass
class WidgetPage:
    """A store page with the widget, and what the page received and complained about."""

    page: Page
    frames: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def session_id(self) -> str:
        return str(next(f["session_id"] for f in self.frames if f["type"] == "ready"))

    async def open_widget(self) -> None:
        await self.page.locator(".launcher").click()
        await self.page.locator('.status[data-state="online"]').wait_for()
        await self.page.evaluate(WATCH_REPLIES)

    async def ask(self, text: str) -> Locator:
        """Send ``text``; the bot's reply once its turn has ended (with its 👍/👎)."""
        replies = self.page.locator(".msg.bot:not(.greeting)")
        before = await replies.count()
        await self.page.locator("textarea").fill(text)
        await self.page.keyboard.press("Enter")
        reply = replies.nth(before)
        await reply.locator(".feedback").wait_for()
        return reply

    async def seen_reply_texts(self) -> list[str]:
        texts: list[str] = await self.page.evaluate("window.seenReplyTexts")
        return texts

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=path)
        return path

    def watch(self) -> None:
        self.page.on("websocket", self._on_socket)
        self.page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        self.page.on("console", self._on_console)
        self.page.on("dialog", self._on_dialog)

    def _on_socket(self, socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: self.frames.append(json.loads(payload)))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":  # CSP refusals and failed loads land here
            self.problems.append(f"console: {message.text}")

    async def _on_dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        await dialog.dismiss()


async def add_to_store_css(page: Page, css: str) -> None:
    """Append ``css`` to the demo store's own style sheet (the page's CSP forbids inline styles)."""

    async def extend(route: Route) -> None:
        response = await route.fetch()
        await route.fulfill(response=response, body=await response.text() + css)

    await page.route("**/static/store.css", extend)


@asynccontextmanager
async def widget_page(url: str, store_css: str = "") -> AsyncIterator[WidgetPage]:
    """``url`` in a fresh Chromium; JavaScript errors, CSP refusals and dialogs are recorded."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 800})
            page.set_default_timeout(TIMEOUT_MS)
            widget = WidgetPage(page)
            widget.watch()
            if store_css:
                await add_to_store_css(page, store_css)
            await page.goto(url)
            yield widget
        finally:
            await browser.close()
