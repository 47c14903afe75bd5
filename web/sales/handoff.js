/* Live hand-off in the sales console: the "waiting" list, taking a chat, talking, handing back.
 *
 * A module of web/sales/sales.js (loaded after sign-in), on the API of web/sales_handoff.py.
 * While this page is open the rep counts as signed in (a heartbeat every 15 s), so visitors
 * who ask for a person during the sales team's hours are told someone is joining and appear
 * here. Everything from the server goes onto the page as text (textContent).
 */
(function () {
  "use strict";

  var HEARTBEAT_MS = 15000;
  var LIST_MS = 3000;
  var CHAT_MS = 2000;
  var MAX_LENGTH = 2000;

  var console_ = window.SalesConsole;
  if (!console_) return;
  var section = console_.section("waiting");
  if (!section) return;

  var state = { open: null, after: 0, busy: false, timers: [] };

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/sales/handoff.css";
  document.head.appendChild(style);

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function ref(conversationId) {
    var tail = String(conversationId).split(":").pop();
    return "Visitor " + tail.slice(0, 6);
  }

  function since(iso, now) {
    var seconds = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
    var minutes = Math.floor(seconds / 60);
    return minutes + ":" + String(seconds % 60).padStart(2, "0");
  }

  // ---- the section's parts

  section.textContent = "";
  section.hidden = false;
  section.appendChild(el("h2", "Live chats"));
  var notice = el("p", "", "notice");
  notice.id = "handoff-notice";
  notice.setAttribute("role", "status");
  var list = el("ul", null, "handoffs");
  list.id = "handoff-list";
  var empty = el("p", "Nobody is waiting for a person right now.", "muted");
  empty.id = "handoff-empty";
  var chat = el("div", null, "live-chat");
  chat.id = "live-chat";
  chat.hidden = true;
  var chatTitle = el("h3", "");
  var transcript = el("ol", null, "transcript");
  transcript.id = "live-transcript";
  var form = el("form", null, "live-chat__form");
  form.id = "live-form";
  var input = el("textarea", null, "live-chat__input");
  input.name = "text";
  input.rows = 2;
  input.maxLength = MAX_LENGTH;
  input.placeholder = "Type to the visitor\u2026";
  input.setAttribute("aria-label", "Message to the visitor");
  var send = el("button", "Send");
  send.type = "submit";
  var release = el("button", "Hand back to the assistant", "button--quiet");
  release.type = "button";
  release.id = "live-release";
  var chatNotice = el("span", "", "notice");
  chatNotice.setAttribute("role", "status");
  form.appendChild(input);
  form.appendChild(send);
  form.appendChild(release);
  form.appendChild(chatNotice);
  chat.appendChild(chatTitle);
  chat.appendChild(transcript);
  chat.appendChild(form);
  section.appendChild(notice);
  section.appendChild(empty);
  section.appendChild(list);
  section.appendChild(chat);

  // ---- presence and the list

  function heartbeat() {
    return console_.api("presence", { method: "POST", body: {} }).catch(function (error) {
      notice.textContent = "Could not tell the server you are here: " + error.message;
    });
  }

  function showList(data) {
    var hours = data.hours || {};
    notice.textContent =
      "You can be asked to join chats while this page is open. Sales hours: " +
      hours.days + ", " + hours.opens + "\u2013" + hours.closes + " (" + hours.timezone + "), " +
      (data.open ? "open now" : "closed now") + ". Signed in: " + (data.reps || []).join(", ") + ".";
    list.textContent = "";
    var mine = null;
    (data.handoffs || []).forEach(function (handoff) {
      var item = el("li", null, "handoff handoff--" + handoff.state);
      item.setAttribute("data-conversation", handoff.conversation_id);
      item.appendChild(el("strong", ref(handoff.conversation_id)));
      if (handoff.state === "waiting") {
        item.appendChild(el("span", " waiting " + since(handoff.requested_at, data.now) + " "));
        var take = el("button", "Take this chat", "handoff__take");
        take.type = "button";
        take.addEventListener("click", function () {
          takeChat(handoff.conversation_id);
        });
        item.appendChild(take);
      } else {
        item.appendChild(el("span", " with " + handoff.taken_by + (handoff.mine ? " (you)" : "")));
        if (handoff.mine) mine = handoff;
      }
      list.appendChild(item);
    });
    empty.hidden = !!(data.handoffs || []).length;
    if (mine && state.open !== mine.conversation_id) openChat(mine.conversation_id);
    if (!mine && state.open) closeChat("The chat has ended.");
  }

  function loadList() {
    return console_
      .api("handoffs")
      .then(showList)
      .catch(function (error) {
        notice.textContent = "Could not load the live chats: " + error.message;
      });
  }

  // ---- one chat

  function path(conversationId, tail) {
    return "handoffs/" + encodeURIComponent(conversationId) + "/" + tail;
  }

  function addTurns(turns) {
    turns.forEach(function (turn) {
      var item = el("li", null, "turn turn--" + turn.speaker);
      var who = turn.speaker === "visitor" ? "Visitor" : turn.speaker === "rep" ? turn.name || "Rep" : "Assistant";
      item.appendChild(el("span", who, "turn__who"));
      item.appendChild(el("span", turn.text, "turn__text"));
      if (turn.at) item.title = turn.at;
      transcript.appendChild(item);
    });
    if (turns.length) transcript.scrollTop = transcript.scrollHeight;
  }

  function loadMessages() {
    if (!state.open || state.busy) return Promise.resolve();
    var conversationId = state.open;
    state.busy = true;
    return console_
      .api(path(conversationId, "messages") + "?after=" + state.after)
      .then(function (data) {
        if (state.open !== conversationId) return;
        addTurns(data.turns || []);
        state.after = data.count;
      })
      .catch(function (error) {
        chatNotice.textContent = error.message;
      })
      .then(function () {
        state.busy = false;
      });
  }

  function openChat(conversationId) {
    state.open = conversationId;
    state.after = 0;
    transcript.textContent = "";
    chatTitle.textContent = "You are chatting with " + ref(conversationId);
    chatNotice.textContent = "";
    chat.hidden = false;
    chat.setAttribute("data-conversation", conversationId);
    input.focus();
    return loadMessages();
  }

  function closeChat(message) {
    state.open = null;
    chat.hidden = true;
    chat.removeAttribute("data-conversation");
    notice.textContent = message || notice.textContent;
  }

  function takeChat(conversationId) {
    return console_
      .api(path(conversationId, "take"), { method: "POST", body: {} })
      .then(function () {
        return openChat(conversationId).then(loadList);
      })
      .catch(function (error) {
        notice.textContent = error.message;
        return loadList();
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !state.open) return;
    send.disabled = true;
    console_
      .api(path(state.open, "messages"), { method: "POST", body: { text: text } })
      .then(function () {
        input.value = "";
        chatNotice.textContent = "";
        return loadMessages();
      })
      .catch(function (error) {
        chatNotice.textContent = error.message;
      })
      .then(function () {
        send.disabled = false;
        input.focus();
      });
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit();
    }
  });

  release.addEventListener("click", function () {
    if (!state.open) return;
    var conversationId = state.open;
    release.disabled = true;
    console_
      .api(path(conversationId, "release"), { method: "POST", body: {} })
      .then(function () {
        closeChat("You handed " + ref(conversationId) + " back to the assistant.");
        return loadList();
      })
      .catch(function (error) {
        chatNotice.textContent = error.message;
      })
      .then(function () {
        release.disabled = false;
      });
  });

  heartbeat().then(loadList);
  state.timers.push(setInterval(heartbeat, HEARTBEAT_MS));
  state.timers.push(setInterval(loadList, LIST_MS));
  state.timers.push(setInterval(loadMessages, CHAT_MS));
})();
