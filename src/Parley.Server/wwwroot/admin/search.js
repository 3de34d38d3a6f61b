// The search playground (the pgAdmin side): run a knowledge search as the account, see the scored
// results with the query's words marked, the strategy and timings, and EXPLAIN (ANALYZE, BUFFERS) of the statement.
import { h, api, fmtMs, showProblem, serverConfig, shortId } from "./lib.js";

// Words too common to be worth marking in a passage.
const STOP = new Set("the and for are but not you your with have has had was were this that what when where which who how can could does did from into our out about any all there their they them then than its it's also just only some more most very will would should may might".split(" "));

/** The query's words, to mark in a passage (a word also marks longer forms of itself: open → opening). */
export function queryTerms(query) {
  return [...new Set((query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || []).filter(w => !STOP.has(w)))];
}

export function highlight(text, terms) {
  const span = h("span");
  if (!terms.length) { span.textContent = text; return span; }
  const re = new RegExp(`(?<![\\p{L}\\p{N}])((?:${terms.map(t => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})[\\p{L}\\p{N}]*)`, "giu");
  text.split(re).forEach((part, i) => part && span.append(i % 2 ? h("mark", {}, part) : part));
  return span;
}

function planView(plan) {
  const pre = h("pre", { class: "plan", id: "plan", tabindex: 0 });
  for (const line of (plan || "").split("\n")) {
    const cls = /^\s*(->|[A-Z][A-Za-z ]+ {2}\(cost)/.test(line) ? "node" : /Buffers:|I\/O Timings/.test(line) ? "buf" : /(Planning|Execution) Time/.test(line) ? "time" : "";
    pre.append(h("span", { class: cls }, line), "\n");
  }
  return pre;
}

export async function searchPage(main) {
  const config = await serverConfig();
  const out = h("div", { class: "search-out" });
  const err = h("div", { class: "error", role: "alert" });
  const form = h("form", { class: "search-form", novalidate: true, role: "search" },
    h("label", { class: "q" }, "Query", h("input", { name: "query", type: "search", placeholder: "Is there parking near the restaurant?", autocomplete: "off" })),
    h("label", {}, "Mode", h("select", { name: "mode" }, h("option", { value: "vector" }, "vector"), h("option", { value: "hybrid" }, "hybrid"))),
    h("label", {}, "Top-k", h("input", { name: "topK", type: "number", value: 5, min: 1, max: config.maxTopK })),
    h("button", { type: "submit" }, "Search"),
    h("details", { class: "more" }, h("summary", {}, "More options"),
      h("label", {}, "Minimum similarity", h("input", { name: "minSimilarity", type: "number", step: "0.05", min: -1, max: 1, placeholder: "none" })),
      h("label", {}, "Metadata filter (JSON object)", h("input", { name: "filter", class: "mono", placeholder: '{"tags": ["menu"]}' }))));
  main.replaceChildren(h("section", { class: "card" }, h("h1", {}, "Search playground"),
    h("p", { class: "muted" }, "Runs the knowledge search exactly as a call would, for the account you work on, then the same statement under EXPLAIN (ANALYZE, BUFFERS)."),
    form, err), out);

  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    err.textContent = "";
    const f = form.elements;
    const body = { query: f.query.value, mode: f.mode.value, topK: f.topK.value === "" ? undefined : Number(f.topK.value), explain: true };
    if (f.minSimilarity.value !== "") body.minSimilarity = Number(f.minSimilarity.value);
    if (f.filter.value.trim()) {
      try { body.filter = JSON.parse(f.filter.value); }
      catch { showProblem(err, { problem: { title: "Fix the marked field.", errors: { filter: ["not valid JSON."] } } }, form); return; }
    }
    out.replaceChildren(h("p", { class: "muted" }, "Searching…"));
    const btn = form.querySelector("button[type=submit]");
    btn.disabled = true;
    try {
      showProblem(err, { message: "" }, form); err.textContent = "";
      render(out, await api("/v1/knowledge/search", { method: "POST", body }), body.query);
    } catch (e) { out.replaceChildren(); showProblem(err, e, form); }
    finally { btn.disabled = false; }
  });
}

function render(out, r, query) {
  const terms = queryTerms(query);
  const t = r.timings || {};
  const exec = /Execution Time: ([\d.]+) ms/.exec(r.plan || "")?.[1];
  const total = Math.max(Number(t.totalMs) || 0, 1e-6);
  out.replaceChildren(
    h("section", { class: "card", id: "results" },
      h("div", { class: "toolbar" }, h("h2", {}, `${r.results.length} result${r.results.length === 1 ? "" : "s"}`),
        h("span", { class: "muted" }, "strategy "), h("span", { class: "badge", id: "strategy" }, r.strategy)),
      h("div", { class: "timings", id: "timings" },
        [["embed", t.embedMs], ["search", t.searchMs]].map(([k, v]) => h("span", { class: `t ${k}`, style: `flex-grow:${Math.max(0.05, (Number(v) || 0) / total)}` }, `${k} ${fmtMs(v)}`)),
        h("span", { class: "t total" }, `total ${fmtMs(t.totalMs)}`)),
      r.results.length ? null : h("p", { class: "muted" }, "No passage matched (is the knowledge base empty, or the minimum similarity too high?)."),
      h("ol", { class: "results" }, r.results.map((x, i) => h("li", { class: "result", "data-rank": i + 1 },
        h("div", { class: "score" },
          h("strong", { class: "similarity", title: "cosine similarity" }, Number(x.similarity).toFixed(3)),
          h("span", { class: "bar", "aria-hidden": "true" }, h("i", { style: `width:${Math.max(0, Math.min(1, x.similarity)) * 100}%` })),
          h("span", { class: "title" }, x.title),
          (x.metadata?.headings || []).length ? h("span", { class: "muted crumbs" }, x.metadata.headings.join(" › ")) : null),
        h("p", { class: "content" }, highlight(x.content, terms)),
        h("small", { class: "muted mono" }, `chunk ${shortId(x.chunkId)} · document ${shortId(x.documentId)}`))))),
    h("section", { class: "card" },
      h("div", { class: "toolbar" }, h("h2", {}, "Query plan"), h("span", { class: "muted" }, "EXPLAIN (ANALYZE, BUFFERS)"),
        exec ? h("span", { class: "badge" }, `executed in ${exec} ms`) : null),
      r.plan ? planView(r.plan) : h("p", { class: "muted" }, "The server returned no plan.")));
}
