// Shared helpers of the admin page: DOM building, the API client, problem-details display.
// Plain ES modules, no framework and no build step (see README, "Admin page").

/** Builds an element: h("a", {href, onclick}, "text", child…). Attributes set to false/null/undefined are left out. */
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const kid of kids.flat(Infinity)) if (kid !== null && kid !== undefined && kid !== false) el.append(kid.nodeType ? kid : String(kid));
  return el;
}

/** The same for SVG elements. */
export function s(tag, attrs = {}, text) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttrs(el, attrs);
  if (text !== undefined) el.textContent = text;
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "value" && "value" in el && el.tagName !== "OPTION") el.value = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
}

export const fmtMs = v => (v === null || v === undefined || Number.isNaN(Number(v))) ? "—" : `${Number(v) < 10 ? Number(v).toFixed(1) : Math.round(Number(v))} ms`;
export const fmtDate = v => v ? new Date(v).toLocaleString() : "—";
export const fmtPct = v => (v === null || v === undefined) ? "—" : `${(Number(v) * 100).toFixed(1)}%`;
// Ids are UUIDv7: their first digits are a timestamp, shared by everything made in the same minute, so
// the short form is the random tail.
export const shortId = id => String(id ?? "").slice(-8);

// The key lives in sessionStorage: it is gone when the tab closes and never reaches a cookie.
export const session = {
  get key() { return sessionStorage.getItem("parley.key") || ""; },
  get role() { return sessionStorage.getItem("parley.role") || ""; },
  get isAdmin() { return this.role === "platform"; },
  /** The account the page works on: the key's own, or the one an admin picked. */
  get account() { return sessionStorage.getItem("parley.account") || ""; },
  get accountName() { return sessionStorage.getItem("parley.accountName") || ""; },
  signIn(key, role, account) { sessionStorage.setItem("parley.key", key); sessionStorage.setItem("parley.role", role); this.actAs(account || "", ""); },
  actAs(account, name) { sessionStorage.setItem("parley.account", account || ""); sessionStorage.setItem("parley.accountName", name || ""); },
  clear() { sessionStorage.clear(); },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || (typeof problem === "string" && problem) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let onUnauthorized = () => {};
export const setUnauthorizedHandler = f => { onUnauthorized = f; };

function headers(platform) {
  const hs = { Authorization: `Bearer ${session.key}` };
  // An admin acting for an account says so on every request; account-wide admin calls (the accounts list) do not.
  if (session.isAdmin && session.account && !platform) hs["X-Parley-Account"] = session.account;
  return hs;
}

/** Calls the API; a non-2xx answer throws ApiError carrying the problem details. */
export async function api(path, { method = "GET", body, platform = false, signal } = {}) {
  const hs = headers(platform);
  if (body !== undefined) hs["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers: hs, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = text; } }
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, data);
  }
  return data;
}

/** Reads every page of a keyset-paged list (limit 200 a request) up to `max` rows. */
export async function fetchAll(path, max = 1000, platform = false) {
  const items = [];
  let next = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api(`${path}${sep}limit=200${next ? `&after=${encodeURIComponent(next)}` : ""}`, { platform });
    items.push(...(page.items || []));
    next = page.next;
  } while (next && items.length < max);
  return { items, truncated: !!next };
}

/** POSTs a form with upload progress (fetch has no upload progress events, XMLHttpRequest does). */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    for (const [k, v] of Object.entries(headers(false))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = e => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      let d = null;
      try { d = JSON.parse(xhr.responseText); } catch { d = xhr.responseText; }
      if (xhr.status === 401) onUnauthorized();
      xhr.status >= 200 && xhr.status < 300 ? resolve(d) : reject(new ApiError(xhr.status, d));
    };
    xhr.onerror = () => reject(new ApiError(0, { title: "The server could not be reached." }));
    xhr.send(form);
  });
}

/**
 * Shows an API error: the title/detail in `target`, and each field error of a validation problem
 * (RFC 7807 "errors": {field: [messages]}) right under its input in `form`.
 */
export function showProblem(target, err, form) {
  if (form) for (const el of form.querySelectorAll(".field-error")) el.remove();
  if (form) for (const el of form.querySelectorAll("[aria-invalid]")) { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); }
  const errors = err?.problem?.errors;
  const lines = [];
  if (errors) {
    for (const [field, msgs] of Object.entries(errors)) {
      const text = [].concat(msgs).join(" ");
      const name = field.replace(/^\$\.?/, "");
      const input = form && [...form.elements].find(e => e.name && e.name.toLowerCase() === name.toLowerCase());
      if (input) {
        // Beside the label, not inside it, so the field's accessible name stays its label.
        const id = `err-${input.name}-${Math.random().toString(36).slice(2, 8)}`;
        const msg = h("span", { class: "field-error", "data-field": input.name, id }, text);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", id);
        const field = input.closest(".field");
        if (field) field.append(msg); else (input.closest("label") || input).after(msg);
      } else lines.push(`${name}: ${text}`);
    }
  }
  target.replaceChildren(h("span", {}, err?.problem?.errors ? (err.problem.title || "The request is invalid.") : (err?.message || String(err))), ...lines.map(l => h("div", {}, l)));
}

/** A button that asks for a second click before it acts (no native confirm(): it blocks automation and looks foreign). */
export function confirmButton(label, action, cls = "danger") {
  let armed = null;
  const btn = h("button", { type: "button", class: cls, onclick: async ev => {
    ev.stopPropagation();
    if (!armed) {
      btn.textContent = "Sure?";
      armed = setTimeout(() => { armed = null; btn.textContent = label; }, 3000);
      return;
    }
    clearTimeout(armed); armed = null; btn.disabled = true;
    try { await action(); } finally { btn.disabled = false; btn.textContent = label; }
  } }, label);
  return btn;
}

/** A card saying why there is nothing to show. */
export const emptyState = (title, detail) => h("div", { class: "empty" }, h("strong", {}, title), detail ? h("p", { class: "muted" }, detail) : null);

let config = null;
/** Server settings (budgets, top-k limit) from GET /v1/config, fetched once; the design's defaults if it fails. */
export async function serverConfig() {
  if (!config) {
    config = await api("/v1/config", { platform: true }).catch(() => ({ budgets: { searchMs: 100, llmMs: 300, ttsMs: 100, turnMs: 500 }, maxTopK: 100, fallback: true }));
  }
  return config;
}
