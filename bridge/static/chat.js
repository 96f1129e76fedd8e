// MangaAssist chat page: POST /chat/init, then one WebSocket (see docs/protocol.md).
// Every text from the network is written with textContent, never as HTML.
"use strict";

(() => {
  const LOCALE = (navigator.language || "").toLowerCase().startsWith("ja") ? "ja" : "en";

  const STRINGS = {
    ja: {
      title: "MangaAssist",
      connecting: "接続中…",
      ready: "オンライン",
      offline: "オフライン・再接続します",
      placeholder: "メッセージを入力（Enterで送信、Shift+Enterで改行）",
      send: "送信",
      hint: "マンガの検索、在庫、注文についてお気軽にどうぞ。",
      thanks: "ご意見ありがとうございます。",
      errors: {
        timeout: "応答に時間がかかっています。もう一度お試しください。",
        unavailable: "ただいま混み合っています。しばらくしてからお試しください。",
        text_too_long: "メッセージが長すぎます。",
        frame_too_large: "メッセージが大きすぎます。",
        empty_text: "メッセージを入力してください。",
        reply: "申し訳ありません、エラーが発生しました。",
        init: "チャットを開始できませんでした。再試行します…",
        other: "エラーが発生しました。",
      },
    },
    en: {
      title: "MangaAssist",
      connecting: "Connecting…",
      ready: "Online",
      offline: "Offline, reconnecting",
      placeholder: "Type a message (Enter to send, Shift+Enter for a new line)",
      send: "Send",
      hint: "Ask about manga titles, stock, or your orders.",
      thanks: "Thanks for the feedback.",
      errors: {
        timeout: "The reply is taking too long. Please try again.",
        unavailable: "The assistant is busy. Please try again in a moment.",
        text_too_long: "That message is too long.",
        frame_too_large: "That message is too large.",
        empty_text: "Please type a message.",
        reply: "Sorry, something went wrong.",
        init: "Could not start the chat. Retrying…",
        other: "Something went wrong.",
      },
    },
  };
  const T = STRINGS[LOCALE];

  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const sendButton = document.getElementById("send");
  const status = document.getElementById("status");

  let socket = null;
  let token = null;
  let retryMs = 500;
  const botBubbles = new Map(); // turn_id -> bubble element
  const pendingByClientId = new Map(); // client_msg_id -> bubble shown before the ack

  function translatePage() {
    document.documentElement.lang = LOCALE;
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = T[el.dataset.i18n];
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
      el.placeholder = T[el.dataset.i18nPlaceholder];
    });
    document.querySelectorAll("[data-i18n-label]").forEach((el) => {
      el.setAttribute("aria-label", T[el.dataset.i18nLabel]);
    });
  }

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = T[state];
    sendButton.disabled = state !== "ready";
  }

  function addBubble(kind, text) {
    const item = document.createElement("li");
    item.className = `bubble ${kind}`;
    item.textContent = text;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function showError(code, turnId) {
    const text = T.errors[code] || T.errors.other;
    const bubble = turnId ? botBubbles.get(turnId) : null;
    if (bubble) {
      bubble.classList.remove("pending");
      bubble.classList.add("error");
      bubble.textContent = text;
      botBubbles.delete(turnId);
    } else {
      addBubble("error", text);
    }
  }

  function botBubble(turnId) {
    let bubble = botBubbles.get(turnId);
    if (!bubble) {
      bubble = addBubble("bot pending", "");
      botBubbles.set(turnId, bubble);
    }
    return bubble;
  }

  function addFeedback(bubble, turnId) {
    const bar = document.createElement("span");
    bar.className = "feedback";
    for (const [rating, label] of [["up", "👍"], ["down", "👎"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.addEventListener("click", () => {
        send({ type: "feedback", turn_id: turnId, rating });
        bar.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        button.title = T.thanks;
      });
      bar.appendChild(button);
    }
    bubble.appendChild(bar);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "ready":
        retryMs = 500;
        setStatus("ready");
        break;
      case "ack": {
        const bubble = pendingByClientId.get(frame.client_msg_id);
        pendingByClientId.delete(frame.client_msg_id);
        if (bubble && !botBubbles.has(frame.turn_id)) botBubbles.set(frame.turn_id, bubble);
        break;
      }
      case "chunk": {
        const bubble = botBubble(frame.turn_id);
        bubble.textContent += frame.text;
        log.scrollTop = log.scrollHeight;
        break;
      }
      case "final": {
        const bubble = botBubble(frame.turn_id);
        bubble.classList.remove("pending");
        botBubbles.delete(frame.turn_id);
        if (frame.status === "ok") {
          if (frame.text) bubble.textContent = frame.text;
          addFeedback(bubble, frame.turn_id);
        } else {
          bubble.classList.add("error");
          bubble.textContent = frame.text || T.errors.reply;
        }
        log.scrollTop = log.scrollHeight;
        break;
      }
      case "error": {
        const pending = pendingByClientId.get(frame.client_msg_id);
        if (pending) {
          pending.remove();
          pendingByClientId.delete(frame.client_msg_id);
        }
        showError(frame.code, frame.turn_id);
        break;
      }
      default:
        break; // pong, and frame types added after this page was written
    }
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  async function openSession() {
    const response = await fetch("/chat/init", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ locale: LOCALE }),
    });
    if (!response.ok) throw new Error(`init failed: ${response.status}`);
    token = (await response.json()).token;
  }

  async function connect() {
    setStatus("connecting");
    try {
      if (!token) await openSession();
    } catch (err) {
      addBubble("error", T.errors.init);
      scheduleReconnect();
      return;
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/chat/ws`);
    // The token goes in the first frame, not the URL, so it stays out of access logs.
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "auth", token })));
    socket.addEventListener("message", (event) => {
      try {
        onFrame(JSON.parse(event.data));
      } catch (err) {
        console.error("bad frame", err);
      }
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4401) token = null; // expired or unknown: start a new session
      failPending();
      setStatus("offline");
      scheduleReconnect();
    });
  }

  function failPending() {
    pendingByClientId.forEach((bubble) => bubble.remove());
    pendingByClientId.clear();
    [...botBubbles.keys()].forEach((turnId) => showError("unavailable", turnId));
  }

  function scheduleReconnect() {
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  }

  function submit() {
    const text = input.value.trim();
    if (!text) return;
    const clientMsgId = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now())).slice(0, 64);
    if (!send({ type: "message", text, client_msg_id: clientMsgId, locale: LOCALE })) return;
    addBubble("user", text);
    pendingByClientId.set(clientMsgId, addBubble("bot pending", ""));
    input.value = "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    // isComposing: Enter that confirms a Japanese IME conversion must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });

  translatePage();
  connect();
})();
