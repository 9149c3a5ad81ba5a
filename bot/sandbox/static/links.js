// Slack-shaped permalinks (https://<team>.slack.com/archives/<channel>/p<ts digits>[?thread_ts=…]) as places in
// the sandbox: the stand-in's chat.getPermalink hands them out (bot/sandbox/permalinks.py builds the same shape).
"use strict";

const Links = (() => {
  const PERMALINK = /^https:\/\/(?:[\w-]+\.)?slack\.com\/archives\/([A-Z0-9]+)\/p(\d{7,})$/;

  // { channel, ts, thread } for a permalink, null for any other link.
  function parse(href) {
    let url;
    try {
      url = new URL(href, location.href);
    } catch {
      return null;
    }
    const found = PERMALINK.exec(`${url.protocol}//${url.host}${url.pathname}`);
    if (!found) return null;
    const digits = found[2];
    const ts = `${digits.slice(0, -6)}.${digits.slice(-6)}`;
    const thread = url.searchParams.get("thread_ts");
    return { channel: found[1], ts, thread: thread && thread !== ts ? thread : "" };
  }

  // Scroll to the message (in the thread panel first when it is a reply) and flash it; false until it is drawn.
  function reveal(ts, inThread) {
    const panes = inThread ? ["#thread-messages", "#messages"] : ["#messages", "#thread-messages"];
    for (const pane of panes) {
      const node = document.querySelector(`${pane} .message[data-ts="${CSS.escape(ts)}"]`);
      if (!node) continue;
      node.scrollIntoView({ block: "center" });
      node.classList.add("highlight");
      setTimeout(() => node.classList.remove("highlight"), 3000);
      return true;
    }
    return false;
  }

  return { parse, reveal };
})();
