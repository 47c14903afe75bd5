/*
 * Outsourcing advisor chat widget: vanilla JS, no build step.
 *
 * Talks to Rasa's socket.io channel (python-socketio 5 server, Socket.IO protocol v5)
 * through socket.io-client 4.x, which is served next to this file as /socket.io.min.js.
 *
 * Safety rules this file keeps:
 *   - user and bot text is only ever put into the page with textContent (never innerHTML);
 *   - images are only shown for http(s) URLs, set through the src property; so are the card's links;
 *   - an http(s) address in a message becomes a link: an <a> made here, its text and href set
 *     as properties (rel="noopener noreferrer", a new tab); nothing else in the text is markup;
 *   - a `bot_uttered` message {type: "recommendation", ...} (the advice card, advisor/card.py) is
 *     drawn as a card of text nodes; it takes the place of the plain-text advice sent just before it;
 *   - nothing from the server is evaluated;
 *   - a `bot_uttered` message {forget_history: true} (sent after "delete my data") clears the
 *     transcript kept in localStorage.
 *
 * Live hand-off: a `bot_uttered` message with `handoff: {event, person}` comes from the sales
 * console (serving/channels.py). "joined" and "left" start and end the chat with that person
 * (a line under the header says who it is, kept across reloads); a "message" is the person's
 * own words, shown with their name, not as the advisor's.
 *
 * Configuration, first match wins:
 *   1. window.AdvisorChat.init({...}) called by the page (with data-auto-init="false");
 *   2. data-* attributes on this script tag: data-rasa-url, data-socket-path, data-title,
 *      data-start-open="true";
 *   3. JSON in <script type="application/json" id="advisor-chat-config"> (web/serve.py fills it);
 *   4. defaults below.
 */
