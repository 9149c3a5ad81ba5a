// The sandbox page: who you are, where you are, what you see; long-polls /sandbox/state and draws it.
"use strict";

const App = (() => {
  const { el } = Blocks;
  const $ = (id) => document.getElementById(id);
  let config = null;
  let user = "";
  let place = "";
  let thread = "";
  let version = -1;
  let poller = null;
  let hintIndex = 0;
  let focus = null; // { channel, ts, thread } of a followed permalink, until its message is drawn
  const rendered = { messages: "", thread: "", home: "" };
  const seen = {}; // user|channel -> message count already seen

  // -- talking to the sandbox server ---------------------------------------------------------
  async function post(verb, body) {
    const response = await fetch(`/sandbox/${verb}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user, ...body }),
    });
    const data = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
    if (data.ok === false && data.error && !data.shown) toast(`${verb}: ${data.error}`);
    return data;
  }

  function toast(message) {
    const node = el("div", { class: "toast" }, message);
    $("toasts").append(node);
    setTimeout(() => node.remove(), 5000);
  }

  async function poll() {
    for (;;) {
      poller = new AbortController();
      const query = new URLSearchParams({ user, channel: place === "home" ? "" : place, thread, since: String(version) });
      try {
        const response = await fetch(`/sandbox/state?${query}`, { signal: poller.signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const snapshot = await response.json();
        if (snapshot.user === user && snapshot.channel === (place === "home" ? "" : place)) {
          version = snapshot.version;
          draw(snapshot);
        }
        $("offline").hidden = true;
      } catch (error) {
        if (error.name === "AbortError") continue;
        $("offline").hidden = false;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  // Something the page shows changed (person, conversation or thread): ask for a fresh snapshot now.
  function refresh() {
    version = -1;
    for (const key of Object.keys(rendered)) rendered[key] = "";
    location.hash = `/${user}/${place}${thread ? `/${thread}` : ""}`;
    if (poller) poller.abort();
  }

  // -- navigation ------------------------------------------------------------------------------
  function person(id) {
    return config.people.find((p) => p.id === id);
  }

  function switchUser(id) {
    user = id;
    thread = "";
    Modals.close();
    if (place.startsWith("D")) place = person(id).dm;
    drawPeople();
    refresh();
    if (place === "home") post("home", {});
  }

  function go(target) {
    place = target;
    thread = "";
    refresh();
    drawPlace();
    if (target === "home") post("home", {});
    else $("composer-input").focus();
  }

  function openThread(ts) {
    thread = ts;
    refresh();
  }

  // A permalink to a sandbox message opens its conversation (as its owner, for a DM) at the message; other
  // links open in a new tab. Returns whether the link was one of ours.
  function follow(href) {
    const link = Links.parse(href);
    if (!link) return false;
    const owner = config.people.find((p) => p.dm === link.channel);
    if (!owner && !config.channels.some((c) => c.id === link.channel)) {
      toast("That message is in a conversation the sandbox does not have.");
      return true;
    }
    if (owner && owner.id !== user) switchUser(owner.id);
    focus = link;
    go(link.channel);
    if (link.thread) openThread(link.thread);
    return true;
  }

  function openUrl(href) {
    if (!follow(href)) window.open(href, "_blank", "noopener");
  }

  // -- drawing ---------------------------------------------------------------------------------
  function avatar(id, name) {
    const initials = (name || "?").split(/\s+/).map((part) => part[0]).join("").slice(0, 2).toUpperCase();
    const kind = id === config.bot_user_id ? "bot" : id === "USLACKBOT" ? "slackbot" : `p${config.people.findIndex((p) => p.id === id)}`;
    return el("div", { class: `avatar ${kind}` }, id === config.bot_user_id ? "LB" : initials);
  }

  function drawPeople() {
    const list = $("people");
    list.replaceChildren(
      ...config.people.map((p) =>
        el("button", { class: `person${p.id === user ? " active" : ""}`, type: "button", "data-user": p.id, title: p.role, onclick: () => switchUser(p.id) },
          avatar(p.id, p.real_name),
          el("span", { class: "person-text" }, el("span", { class: "person-name" }, p.real_name), el("span", { class: "person-role" }, p.role))),
      ),
    );
  }

  function drawSidebar(counts) {
    const me = person(user);
    const item = (id, label, extra = "") => {
      const key = `${user}|${id}`;
      if (id === place) seen[key] = counts[id] || 0;
      const unread = Math.max(0, (counts[id] || 0) - (seen[key] ?? counts[id] ?? 0));
      if (seen[key] === undefined) seen[key] = counts[id] || 0;
      return el("li", { class: `nav-item${id === place ? " active" : ""}${unread ? " unread" : ""} ${extra}`, "data-place": id, onclick: () => go(id) },
        el("span", { class: "nav-label" }, label), unread ? el("span", { class: "badge" }, String(unread)) : null);
    };
    $("channel-list").replaceChildren(...config.channels.map((c) => item(c.id, `# ${c.name}`)));
    $("app-list").replaceChildren(item("home", "lifecycle-bot · Home", "app"), item(me.dm, "lifecycle-bot · Messages", "app"));
  }

  function drawPlace() {
    const channel = config.channels.find((c) => c.id === place);
    const home = place === "home";
    $("place-title").textContent = home ? "lifecycle-bot" : channel ? `# ${channel.name}` : "lifecycle-bot";
    $("place-purpose").textContent = home ? "Home" : channel ? channel.purpose : "Direct messages with the app";
    $("messages").hidden = home;
    $("home").hidden = !home;
    $("composer").hidden = home;
    $("composer-input").placeholder = channel ? `Message #${channel.name}  (type / for commands)` : "Message lifecycle-bot  (type / for commands)";
    for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.place === (home ? "home" : "dm"));
    $("tabs").hidden = !(home || place.startsWith("D"));
  }

  function timeOf(ts) {
    return new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function messageNode(m, { inThread = false } = {}) {
    const ctx = {
      surface: "message",
      readers: [],
      onAction: (action) => post("action", { channel: m.channel, ts: m.ts, action }),
      suggest: () => Promise.resolve({ options: [] }),
    };
    const content = m.blocks && m.blocks.length ? Blocks.render(m.blocks, ctx) : el("div", { class: "mrkdwn", html: Mrkdwn.toHtml(m.text) });
    const files = (m.files || []).map((f) =>
      f.mimetype.startsWith("image/")
        ? el("figure", { class: "file" }, el("figcaption", {}, f.title || f.name), el("img", { src: f.url_private, alt: f.title || f.name }))
        : el("a", { class: "file-link", href: f.url_private, download: f.name }, `📎 ${f.title || f.name}`),
    );
    const replies = !inThread && m.reply_count
      ? el("button", { class: "replies", type: "button", onclick: () => openThread(m.ts) }, `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`, el("span", { class: "last-reply" }, ` Last reply ${timeOf(m.latest_reply)}`))
      : null;
    // As in Slack: no thread and no shortcuts on an ephemeral message.
    const tools = m.ephemeral
      ? null
      : el("div", { class: "message-tools" },
        inThread ? null : el("button", { type: "button", title: "Reply in thread", onclick: () => openThread(m.ts) }, "💬 Reply"),
        MessageMenu.button(m, config.shortcuts || [], (shortcut) => post("shortcut", { channel: m.channel, ts: m.ts, callback_id: shortcut.callback_id })));
    return el("div", { class: `message${m.ephemeral ? " ephemeral" : ""}`, "data-ts": m.ts, "data-user": m.user },
      avatar(m.user, m.user_name),
      el("div", { class: "message-main" },
        m.ephemeral ? el("div", { class: "only-you" }, "👁 Only visible to you") : null,
        el("div", { class: "message-head" },
          el("span", { class: "author" }, m.user_name),
          m.is_bot ? el("span", { class: "app-badge" }, "APP") : null,
          el("span", { class: "time" }, timeOf(m.ts)),
          m.edited ? el("span", { class: "edited" }, "(edited)") : null),
        content, files, replies),
      tools);
  }

  function drawMessages(messages) {
    const key = JSON.stringify(messages);
    if (key === rendered.messages) return;
    const box = $("messages");
    const atBottom = !rendered.messages || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    rendered.messages = key;
    const channel = config.channels.find((c) => c.id === place);
    const intro = el("div", { class: "intro" },
      el("h3", {}, channel ? `This is the very beginning of #${channel.name}` : "This is your conversation with lifecycle-bot"),
      el("p", {}, "Type / for the bot's commands: /customer, /touch, /stage, /feedback, /lifecycle."));
    box.replaceChildren(intro, ...messages.map((m) => messageNode(m)));
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  function drawThread(data) {
    const panel = $("thread");
    panel.hidden = !data;
    document.body.classList.toggle("with-thread", Boolean(data));
    const key = JSON.stringify(data);
    if (!data || key === rendered.thread) return;
    rendered.thread = key;
    $("thread-messages").replaceChildren(
      messageNode(data.parent, { inThread: true }),
      el("div", { class: "thread-count" }, `${data.replies.length} ${data.replies.length === 1 ? "reply" : "replies"}`),
      ...data.replies.map((m) => messageNode(m, { inThread: true })),
    );
    $("thread-messages").scrollTop = $("thread-messages").scrollHeight;
  }

  function drawHome(home) {
    const key = home ? `${home.id}:${home.hash}` : "none";
    if (key === rendered.home) return;
    rendered.home = key;
    if (!home) {
      $("home").replaceChildren(el("div", { class: "home-empty" }, "Opening the App Home…"));
      return;
    }
    const ctx = {
      surface: "home",
      readers: [],
      onAction: (action) => post("action", { view_id: home.id, action, values: Blocks.stateValues(ctx.readers) }),
      suggest: (blockId, actionId, value) => post("suggest", { view_id: home.id, block_id: blockId, action_id: actionId, value }),
    };
    $("home").replaceChildren(el("div", { class: "home-view", "data-view-id": home.id }, Blocks.render(home.blocks, ctx)));
  }

  function draw(snapshot) {
    drawSidebar(snapshot.counts);
    if (place === "home") drawHome(snapshot.home);
    else drawMessages(snapshot.messages);
    drawThread(snapshot.thread);
    // A followed permalink: shown once its conversation is drawn (older than what the page holds: not at all).
    if (focus && place === focus.channel && thread === focus.thread) {
      Links.reveal(focus.ts, Boolean(focus.thread));
      focus = null;
    }
    Modals.render(snapshot.modals);
    $("notices").replaceChildren(...snapshot.notices.slice(-5).map((n) => el("li", {}, n)));
  }

  // -- the composer ----------------------------------------------------------------------------
  function matchingCommands(value) {
    if (!value.startsWith("/") || /\s/.test(value)) return [];
    return config.commands.filter((c) => c.command.startsWith(value.toLowerCase()));
  }

  function drawHints() {
    const value = $("composer-input").value;
    const hints = $("hints");
    const matches = matchingCommands(value);
    const typed = config.commands.find((c) => value.toLowerCase().startsWith(`${c.command} `));
    if (matches.length) {
      hintIndex = Math.min(hintIndex, matches.length - 1);
      hints.replaceChildren(
        el("div", { class: "hints-title" }, "Commands matching ", el("b", {}, value)),
        ...matches.map((c, index) =>
          el("div", { class: `hint${index === hintIndex ? " selected" : ""}`, "data-command": c.command, onmousedown: (event) => { event.preventDefault(); complete(c); } },
            el("span", { class: "hint-command" }, c.command), el("span", { class: "hint-usage" }, c.usage_hint),
            el("div", { class: "hint-description" }, c.description, el("span", { class: "hint-app" }, " lifecycle-bot")))),
      );
      hints.hidden = false;
    } else if (typed) {
      hints.replaceChildren(el("div", { class: "hint usage-only" }, el("span", { class: "hint-command" }, typed.command), el("span", { class: "hint-usage" }, typed.usage_hint)));
      hints.hidden = false;
    } else {
      hints.hidden = true;
    }
  }

  function complete(command) {
    $("composer-input").value = `${command.command} `;
    $("composer-input").focus();
    drawHints();
  }

  async function send() {
    const input = $("composer-input");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    $("hints").hidden = true;
    if (text.startsWith("/")) await post("command", { channel: place, text });
    else await post("message", { channel: place, text });
  }

  function onComposerKey(event) {
    const value = $("composer-input").value;
    const matches = matchingCommands(value);
    if (matches.length && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      hintIndex = (hintIndex + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      drawHints();
    } else if (matches.length && (event.key === "Tab" || (event.key === "Enter" && !matches.some((c) => c.command === value.toLowerCase())))) {
      event.preventDefault();
      complete(matches[hintIndex]);
    } else if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape") {
      $("hints").hidden = true;
    }
  }

  async function sendReply(event) {
    event.preventDefault();
    const input = $("thread-input");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    if (text.startsWith("/")) await post("command", { channel: place, text });
    else await post("message", { channel: place, text, thread_ts: thread });
  }

  // -- start -----------------------------------------------------------------------------------
  async function start() {
    config = await (await fetch("/sandbox/config")).json();
    for (const p of config.people) Mrkdwn.directory.people[p.id] = p;
    for (const c of config.channels) Mrkdwn.directory.channels[c.id] = c;
    const [, wantedUser, wantedPlace, wantedThread] = location.hash.split("/");
    user = person(wantedUser) ? wantedUser : config.people[0].id;
    const places = [...config.channels.map((c) => c.id), "home", person(user).dm];
    place = places.includes(wantedPlace) ? wantedPlace : "C0SALES";
    thread = wantedThread || "";
    $("composer-input").addEventListener("input", () => { hintIndex = 0; drawHints(); });
    $("composer-input").addEventListener("keydown", onComposerKey);
    $("composer-input").addEventListener("blur", () => setTimeout(() => ($("hints").hidden = true), 150));
    $("send").addEventListener("click", send);
    $("thread-form").addEventListener("submit", sendReply);
    $("thread-close").addEventListener("click", () => openThread(""));
    for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => go(tab.dataset.place === "home" ? "home" : person(user).dm));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && Modals.current() && !document.querySelector(".confirm")) post("close", { view_id: Modals.current() });
    });
    document.addEventListener("click", (event) => {
      const link = event.target.closest(".channel-link");
      if (link) {
        event.preventDefault();
        go(link.dataset.channel);
        return;
      }
      const anchor = event.target.closest("a[href]");
      if (anchor && follow(anchor.href)) event.preventDefault();
    });
    drawPeople();
    drawPlace();
    refresh();
    if (place === "home") post("home", {});
    poll();
  }

  return { start, post, confirm: (spec) => Modals.confirm(spec), go, switchUser, openUrl };
})();

window.addEventListener("DOMContentLoaded", App.start);
