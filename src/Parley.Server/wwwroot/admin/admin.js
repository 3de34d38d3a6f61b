// Parley admin: one small ES module, no build step. It speaks only the public /v1 API with the
// key the user signs in with, so it can never show more than that key may see.
const $ = (sel, root = document) => root.querySelector(sel);
const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "html") el.innerHTML = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) el.append(kid.nodeType ? kid : String(kid));
  return el;
};
const fmtMs = v => (v === null || v === undefined) ? "—" : `${Number(v).toFixed(1)} ms`;
const fmtDate = v => v ? new Date(v).toLocaleString() : "—";
const BUDGETS = { search: 100, llm: 300, tts: 100, total: 500 };

const session = {
  get key() { return sessionStorage.getItem("parley.key"); },
  get account() { return sessionStorage.getItem("parley.account") || ""; },
  get isAdmin() { return sessionStorage.getItem("parley.admin") === "1"; },
  set(key, account, admin) { sessionStorage.setItem("parley.key", key); sessionStorage.setItem("parley.account", account || ""); sessionStorage.setItem("parley.admin", admin ? "1" : "0"); },
  clear() { sessionStorage.clear(); },
};

class ApiError extends Error {
  constructor(status, problem) { super(problem?.detail || problem?.title || `HTTP ${status}`); this.status = status; this.problem = problem; }
}

async function api(path, { method = "GET", body, form } = {}) {
  const headers = { Authorization: `Bearer ${session.key}` };
  if (session.account) headers["X-Parley-Account"] = session.account;
  let payload;
  if (form) payload = form; else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const res = await fetch(path, { method, headers, body: payload });
  const text = await res.text();
  const data = text ? (() => { try { return JSON.parse(text); } catch { return text; } })() : null;
  if (!res.ok) { if (res.status === 401) { session.clear(); route(); } throw new ApiError(res.status, data); }
  return data;
}

// Uploads use XMLHttpRequest: fetch has no upload progress events.
function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("Authorization", `Bearer ${session.key}`);
    if (session.account) xhr.setRequestHeader("X-Parley-Account", session.account);
    xhr.upload.onprogress = e => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => { let d = null; try { d = JSON.parse(xhr.responseText); } catch { } xhr.status < 300 ? resolve(d) : reject(new ApiError(xhr.status, d)); };
    xhr.onerror = () => reject(new ApiError(0, { title: "network error" }));
    xhr.send(form);
  });
}

function showProblem(target, err, form) {
  target.textContent = err.message;
  if (form) for (const el of form.querySelectorAll(".field-error")) el.remove();
  const errors = err.problem?.errors;
  if (errors && form) {
    for (const [field, msgs] of Object.entries(errors)) {
      const input = form.querySelector(`[name="${field}" i]`);
      const msg = h("span", { class: "field-error" }, [].concat(msgs).join(" "));
      if (input) input.after(msg); else target.append(h("div", {}, `${field}: ${[].concat(msgs).join(" ")}`));
    }
  }
}

