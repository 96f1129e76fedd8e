// MangaAssist chat widget. One tag on any store page mounts it:
//   <script src="https://BRIDGE/static/widget.js" data-mangaassist async></script>
// It lives in a Shadow DOM (the page's CSS cannot reach it) and talks to the bridge that
// served this script (docs/protocol.md). Text from the network or the shopper is only ever
// written as text (textContent, Text nodes), never parsed as HTML.
"use strict";

(() => {
  // currentScript is only set while this script first runs, so read it now.
  const script = document.currentScript || document.querySelector("script[data-mangaassist]");
  const ORIGIN = new URL(script.src, location.href).origin;
  const TOKEN_KEY = `mangaassist:token:${ORIGIN}`;
  const OPEN_KEY = `mangaassist:open:${ORIGIN}`;
  const ASIN = /^B0[A-Z0-9]{8}$/;
  const MAX_CARDS = 20;
  const BACKOFF_MAX_MS = 15000;

  const STRINGS = {
    ja: {
      title: "MangaAssist",
      launcher: "チャットで質問",
      close: "閉じる",
      greeting:
        "こんにちは！MangaAssistです。作品探し、在庫、送料やご注文について、お気軽にご質問ください。",
      placeholder: "メッセージを入力…",
      send: "送信",
      typing: "入力中…",
      status: {
        connecting: "接続中…",
        online: "オンライン",
        reconnecting: "再接続中…",
        offline: "オフライン（入力すると再接続します）",
      },
      escalation: "担当者におつなぎしています",
      agent: "担当者",
      feedback: { ask: "この回答は役に立ちましたか？", up: "役に立った", down: "役に立たなかった",
        thanks: "ご意見ありがとうございます" },
      formats: { paperback: "単行本", kindle: "Kindle版", special_edition: "特装版",
        box_set: "BOXセット" },
      availability: { in_stock: "在庫あり", low_stock: "残りわずか", out_of_stock: "在庫切れ",
        preorder: "予約受付中" },
      errors: {
        rate_limited: "送信が続いたため、少しお待ちください（あと{s}秒）。",
        timeout: "応答に時間がかかっています。もう一度お試しください。",
        unavailable: "ただいま混み合っています。しばらくしてからもう一度お送りください。",
        text_too_long: "メッセージが長すぎます。短くしてお送りください。",
        frame_too_large: "メッセージが大きすぎます。短くしてお送りください。",
        empty_text: "メッセージを入力してください。",
        session: "接続が切れたため、この回答をお届けできませんでした。もう一度お試しください。",
        reply: "申し訳ありません、エラーが発生しました。",
        other: "申し訳ありません、エラーが発生しました。",
      },
    },
    en: {
      title: "MangaAssist",
      launcher: "Ask us anything",
      close: "Close",
      greeting: "Hi! I'm MangaAssist. Ask me about titles, stock, shipping or your orders.",
      placeholder: "Type a message…",
      send: "Send",
      typing: "Typing…",
      status: {
        connecting: "Connecting…",
        online: "Online",
        reconnecting: "Reconnecting…",
        offline: "Offline (type to reconnect)",
      },
      escalation: "An agent is joining",
      agent: "Support agent",
      feedback: { ask: "Was this helpful?", up: "Helpful", down: "Not helpful",
        thanks: "Thanks for the feedback" },
      formats: { paperback: "Paperback", kindle: "Kindle", special_edition: "Special edition",
        box_set: "Box set" },
      availability: { in_stock: "In stock", low_stock: "Only a few left",
        out_of_stock: "Out of stock", preorder: "Pre-order" },
      errors: {
        rate_limited: "You're sending messages quickly. Please wait {s} s and try again.",
        timeout: "The reply is taking too long. Please try again.",
        unavailable: "The assistant is busy. Please send your message again in a moment.",
        text_too_long: "That message is too long. Please shorten it.",
        frame_too_large: "That message is too large. Please shorten it.",
        empty_text: "Please type a message.",
        session: "The connection was lost before this reply arrived. Please ask again.",
        reply: "Sorry, something went wrong.",
        other: "Sorry, something went wrong.",
      },
    },
  };

  const state = {
    locale: "en",
    T: STRINGS.en,
    token: null,
    socket: null,
    ready: false,
    status: "idle",
    attempt: 0,
    retryTimer: 0,
    outbox: [], // frames waiting for an authenticated socket
    pending: new Map(), // client_msg_id -> {frame, bubble}: sent, not acked yet
    turns: new Map(), // turn_id -> bot message still being written
    escalationNoticed: false, // the hand-off notice is shown since the shopper's last message
  };
  const ui = {};

  // sessionStorage throws where storage is blocked; the session then lasts as long as the page.
  const storage = {
    get(key) {
      try {
        return sessionStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        if (value === null) sessionStorage.removeItem(key);
        else sessionStorage.setItem(key, value);
      } catch {
        // see above
      }
    },
  };

  function pageLocale() {
    const lang = document.documentElement.lang || navigator.language || "";
    return lang.toLowerCase().startsWith("ja") ? "ja" : "en";
  }

  // createElement with properties (data-*, aria-* and role as attributes); strings become Text nodes.
  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (/^(data-|aria-|role$)/.test(key)) node.setAttribute(key, value);
      else node[key] = value;
    }
    node.append(...children);
    return node;
  }

  // ---- the panel ----

  function buildUi(shadow) {
    const { T } = state;
    ui.status = h("span", { className: "status" });
    ui.log = h("ol", { className: "log", "aria-live": "polite" });
    ui.input = h("textarea", { rows: 1, maxLength: 2000, placeholder: T.placeholder,
      "aria-label": T.placeholder });
    ui.form = h("form", { className: "composer", autocomplete: "off" }, ui.input,
      h("button", { type: "submit", className: "send" }, T.send));
    ui.close = h("button", { type: "button", className: "close", "aria-label": T.close }, "×");
    ui.panel = h("section", { className: "panel", hidden: true, role: "dialog",
      "aria-label": T.title },
      h("header", {}, h("div", { className: "brand" }, h("strong", {}, T.title), ui.status),
        ui.close),
      ui.log, ui.form);
    ui.launcher = h("button", { type: "button", className: "launcher", "aria-expanded": "false" },
      h("span", { className: "launcher-icon", "aria-hidden": "true" }, "💬"), T.launcher);
    ui.root = h("div", { className: "root", hidden: true, lang: state.locale }, ui.panel,
      ui.launcher);
    // Shown once its style sheet is in, so the page never sees it unstyled.
    const sheet = h("link", { rel: "stylesheet", href: `${ORIGIN}/static/widget.css` });
    sheet.addEventListener("load", () => { ui.root.hidden = false; });
    shadow.append(sheet, ui.root);
  }

  function bindUi() {
    ui.launcher.addEventListener("click", () => setOpen(ui.panel.hidden));
    ui.close.addEventListener("click", () => setOpen(false));
    ui.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") setOpen(false);
    });
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    ui.panel.addEventListener("pointerdown", wake);
    ui.input.addEventListener("focus", wake);
    ui.input.addEventListener("keydown", (event) => {
      wake();
      // isComposing: the Enter that confirms a Japanese IME conversion must not send.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submit();
      }
    });
  }

  function setOpen(open) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    storage.set(OPEN_KEY, open ? "1" : null);
    if (!open) return;
    if (!ui.log.childElementCount) addMessage("bot greeting", state.T.greeting);
    wake();
    ui.input.focus();
  }

  function setStatus(status) {
    state.status = status;
    ui.status.dataset.state = status;
    ui.status.textContent = state.T.status[status];
  }

  function scrollDown() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function addMessage(kind, text) {
    const body = h("p", { className: "text" }, text);
    const item = h("li", { className: `msg ${kind}` }, body);
    ui.log.append(item);
    scrollDown();
    return { item, body };
  }

  function addNotice(kind, text) {
    ui.log.append(h("li", { className: `notice ${kind}`, role: "status" }, text));
    scrollDown();
  }

  // ---- the connection ----

  // A user action: connect if nothing is connected or on its way.
  function wake() {
    if (state.status === "idle" || state.status === "offline") connect();
  }

  async function connect() {
    clearTimeout(state.retryTimer);
    setStatus(state.attempt ? "reconnecting" : "connecting");
    try {
      if (!state.token) await openSession();
    } catch {
      scheduleReconnect();
      return;
    }
    const socket = new WebSocket(`${ORIGIN.replace(/^http/, "ws")}/chat/ws${resumeQuery()}`);
    state.socket = socket;
    // The token goes in the first frame, not the URL, so it stays out of access logs.
    socket.addEventListener("open", () => {
      state.attempt = 0; // the bridge is back: a 4401 now re-inits at once
      socket.send(JSON.stringify({ type: "auth", token: state.token }));
    });
    socket.addEventListener("message", (event) => onFrame(parseFrame(event.data)));
    socket.addEventListener("close", (event) => onClose(event.code));
  }

  // A reply still being written when the socket dropped: ask for the rest of it, and for
  // everything after it, from the last chunk seen (docs/protocol.md, "Reconnecting").
  function resumeQuery() {
    const [turnId, view] = state.turns.entries().next().value || [];
    if (!turnId) return "";
    return `?resume_turn=${encodeURIComponent(turnId)}&resume_seq=${view.lastSeq}`;
  }

  async function openSession() {
    const response = await fetch(`${ORIGIN}/chat/init`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ locale: state.locale }),
    });
    if (!response.ok) throw new Error(`chat/init answered ${response.status}`);
    state.token = (await response.json()).token;
    storage.set(TOKEN_KEY, state.token);
  }

  function onClose(code) {
    state.socket = null;
    state.ready = false;
    // Unacked messages may not be stored: the protocol says to send them again.
    state.outbox = [
      ...[...state.pending.values()].map((entry) => entry.frame),
      ...state.outbox.filter((frame) => frame.type !== "message"),
    ];
    if (code === 4401) {
      // The session is gone, and with it the replies still being written.
      state.token = null;
      storage.set(TOKEN_KEY, null);
      for (const turnId of [...state.turns.keys()]) failTurn(turnId, state.T.errors.session);
    }
    if (code === 4408) {
      setStatus("offline"); // idle: reconnect when the shopper comes back
      return;
    }
    scheduleReconnect(code === 4401 && state.attempt === 0);
  }

  function scheduleReconnect(now = false) {
    const delay = now ? 0 : Math.min(1000 * 2 ** state.attempt, BACKOFF_MAX_MS);
    state.attempt += 1;
    setStatus("reconnecting");
    state.retryTimer = setTimeout(connect, delay);
  }

  function send(frame) {
    if (state.ready) state.socket.send(JSON.stringify(frame));
    else {
      state.outbox.push(frame);
      wake();
    }
  }

  // ---- frames from the bridge ----

  function parseFrame(data) {
    try {
      return JSON.parse(data);
    } catch {
      return null;
    }
  }

  function onFrame(frame) {
    const handler = frame && HANDLERS[frame.type];
    if (handler) handler(frame); // frame types this widget does not know are ignored
  }

  const HANDLERS = {
    ready() {
      state.ready = true;
      setStatus("online");
      for (const frame of state.outbox.splice(0)) send(frame);
    },
    ack(frame) {
      const entry = state.pending.get(frame.client_msg_id);
      state.pending.delete(frame.client_msg_id);
      if (entry) entry.bubble.classList.remove("sending");
      turnView(frame.turn_id);
    },
    chunk(frame) {
      const view = turnView(frame.turn_id);
      view.body.textContent += frame.text;
      view.lastSeq = frame.seq;
      scrollDown();
    },
    final(frame) {
      const view = turnView(frame.turn_id);
      endTurn(frame.turn_id, view);
      if (frame.status !== "ok") {
        view.item.classList.add("error");
        view.body.textContent = frame.text || state.T.errors.reply;
        return;
      }
      if (frame.text) view.body.textContent = frame.text;
      if (frame.path === "human") {
        // A support agent's message, in a turn of its own (docs/protocol.md): no votes.
        view.item.classList.add("human");
        view.item.prepend(authorLabel(state.T.agent));
        scrollDown();
        return;
      }
      showProducts(view.item, frame.sources);
      view.item.append(feedbackBar(frame.turn_id));
      // The hand-off reply and its follow-up with the wait share one notice.
      if (frame.intent === "escalation" && !state.escalationNoticed) {
        state.escalationNoticed = true;
        addNotice("escalation", state.T.escalation);
      }
      scrollDown();
    },
    error(frame) {
      const entry = state.pending.get(frame.client_msg_id);
      if (entry) {
        state.pending.delete(frame.client_msg_id);
        entry.bubble.classList.replace("sending", "failed");
      }
      const text = errorText(frame);
      if (state.turns.has(frame.turn_id)) failTurn(frame.turn_id, text);
      else addNotice("error", text);
    },
  };

  function errorText(frame) {
    const template = state.T.errors[frame.code] || state.T.errors.other;
    const waitS = Math.max(1, Math.ceil(Number(frame.retry_after_s) || 1));
    return template.replace("{s}", String(waitS));
  }

  // The bot message of a turn, made on its first frame; typing until the turn ends.
  function turnView(turnId) {
    let view = state.turns.get(turnId);
    if (!view) {
      view = addMessage("bot", "");
      view.item.dataset.turnId = turnId;
      view.item.dataset.typing = "";
      view.lastSeq = -1;
      view.item.append(h("span", { className: "dots", role: "status", "aria-label": state.T.typing },
        h("i"), h("i"), h("i")));
      state.turns.set(turnId, view);
    }
    return view;
  }

  function authorLabel(text) {
    const label = h("span", { className: "author" }, text);
    // widget.css has no rule for it: a small, muted line above the text.
    for (const [name, value] of [["display", "block"], ["font-size", "12px"],
      ["font-weight", "600"], ["color", "var(--muted)"]]) label.style.setProperty(name, value);
    return label;
  }

  function endTurn(turnId, view) {
    state.turns.delete(turnId);
    delete view.item.dataset.typing;
    view.item.querySelector(".dots")?.remove();
  }

  function failTurn(turnId, text) {
    const view = state.turns.get(turnId);
    endTurn(turnId, view);
    view.item.classList.add("error");
    view.body.textContent = text;
  }

  // ---- feedback ----

  function feedbackBar(turnId) {
    const { feedback } = state.T;
    const bar = h("div", { className: "feedback", role: "group", "aria-label": feedback.ask });
    for (const [rating, emoji] of [["up", "👍"], ["down", "👎"]]) {
      const button = h("button", { type: "button", className: "vote", title: feedback[rating],
        "data-rating": rating, "aria-label": feedback[rating], "aria-pressed": "false" }, emoji);
      button.addEventListener("click", () => vote(bar, button, turnId, rating));
      bar.append(button);
    }
    return bar;
  }

  function vote(bar, chosen, turnId, rating) {
    send({ type: "feedback", turn_id: turnId, rating });
    for (const button of bar.querySelectorAll("button")) button.disabled = true;
    chosen.setAttribute("aria-pressed", "true");
    bar.append(h("span", { className: "thanks" }, state.T.feedback.thanks));
  }

  // ---- product cards ----

  async function showProducts(item, sources) {
    const asins = [...new Set((sources || []).filter((s) => ASIN.test(s)))].slice(0, MAX_CARDS);
    if (!asins.length) return;
    // In place now, filled later: the cards sit between the text and the feedback buttons.
    const list = h("ul", { className: "cards", hidden: true });
    item.append(list);
    try {
      const response = await fetch(`${ORIGIN}/catalog/items?asins=${asins.join(",")}`);
      if (!response.ok) return;
      const { items } = await response.json();
      list.append(...items.filter((product) => ASIN.test(product.asin)).map(productCard));
      list.hidden = !list.childElementCount;
      scrollDown();
    } catch {
      // The reply text already answers; the cards are an extra.
    }
  }

  function productCard(product) {
    const { T, locale } = state;
    const title = (locale === "ja" ? product.title_ja : product.title_en) || product.title_ja;
    const author = locale === "ja" ? product.author_ja : product.author_romaji;
    const format = T.formats[product.format] || product.format;
    const price = new Intl.NumberFormat(locale === "ja" ? "ja-JP" : "en-US",
      { style: "currency", currency: "JPY" }).format(product.price_jpy);
    // The store's own product page, on the page's origin (not the bridge's).
    const link = h("a", { className: "card-title", href: `/dp/${product.asin}` }, title);
    return h("li", { className: "card", "data-asin": product.asin },
      cover(product.asin, title),
      h("div", { className: "card-info" }, link,
        h("span", { className: "card-meta" }, `${author} · ${format}`),
        h("span", { className: "card-price" }, price),
        h("span", { className: "card-stock", "data-availability": product.availability },
          T.availability[product.availability] || product.availability)));
  }

  // There are no cover images: a block coloured from the ASIN, with the title's first characters.
  function cover(asin, title) {
    const block = h("span", { className: "cover", "aria-hidden": "true" },
      Array.from(title.replace(/\s+/g, "")).slice(0, 2).join(""));
    block.style.setProperty("--hue", String(hue(asin)));
    return block;
  }

  function hue(text) {
    let hash = 2166136261; // FNV-1a
    for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
    return (hash >>> 0) % 360;
  }

  // ---- sending ----

  function submit() {
    const text = ui.input.value.trim();
    if (!text) return;
    const clientMsgId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const frame = { type: "message", text, client_msg_id: clientMsgId, locale: state.locale };
    const { item } = addMessage("user sending", text);
    state.pending.set(clientMsgId, { frame, bubble: item });
    state.escalationNoticed = false;
    ui.input.value = "";
    send(frame);
  }

  function mount() {
    if (document.querySelector("mangaassist-chat")) return; // the tag is on the page twice
    state.locale = pageLocale();
    state.T = STRINGS[state.locale];
    state.token = storage.get(TOKEN_KEY);
    const host = document.createElement("mangaassist-chat");
    buildUi(host.attachShadow({ mode: "open" }));
    bindUi();
    document.body.append(host);
    if (storage.get(OPEN_KEY)) setOpen(true);
  }

  // An async script may run before <body> exists.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
