// Call logs: the list with filters, and one call's turns with a waterfall of each turn's stages.
import { h, api, fetchAll, fmtDate, fmtMs, shortId, showProblem, serverConfig } from "./lib.js";
import { dataTable } from "./table.js";

export async function callsPage(main, id) {
  if (id) return callPage(main, id);
  const agents = await fetchAll("/v1/agents").then(r => r.items).catch(() => []);
  const agentName = Object.fromEntries(agents.map(a => [a.id, a.name]));
  const filters = h("form", { class: "filters", "aria-label": "Call filters" },
    h("label", {}, "Agent", h("select", { name: "agentId" }, h("option", { value: "" }, "any"), agents.map(a => h("option", { value: a.id }, a.name)))),
    h("label", {}, "Status", h("select", { name: "status" }, ["", "active", "ended"].map(s => h("option", { value: s }, s || "any")))),
    h("label", {}, "From", h("input", { name: "from", type: "datetime-local" })),
    h("label", {}, "To", h("input", { name: "to", type: "datetime-local" })));
  const query = () => {
    const q = new URLSearchParams();
    for (const el of filters.elements) {
      if (!el.name || !el.value) continue;
      q.set(el.name, el.type === "datetime-local" ? new Date(el.value).toISOString() : el.value);
    }
    return q.toString();
  };
  const table = dataTable({
    title: "Calls", name: "call",
    load: () => fetchAll(`/v1/calls${query() ? `?${query()}` : ""}`),
    columns: [
      { key: "startedAt", label: "Started", render: r => fmtDate(r.startedAt) },
      { key: "agentId", label: "Agent", get: r => agentName[r.agentId] || shortId(r.agentId) },
      { key: "direction", label: "Direction" },
      { key: "status", label: "Status", render: r => h("span", { class: `badge ${r.status === "active" ? "ok" : ""}` }, r.status) },
      { key: "durationSeconds", label: "Duration", render: r => r.durationSeconds != null ? `${Math.round(r.durationSeconds)} s` : "—" },
      { key: "id", label: "Id", render: r => h("span", { class: "mono" }, shortId(r.id)), cls: "hide-sm" },
    ],
    onRow: r => { location.hash = `#/calls/${r.id}`; },
    emptyText: "No calls match.",
  });
  filters.addEventListener("change", () => table.reload());
  main.replaceChildren(table.el, tryCall(agents));
  table.el.querySelector(".toolbar").after(filters);
  await table.reload();
}

/** Starts a test call with one of the agents and takes its first turn, to see the pipeline at work. */
function tryCall(agents) {
  const err = h("div", { class: "error", role: "alert" });
  const form = h("form", { class: "row", novalidate: true },
    h("label", {}, "Agent", h("select", { name: "agentId" }, agents.map(a => h("option", { value: a.id }, a.name)))),
    h("label", { class: "grow" }, "Caller says", h("input", { name: "transcript", placeholder: "Do you have parking?" })),
    h("button", { type: "submit", disabled: !agents.length }, "Call"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const send = form.querySelector("button[type=submit]");
    send.disabled = true;
    let call = null;
    try {
      call = await api("/v1/calls", { method: "POST", body: { agentId: form.elements.agentId.value || null, direction: "in" } });
      await api(`/v1/calls/${call.id}/turns?speak=false`, { method: "POST", body: { transcript: form.elements.transcript.value } });
      await loggedTurns(call.id, 1);
      location.hash = `#/calls/${call.id}`;
    } catch (e) {
      // A refused first turn (an empty transcript, say) should not leave an open call behind.
      if (call) await api(`/v1/calls/${call.id}/end`, { method: "POST" }).catch(() => {});
      showProblem(err, e, form);
    }
    finally { send.disabled = false; }
  });
  return h("section", { class: "card" }, h("h2", {}, "Try a call"),
    agents.length ? null : h("p", { class: "muted" }, "Create an agent first."), form, err);
}

/** The call log writer batches its writes: wait (up to 5 s) until the call shows `count` turns. */
async function loggedTurns(id, count) {
  for (let i = 0; i < 50; i++) {
    const call = await api(`/v1/calls/${id}`);
    if ((call.turns || []).length >= count) return;
    await new Promise(r => setTimeout(r, 100));
  }
}

