// The batching writers of this server (call log, search records) and the records they set aside because
// the database refused them, from GET /v1/metrics/database (platform admin only: dead letters span accounts).
import { h, fmtDate, shortId, emptyState } from "./lib.js";

const bytes = n => n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;

export function writersCard(database) {
  if (database.error) return h("section", { class: "card", id: "writers" }, h("h2", {}, "Writers and dead letters"), h("p", { class: "error" }, database.error));
  const { writers = [], deadLetters = { total: 0, kinds: [], recent: [] } } = database.data;
  const table = (heads, rows) => h("div", { class: "table-wrap" }, h("table", { class: "data" },
    h("thead", {}, h("tr", {}, heads.map(c => h("th", {}, c)))),
    h("tbody", {}, rows.map(r => h("tr", {}, r.map((v, i) => h("td", { "data-label": heads[i] }, v)))))));
  return h("section", { class: "card", id: "writers" }, h("h2", {}, "Writers and dead letters"),
    table(["Writer", "Backlog", "Lost", "Set aside", "Spool"], writers.map(w => [w.name, String(w.backlog), String(w.dropped), String(w.setAside), bytes(w.spoolBytes)])),
    h("h3", {}, `Dead letters (${deadLetters.total})`),
    deadLetters.total === 0 ? emptyState("No dead letters", "Every record the writers were given reached its table.") : h("div", {},
      table(["Kind", "Count", "Latest"], deadLetters.kinds.map(k => [k.kind, String(k.count), fmtDate(k.latestAt)])),
      table(["When", "Kind", "Account", "Record", "Error"], deadLetters.recent.map(d =>
        [fmtDate(d.at), d.kind, h("span", { class: "mono" }, shortId(d.accountId)), h("span", { class: "mono", title: d.payload }, shortId(d.id)), d.error]))));
}
