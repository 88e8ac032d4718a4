/* Live updates over one socket per signed-in person (progressive enhancement).
 * Every page: unread counts in the menu. A conversation page: send without reloading,
 * new messages, typing hints, sent/delivered/read. After any disconnect it reconnects
 * with backoff and asks for everything after the last message it has, and for deletions
 * since the last time it asked. Unacknowledged sends are kept in sessionStorage (never
 * localStorage: nothing may outlive the tab) and sent again, with the same client id,
 * after a reload; "Exit this page", signing out and the server's "signed_out" clear them.
 *
 * Never skipping a message (the rules are in chat/consumers.py): lastId is the id up to
 * which this page has every message. Each message names "prev", an id with no message
 * between it and this one; only a message whose prev is at or below lastId moves lastId
 * on. Any other is shown, kept in "ahead", and the page resumes from lastId; so it does
 * when the server says "subscribed" (its live events flow again after an outage). */
(function () {
  "use strict";

  var COUNT_LINKS = { messages: "/messages/", notifications: "/notifications/" };
  var STOP_CODES = [4001, 4401, 4403];
  var TOO_BIG = 4009; // the server's "message too big" (1009 is not allowed under daphne)
  var root = document.getElementById("conversation");
  var conversationId = root ? Number(root.getAttribute("data-conversation")) : null;
  var me = root ? Number(root.getAttribute("data-user")) : null;
  var lastId = root ? Number(root.getAttribute("data-last-id")) || 0 : 0;
  var ahead = {}; // id -> prev of messages shown past lastId, waiting for the ones between
  var resuming = false;
  var maxFrame = 0; // bytes; the server says in "hello"
  var deletedSince = root ? root.getAttribute("data-deleted-since") || null : null;
  var list = root ? root.querySelector("[data-messages]") : null;
  var form = root ? root.querySelector("[data-send-form]") : null;
  var textarea = form ? form.querySelector("textarea") : null;
  var fileInput = form ? form.querySelector("input[type=file]") : null;
  var typingLine = root ? root.querySelector("[data-typing]") : null;
  var connectionLine = root ? root.querySelector("[data-connection]") : null;
  var socket = null;
  var attempts = 0;
  var stopped = false;
  var OUTBOX_PREFIX = "chat-outbox:";
  var outboxKey = conversationId && me ? OUTBOX_PREFIX + me + ":" + conversationId : null;
  var outbox = loadOutbox(); // messages not yet acknowledged: {client_id, body}
  var typingSentAt = 0;
  var typingTimer = null;
  var ackTimer = null;

  // The outbox, kept for this tab only -------------------------------------------------
  function storage() {
    try { return window.sessionStorage; } catch (err) { return null; }
  }

  function loadOutbox() {
    var store = storage();
    if (!store || !outboxKey) return [];
    try {
      var items = JSON.parse(store.getItem(outboxKey) || "[]");
      return Array.isArray(items) ? items.filter(function (item) {
        return item && typeof item.client_id === "string" && typeof item.body === "string";
      }) : [];
    } catch (err) { return []; }
  }

  function saveOutbox() {
    var store = storage();
    if (!store || !outboxKey) return;
    try {
      if (outbox.length) store.setItem(outboxKey, JSON.stringify(outbox));
      else store.removeItem(outboxKey);
    } catch (err) { /* full or refused: the outbox still lives in memory */ }
  }

  // Leaving (Exit this page, signing out): forget every unsent message in this tab.
  function forgetOutboxes() {
    outbox = [];
    var store = storage();
    if (!store) return;
    try {
      for (var i = store.length - 1; i >= 0; i--) {
        var key = store.key(i);
        if (key && key.indexOf(OUTBOX_PREFIX) === 0) store.removeItem(key);
      }
    } catch (err) { /* nothing stored */ }
  }

  function leaving(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest(".govuk-js-exit-this-page-button, a[href$='/exit/'], a[href*='/accounts/logout/'], form[action*='/accounts/logout/']"));
  }

  document.addEventListener("click", function (e) { if (leaving(e.target)) forgetOutboxes(); }, true);
  document.addEventListener("submit", function (e) { if (leaving(e.target)) forgetOutboxes(); }, true);
  // Pressing Shift three times exits without a click: GOV.UK Frontend shows its overlay.
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.classList && node.classList.contains("govuk-exit-this-page-overlay")) forgetOutboxes();
        });
      });
    }).observe(document.body, { childList: true });
  }

  function text(name) {
    var el = document.querySelector("[data-text-" + name + "]");
    return el ? el.textContent : "";
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function send(event) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(event));
      return true;
    }
    return false;
  }

  function tooBig(event) {
    if (!maxFrame) return false;
    var frame = JSON.stringify(event);
    var bytes = window.TextEncoder ? new TextEncoder().encode(frame).length : new Blob([frame]).size;
    return bytes > maxFrame;
  }

  // Counts in the menu ------------------------------------------------------------------
  function setCount(name, count) {
    var badge = document.querySelector('[data-live-count="' + name + '"]');
    if (!badge) {
      var link = document.querySelector('a.govuk-service-navigation__link[href="' + COUNT_LINKS[name] + '"]');
      if (!link || !count) return;
      badge = document.createElement("span");
      badge.className = "app-notification-count";
      badge.setAttribute("data-live-count", name);
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    badge.hidden = !count;
    badge.textContent = "";
    var before = document.createElement("span");
    before.className = "govuk-visually-hidden";
    before.textContent = ", ";
    var after = document.createElement("span");
    after.className = "govuk-visually-hidden";
    after.textContent = " unread";
    badge.appendChild(before);
    badge.appendChild(document.createTextNode(String(count)));
    badge.appendChild(after);
  }

  function bumpCount(name) {
    var badge = document.querySelector('[data-live-count="' + name + '"]');
    var current = badge && !badge.hidden ? parseInt(badge.textContent.replace(/\D/g, ""), 10) || 0 : 0;
    setCount(name, current + 1);
  }

  // Messages on a conversation page -----------------------------------------------------
  function findMessage(id) {
    return list ? list.querySelector('[data-message-id="' + id + '"]') : null;
  }

  function findPending(clientId) {
    return list ? list.querySelector('[data-client-id="' + clientId + '"]') : null;
  }

  function render(message, pending) {
    var template = document.getElementById("message-template");
    var item = template.content.firstElementChild.cloneNode(true);
    var mine = message.sender === me;
    if (mine) item.classList.add("app-message--mine");
    item.setAttribute("data-client-id", message.client_id);
    item.querySelector("[data-sender]").textContent = mine ? text("you") : message.sender_name;
    var time = item.querySelector("[data-time]");
    if (message.created) {
      var when = new Date(message.created);
      time.setAttribute("datetime", message.created);
      time.textContent = when.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
    }
    var status = item.querySelector("[data-status]");
    if (mine) {
      status.hidden = false;
      status.textContent = pending ? text("sending") : text("sent");
    }
    fill(item, message);
    if (!pending) {
      item.id = "message-" + message.id;
      item.setAttribute("data-message-id", message.id);
    }
    return item;
  }

  function fill(item, message) {
    var body = item.querySelector("[data-body]") || item.querySelector(".app-message__body");
    if (message.deleted) {
      body.textContent = text("deleted");
      body.classList.add("govuk-hint");
    } else if (message.html !== undefined) {
      // The server escaped the text and made the links; see chat/formatting.py.
      body.innerHTML = message.html;
    } else {
      body.textContent = message.body || "";
    }
    var attachment = item.querySelector("[data-attachment]");
    if (attachment && message.attachment && !message.deleted) {
      attachment.hidden = false;
      var link = attachment.querySelector("a");
      link.href = message.attachment.url;
      link.textContent = message.attachment.name || text("attachment");
    }
  }

  function insertInOrder(item, id) {
    var items = list.querySelectorAll("[data-message-id]");
    for (var i = items.length - 1; i >= 0; i--) {
      var existing = Number(items[i].getAttribute("data-message-id"));
      if (existing && existing < id) {
        items[i].insertAdjacentElement("afterend", item);
        return;
      }
    }
    list.insertBefore(item, list.firstChild);
  }

  function showMessage(message) {
    if (!list || message.conversation !== conversationId) return;
    var empty = root.querySelector("[data-empty]");
    if (empty) empty.remove();
    if (findMessage(message.id)) { arrived(message.id, message.prev); return; }
    var pending = findPending(message.client_id);
    if (pending && message.sender === me) {
      pending.id = "message-" + message.id;
      pending.setAttribute("data-message-id", message.id);
      pending.querySelector("[data-status]").textContent = text("sent");
      fill(pending, message);
    } else {
      insertInOrder(render(message, false), message.id);
    }
    arrived(message.id, message.prev);
    if (message.sender !== me) acknowledge();
  }

  // lastId moves only past messages that follow on from it; any other means a gap.
  function arrived(id, prev) {
    if (id <= lastId) return;
    if (typeof prev === "number" && prev <= lastId) {
      lastId = id;
      catchUp();
      return;
    }
    ahead[id] = prev;
    if (!resuming) resume(lastId);
  }

  function catchUp() {
    var moved = true;
    while (moved) {
      moved = false;
      var next = null;
      Object.keys(ahead).forEach(function (key) {
        var id = Number(key);
        var prev = ahead[key];
        if (id <= lastId) delete ahead[key];
        else if (typeof prev === "number" && prev <= lastId && (next === null || id < next)) next = id;
      });
      if (next !== null) {
        delete ahead[next];
        lastId = next;
        moved = true;
      }
    }
  }

  function acknowledge() {
    if (ackTimer) return;
    ackTimer = window.setTimeout(function () {
      ackTimer = null;
      send({ type: "delivered", conversation: conversationId, id: lastId });
      if (document.visibilityState === "visible") {
        send({ type: "read", conversation: conversationId, id: lastId });
      }
    }, 400);
  }

  function updateReceipts(event) {
    if (!list || event.conversation !== conversationId || event.user === me) return;
    list.querySelectorAll(".app-message--mine[data-message-id]").forEach(function (item) {
      var id = Number(item.getAttribute("data-message-id"));
      var status = item.querySelector("[data-status]");
      if (!id || !status) return;
      if (id <= event.read) status.textContent = text("read");
      else if (id <= event.delivered && status.textContent !== text("read")) status.textContent = text("delivered");
    });
  }

  function showTyping(event) {
    if (!typingLine || event.conversation !== conversationId) return;
    typingLine.textContent = event.name + " " + text("typing");
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { typingLine.textContent = ""; }, 4000);
  }

  function showConnection(offline) {
    if (!connectionLine) return;
    connectionLine.hidden = !offline;
    connectionLine.textContent = offline ? text("offline") : "";
  }

  function resume(after) {
    var event = { type: "resume", conversation: conversationId, after: after };
    if (deletedSince) event.deleted_since = deletedSince;
    resuming = send(event);
  }

  function sendFrame(item) {
    return { type: "send", conversation: conversationId, client_id: item.client_id, body: item.body };
  }

  function flushOutbox() {
    outbox.slice().forEach(function (item) {
      if (tooBig(sendFrame(item))) {
        handleError({ client_id: item.client_id, code: "too_large", message: text("too-long") });
        return;
      }
      send(sendFrame(item));
    });
  }

  // A send the server would refuse as too big, shown as a GOV.UK error on the message box.
  function showSendError(message) {
    if (!form || !textarea) return;
    var group = textarea.closest(".govuk-form-group");
    var error = form.querySelector("[data-send-error]");
    if (!error) {
      error = document.createElement("p");
      error.className = "govuk-error-message";
      error.id = (textarea.id || "message") + "-live-error";
      error.setAttribute("data-send-error", "");
      textarea.insertAdjacentElement("beforebegin", error);
      var described = textarea.getAttribute("aria-describedby");
      textarea.setAttribute("aria-describedby", (described ? described + " " : "") + error.id);
    }
    error.textContent = "";
    var prefix = document.createElement("span");
    prefix.className = "govuk-visually-hidden";
    prefix.textContent = text("error-prefix") + " ";
    error.appendChild(prefix);
    error.appendChild(document.createTextNode(message));
    if (group) group.classList.add("govuk-form-group--error");
    textarea.classList.add("govuk-textarea--error");
    textarea.focus();
  }

  function clearSendError() {
    var error = form ? form.querySelector("[data-send-error]") : null;
    if (!error) return;
    var group = textarea.closest(".govuk-form-group");
    if (group) group.classList.remove("govuk-form-group--error");
    textarea.classList.remove("govuk-textarea--error");
    var described = (textarea.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== error.id; });
    if (described.length) textarea.setAttribute("aria-describedby", described.join(" "));
    else textarea.removeAttribute("aria-describedby");
    error.remove();
  }

  function markSent(event) {
    outbox = outbox.filter(function (item) { return item.client_id !== event.client_id; });
    saveOutbox();
    if (event.conversation === conversationId && event.message) arrived(event.id, event.message.prev);
    var pending = findPending(event.client_id);
    var shown = findMessage(event.id);
    if (pending && shown && pending !== shown) {
      pending.remove(); // saved before a reload, and already on the page
      return;
    }
    if (pending && !pending.getAttribute("data-message-id")) {
      pending.id = "message-" + event.id;
      pending.setAttribute("data-message-id", event.id);
      pending.querySelector("[data-status]").textContent = text("sent");
    }
  }

  function handleError(event) {
    if (event.code === "too_large" && !event.client_id) {
      showSendError(event.message);
      return;
    }
    if (!event.client_id) return;
    var retryLater = event.code === "rate_limited" || event.code === "server_error";
    if (retryLater) {
      window.setTimeout(flushOutbox, 5000);
      return;
    }
    outbox = outbox.filter(function (item) { return item.client_id !== event.client_id; });
    saveOutbox();
    var pending = findPending(event.client_id);
    if (pending) {
      var status = pending.querySelector("[data-status]");
      status.textContent = event.message;
      status.classList.remove("govuk-tag--grey");
      status.classList.add("govuk-tag--red");
    }
  }

  function onSubmit(e) {
    if (!textarea || (fileInput && fileInput.files && fileInput.files.length)) return; // plain post
    var body = textarea.value;
    if (!body.trim() || !socket || socket.readyState !== WebSocket.OPEN) return; // plain post
    e.preventDefault();
    var item = { client_id: uuid(), body: body };
    if (tooBig(sendFrame(item))) {
      showSendError(text("too-long"));
      return;
    }
    clearSendError();
    outbox.push(item);
    saveOutbox();
    var empty = root.querySelector("[data-empty]");
    if (empty) empty.remove();
    var pendingItem = render({ client_id: item.client_id, sender: me, body: body }, true);
    list.appendChild(pendingItem);
    textarea.value = "";
    send(sendFrame(item));
  }

  function onInput() {
    var now = Date.now();
    if (now - typingSentAt > 2000) {
      typingSentAt = now;
      send({ type: "typing", conversation: conversationId });
    }
  }

  // The socket --------------------------------------------------------------------------
  function onMessage(raw) {
    var event;
    try { event = JSON.parse(raw.data); } catch (err) { return; }
    switch (event.type) {
      case "hello":
        attempts = 0;
        showConnection(false);
        me = me || event.user;
        maxFrame = Number(event.max_frame) || 0;
        if (root) root.setAttribute("data-live", "1");
        Object.keys(event.counts || {}).forEach(function (name) { setCount(name, event.counts[name]); });
        if (conversationId) {
          resume(lastId);
          flushOutbox();
        }
        break;
      case "message":
        if (event.message.sender !== me && event.message.conversation !== conversationId) bumpCount("messages");
        showMessage(event.message);
        break;
      case "sent": markSent(event); break;
      case "resumed":
        if (event.conversation !== conversationId) break;
        resuming = false;
        if (event.deleted_until) deletedSince = event.deleted_until;
        // This socket has now been sent every message up to "last".
        if (event.last > lastId) lastId = event.last;
        catchUp();
        if (event.more || Object.keys(ahead).length) resume(lastId);
        break;
      case "subscribed":
        // Live events flow again after the server's channel layer failed: catch up.
        if (conversationId) resume(lastId);
        break;
      case "deleted":
        var item = event.message && findMessage(event.message.id);
        if (item) {
          fill(item, event.message);
          item.querySelectorAll("[data-status], .app-message__actions, [data-attachment], img").forEach(function (el) { el.remove(); });
        }
        break;
      case "receipt": updateReceipts(event); break;
      case "typing": showTyping(event); break;
      case "count": setCount(event.name, event.count); break;
      case "removed":
        if (event.conversation === conversationId && form) form.remove();
        break;
      case "signed_out": stopped = true; forgetOutboxes(); break;
      case "error": handleError(event); break;
    }
  }

  function connect() {
    if (stopped || !("WebSocket" in window)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (e) {
      socket = null;
      resuming = false;
      if (root) root.removeAttribute("data-live");
      if (STOP_CODES.indexOf(e.code) !== -1) { stopped = true; return; }
      if (e.code === TOO_BIG) showSendError(text("too-long"));
      showConnection(true);
      attempts += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(attempts, 5)));
      window.setTimeout(connect, delay / 2 + Math.random() * delay / 2);
    });
  }

  // Sends left unacknowledged before a reload: show them as sending until the server acks.
  if (list && outbox.length) {
    outbox.forEach(function (item) {
      if (findPending(item.client_id)) return;
      var empty = root.querySelector("[data-empty]");
      if (empty) empty.remove();
      list.appendChild(render({ client_id: item.client_id, sender: me, body: item.body }, true));
    });
  }

  if (form) {
    form.addEventListener("submit", onSubmit);
    if (textarea) textarea.addEventListener("input", onInput);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && conversationId && lastId) acknowledge();
  });
  // Keeps this person counted as online, so nobody emails them while they are here.
  window.setInterval(function () { send({ type: "ping" }); }, 60000);
  window.addEventListener("online", function () { if (!socket && !stopped) { attempts = 0; connect(); } });
  connect();
})();
