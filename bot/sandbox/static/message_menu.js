// A message's "More actions" (⋯) menu: the app's message shortcuts, as the manifest declares them.
// The menu floats over the page (not inside the message), so a redraw of the conversation does not close it.
"use strict";

const MessageMenu = (() => {
  const { el } = Blocks;
  let open = null; // the menu node, while shown

  function close() {
    if (open) open.remove();
    open = null;
  }

  function show(anchor, message, shortcuts, run) {
    const again = open && open.dataset.ts === message.ts;
    close();
    if (again) return; // a second click on ⋯ closes it
    const items = shortcuts.map((shortcut) =>
      el("button", {
        type: "button",
        class: "menu-item",
        role: "menuitem",
        title: shortcut.description,
        "data-callback-id": shortcut.callback_id,
        onclick: () => {
          close();
          run(shortcut);
        },
      }, el("span", { class: "menu-name" }, shortcut.name), el("span", { class: "menu-app" }, "lifecycle-bot")),
    );
    const box = anchor.getBoundingClientRect();
    open = el("div", { class: "message-menu", role: "menu", "aria-label": "More actions", "data-ts": message.ts },
      el("div", { class: "menu-title" }, "Message shortcuts"),
      items.length ? items : el("div", { class: "menu-empty" }, "The app declares no message shortcuts."));
    open.style.top = `${Math.round(box.bottom + 4)}px`;
    open.style.right = `${Math.round(window.innerWidth - box.right)}px`;
    document.body.append(open);
    if (box.bottom + 4 + open.offsetHeight > window.innerHeight) open.style.top = `${Math.round(box.top - 4 - open.offsetHeight)}px`;
    const first = open.querySelector(".menu-item");
    if (first) first.focus();
  }

  // The ⋯ button for a message's hover tools; `run(shortcut)` sends the message_action.
  function button(message, shortcuts, run) {
    return el("button", {
      type: "button",
      class: "more-actions",
      title: "More actions",
      "aria-label": "More actions",
      "aria-haspopup": "menu",
      onclick: (event) => {
        event.stopPropagation();
        show(event.currentTarget, message, shortcuts, run);
      },
    }, "⋯");
  }

  document.addEventListener("click", (event) => {
    if (open && !open.contains(event.target)) close();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  document.addEventListener("scroll", close, true); // it floats: once its message moves away it would point nowhere

  return { button, close };
})();