// ---------- generic list page: search, sort, paging, create/edit form ----------
function listPage({ title, path, columns, fields, idOf = r => r.id, onRow, canCreate = true, canDelete = true }) {
  return async (main) => {
    const state = { items: [], cursors: [null], page: 0, sort: null, dir: 1, filter: "", editing: null };
    const tbody = h("tbody");
    const pager = h("div", { class: "pager" });
    const status = h("p", { class: "error", role: "alert" });
    const formCard = h("section", { class: "card", hidden: true });
    const head = h("tr", {}, columns.map(c => h("th", { "data-sort": c.key, onclick: () => { state.dir = state.sort === c.key ? -state.dir : 1; state.sort = c.key; draw(); } }, c.label)));
    main.replaceChildren(
      h("section", { class: "card" },
        h("div", { class: "toolbar" }, h("h1", {}, title),
          h("input", { type: "search", placeholder: "Filter…", "aria-label": `Filter ${title}`, oninput: e => { state.filter = e.target.value.toLowerCase(); draw(); } }),
          canCreate && fields ? h("button", { onclick: () => openForm(null) }, "New") : null),
        status, h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, head), tbody)), pager),
      formCard);

    function cell(c, r) { const v = c.get ? c.get(r) : r[c.key]; return v === undefined || v === null ? "" : v; }
    function draw() {
      for (const th of head.children) th.className = th.dataset.sort === state.sort ? (state.dir > 0 ? "asc" : "desc") : "";
      let rows = state.items.filter(r => !state.filter || JSON.stringify(r).toLowerCase().includes(state.filter));
      if (state.sort) { const c = columns.find(c => c.key === state.sort); rows = [...rows].sort((a, b) => { const x = cell(c, a), y = cell(c, b); return (x > y ? 1 : x < y ? -1 : 0) * state.dir; }); }
      tbody.replaceChildren(...rows.map(r => h("tr", { class: "clickable", onclick: () => onRow ? onRow(r) : (fields && openForm(r)) },
        columns.map(c => h("td", { class: c.cls || "" }, c.render ? c.render(r) : String(cell(c, r)))))));
      if (!rows.length) tbody.append(h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, "Nothing here yet.")));
      pager.replaceChildren(
        h("button", { class: "secondary", disabled: state.page === 0, onclick: () => load(state.page - 1) }, "Previous"),
        h("span", { class: "muted" }, `page ${state.page + 1}`),
        h("button", { class: "secondary", disabled: !state.cursors[state.page + 1], onclick: () => load(state.page + 1) }, "Next"));
    }
    async function load(page = 0) {
      try {
        const cursor = state.cursors[page];
        const sep = path.includes("?") ? "&" : "?";
        const data = await api(`${path}${sep}limit=25${cursor ? `&after=${encodeURIComponent(cursor)}` : ""}`);
        state.items = data.items || data || []; state.page = page; state.cursors[page + 1] = data.next || null;
        status.textContent = ""; draw();
      } catch (e) { status.textContent = e.message; }
    }
    function openForm(row) {
      state.editing = row;
      const err = h("p", { class: "error", role: "alert" });
      const form = h("form", { novalidate: true },
        fields.map(f => h("label", {}, f.label,
          f.type === "textarea" ? h("textarea", { name: f.name }, row ? (row[f.name] ?? "") : (f.value ?? ""))
          : f.type === "select" ? h("select", { name: f.name }, f.options.map(o => h("option", { value: o, selected: row ? row[f.name] === o : f.value === o }, o)))
          : f.type === "checkbox" ? h("input", { name: f.name, type: "checkbox", checked: row ? !!row[f.name] : !!f.value })
          : h("input", { name: f.name, type: f.type || "text", step: f.step, value: row ? (row[f.name] ?? "") : (f.value ?? "") }))),
        h("div", { class: "row" }, h("button", { type: "submit" }, row ? "Save" : "Create"),
          h("button", { type: "button", class: "secondary", onclick: () => { formCard.hidden = true; } }, "Cancel"),
          row && canDelete ? h("button", { type: "button", class: "danger", onclick: async () => {
            if (!confirm("Delete?")) return;
            try { await api(`${path.split("?")[0]}/${idOf(row)}`, { method: "DELETE" }); formCard.hidden = true; load(state.page); } catch (e) { showProblem(err, e, form); }
          } }, "Delete") : null),
        err);
      form.addEventListener("submit", async ev => {
        ev.preventDefault();
        const body = {};
        for (const f of fields) {
          const el = form.elements[f.name];
          if (f.type === "checkbox") body[f.name] = el.checked;
          else if (f.type === "number") { if (el.value !== "") body[f.name] = Number(el.value); }
          else if (f.type === "json") { if (el.value.trim()) { try { body[f.name] = JSON.parse(el.value); } catch { err.textContent = `${f.label}: not valid JSON`; return; } } }
          else if (el.value !== "" || row) body[f.name] = el.value;
        }
        try {
          await api(row ? `${path.split("?")[0]}/${idOf(row)}` : path.split("?")[0], { method: row ? "PATCH" : "POST", body });
          formCard.hidden = true; load(state.page);
        } catch (e) { showProblem(err, e, form); }
      });
      formCard.replaceChildren(h("h2", {}, row ? `Edit ${row.name || idOf(row)}` : `New ${title.replace(/s$/, "").toLowerCase()}`), form);
      formCard.hidden = false; formCard.scrollIntoView({ behavior: "smooth" });
    }
    await load(0);
  };
}

