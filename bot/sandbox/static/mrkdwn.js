// Slack's mrkdwn as HTML: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, links, mentions and dates.
// Text arrives escaped the Slack way (&amp; &lt; &gt;); a raw "<" starts a control sequence like <@U123>.
"use strict";

const Mrkdwn = (() => {
  const directory = { people: {}, channels: {} }; // filled by app.js from /sandbox/config

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // Slack's own escapes back to characters, so they are escaped once for HTML.
  function unslack(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function ordinal(n) {
    if (n % 100 >= 11 && n % 100 <= 13) return `${n}th`;
    return n + ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
  }

  function formatDate(seconds, format, fallback) {
    const when = new Date(Number(seconds) * 1000);
    if (Number.isNaN(when.getTime())) return fallback;
    const month = when.toLocaleString("en-US", { month: "long" });
    const short = when.toLocaleString("en-US", { month: "short" });
    const dayDiff = Math.round((new Date().setHours(0, 0, 0, 0) - new Date(when).setHours(0, 0, 0, 0)) / 86400000);
    const pretty = (plain) => (dayDiff === 0 ? "Today" : dayDiff === 1 ? "Yesterday" : dayDiff === -1 ? "Tomorrow" : plain);
    const tokens = {
      // The reader's own day, as every other token (toISOString would give UTC's).
      date_num: `${when.getFullYear()}-${String(when.getMonth() + 1).padStart(2, "0")}-${String(when.getDate()).padStart(2, "0")}`,
      date: `${month} ${ordinal(when.getDate())}, ${when.getFullYear()}`,
      date_short: `${short} ${when.getDate()}, ${when.getFullYear()}`,
      date_long: `${when.toLocaleString("en-US", { weekday: "long" })}, ${month} ${ordinal(when.getDate())}, ${when.getFullYear()}`,
      time: when.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" }),
      time_secs: when.toLocaleTimeString("en-US"),
      ago: agoText(when),
    };
    tokens.date_pretty = pretty(tokens.date);
    tokens.date_short_pretty = pretty(tokens.date_short);
    tokens.date_long_pretty = pretty(tokens.date_long);
    let unknown = false;
    const out = format.replace(/\{(\w+)\}/g, (whole, name) => {
      if (!(name in tokens)) unknown = true;
      return tokens[name] || whole;
    });
    return unknown ? fallback : out;
  }

  function agoText(when) {
    const minutes = Math.round((Date.now() - when.getTime()) / 60000);
    if (Math.abs(minutes) < 60) return minutes <= 1 ? "just now" : `${minutes} minutes ago`;
    const hours = Math.round(minutes / 60);
    if (Math.abs(hours) < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
    const days = Math.round(hours / 24);
    return `${days} day${days === 1 ? "" : "s"} ago`;
  }

  // One control sequence (the part between < and >) as HTML.
  function control(inner) {
    const [target, label] = splitOnce(inner, "|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      // Slack shows a person's current name whatever label the text carries.
      const name = (directory.people[id] || {}).real_name || label || id;
      return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(unslack(name))}</span>`;
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const name = (directory.channels[id] || {}).name || label || id;
      return `<a class="channel-link" href="#" data-channel="${escapeHtml(id)}">#${escapeHtml(unslack(name))}</a>`;
    }
    if (target.startsWith("!date^")) {
      const [, seconds, format, link] = target.split("^");
      const shown = escapeHtml(formatDate(seconds, unslack(format || ""), unslack(label || "")));
      // <!date^…^{format}^https://…|fallback>: the date is a link.
      return link && /^https?:/i.test(unslack(link)) ? `<a href="${escapeHtml(unslack(link))}" target="_blank" rel="noopener">${shown}</a>` : shown;
    }
    if (target.startsWith("!subteam^")) return `<span class="mention">@${escapeHtml(unslack(label || "team"))}</span>`;
    if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
    const href = unslack(target);
    const safe = /^(https?:|mailto:)/i.test(href) ? href : "#";
    return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener">${escapeHtml(unslack(label || target))}</a>`;
  }

  function splitOnce(text, separator) {
    const at = text.indexOf(separator);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  // Inline styles of plain text (already HTML-escaped): `code` first, so nothing inside it is styled.
  function inline(html) {
    const parts = html.split(/(`[^`\n]+`)/g);
    return parts
      .map((part, index) => {
        if (index % 2 === 1) return `<code>${part.slice(1, -1)}</code>`;
        // A style mark opens after a non-word character and closes before one, so snake_case stays as typed.
        return part
          .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g, "$1<b>$2</b>")
          .replace(/(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])/g, "$1<i>$2</i>")
          .replace(/(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])/g, "$1<s>$2</s>");
      })
      .join("");
  }

  // Lines starting with "> " become one blockquote per run; the others are joined with line breaks.
  function linesToHtml(lines) {
    const out = [];
    let plainRun = [];
    let quoteRun = [];
    const flush = () => {
      if (plainRun.length) out.push(plainRun.join("<br>"));
      if (quoteRun.length) out.push(`<blockquote>${quoteRun.join("<br>")}</blockquote>`);
      plainRun = [];
      quoteRun = [];
    };
    for (const line of lines) {
      const quoted = line.startsWith("&gt; ") || line === "&gt;";
      if (quoted !== quoteRun.length > 0 && (plainRun.length || quoteRun.length)) flush();
      (quoted ? quoteRun : plainRun).push(inline(quoted ? line.replace(/^&gt; ?/, "") : line));
    }
    flush();
    return out.join("");
  }

  // Text and control sequences of one run of lines (no ``` inside).
  function textRun(raw) {
    const tokens = raw.split(/(<[^<>\n]*>)/g);
    const stash = [];
    let html = tokens
      .map((token, index) => {
        if (index % 2 === 1) {
          stash.push(control(token.slice(1, -1)));
          return `\u0000${stash.length - 1}\u0000`;
        }
        return escapeHtml(unslack(token));
      })
      .join("");
    html = linesToHtml(html.split("\n"));
    return html.replace(/\u0000(\d+)\u0000/g, (_, n) => stash[Number(n)]);
  }

  function toHtml(text) {
    if (!text) return "";
    return String(text)
      .split(/```/g)
      .map((chunk, index) => (index % 2 === 1 ? `<pre>${escapeHtml(unslack(chunk.replace(/^\n/, "")))}</pre>` : textRun(chunk)))
      .join("");
  }

  function plain(text) {
    return escapeHtml(unslack(String(text || "")));
  }

  return { toHtml, plain, escapeHtml, directory, formatDate };
})();
