// Metrics: search latency, turn latency by stage, cache hit rate and searches per minute over time,
// the RAG summary, and open and past alerts, from GET /v1/metrics/series, /v1/metrics/rag and /v1/alerts.
// An account with no searches or turns in the window gets an empty state, not zeros dressed as figures.
import { h, api, fmtMs, fmtPct, fmtDate, shortId, emptyState, serverConfig, session } from "./lib.js";
import { timeChart } from "./charts.js";
import { writersCard } from "./writers.js";

const WINDOWS = { "15m": "1m", "1h": "1m", "6h": "5m", "24h": "15m" };
const minutesOf = step => { const m = /^(\d+)([smhd])$/.exec(step || "1m"); return m ? Number(m[1]) * { s: 1 / 60, m: 1, h: 60, d: 1440 }[m[2]] : 1; };

/**
 * The series leaves out buckets with no searches and no turns; put them back (zero counts, null
 * latencies) so bars show the quiet minutes and lines break over them instead of bridging the gap.
 */
export function densify(points, window, step, now = Date.now()) {
  const stepMs = minutesOf(step) * 60_000, spanMs = minutesOf(window) * 60_000;
  const bySlot = new Map(points.map(p => [Math.floor(new Date(p.at).getTime() / stepMs), p]));
  const first = Math.floor((now - spanMs) / stepMs) + 1, last = Math.floor(now / stepMs);
  const out = [];
  for (let k = first; k <= last; k++) {
    out.push(bySlot.get(k) ?? { at: new Date(k * stepMs).toISOString(), searches: 0, turns: 0 });
    bySlot.delete(k);
  }
  return [...bySlot.values(), ...out].sort((a, b) => new Date(a.at) - new Date(b.at));
}

/** Calls an endpoint; a failure becomes {error} so one card shows it while the others still draw. */
const attempt = path => api(path).then(data => ({ data }), e => ({ error: e.message }));

let timer = null;

export async function metricsPage(main, _id, onLeave) {
  const windowSel = h("select", { "aria-label": "Window", name: "window" }, Object.keys(WINDOWS).map(w => h("option", { value: w, selected: w === "1h" }, `last ${w}`)));
  const stamp = h("span", { class: "muted" });
  const body = h("div", { class: "metrics" });
  main.replaceChildren(h("section", { class: "card" }, h("div", { class: "toolbar" }, h("h1", {}, "Metrics"), windowSel,
    h("button", { type: "button", class: "secondary", onclick: () => load() }, "Refresh"), stamp)), body);
  const budgets = (await serverConfig()).budgets;

  async function load() {
    const w = windowSel.value, step = WINDOWS[w];
    // Search and turn figures belong to one account; the platform admin sees alerts of every account.
    const perAccount = !session.isAdmin || !!session.account;
    const [series, rag, alerts, database, node] = await Promise.all([
      perAccount ? attempt(`/v1/metrics/series?window=${w}&step=${step}`) : null,
      perAccount ? attempt(`/v1/metrics/rag?window=${w}`) : null, attempt("/v1/alerts"),
      session.isAdmin ? api("/v1/metrics/database", { platform: true }).then(data => ({ data }), e => ({ error: e.message })) : null,
      session.isAdmin ? attempt("/v1/metrics/node") : null]);
    stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
    // The series leaves out empty buckets, so no points at all means no searches and no turns in the window.
    const quiet = series?.data && !(series.data.points || []).length;
    // /v1/metrics/rag answers 0 for the hit rate and embedding time when no search in the window embedded its
    // own query (a phone turn's search reuses the turn's embedding); the series has null there, so ask it.
    const embedded = !series?.data || series.data.points?.some(p => p.cacheHitRate != null);
    if (series?.data) series.data.points = densify(series.data.points || [], w, series.data.step || step);
    body.replaceChildren(...(perAccount ? [summary(rag, w, embedded), charts(series, budgets, w, quiet)]
      : [h("section", { class: "card" }, emptyState("Search and turn metrics are per account", "Pick an account in the header to see its charts; alerts of every account are below."))]),
      alertsCard(alerts), ...(database ? [writersCard(database)] : []), ...(node ? [nodeCard(node)] : []));
  }
  windowSel.addEventListener("change", load);
  await load();
  // Refresh every 30 s (the monitor's own period) while the page is open.
  clearInterval(timer);
  timer = setInterval(() => document.visibilityState === "visible" && load().catch(() => {}), 30_000);
  onLeave?.(() => clearInterval(timer));
}

// Admission control of this node (GET /v1/metrics/node, admin only): a refused call went to another node.
function nodeCard(node) {
  if (node.error) return h("section", { class: "card" }, h("p", { class: "error" }, node.error));
  const n = node.data;
  const stat = (label, value) => h("div", { class: "stat" }, h("span", { class: "muted" }, label), h("strong", {}, value));
  return h("section", { class: "card", id: "node-admission" }, h("h2", {}, "This node"),
    h("div", { class: "stats" }, stat("active calls", n.maxActiveCalls ? `${n.activeCalls} / ${n.maxActiveCalls}` : String(n.activeCalls)),
      stat("refused calls", String(n.refusedCalls)), stat("model queue p90", fmtMs(n.modelQueueWaitP90Ms)),
      stat("queue limit", n.maxModelQueueWaitMs ? fmtMs(n.maxModelQueueWaitMs) : "off")));
}