const pages = {
  accounts: async (main) => {
    await listPage({ title: "Accounts", path: "/v1/accounts", canDelete: false,
      columns: [{ key: "name", label: "Name" }, { key: "language", label: "Language" }, { key: "plan", label: "Plan" }, { key: "id", label: "Id", cls: "mono hide-sm" }],
      fields: [{ name: "name", label: "Name" }, { name: "language", label: "Text-search language", value: "english" }, { name: "plan", label: "Plan", value: "starter" }],
      onRow: r => { session.set(session.key, r.id, true); location.hash = "#/agents"; },
    })(main);
    main.prepend(h("p", { class: "muted" }, "Click an account to act as it (admin key)."));
  },
  agents: listPage({ title: "Agents", path: "/v1/agents",
    columns: [{ key: "name", label: "Name" }, { key: "language", label: "Language" }, { key: "topK", label: "Top-k" }, { key: "minSimilarity", label: "Min. similarity" },
      { key: "hybrid", label: "Hybrid", render: r => r.hybrid ? "yes" : "no" }, { key: "active", label: "Active", render: r => h("span", { class: `badge ${r.active ? "ok" : ""}` }, r.active ? "active" : "off") }],
    fields: [{ name: "name", label: "Name" }, { name: "language", label: "Language", value: "en" }, { name: "systemPrompt", label: "System prompt", type: "textarea" },
      { name: "voice", label: "Voice", value: "en-us" }, { name: "llmModel", label: "LLM model", value: "local" },
      { name: "topK", label: "Top-k", type: "number", value: 3 }, { name: "minSimilarity", label: "Minimum similarity", type: "number", step: "0.01", value: 0.3 },
      { name: "hybrid", label: "Hybrid search", type: "checkbox" }, { name: "active", label: "Active", type: "checkbox", value: true }] }),
  contacts: listPage({ title: "Contacts", path: "/v1/contacts",
    columns: [{ key: "name", label: "Name" }, { key: "phone", label: "Phone", cls: "mono" }, { key: "createdAt", label: "Created", get: r => r.createdAt, render: r => fmtDate(r.createdAt) }],
    fields: [{ name: "name", label: "Name" }, { name: "phone", label: "Phone (E.164, e.g. +15550100)" }, { name: "metadata", label: "Metadata (JSON)", type: "json" }] }),
  integrations: listPage({ title: "Integrations", path: "/v1/integrations",
    columns: [{ key: "name", label: "Name" }, { key: "kind", label: "Kind" }, { key: "settings", label: "Settings", render: r => h("span", { class: "mono" }, JSON.stringify(r.settings ?? {})) }],
    fields: [{ name: "name", label: "Name" }, { name: "kind", label: "Kind", type: "select", options: ["telephony", "webhook", "crm"] },
      { name: "settings", label: "Settings (JSON)", type: "json" }, { name: "secrets", label: "Secrets (JSON, write-only)", type: "json" }] }),
  calls: async (main, id) => id ? callPage(main, id) : listPage({ title: "Calls", path: "/v1/calls", fields: null,
    columns: [{ key: "startedAt", label: "Started", render: r => fmtDate(r.startedAt) }, { key: "status", label: "Status", render: r => h("span", { class: "badge" }, r.status) },
      { key: "direction", label: "Direction" }, { key: "durationSeconds", label: "Duration", render: r => r.durationSeconds != null ? `${r.durationSeconds} s` : "—" },
      { key: "agentId", label: "Agent", cls: "mono hide-sm" }],
    onRow: r => { location.hash = `#/calls/${r.id}`; } })(main),
  knowledge: knowledgePage,
  search: searchPage,
  metrics: metricsPage,
};