(function () {
  "use strict";

  var VERSION = "1.0.0";
  var MAX_LENGTH = 2000; // characters per message; also README "Chat widget"
  var HISTORY_LIMIT = 200; // messages kept in localStorage
  var TYPING_TIMEOUT_MS = 30000;
  var DEFAULTS = {
    rasaUrl: "http://localhost:5005",
    socketPath: "/socket.io/",
    title: "Outsourcing advisor",
    personRole: "sales team",
    intro: "Hi! Tell me which work you would like to hand over, and I will suggest how to outsource it.",
    startOpen: false,
    transports: ["websocket", "polling"],
  };

  var currentScript = document.currentScript;
  var scriptBase = (function () {
    try {
      return currentScript && currentScript.src ? new URL(".", currentScript.src).href : "/";
    } catch (e) {
      return "/";
    }
  })();

  // ---------------------------------------------------------------- helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function readPageConfig() {
    var config = {};
    var node = document.getElementById("advisor-chat-config");
    if (node) {
      try {
        config = JSON.parse(node.textContent || "{}") || {};
      } catch (e) {
        config = {};
      }
    }
    var data = (currentScript && currentScript.dataset) || {};
    if (data.rasaUrl) config.rasaUrl = data.rasaUrl;
    if (data.socketPath) config.socketPath = data.socketPath;
    if (data.title) config.title = data.title;
    if (data.startOpen) config.startOpen = data.startOpen === "true";
    return config;
  }

  function merge(base, extra) {
    var out = {};
    var key;
    for (key in base) if (Object.prototype.hasOwnProperty.call(base, key)) out[key] = base[key];
    for (key in extra) {
      if (Object.prototype.hasOwnProperty.call(extra, key) && extra[key] !== undefined && extra[key] !== null) {
        out[key] = extra[key];
      }
    }
    return out;
  }

  // localStorage can be missing or throw (privacy modes, full quota): fall back to memory.
  function makeStore(prefix) {
    var memory = {};
    function get(key) {
      try {
        var raw = window.localStorage.getItem(prefix + key);
        return raw === null ? null : JSON.parse(raw);
      } catch (e) {
        return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
      }
    }
    function set(key, value) {
      memory[key] = value;
      try {
        window.localStorage.setItem(prefix + key, JSON.stringify(value));
      } catch (e) {
        /* memory copy is enough for this page view */
      }
    }
    function remove(key) {
      delete memory[key];
      try {
        window.localStorage.removeItem(prefix + key);
      } catch (e) {
        /* ignore */
      }
    }
    return { get: get, set: set, remove: remove };
  }

  function loadScript(src, onload, onerror) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.async = true;
    tag.onload = onload;
    tag.onerror = onerror;
    document.head.appendChild(tag);
  }

  function ensureStylesheet() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (/widget\.css(\?|$)/.test(links[i].getAttribute("href") || "")) return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = scriptBase + "widget.css";
    document.head.appendChild(link);
  }

  function safeUrl(value) {
    if (typeof value !== "string") return null;
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  var LINK = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g;

  // A message's text as nodes: plain text, and http(s) addresses as links (never innerHTML).
  function bubble(text) {
    var node = el("p", "advisor-chat__bubble");
    var last = 0;
    String(text).replace(LINK, function (address, at) {
      var href = safeUrl(address); // the same check as images and card links: an absolute http(s) URL
      if (!href) return address;
      node.appendChild(document.createTextNode(text.slice(last, at)));
      var link = el("a", "advisor-chat__link", address);
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      node.appendChild(link);
      last = at + address.length;
      return address;
    });
    node.appendChild(document.createTextNode(String(text).slice(last)));
    return node;
  }

  function normaliseButtons(list) {
    if (!Array.isArray(list)) return [];
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var b = list[i] || {};
      var title = typeof b.title === "string" ? b.title : "";
      var payload = typeof b.payload === "string" ? b.payload : title;
      if (title || payload) out.push({ title: title || payload, payload: payload });
    }
    return out;
  }

  // ------------------------------------------------------------------ widget

  function createWidget(options) {
    var config = merge(DEFAULTS, options || {});
    var rasaUrl = String(config.rasaUrl).replace(/\/+$/, "");
    var store = makeStore("advisorChat:v1:" + rasaUrl + ":");

    var state = {
      sessionId: store.get("session"),
      history: store.get("history") || [],
      open: store.get("open"),
      person: store.get("person"),
      connected: false,
      everConnected: false,
      socket: null,
      typingTimer: null,
    };
    if (!Array.isArray(state.history)) state.history = [];
    if (state.open === null) state.open = !!config.startOpen;

    // ---- DOM
    var root = el("div", "advisor-chat");
    root.setAttribute("data-advisor-chat", VERSION);

    var launcher = el("button", "advisor-chat__launcher", "Chat with the advisor");
    launcher.type = "button";
    launcher.setAttribute("aria-controls", "advisor-chat-panel");

    var panel = el("section", "advisor-chat__panel");
    panel.id = "advisor-chat-panel";
    panel.setAttribute("aria-label", config.title);

    var header = el("header", "advisor-chat__header");
    var title = el("h2", "advisor-chat__title", config.title);
    var restart = el("button", "advisor-chat__restart", "New chat");
    restart.type = "button";
    restart.title = "Forget this conversation and start a new one";
    var close = el("button", "advisor-chat__close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close chat");
    header.appendChild(title);
    header.appendChild(restart);
    header.appendChild(close);

    var personLine = el("div", "advisor-chat__person");
    personLine.setAttribute("role", "status");
    personLine.hidden = true;

    var status = el("div", "advisor-chat__status");
    status.setAttribute("role", "status");
    status.hidden = true;

    var log = el("div", "advisor-chat__log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversation");
    log.tabIndex = 0;

    var typing = el("div", "advisor-chat__typing");
    typing.setAttribute("aria-label", "The advisor is typing");
    typing.appendChild(el("span", "advisor-chat__dot"));
    typing.appendChild(el("span", "advisor-chat__dot"));
    typing.appendChild(el("span", "advisor-chat__dot"));
    typing.hidden = true;

    var form = el("form", "advisor-chat__composer");
    form.setAttribute("novalidate", "");
    var inputId = "advisor-chat-input";
    var label = el("label", "advisor-chat__sr-only", "Your message");
    label.setAttribute("for", inputId);
    var input = el("textarea", "advisor-chat__input");
    input.id = inputId;
    input.rows = 1;
    input.maxLength = MAX_LENGTH;
    input.placeholder = "Type your message\u2026";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-describedby", "advisor-chat-counter");
    var counter = el("span", "advisor-chat__counter", "0 / " + MAX_LENGTH);
    counter.id = "advisor-chat-counter";
    counter.title = "Messages can be up to " + MAX_LENGTH + " characters long";
    var send = el("button", "advisor-chat__send", "Send");
    send.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(counter);
    form.appendChild(send);

    panel.appendChild(header);
    panel.appendChild(personLine);
    panel.appendChild(status);
    panel.appendChild(log);
    panel.appendChild(typing);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    // ---- rendering

    function scrollToEnd() {
      log.scrollTop = log.scrollHeight;
    }

    function removeQuickReplies() {
      var groups = log.querySelectorAll(".advisor-chat__quick-replies");
      for (var i = 0; i < groups.length; i++) groups[i].parentNode.removeChild(groups[i]);
    }

    function renderQuickReplies(buttons) {
      var group = el("div", "advisor-chat__quick-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested answers");
      buttons.forEach(function (button) {
        var b = el("button", "advisor-chat__quick-reply", button.title);
        b.type = "button";
        b.addEventListener("click", function () {
          sendMessage(button.payload, button.title);
        });
        group.appendChild(b);
      });
      log.appendChild(group);
    }

    function list(items, tag, className) {
      var node = el(tag || "ul", className || "advisor-chat__card-list");
      items.forEach(function (item) {
        if (item instanceof Node) {
          var li = el("li");
          li.appendChild(item);
          node.appendChild(li);
        } else {
          node.appendChild(el("li", null, item));
        }
      });
      return node;
    }

    function texts(value) {
      if (!Array.isArray(value)) return [];
      return value.filter(function (v) {
        return typeof v === "string" && v.trim() !== "";
      });
    }

    function cardSection(card, parent, key, content) {
      if (!content) return;
      var section = el("section", "advisor-chat__card-section advisor-chat__card-section--" + key);
      section.appendChild(el("h4", "advisor-chat__card-label", (card.labels && card.labels[key]) || key));
      section.appendChild(content);
      parent.appendChild(section);
    }

    // The advice card (advisor/card.py): text nodes only, links only to http(s) URLs.
    function renderCard(card) {
      var box = el("div", "advisor-chat__bubble advisor-chat__card");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", typeof card.headline === "string" ? card.headline : "Recommendation");
      box.appendChild(el("h3", "advisor-chat__card-headline", card.headline || ""));
      if (card.confidence_label) box.appendChild(el("p", "advisor-chat__card-meta", card.confidence_label));

      var bpo = texts(card.bpo_tasks);
      var kpo = texts(card.kpo_tasks);
      if (bpo.length || kpo.length) {
        var split = el("div", "advisor-chat__card-split" + (bpo.length && kpo.length ? " advisor-chat__card-split--two" : ""));
        [["bpo", bpo], ["kpo", kpo]].forEach(function (pair) {
          if (!pair[1].length) return;
          var column = el("div", "advisor-chat__card-column advisor-chat__card-column--" + pair[0]);
          column.appendChild(el("h4", "advisor-chat__card-label", (card.labels && card.labels[pair[0]]) || pair[0]));
          column.appendChild(list(pair[1]));
          split.appendChild(column);
        });
        box.appendChild(split);
      }

      var reasons = (Array.isArray(card.reasons) ? card.reasons : []).filter(function (r) {
        return r && typeof r.text === "string";
      });
      if (reasons.length) {
        cardSection(
          card,
          box,
          "reasons",
          list(
            reasons.map(function (reason) {
              var item = el("span", null, reason.text);
              texts(reason.quotes).forEach(function (words) {
                item.appendChild(document.createTextNode(" "));
                item.appendChild(el("q", "advisor-chat__card-quote", words));
              });
              return item;
            })
          )
        );
      }
      var cost = texts(card.cost && card.cost.lines);
      if (cost.length) cardSection(card, box, "cost", list(cost));

      // The rest folds away (a native <details>, no script), so the card stays short in the chat.
      var more = el("details", "advisor-chat__card-more");
      more.appendChild(el("summary", "advisor-chat__card-summary", (card.labels && card.labels.more) || "More"));
      var weigh = texts(card.conflicts);
      if (weigh.length) cardSection(card, more, "weigh", list(weigh));
      var where = texts(card.location);
      if (where.length) cardSection(card, more, "location", list(where));
      var data = texts(card.data_rules);
      if (data.length) cardSection(card, more, "data", list(data));
      var steps = texts(card.next_steps);
      if (steps.length) cardSection(card, more, "next_steps", list(steps, "ol"));
      if (more.childNodes.length > 1) box.appendChild(more);

      var actions = el("div", "advisor-chat__card-actions");
      (Array.isArray(card.buttons) ? card.buttons : []).forEach(function (button) {
        if (!button || typeof button.title !== "string") return;
        if (typeof button.url === "string") {
          var href = safeUrl(button.url);
          if (!href) return;
          var link = el("a", "advisor-chat__card-link", button.title);
          link.href = href;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          actions.appendChild(link);
        } else if (typeof button.payload === "string") {
          var b = el("button", "advisor-chat__card-button", button.title);
          b.type = "button";
          b.addEventListener("click", function () {
            sendMessage(button.payload, button.title);
          });
          actions.appendChild(b);
        }
      });
      if (actions.childNodes.length) box.appendChild(actions);
      return box;
    }

    function renderEntry(entry) {
      var kind = entry.from === "user" || entry.from === "person" ? entry.from : "bot";
      var row = el("div", "advisor-chat__msg advisor-chat__msg--" + kind);
      if (kind === "person") {
        row.appendChild(el("span", "advisor-chat__who", entry.name + " \u00b7 " + config.personRole));
      }
      if (entry.card) {
        row.classList.add("advisor-chat__msg--card");
        row.appendChild(renderCard(entry.card));
      }
      if (entry.text) {
        row.appendChild(bubble(entry.text));
      }
      if (entry.image) {
        var src = safeUrl(entry.image);
        if (src) {
          var img = document.createElement("img");
          img.className = "advisor-chat__image";
          img.alt = "Image from the advisor";
          img.loading = "lazy";
          img.src = src;
          row.appendChild(img);
        }
      }
      if (row.childNodes.length) log.appendChild(row);
    }

    function renderAll() {
      log.textContent = "";
      if (config.intro) log.appendChild(el("p", "advisor-chat__intro", config.intro));
      state.history.forEach(renderEntry);
      var last = state.history[state.history.length - 1];
      if (last && last.from === "bot" && last.buttons && last.buttons.length) renderQuickReplies(last.buttons);
      scrollToEnd();
    }

    function remember(entry) {
      state.history.push(entry);
      if (state.history.length > HISTORY_LIMIT) state.history = state.history.slice(-HISTORY_LIMIT);
      store.set("history", state.history);
    }

    function setOpen(open) {
      state.open = open;
      store.set("open", open);
      panel.hidden = !open;
      launcher.hidden = open;
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
      root.classList.toggle("advisor-chat--open", open);
      if (open) {
        scrollToEnd();
      }
    }

    function showStatus(message, kind) {
      status.textContent = message || "";
      status.hidden = !message;
      status.className = "advisor-chat__status" + (kind ? " advisor-chat__status--" + kind : "");
      status.setAttribute("role", kind === "error" ? "alert" : "status");
    }

    function updateComposer() {
      var length = input.value.length;
      counter.textContent = length + " / " + MAX_LENGTH;
      counter.classList.toggle("advisor-chat__counter--near", length >= MAX_LENGTH * 0.9);
      send.disabled = !state.connected || input.value.trim() === "";
    }

    // Who from the sales team is in the chat (null: the advisor alone).
    function setPerson(name) {
      state.person = name || null;
      if (state.person) store.set("person", state.person);
      else store.remove("person");
      personLine.textContent = state.person
        ? "You\u2019re chatting with " + state.person + " from our " + config.personRole + "."
        : "";
      personLine.hidden = !state.person;
      root.classList.toggle("advisor-chat--with-person", !!state.person);
    }

    function showTyping() {
      typing.hidden = false;
      clearTimeout(state.typingTimer);
      state.typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
      scrollToEnd();
    }

    function hideTyping() {
      clearTimeout(state.typingTimer);
      typing.hidden = true;
    }

    // ---- messages

    function metadata() {
      // The page's address without query string and fragment: they can carry e-mail
      // addresses, tokens or search terms, and the server stores this with every message.
      return {
        page_url: window.location.origin + window.location.pathname,
        language: navigator.language || "",
        widget_version: VERSION,
      };
    }

    function sendMessage(payload, shownText) {
      var message = String(payload || "").trim();
      if (!message) return false;
      if (message.length > MAX_LENGTH) {
        showStatus("Messages can be at most " + MAX_LENGTH + " characters long.", "warning");
        return false;
      }
      if (!state.connected || !state.sessionId) {
        showStatus("Not connected to the advisor yet. Your message was not sent; please try again in a moment.", "error");
        return false;
      }
      removeQuickReplies();
      state.history.forEach(function (entry) {
        delete entry.buttons;
      });
      var entry = { from: "user", text: shownText || message };
      remember(entry);
      renderEntry(entry);
      state.socket.emit("user_uttered", {
        message: message,
        session_id: state.sessionId,
        metadata: metadata(),
      });
      if (!state.person) showTyping(); // a person answers when they have read it
      scrollToEnd();
      return true;
    }

    // "Delete my data": the server erased the conversation, so this browser forgets its copy
    // too. The reply that confirmed it (the bot messages after the last user message) stays
    // on screen, but nothing is kept in localStorage.
    function forgetHistory() {
      var reply = [];
      for (var i = state.history.length - 1; i >= 0 && state.history[i].from !== "user"; i--) {
        reply.unshift(state.history[i]);
      }
      state.history = [];
      store.remove("history");
      renderAll();
      reply.forEach(renderEntry);
      scrollToEnd();
    }

    // The card replaces the plain-text advice Rasa sent just before it (the same message's text).
    function receiveCard(card) {
      var last = state.history[state.history.length - 1];
      var replaces =
        last && last.from === "bot" && !last.card && typeof card.text === "string" && last.text === card.text.trim();
      if (replaces) state.history.pop();
      removeQuickReplies();
      var entry = { from: "bot", card: card };
      remember(entry);
      if (replaces) renderAll();
      else renderEntry(entry);
      scrollToEnd();
    }

    function receive(data) {
      if (!data || typeof data !== "object") return;
      hideTyping();
      if (data.forget_history === true) {
        forgetHistory();
        return;
      }
      if (data.type === "recommendation") {
        receiveCard(data);
        return;
      }
      var entry = { from: "bot" };
      if (typeof data.text === "string") entry.text = data.text;
      var handoff = data.handoff;
      if (handoff && typeof handoff === "object" && typeof handoff.person === "string" && handoff.person) {
        if (handoff.event === "joined") setPerson(handoff.person);
        else if (handoff.event === "left") setPerson(null);
        else if (handoff.event === "message") {
          entry.from = "person";
          entry.name = handoff.person;
        }
      }
      var buttons = normaliseButtons(data.quick_replies || data.buttons);
      if (data.attachment && data.attachment.type === "image" && data.attachment.payload) {
        entry.image = data.attachment.payload.src;
      }
      if (!entry.text && !entry.image && !buttons.length) return;
      removeQuickReplies();
      if (buttons.length) entry.buttons = buttons;
      remember(entry);
      renderEntry(entry);
      if (buttons.length) renderQuickReplies(buttons);
      scrollToEnd();
    }

    // ---- connection

    function setConnected(connected) {
      state.connected = connected;
      root.classList.toggle("advisor-chat--offline", !connected);
      updateComposer();
    }

    function connect() {
      var socket = window.io(rasaUrl, {
        path: config.socketPath,
        transports: config.transports,
        tryAllTransports: true,
        reconnection: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 5000,
        timeout: 10000,
      });
      state.socket = socket;

      socket.on("connect", function () {
        socket.emit("session_request", { session_id: state.sessionId });
      });

      socket.on("session_confirm", function (data) {
        var id = typeof data === "string" ? data : data && data.session_id;
        if (!id) return;
        if (state.sessionId && id !== state.sessionId) {
          // The server gave us another conversation: the old transcript no longer applies.
          state.history = [];
          store.set("history", state.history);
          renderAll();
        }
        state.sessionId = id;
        store.set("session", id);
        state.everConnected = true;
        setConnected(true);
        showStatus("", null);
      });

      socket.on("bot_uttered", receive);

      socket.on("connect_error", function () {
        setConnected(false);
        hideTyping();
        if (socket.active) {
          showStatus("We can\u2019t reach the advisor right now. Retrying automatically\u2026", "error");
        } else {
          showStatus("The advisor refused the connection. Please reload the page later.", "error");
        }
      });

      socket.on("disconnect", function (reason) {
        setConnected(false);
        hideTyping();
        if (reason === "io client disconnect") return;
        showStatus("Connection to the advisor lost. Reconnecting\u2026", "error");
        if (reason === "io server disconnect") socket.connect();
      });
    }

    function restartConversation() {
      state.history = [];
      state.sessionId = null;
      setPerson(null);
      store.remove("history");
      store.remove("session");
      hideTyping();
      renderAll();
      if (state.socket) {
        setConnected(false);
        state.socket.disconnect();
        state.socket.connect();
      }
      input.focus();
    }

    // ---- events

    launcher.addEventListener("click", function () {
      setOpen(true);
      input.focus();
    });
    close.addEventListener("click", function () {
      setOpen(false);
      launcher.focus();
    });
    restart.addEventListener("click", restartConversation);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sendMessage(input.value)) {
        input.value = "";
        updateComposer();
      }
    });
    input.addEventListener("input", updateComposer);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });

    renderAll();
    setPerson(state.person);
    setOpen(!!state.open);
    setConnected(false);
    showStatus("Connecting\u2026", "info");
    connect();

    return {
      send: sendMessage,
      open: function () {
        setOpen(true);
      },
      close: function () {
        setOpen(false);
      },
      restart: restartConversation,
      get sessionId() {
        return state.sessionId;
      },
      get person() {
        return state.person;
      },
    };
  }

  // ------------------------------------------------------------- bootstrap

  var instance = null;

  function init(options) {
    if (instance) return instance;
    var config = merge(readPageConfig(), options || {});
    ensureStylesheet();
    if (typeof window.io === "function") {
      instance = createWidget(config);
      window.AdvisorChat.instance = instance;
      return instance;
    }
    // socket.io-client is served next to this file; load it on demand for one-tag embeds.
    loadScript(
      scriptBase + "socket.io.min.js",
      function () {
        if (!instance) {
          instance = createWidget(config);
          window.AdvisorChat.instance = instance;
        }
      },
      function () {
        if (window.console) window.console.error("advisor chat: could not load socket.io.min.js");
      }
    );
    return null;
  }

  window.AdvisorChat = { version: VERSION, maxLength: MAX_LENGTH, init: init, instance: null };

  var autoInit = !(currentScript && currentScript.dataset && currentScript.dataset.autoInit === "false");
  if (autoInit) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () {
        init();
      });
    } else {
      init();
    }
  }
})();