async function callPage(main, id) {
  main.replaceChildren(h("p", { class: "muted" }, "Loading call…"));
  const [call, config] = await Promise.all([api(`/v1/calls/${id}`), serverConfig()]);
  const agent = await api(`/v1/agents/${call.agentId}`).catch(() => null);
  const turns = (call.turns || []).sort((a, b) => a.ordinal - b.ordinal);
  const say = sayForm(call);
  main.replaceChildren(h("section", { class: "card" },
    h("a", { href: "#/calls", class: "back" }, "← Calls"),
    h("h1", {}, `Call ${shortId(id)}`),
    h("p", { class: "muted" }, [agent ? `agent ${agent.name}` : null, call.direction, call.status, `started ${fmtDate(call.startedAt)}`,
      call.durationSeconds != null ? `${Math.round(call.durationSeconds)} s` : null, `${turns.length} turn${turns.length === 1 ? "" : "s"}`].filter(Boolean).join(" · ")),
    legend(config.budgets),
    turns.length ? turns.map(t => turnView(t, config.budgets)) : h("p", { class: "muted" }, "No turns logged yet (the call log is written in batches; reload in a moment)."),
    say));
}

function sayForm(call) {
  if (call.status !== "active") return null;
  const err = h("div", { class: "error", role: "alert" });
  const form = h("form", { class: "row say", novalidate: true },
    h("label", { class: "grow" }, "Caller says", h("input", { name: "transcript" })),
    h("button", { type: "submit" }, "Send turn"),
    h("button", { type: "button", class: "secondary", onclick: async () => {
      try { await api(`/v1/calls/${call.id}/end`, { method: "POST" }); window.dispatchEvent(new HashChangeEvent("hashchange")); }
      catch (e) { showProblem(err, e, form); }
    } }, "End call"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const send = form.querySelector("button[type=submit]");
    send.disabled = true;
    try {
      await api(`/v1/calls/${call.id}/turns?speak=false`, { method: "POST", body: { transcript: form.elements.transcript.value } });
      await loggedTurns(call.id, (call.turns || []).length + 1);
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (e) { showProblem(err, e, form); }
    finally { send.disabled = false; }
  });
  return h("div", {}, form, err);
}

// In the order a turn runs them: the follow-up rewrite comes before anything is embedded.
const STAGES = ["asr", "rewrite", "embed", "search", "llm", "tts"];
// The rewrite has a budget only when the LLM rewrites follow-ups (budgets.rewriteMs is null otherwise).
const budgetOf = (budgets, stage) => ({ rewrite: budgets.rewriteMs ?? undefined, search: budgets.searchMs, llm: budgets.llmMs, tts: budgets.ttsMs })[stage];
const REWRITTEN_BY = { llm: "rewritten by the LLM", local: "rewritten by the local rule" };
const timing = (t, k) => Number(t.timings?.[`${k}Ms`] ?? 0);

function legend(budgets) {
  return h("div", { class: "legend" }, STAGES.map(k => h("span", {}, h("i", { class: `sw ${k}` }), k)),
    h("span", {}, h("i", { class: "sw budget" }), `budget (${budgets.rewriteMs ? `rewrite ${budgets.rewriteMs}, ` : ""}search ${budgets.searchMs}, llm ${budgets.llmMs}, tts ${budgets.ttsMs}, turn ${budgets.turnMs} ms)`));
}

function turnView(t, budgets) {
  const sources = Array.isArray(t.sources) ? t.sources : [];
  return h("article", { class: "turn", "data-turn": t.ordinal },
    h("div", { class: "bubble caller" }, h("strong", {}, "Caller "), t.transcript,
      t.standaloneQuery ? h("div", { class: "muted standalone", title: "the follow-up, made standalone for retrieval" }, "searched as: ", h("q", {}, t.standaloneQuery),
        t.rewrite ? h("small", { class: "rewrite-by", "data-rewrite": t.rewrite }, ` (${REWRITTEN_BY[t.rewrite] ?? t.rewrite}, ${fmtMs(timing(t, "rewrite"))})`) : null) : null),
    h("div", { class: "bubble agent" }, h("strong", {}, "Agent "), t.answer,
      t.cached ? h("span", { class: "badge ok" }, "answer cache") : null,
      t.interims ? h("span", { class: "badge prefetch", "data-prefetch": t.prefetchMatch ?? "none",
        title: t.prefetchTranscript ? `passages prefetched from the interim transcript “${t.prefetchTranscript}”: no search ran` : "interim transcripts were prefetched, none close enough: the turn searched" },
        t.prefetchMatch ? `prefetched (${t.prefetchMatch}), ${t.interims} interim${t.interims === 1 ? "" : "s"}` : `${t.interims} interim${t.interims === 1 ? "" : "s"}, searched`) : null,
      t.knowledgeVersion != null ? h("span", { class: "badge kv", title: "the tenant's knowledge version this turn was answered from (every upload and delete bumps it)" }, `knowledge v${t.knowledgeVersion}`) : null,
      (t.degraded || []).map(d => h("span", { class: "badge warn" }, `degraded: ${d}`))),
    sources.length ? h("div", { class: "sources" }, h("span", { class: "muted" }, "Sources: "),
      sources.map(src => h("span", { class: "source", title: src.chunkId }, src.title, h("small", {}, ` ${Number(src.similarity).toFixed(3)}`)))) : h("div", { class: "muted sources" }, "No sources cited."),
    waterfall(t, budgets));
}

/**
 * One turn's stages laid end to end on one time axis, each with its own budget marked from where the
 * stage starts, and the whole turn against the turn budget. HTML rather than SVG so the labels stay
 * readable at phone width.
 */
export function waterfall(t, budgets) {
  const total = timing(t, "total") || STAGES.reduce((a, k) => a + timing(t, k), 0);
  const sum = STAGES.reduce((a, k) => a + timing(t, k), 0);
  const scale = Math.max(total, budgets.turnMs, ...STAGES.map((k, i) => STAGES.slice(0, i).reduce((a, x) => a + timing(t, x), 0) + (budgetOf(budgets, k) || 0))) * 1.04;
  const pct = v => `${(v / scale) * 100}%`;
  let at = 0;
  const rows = STAGES.map(k => {
    const v = timing(t, k), start = at, budget = budgetOf(budgets, k);
    at += v;
    const over = budget !== undefined && v > budget;
    return h("div", { class: `wf-row${over ? " over" : ""}`, "data-stage": k },
      h("span", { class: "wf-label" }, k, h("b", {}, fmtMs(v)), budget !== undefined ? h("small", {}, ` / ${budget}`) : null),
      h("span", { class: "wf-track" },
        h("i", { class: `wf-bar ${k}`, style: `left:${pct(start)};width:max(2px, ${pct(v)})`, title: `${k}: ${fmtMs(v)}` }),
        budget !== undefined ? h("i", { class: "wf-budget", style: `left:${pct(start + budget)}`, title: `${k} budget ${budget} ms` }) : null));
  });
  const other = Math.max(0, total - sum);
  rows.push(h("div", { class: `wf-row total${total > budgets.turnMs ? " over" : ""}`, "data-stage": "total" },
    h("span", { class: "wf-label" }, "total", h("b", {}, fmtMs(total)), h("small", {}, ` / ${budgets.turnMs}`)),
    h("span", { class: "wf-track" },
      h("i", { class: "wf-bar total", style: `left:0;width:${pct(total)}`, title: `total ${fmtMs(total)}${other > 0.5 ? `, of which ${fmtMs(other)} between stages` : ""}` }),
      h("i", { class: "wf-budget turn", style: `left:${pct(budgets.turnMs)}`, title: `turn budget ${budgets.turnMs} ms` }))));
  return h("div", { class: "waterfall", role: "img", "aria-label": `Stage timings: ${STAGES.map(k => `${k} ${fmtMs(timing(t, k))}`).join(", ")}, total ${fmtMs(total)}` }, rows,
    h("div", { class: "wf-axis" }, h("span", {}, "0"), h("span", {}, `${Math.round(scale / 2)} ms`), h("span", {}, `${Math.round(scale)} ms`)));
}