async function callPage(main, id) {
  main.replaceChildren(h("p", { class: "muted" }, "Loading call…"));
  const call = await api(`/v1/calls/${id}`);
  const turns = call.turns || [];
  main.replaceChildren(h("section", { class: "card" },
    h("a", { href: "#/calls" }, "← Calls"),
    h("h1", {}, `Call ${id.slice(0, 8)}`),
    h("p", { class: "muted" }, `${call.direction || ""} · ${call.status || ""} · started ${fmtDate(call.startedAt)} · ${turns.length} turns`),
    h("div", { class: "legend" }, ["asr", "embed", "search", "llm", "tts"].map(s => h("span", {}, h("i", { style: `background:var(--${s})` }), s)),
      h("span", {}, h("i", { style: "background:var(--bad)" }), "budget")),
    turns.map((t, i) => h("div", { class: "turn", "data-turn": i },
      h("p", {}, h("strong", {}, "Caller: "), t.transcript ?? ""),
      h("p", {}, h("strong", {}, "Agent: "), t.answer ?? "", t.cached ? h("span", { class: "badge ok" }, " cached") : null,
        (t.degraded || []).map(d => h("span", { class: "badge warn" }, ` degraded: ${d}`))),
      sourcesOf(t).length ? h("p", { class: "muted" }, "Sources: ", sourcesOf(t).join(", ")) : null,
      waterfall(t)))));
}
const sourcesOf = t => (t.sources || []).map(s => s.title || s.chunkId || s).concat((t.chunkIds || []).map(c => String(c).slice(0, 8)));
const timingOf = (t, k) => t.timings?.[`${k}Ms`] ?? t[`${k}Ms`] ?? 0;

// A turn's stages as bars on one time axis, laid end to end, against the per-stage and whole-turn budgets.
function waterfall(t) {
  const stages = ["asr", "embed", "search", "llm", "tts"];
  const total = timingOf(t, "total") || stages.reduce((s, k) => s + timingOf(t, k), 0);
  const scale = Math.max(total, BUDGETS.total) * 1.05;
  const W = 600, rowH = 18, left = 70, H = (stages.length + 1) * rowH + 20;
  const x = v => left + (v / scale) * (W - left - 10);
  const svgNS = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, text) => { const el = document.createElementNS(svgNS, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v); if (text) el.textContent = text; return el; };
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "waterfall", role: "img", "aria-label": `Stage timings, total ${total.toFixed(1)} ms` });
  let at = 0;
  stages.forEach((k, i) => {
    const v = timingOf(t, k), y = i * rowH + 4;
    svg.append(s("text", { x: 0, y: y + 12, class: "lbl" }, `${k} ${v.toFixed(0)}`));
    svg.append(s("rect", { x: x(at), y, width: Math.max(1, x(at + v) - x(at)), height: rowH - 6, rx: 2, fill: `var(--${k})` }));
    if (BUDGETS[k]) svg.append(s("line", { x1: x(at + BUDGETS[k]), x2: x(at + BUDGETS[k]), y1: y - 2, y2: y + rowH - 4, class: "budget" }));
    at += v;
  });
  const y = stages.length * rowH + 4;
  svg.append(s("text", { x: 0, y: y + 12, class: "lbl" }, `total ${total.toFixed(0)}`));
  svg.append(s("rect", { x: x(0), y, width: Math.max(1, x(total) - x(0)), height: rowH - 6, rx: 2, fill: total > BUDGETS.total ? "var(--bad)" : "#94a3b8" }));
  svg.append(s("line", { x1: x(BUDGETS.total), x2: x(BUDGETS.total), y1: 0, y2: H - 10, class: "budget" }));
  svg.append(s("text", { x: x(BUDGETS.total) + 3, y: H - 2, class: "lbl" }, "500 ms budget"));
  return svg;
}

