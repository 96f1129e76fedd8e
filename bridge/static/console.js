// The agent console (bridge/console.py): the hand-off queue, a chat's context, replies.
// The console token and the agent's name stay in this tab's sessionStorage and go to the
// API as "Authorization: Bearer". Text from the network is only written as text.
"use strict";

(() => {
  const POLL_MS = 3000;
  const KEY = "mangaassist:console";
  const REASONS = {
    shopper_request: "asked for a person / 担当者希望",
    guardrail_blocks: "replies blocked / ブロックが続いた",
    negative_sentiment: "unhappy shopper / 強い不満",
    repeated_failure: "assistant could not answer / 回答できず",
  };
  const state = { token: null, agent: null, selected: null, timer: 0 };
  const $ = (id) => document.getElementById(id);

  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (/^(data-|aria-|role$)/.test(key)) node.setAttribute(key, value);
      else node[key] = value;
    }
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }

  function load() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
      if (saved && saved.token && saved.agent) Object.assign(state, saved);
    } catch {
      // storage blocked or garbled: sign in again
    }
  }

  function save() {
    try {
      if (state.token) sessionStorage.setItem(KEY, JSON.stringify({ token: state.token,
        agent: state.agent }));
      else sessionStorage.removeItem(KEY);
    } catch {
      // storage blocked: the session lasts as long as the page
    }
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path, body) {
    const init = { headers: { Authorization: `Bearer ${state.token}` } };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ agent: state.agent, ...body });
    }
    const response = await fetch(`/handoff/api${path}`, init);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = data.error || {};
      if (response.status === 401) signOut(error.message || "unauthorized");
      throw new ApiError(response.status, error.code || "error", error.message || response.statusText);
    }
    return data;
  }

  // ---- signing in ----

  function showDesk() {
    const signedIn = Boolean(state.token);
    $("sign-in").hidden = signedIn;
    $("desk").hidden = !signedIn;
    $("sign-out").hidden = !signedIn;
    $("who").textContent = signedIn ? state.agent : "";
    clearInterval(state.timer);
    if (signedIn) {
      refresh();
      state.timer = setInterval(refresh, POLL_MS);
    }
  }

  async function signIn(event) {
    event.preventDefault();
    const form = event.target;
    state.token = form.token.value.trim();
    state.agent = form.agent.value.trim();
    $("sign-in-error").textContent = "";
    try {
      await api("/tickets");
    } catch (error) {
      $("sign-in-error").textContent = error.status === 401 ? "Wrong token / トークンが違います"
        : error.message;
      state.token = null;
      return;
    }
    form.token.value = "";
    save();
    showDesk();
  }

  function signOut(reason) {
    state.token = null;
    state.selected = null;
    save();
    showDesk();
    if (typeof reason === "string") $("sign-in-error").textContent = reason;
  }

  // ---- the queue ----

  async function refresh() {
    try {
      const data = await api("/tickets");
      renderQueue(data);
      $("queue-error").textContent = "";
      if (state.selected) await refreshTicket();
    } catch (error) {
      $("queue-error").textContent = error.message;
    }
  }

  function waitText(seconds) {
    if (seconds === null || seconds === undefined) return "";
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    return `~${minutes} min`;
  }

  function ticketItem(ticket) {
    const e = ticket.escalation;
    const meta = [
      ticket.position ? `#${ticket.position} · ${waitText(ticket.wait_s)}` : ticket.agent,
      REASONS[e.reason] || e.reason,
      e.locale,
      e.user_id ? `user ${e.user_id}` : "guest",
    ].filter(Boolean).join(" · ");
    const item = h("li", { className: "ticket", "data-ticket-id": ticket.ticket_id,
      "data-status": ticket.status },
      h("div", { className: "meta" }, meta),
      h("div", { className: "summary" }, e.summary));
    if (ticket.ticket_id === state.selected) item.classList.add("selected");
    item.addEventListener("click", () => select(ticket.ticket_id));
    if (ticket.status === "waiting") {
      const claim = h("button", { type: "button", className: "claim" }, "Claim / 担当する");
      claim.addEventListener("click", (event) => {
        event.stopPropagation();
        claimTicket(ticket.ticket_id);
      });
      item.append(claim);
    }
    return item;
  }

  function renderQueue(data) {
    $("waiting-count").textContent = String(data.waiting.length);
    $("waiting").replaceChildren(...data.waiting.map(ticketItem));
    $("claimed").replaceChildren(...data.claimed.map(ticketItem));
  }

  // ---- one chat ----

  function select(ticketId) {
    state.selected = ticketId;
    $("chat-error").textContent = "";
    refreshTicket();
    for (const item of document.querySelectorAll(".ticket")) {
      item.classList.toggle("selected", item.dataset.ticketId === ticketId);
    }
  }

  async function refreshTicket() {
    const ticketId = state.selected;
    if (!ticketId) return;
    try {
      const data = await api(`/tickets/${encodeURIComponent(ticketId)}`);
      if (state.selected === ticketId) renderTicket(data);
    } catch (error) {
      $("chat-error").textContent = error.message;
    }
  }

  function renderTicket(data) {
    const { ticket } = data;
    const e = ticket.escalation;
    $("chat").hidden = false;
    $("chat").dataset.ticketId = ticket.ticket_id;
    $("chat").dataset.status = ticket.status;
    $("chat-title").textContent = `${REASONS[e.reason] || e.reason} — ${ticket.status}` +
      (ticket.agent ? ` (${ticket.agent})` : "");
    const facts = [
      ["Session", ticket.session_id],
      ["User / ユーザー", e.user_id || "guest / ゲスト"],
      ["Locale", e.locale],
      ["Message / 発言", e.summary],
      ["Intents / 意図", e.intents.join(" → ")],
      ["Products / 商品", e.product_ids.join(", ") || "—"],
      ["Orders / 注文", e.order_ids.join(", ") || "—"],
      ["Sentiment / 感情", String(e.sentiment)],
      ["Escalated / 時刻", e.escalated_at],
    ];
    $("context").replaceChildren(...facts.flatMap(([term, value]) => [h("dt", {}, term),
      h("dd", {}, value)]));
    $("conversation").textContent = e.conversation || e.summary;
    $("memory-state").textContent = data.memory === "ok" ? "" : `(memory: ${data.memory})`;
    const lines = [];
    for (const turn of data.turns) {
      lines.push({ at: turn.at, kind: "shopper", text: turn.user_text });
      const shown = turn.shown.map((item) => `${item.title} (${item.id})`).join(", ");
      lines.push({ at: turn.at, kind: "assistant",
        text: `[${turn.intent}] ${turn.reply_text}${shown ? `\n→ ${shown}` : ""}` });
    }
    for (const reply of data.replies) {
      lines.push({ at: reply.at, kind: "agent", text: `${reply.agent}: ${reply.text}` });
    }
    lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    $("turns").replaceChildren(...lines.map((line) => h("li", { className: line.kind },
      line.text)));
    const mine = ticket.status === "claimed" && ticket.agent === state.agent;
    $("claim-ticket").hidden = ticket.status !== "waiting";
    $("send-reply").disabled = !mine;
    $("close-ticket").disabled = ticket.status === "closed" || (ticket.status === "claimed" && !mine);
  }

  async function claimTicket(ticketId) {
    try {
      await api(`/tickets/${encodeURIComponent(ticketId)}/claim`, {});
      state.selected = ticketId;
      await refresh();
    } catch (error) {
      $("queue-error").textContent = error.message;
    }
  }

  async function sendReply(event) {
    event.preventDefault();
    const form = event.target;
    const text = form.text.value.trim();
    if (!text || !state.selected) return;
    const button = $("send-reply");
    button.disabled = true;
    try {
      await api(`/tickets/${encodeURIComponent(state.selected)}/reply`, { text });
      form.text.value = "";
      $("chat-error").textContent = "";
      await refreshTicket();
    } catch (error) {
      $("chat-error").textContent = error.message;
      button.disabled = false;
    }
  }

  async function closeTicket() {
    if (!state.selected) return;
    try {
      await api(`/tickets/${encodeURIComponent(state.selected)}/close`, {});
      await refresh();
    } catch (error) {
      $("chat-error").textContent = error.message;
    }
  }

  function main() {
    load();
    $("sign-in").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", () => signOut());
    $("reply").addEventListener("submit", sendReply);
    $("claim-ticket").addEventListener("click", () => state.selected && claimTicket(state.selected));
    $("close-ticket").addEventListener("click", closeTicket);
    $("reply").text.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter breaks the line; not while an IME is composing.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        $("reply").requestSubmit();
      }
    });
    showDesk();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
