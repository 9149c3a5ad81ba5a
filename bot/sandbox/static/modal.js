// Modals (views.open / update / push) for the person at the keyboard, and Block Kit confirm dialogs.
"use strict";

const Modals = (() => {
  const root = () => document.getElementById("modal-root");
  let shown = null; // { id, hash, readers, errorsKey }

  function close() {
    root().replaceChildren();
    shown = null;
  }

  // Draw the top of the person's modal stack; keep typed input unless the view itself changed.
  function render(stack) {
    const top = stack.length ? stack[stack.length - 1] : null;
    if (!top) return close();
    const { view, errors } = top;
    const errorsKey = JSON.stringify(errors || {});
    if (shown && shown.id === view.id && shown.hash === view.hash) {
      if (shown.errorsKey !== errorsKey) showErrors(errors || {});
      shown.errorsKey = errorsKey;
      return;
    }
    const ctx = {
      surface: "modal",
      readers: [],
      errors: errors || {},
      onAction: (action) => App.post("action", { view_id: view.id, action, values: Blocks.stateValues(ctx.readers) }),
      suggest: (blockId, actionId, value) => App.post("suggest", { view_id: view.id, block_id: blockId, action_id: actionId, value }),
    };
    const { el } = Blocks;
    const body = el("div", { class: "modal-body" }, Blocks.render(view.blocks, ctx));
    const general = el("div", { class: "modal-error", hidden: !(errors || {})[""] }, (errors || {})[""] || "");
    const submit = view.submit
      ? el("button", { class: "bk-button primary", type: "submit", "data-role": "submit" }, Blocks.optionText({ text: view.submit }))
      : null;
    const cancel = el("button", { class: "bk-button", type: "button", "data-role": "cancel", onclick: () => App.post("close", { view_id: view.id }) },
      Blocks.optionText({ text: view.close }) || (view.submit ? "Cancel" : "Close"));
    const form = el(
      "form",
      { class: "modal", "data-view-id": view.id, "data-callback-id": view.callback_id || "", role: "dialog", "aria-label": view.title.text },
      el("header", { class: "modal-header" },
        el("h2", {}, Blocks.optionText({ text: view.title })),
        el("button", { class: "modal-x", type: "button", "aria-label": "Close", onclick: () => App.post("close", { view_id: view.id }) }, "×")),
      body,
      general,
      el("footer", { class: "modal-footer" }, cancel, submit),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = Blocks.stateValues(ctx.readers);
      const missing = Blocks.missingRequired(ctx, values);
      if (Object.keys(missing).length) return showErrors(missing);
      if (submit) submit.disabled = true;
      try {
        await App.post("submit", { view_id: view.id, values });
      } finally {
        if (submit) submit.disabled = false;
      }
    });
    root().replaceChildren(el("div", { class: "modal-backdrop" }, form));
    shown = { id: view.id, hash: view.hash, readers: ctx.readers, errorsKey };
    const first = form.querySelector("input, textarea, select");
    if (first) first.focus();
  }

  function showErrors(errors) {
    const form = root().querySelector(".modal");
    if (!form) return;
    for (const block of form.querySelectorAll(".bk-input-block")) {
      const message = errors[block.dataset.blockId];
      block.classList.toggle("has-error", Boolean(message));
      let line = block.querySelector(".bk-error");
      if (message && !line) block.append((line = Blocks.el("div", { class: "bk-error" })));
      if (line) message ? (line.textContent = message) : line.remove();
    }
    const general = form.querySelector(".modal-error");
    general.hidden = !errors[""];
    general.textContent = errors[""] || "";
  }

  // A Block Kit `confirm` object as a small dialog; resolves true when confirmed.
  function confirm(spec) {
    return new Promise((resolve) => {
      const { el } = Blocks;
      const done = (answer) => {
        layer.remove();
        resolve(answer);
      };
      const layer = el("div", { class: "modal-backdrop confirm" },
        el("div", { class: "modal small", role: "alertdialog" },
          el("header", { class: "modal-header" }, el("h2", {}, Blocks.optionText(spec.title ? { text: spec.title } : null) || "Are you sure?")),
          el("div", { class: "modal-body" }, Blocks.text(spec.text)),
          el("footer", { class: "modal-footer" },
            el("button", { class: "bk-button", type: "button", onclick: () => done(false) }, Blocks.optionText({ text: spec.deny }) || "Cancel"),
            el("button", { class: `bk-button ${spec.style === "danger" ? "danger" : "primary"}`, type: "button", onclick: () => done(true) },
              Blocks.optionText({ text: spec.confirm }) || "Yes"))));
      document.body.append(layer);
    });
  }

  const current = () => (shown ? shown.id : null);

  return { render, confirm, close, current };
})();