async function knowledgePage(main) {
  const status = h("p", { class: "error", role: "alert" });
  const bar = h("i"); const prog = h("div", { class: "progress", hidden: true }, bar);
  const tbody = h("tbody");
  const fileForm = h("form", {}, h("label", {}, "File (.txt, .md, .html, .pdf)", h("input", { type: "file", name: "file", required: true })), h("button", { type: "submit" }, "Upload"));
  const textForm = h("form", {}, h("label", {}, "Title", h("input", { name: "title", required: true })), h("label", {}, "Text", h("textarea", { name: "text", required: true })), h("button", { type: "submit" }, "Add"));
  main.replaceChildren(
    h("section", { class: "card" }, h("h1", {}, "Knowledge base"), status, h("div", { class: "table-wrap" },
      h("table", {}, h("thead", {}, h("tr", {}, ["Title", "Chunks", "Status", "Updated", ""].map(c => h("th", {}, c)))), tbody))),
    h("div", { class: "grid2" }, h("section", { class: "card" }, h("h2", {}, "Upload a file"), fileForm, prog), h("section", { class: "card" }, h("h2", {}, "Add text"), textForm)));
  async function load() {
    try {
      const data = await api("/v1/knowledge/documents?limit=200");
      const docs = data.items || [];
      tbody.replaceChildren(...docs.map(d => h("tr", { "data-doc": d.title },
        h("td", {}, d.title), h("td", {}, d.chunks ?? d.chunkCount ?? ""), h("td", {}, h("span", { class: "badge" }, d.status || "ready")),
        h("td", { class: "hide-sm" }, fmtDate(d.updatedAt || d.createdAt)),
        h("td", {}, h("button", { class: "danger", onclick: async () => { if (!confirm(`Delete ${d.title}?`)) return; try { await api(`/v1/knowledge/documents/${d.id ?? d.documentId}`, { method: "DELETE" }); load(); } catch (e) { status.textContent = e.message; } } }, "Delete")))));
      if (!docs.length) tbody.append(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "No documents yet.")));
    } catch (e) { status.textContent = e.message; }
  }
  fileForm.addEventListener("submit", async ev => {
    ev.preventDefault(); prog.hidden = false; bar.style.width = "0";
    try { const r = await upload("/v1/knowledge/documents", new FormData(fileForm), p => bar.style.width = `${Math.round(p * 100)}%`); bar.style.width = "100%"; status.replaceChildren(h("span", { class: "ok" }, r?.jobId ? `Queued as job ${r.jobId}` : `Ingested: ${r?.chunks ?? "?"} chunks`)); fileForm.reset(); load(); }
    catch (e) { showProblem(status, e); }
  });
  textForm.addEventListener("submit", async ev => {
    ev.preventDefault();
    try { const r = await api("/v1/knowledge/documents", { method: "POST", body: { title: textForm.elements.title.value, text: textForm.elements.text.value } }); status.replaceChildren(h("span", { class: "ok" }, `Ingested: ${r?.chunks ?? "?"} chunks`)); textForm.reset(); load(); }
    catch (e) { showProblem(status, e, textForm); }
  });
  await load();
}