function summary(rag, w, embedded) {
  if (rag.error) return h("section", { class: "card" }, h("p", { class: "error" }, rag.error));
  const r = rag.data;
  // The endpoint answers zeros for a window without searches; a 0 ms p95 would read as a fast system.
  if (!r.totalSearches) return h("section", { class: "card", id: "rag-summary" }, h("h2", {}, `Search, last ${w}`),
    emptyState("No searches yet", `No searches in the last ${w}: the figures appear after this account's first search or phone turn.`));
  const stat = (label, value) => h("div", { class: "stat" }, h("span", { class: "muted" }, label), h("strong", {}, value));
  return h("section", { class: "card", id: "rag-summary" }, h("h2", {}, `Search, last ${w}`),
    h("div", { class: "stats" }, stat("searches", String(r.totalSearches ?? 0)), stat("average", fmtMs(r.averageSearchMs)), stat("p50", fmtMs(r.p50SearchMs)),
      stat("p95", fmtMs(r.p95SearchMs)), stat("p99", fmtMs(r.p99SearchMs)), stat("cache hit rate", embedded ? fmtPct(r.cacheHitRate) : "—"), stat("embedding", embedded ? fmtMs(r.averageEmbeddingMs) : "—")),
    embedded ? null : h("p", { class: "muted" }, "Cache hit rate and embedding time: no search in this window embedded its own query (phone turns embed theirs as a stage of the turn)."));
}

function charts(series, budgets, w, quiet) {
  if (series.error) return h("section", { class: "card" }, h("p", { class: "error" }, series.error));
  if (quiet) return h("section", { class: "card", id: "charts" }, h("h2", {}, "Charts"),
    emptyState("No data yet", `No searches or turns in the last ${w}: the charts fill in as this account's searches and calls come in.`));
  const step = series.data.step || "1m";
  const perMin = minutesOf(step);
  const points = (series.data.points || []).map(p => ({ ...p, searchesPerMinute: p.searches == null ? null : p.searches / perMin }));
  const ms = v => v >= 1000 ? `${+(v / 1000).toFixed(2)} s` : `${+v.toFixed(1)} ms`;
  const card = (title, chart) => h("section", { class: "card" }, h("h2", {}, title), chart);
  return h("div", { class: "grid2", id: "charts" },
    card("Search latency", timeChart({ label: "Search latency p50 and p95", points, fmt: ms, ref: { value: budgets.searchMs, label: `budget ${budgets.searchMs} ms` },
      series: [{ key: "p50SearchMs", label: "p50", color: "var(--search)", kind: "line" }, { key: "p95SearchMs", label: "p95", color: "var(--llm)", kind: "line" }] })),
    card("Turn latency by stage (average)", timeChart({ label: "Average turn latency by stage", points, fmt: ms, ref: { value: budgets.turnMs, label: `turn budget ${budgets.turnMs} ms` },
      series: [{ key: "avgEmbedMs", label: "embed", color: "var(--embed)", kind: "stack" }, { key: "avgSearchMs", label: "search", color: "var(--search)", kind: "stack" },
        { key: "avgLlmMs", label: "llm", color: "var(--llm)", kind: "stack" }, { key: "avgTtsMs", label: "tts", color: "var(--tts)", kind: "stack" },
        { key: "avgTurnMs", label: "turn", color: "var(--ink)", kind: "line" }] })),
    card("Cache hit rate", timeChart({ label: "Cache hit rate", points, yMax: 1, fmt: v => `${Math.round(v * 100)}%`,
      series: [{ key: "cacheHitRate", label: "hit rate", color: "var(--asr)", kind: "line" }] })),
    card(`Searches per minute (step ${step})`, timeChart({ label: "Searches per minute", points, fmt: v => String(+v.toFixed(1)),
      series: [{ key: "searchesPerMinute", label: "searches/min", color: "var(--tts)", kind: "bar" }] })));
}

function alertsCard(alerts) {
  if (alerts.error) return h("section", { class: "card" }, h("h2", {}, "Alerts"), h("p", { class: "error" }, alerts.error));
  const items = alerts.data.items || [];
  const open = items.filter(a => !a.resolvedAt), past = items.filter(a => a.resolvedAt);
  const table = (rows, title, empty) => h("div", { class: "alerts" }, h("h3", {}, `${title} (${rows.length})`),
    rows.length ? h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["Raised", "Type", "Severity", "Message", "Account", "Resolved"].map(c => h("th", {}, c)))),
      h("tbody", {}, rows.map(a => h("tr", {},
        h("td", { "data-label": "Raised" }, fmtDate(a.raisedAt)), h("td", { "data-label": "Type" }, a.type),
        h("td", { "data-label": "Severity" }, h("span", { class: `badge ${/crit|error/i.test(a.severity) ? "bad" : "warn"}` }, a.severity)),
        h("td", { "data-label": "Message" }, a.message), h("td", { "data-label": "Account", class: "mono" }, a.accountId ? shortId(a.accountId) : "platform"),
        h("td", { "data-label": "Resolved" }, a.resolvedAt ? fmtDate(a.resolvedAt) : h("span", { class: "badge bad" }, "open"))))))) : h("p", { class: "muted" }, empty));
  return h("section", { class: "card", id: "alerts" }, h("h2", {}, "Alerts"),
    table(open, "Open", "No open alerts."), table(past, "Past", "No past alerts."));
}
