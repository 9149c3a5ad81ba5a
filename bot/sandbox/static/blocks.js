// Block Kit as DOM, the way Slack draws it: header, section (text, fields, accessory), context, divider,
// actions, image, input; elements: button, static/external/users select, overflow, datepicker, plain_text_input.
// `ctx` says where the blocks are: { surface, onAction(action), suggest(block_id, action_id, value), state, errors }.
"use strict";

const Blocks = (() => {
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "html") node.innerHTML = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(child));
    }
    return node;
  }

  function text(obj) {
    if (!obj) return el("span");
    if (obj.type === "mrkdwn") return el("span", { class: "mrkdwn", html: Mrkdwn.toHtml(obj.text) });
    return el("span", { class: "plain", html: Mrkdwn.plain(obj.text) });
  }

  function optionText(option) {
    return option && option.text ? String(option.text.text) : "";
  }

  // -- interactive elements ------------------------------------------------------------------
  function button(element, blockId, ctx) {
    const classes = ["bk-button", element.style || ""].join(" ").trim();
    const node = el("button", { class: classes, type: "button", "data-action-id": element.action_id }, optionText(element));
    node.addEventListener("click", async () => {
      if (element.confirm && !(await App.confirm(element.confirm))) return;
      if (element.url) App.openUrl(element.url); // a permalink stays in the sandbox
      node.disabled = true;
      const action = { type: "button", action_id: element.action_id, block_id: blockId, text: element.text };
      if (element.value !== undefined) action.value = element.value;
      if (element.style) action.style = element.style;
      try {
        await ctx.onAction(action);
      } finally {
        node.disabled = false;
      }
    });
    return node;
  }

  function staticSelect(element, blockId, ctx, onPick) {
    const groups = element.option_groups || [{ options: element.options || [] }];
    const select = el("select", { class: "bk-select", "data-action-id": element.action_id });
    select.append(el("option", { value: "" }, optionText({ text: element.placeholder }) || "Select an item"));
    const byValue = {};
    for (const group of groups) {
      const parent = group.label ? el("optgroup", { label: group.label.text }) : select;
      for (const option of group.options || []) {
        byValue[option.value] = option;
        parent.append(el("option", { value: option.value }, optionText(option)));
      }
      if (parent !== select) select.append(parent);
    }
    const initial = element.initial_option;
    if (initial) select.value = initial.value;
    select.addEventListener("change", () => onPick(byValue[select.value] || null));
    const current = () => byValue[select.value] || null;
    return { node: select, current };
  }

  // A text box that asks the bot for options as you type (block_suggestion), then holds the pick.
  function externalSelect(element, blockId, ctx, onPick) {
    const minLength = element.min_query_length ?? 3;
    let picked = element.initial_option || null;
    let timer = null;
    let asked = 0;
    const input = el("input", {
      class: "bk-input ext-input",
      type: "text",
      autocomplete: "off",
      placeholder: optionText({ text: element.placeholder }) || "Type to search",
      "data-action-id": element.action_id,
    });
    if (picked) input.value = optionText(picked);
    const list = el("div", { class: "ext-options", hidden: true });
    const box = el("div", { class: "ext-select" }, input, list);
    const show = (data) => {
      list.replaceChildren();
      const groups = data.option_groups || [{ options: data.options || [] }];
      let count = 0;
      for (const group of groups) {
        if (group.label) list.append(el("div", { class: "ext-group" }, group.label.text));
        for (const option of group.options || []) {
          count += 1;
          const row = el("div", { class: "ext-option", role: "option", "data-value": option.value }, optionText(option));
          row.addEventListener("mousedown", (event) => {
            event.preventDefault();
            picked = option;
            input.value = optionText(option);
            list.hidden = true;
            onPick(option);
          });
          list.append(row);
        }
      }
      if (!count) list.append(el("div", { class: "ext-empty" }, data.error ? `Error: ${data.error}` : "No results"));
      list.hidden = false;
    };
    const ask = () => {
      const value = input.value;
      if (value.length < minLength) {
        list.hidden = true;
        return;
      }
      const ticket = ++asked;
      ctx.suggest(blockId, element.action_id, value).then((data) => ticket === asked && show(data));
    };
    input.addEventListener("input", () => {
      if (picked && input.value !== optionText(picked)) picked = null;
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("focus", () => minLength === 0 && !picked && ask());
    // Arrow keys move through the options; Enter picks one (and never submits the form underneath).
    input.addEventListener("keydown", (event) => {
      const rows = [...list.querySelectorAll(".ext-option")];
      const at = rows.findIndex((row) => row.classList.contains("active"));
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && rows.length) {
        event.preventDefault();
        const next = (at + (event.key === "ArrowDown" ? 1 : rows.length - 1)) % rows.length;
        rows.forEach((row, index) => row.classList.toggle("active", index === next));
        rows[next].scrollIntoView({ block: "nearest" });
      } else if (event.key === "Enter") {
        event.preventDefault();
        const row = rows[Math.max(at, 0)];
        if (row && !list.hidden) row.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
      } else if (event.key === "Escape" && !list.hidden) {
        event.stopPropagation();
        list.hidden = true;
      }
    });
    input.addEventListener("blur", () => setTimeout(() => (list.hidden = true), 150));
    return { node: box, current: () => picked };
  }

  function peopleSelect(element, kind) {
    const choices = kind === "users" ? Object.values(Mrkdwn.directory.people) : Object.values(Mrkdwn.directory.channels);
    const select = el("select", { class: "bk-select", "data-action-id": element.action_id });
    select.append(el("option", { value: "" }, optionText({ text: element.placeholder }) || "Select"));
    for (const choice of choices) select.append(el("option", { value: choice.id }, kind === "users" ? choice.real_name : `#${choice.name}`));
    select.value = element.initial_user || element.initial_channel || element.initial_conversation || "";
    return select;
  }

  // An element that can sit in an actions block, a section accessory or an input block.
  // Returns { node, read } where read() gives the element's state value (Slack's view.state shape).
  function element(element, blockId, ctx, { inInput = false } = {}) {
    const send = (extra) => !inInput && ctx.onAction({ type: element.type, action_id: element.action_id, block_id: blockId, ...extra });
    switch (element.type) {
      case "button":
        return { node: button(element, blockId, ctx), read: null };
      case "image":
        return { node: el("img", { class: "bk-accessory-image", src: element.image_url, alt: element.alt_text || "" }), read: null };
      case "static_select":
      case "overflow": {
        const made = staticSelect(element, blockId, ctx, (option) => send({ selected_option: option }));
        if (element.type === "overflow") made.node.classList.add("bk-overflow");
        return { node: made.node, read: () => ({ type: element.type, selected_option: made.current() }) };
      }
      case "external_select": {
        const made = externalSelect(element, blockId, ctx, (option) => send({ selected_option: option }));
        return { node: made.node, read: () => ({ type: "external_select", selected_option: made.current() }) };
      }
      case "users_select":
      case "conversations_select":
      case "channels_select": {
        const kind = element.type === "users_select" ? "users" : "channels";
        const key = { users_select: "selected_user", conversations_select: "selected_conversation", channels_select: "selected_channel" }[element.type];
        const select = peopleSelect(element, kind);
        select.addEventListener("change", () => send({ [key]: select.value || null }));
        return { node: select, read: () => ({ type: element.type, [key]: select.value || null }) };
      }
      case "datepicker": {
        const input = el("input", { class: "bk-input", type: "date", value: element.initial_date || "", "data-action-id": element.action_id });
        input.addEventListener("change", () => send({ selected_date: input.value || null }));
        return { node: input, read: () => ({ type: "datepicker", selected_date: input.value || null }) };
      }
      case "plain_text_input": {
        const attrs = {
          class: "bk-input",
          placeholder: optionText({ text: element.placeholder }),
          maxlength: element.max_length,
          "data-action-id": element.action_id,
        };
        const input = element.multiline ? el("textarea", { ...attrs, rows: 4 }) : el("input", { ...attrs, type: "text" });
        input.value = element.initial_value || "";
        return { node: input, read: () => ({ type: "plain_text_input", value: input.value === "" ? null : input.value }) };
      }
      default:
        return { node: el("span", { class: "bk-unsupported" }, `[${element.type}]`), read: null };
    }
  }

  // -- blocks ----------------------------------------------------------------------------------
  function section(block, ctx) {
    const body = el("div", { class: "bk-section-body" });
    if (block.text) body.append(el("div", { class: "bk-section-text" }, text(block.text)));
    if (block.fields) body.append(el("div", { class: "bk-fields" }, block.fields.map((field) => el("div", { class: "bk-field" }, text(field)))));
    const node = el("div", { class: "bk-section" }, body);
    if (block.accessory) {
      const made = element(block.accessory, block.block_id, ctx);
      node.append(el("div", { class: "bk-accessory" }, made.node));
      if (made.read) ctx.readers.push([block.block_id, block.accessory.action_id, made.read]);
    }
    return node;
  }

  function input(block, ctx) {
    const made = element(block.element, block.block_id, ctx, { inInput: true });
    if (made.read) ctx.readers.push([block.block_id, block.element.action_id, made.read]);
    if (made.read && !block.optional) (ctx.required = ctx.required || []).push([block.block_id, block.element.action_id]);
    const error = (ctx.errors || {})[block.block_id];
    const label = el("label", { class: "bk-label" }, optionText({ text: block.label }), block.optional ? el("span", { class: "optional" }, " (optional)") : null);
    return el(
      "div",
      { class: `bk-input-block${error ? " has-error" : ""}`, "data-block-id": block.block_id },
      label,
      made.node,
      block.hint ? el("div", { class: "bk-hint" }, optionText({ text: block.hint })) : null,
      error ? el("div", { class: "bk-error" }, error) : null,
    );
  }

  function render(blocks, ctx) {
    ctx.readers = ctx.readers || [];
    const root = el("div", { class: "blocks" });
    for (const block of blocks || []) {
      let node;
      switch (block.type) {
        case "header":
          node = el("div", { class: "bk-header" }, text(block.text));
          break;
        case "section":
          node = section(block, ctx);
          break;
        case "context":
          node = el("div", { class: "bk-context" }, (block.elements || []).map((item) => (item.type === "image" ? el("img", { src: item.image_url, alt: item.alt_text || "" }) : text(item))));
          break;
        case "divider":
          node = el("hr", { class: "bk-divider" });
          break;
        case "actions":
          node = el("div", { class: "bk-actions" }, (block.elements || []).map((item) => {
            const made = element(item, block.block_id, ctx);
            if (made.read) ctx.readers.push([block.block_id, item.action_id, made.read]);
            return made.node;
          }));
          break;
        case "image":
          node = el("figure", { class: "bk-image" }, block.title ? el("figcaption", {}, optionText({ text: block.title })) : null, el("img", { src: block.image_url, alt: block.alt_text || "" }));
          break;
        case "input":
          node = input(block, ctx);
          break;
        case "rich_text":
          node = el("div", { class: "bk-section-text" }, richText(block));
          break;
        default:
          node = el("div", { class: "bk-unsupported" }, `[${block.type} block]`);
      }
      if (block.block_id) node.dataset.blockId = block.block_id;
      root.append(node);
    }
    return root;
  }

  // rich_text, just the text of its sections (Slack clients send it; the bot rarely does).
  function richText(block) {
    const pieces = [];
    const walk = (items) => (items || []).forEach((item) => (item.elements ? walk(item.elements) : pieces.push(item.text || item.url || "")));
    walk(block.elements);
    return pieces.join("");
  }

  // The view's state.values from the readers collected while rendering.
  function stateValues(readers) {
    const values = {};
    for (const [blockId, actionId, read] of readers) {
      values[blockId] = values[blockId] || {};
      values[blockId][actionId] = read();
    }
    return values;
  }

  // Slack refuses to submit a modal while a required input is empty; so does the sandbox.
  function missingRequired(ctx, values) {
    const missing = {};
    for (const [blockId, actionId] of ctx.required || []) {
      const state = (values[blockId] || {})[actionId] || {};
      const filled = Object.entries(state).some(([key, value]) => key !== "type" && value !== null && value !== "");
      if (!filled) missing[blockId] = "Please complete this required field.";
    }
    return missing;
  }

  return { render, el, text, stateValues, optionText, missingRequired };
})();