function highlight(text, query) {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || [])];
  const span = h("span");
  if (!words.length) { span.textContent = text; return span; }
  const re = new RegExp(`(${words.map(w => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "giu");
  text.split(re).forEach((part, i) => span.append(i % 2 ? h("mark", {}, part) : part));
  return span;
}

async function searchPage(main) {
  const out = h("div");
  const form = h("form", { class: "row" },
    h("label", {}, "Query", h("input", { name: "query", required: true, placeholder: "What time do you open on Sunday?" })),
    h("label", {}, "Mode", h("select", { name: "mode" }, h("option", { value: "vector" }, "vector"), h("option", { value: "hybrid" }, "hybrid"))),
    h("label", {}, "Top-k", h("input", { name: "topK", type: "number", value: 5, min: 1, max: 100 })),
    h("button", { type: "submit" }, "Search"));
  main.replaceChildren(h("section", { class: "card" }, h("h1", {}, "Search playground"), form), out);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const query = form.elements.query.value;
    out.replaceChildren(h("p", { class: "muted" }, "Searching…"));
    try {
      const r = await api("/v1/knowledge/search?explain=true", { method: "POST", body: { query, mode: form.elements.mode.value, topK: Number(form.elements.topK.value) } });
      out.replaceChildren(
        h("section", { class: "card" }, h("h2", {}, `${r.results.length} results`),
          h("p", { class: "muted" }, `strategy `, h("span", { class: "badge", id: "strategy" }, r.strategy), ` · embed ${fmtMs(r.timings?.embedMs)} · search ${fmtMs(r.timings?.searchMs)} · total ${fmtMs(r.timings?.totalMs)}`),
          r.results.map(x => h("div", { class: "result" },
            h("div", { class: "score" }, h("div", { class: "bar" }, h("i", { style: `width:${Math.max(0, Math.min(1, x.similarity)) * 100}%` })), h("strong", { class: "similarity" }, x.similarity.toFixed(3)), h("span", {}, x.title)),
            h("p", { class: "content" }, highlight(x.content, query))))),
        h("section", { class: "card" }, h("h2", {}, "Query plan (EXPLAIN ANALYZE, BUFFERS)"), h("pre", { class: "plan", id: "plan" }, r.plan || "No plan returned.")));
    } catch (e) { out.replaceChildren(h("p", { class: "error" }, e.message)); }
  });
}

function lineChart(series, { keys, colors, unit = "" }) {
  const W = 560, H = 200, L = 44, B = 22, T = 8;
  const svgNS = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, text) => { const el = document.createElementNS(svgNS, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v); if (text !== undefined) el.textContent = text; return el; };
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
  const max = Math.max(1e-9, ...series.flatMap(p => keys.map(k => Number(p[k]) || 0))) * 1.1;
  const x = i => L + (series.length <= 1 ? 0 : (i / (series.length - 1)) * (W - L - 8));
  const y = v => T + (1 - v / max) * (H - T - B);
  svg.append(s("line", { x1: L, x2: W - 8, y1: H - B, y2: H - B, class: "axis" }), s("line", { x1: L, x2: L, y1: T, y2: H - B, class: "axis" }));
  [0, 0.5, 1].forEach(f => svg.append(s("text", { x: 2, y: y(max * f / 1.1) + 4 }, `${(max * f / 1.1).toFixed(max < 10 ? 2 : 0)}${unit}`)));
  if (series.length) {
    svg.append(s("text", { x: L, y: H - 4 }, new Date(series[0].bucket || series[0].time).toLocaleTimeString()));
    svg.append(s("text", { x: W - 70, y: H - 4 }, new Date(series.at(-1).bucket || series.at(-1).time).toLocaleTimeString()));
  }
  keys.forEach((k, j) => svg.append(s("polyline", { fill: "none", stroke: colors[j], "stroke-width": 2, points: series.map((p, i) => `${x(i)},${y(Number(p[k]) || 0)}`).join(" ") })));
  return svg;
}

async function metricsPage(main) {
  const windowSel = h("select", { "aria-label": "Window" }, ["15m", "1h", "6h", "1d"].map(w => h("option", { value: w, selected: w === "1h" }, w)));
  const body = h("div");
  main.replaceChildren(h("section", { class: "card" }, h("div", { class: "toolbar" }, h("h1", {}, "Metrics"), windowSel)), body);
  async function load() {
    const w = windowSel.value, bucket = { "15m": "1m", "1h": "1m", "6h": "10m", "1d": "30m" }[w];
    body.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    const [rag, series, alerts, turns] = await Promise.all([
      api(`/v1/metrics/rag?window=${w}`).catch(() => null), api(`/v1/metrics/rag/series?window=${w}&bucket=${bucket}`).catch(() => null),
      api("/v1/alerts").catch(() => ({ items: [] })), api(`/v1/metrics/turns/series?window=${w}&bucket=${bucket}`).catch(() => null)]);
    const pts = series?.items || series?.buckets || series || [];
    const tpts = turns?.items || turns?.buckets || [];
    body.replaceChildren(
      rag ? h("section", { class: "card" }, h("h2", {}, `RAG search, last ${w}`),
        h("p", {}, `average ${fmtMs(rag.averageSearchMs)} · p50 ${fmtMs(rag.p50SearchMs)} · p95 ${fmtMs(rag.p95SearchMs)} · p99 ${fmtMs(rag.p99SearchMs)} · cache hit rate ${((rag.cacheHitRate ?? 0) * 100).toFixed(1)}% · embedding ${fmtMs(rag.averageEmbeddingMs)} · ${rag.totalSearches} searches`)) : null,
      h("div", { class: "grid2" },
        h("section", { class: "card" }, h("h2", {}, "Search latency p50 / p95 (ms)"), lineChart(pts, { keys: ["p50Ms", "p95Ms"], colors: ["#2456d6", "#d67b2c"] })),
        h("section", { class: "card" }, h("h2", {}, "Searches per bucket"), lineChart(pts, { keys: ["count"], colors: ["#2c9f5f"] })),
        h("section", { class: "card" }, h("h2", {}, "Cache hit rate"), lineChart(pts, { keys: ["cacheHitRate"], colors: ["#8e6bd6"] })),
        h("section", { class: "card" }, h("h2", {}, "Turn latency by stage (ms)"), tpts.length ? lineChart(tpts, { keys: ["searchMs", "llmMs", "ttsMs", "totalMs"], colors: ["#2456d6", "#d67b2c", "#2c9f5f", "#111827"] }) : h("p", { class: "muted" }, "No turns in this window."))),
      h("section", { class: "card" }, h("h2", {}, "Alerts"), h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Raised", "Type", "Severity", "Message", "Resolved"].map(c => h("th", {}, c)))),
        h("tbody", {}, (alerts.items || []).map(a => h("tr", {}, h("td", {}, fmtDate(a.raisedAt)), h("td", {}, a.type), h("td", {}, h("span", { class: "badge warn" }, a.severity)), h("td", {}, a.message), h("td", {}, a.resolvedAt ? fmtDate(a.resolvedAt) : h("span", { class: "badge bad" }, "open")))))))));
  }
  windowSel.addEventListener("change", load);
  await load();
}

// ---------- shell ----------
function renderLogin(main) {
  main.replaceChildren($("#login-template").content.cloneNode(true));
  $("#login-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const key = $("#login-key").value.trim(), account = $("#login-account").value.trim();
    session.set(key, account, false);
    try {
      const accounts = await api("/v1/accounts");
      const items = accounts.items || [];
      // The platform key lists every account; an account key lists only its own.
      const admin = key.startsWith("padm_") || items.length !== 1;
      session.set(key, account, admin);
      location.hash = admin && !account ? "#/accounts" : "#/agents"; route();
    } catch (e) { session.clear(); $("#login-error").textContent = e.status === 401 ? "That key is not valid." : e.message; }
  });
}

async function route() {
  const main = $("#app");
  const nav = $("#nav"), who = $("#who");
  if (!session.key) { nav.hidden = true; who.hidden = true; renderLogin(main); return; }
  nav.hidden = false; who.hidden = false;
  $("#who-label").textContent = session.isAdmin ? (session.account ? `admin as ${session.account.slice(0, 8)}` : "platform admin") : "account key";
  for (const a of nav.querySelectorAll("[data-admin-only]")) a.hidden = !session.isAdmin;
  const [, name = "agents", id] = location.hash.split("/");
  for (const a of nav.querySelectorAll("a")) a.classList.toggle("active", a.getAttribute("href") === `#/${name}`);
  nav.classList.remove("open");
  try { await (pages[name] || pages.agents)(main, id); }
  catch (e) { main.replaceChildren(h("section", { class: "card" }, h("p", { class: "error" }, e.message))); }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  $("#logout").addEventListener("click", () => { session.clear(); location.hash = ""; route(); });
  $("#menu-toggle").addEventListener("click", () => $("#nav").classList.toggle("open"));
  route();
});
