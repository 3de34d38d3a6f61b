// A data table with search, sort and paging. It loads every row the API gives (keyset pages of 200,
// capped at 1000) and then searches, sorts and pages in the browser: an admin's lists are small, and
// this way sorting and searching cover the whole list, not just one server page.
import { h, emptyState } from "./lib.js";

const valueOf = (c, r) => c.get ? c.get(r) : r[c.key];
const compare = (x, y) => {
  if (x === y) return 0;
  if (x === null || x === undefined || x === "") return 1;
  if (y === null || y === undefined || y === "") return -1;
  if (typeof x === "number" && typeof y === "number") return x - y;
  return String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });
};

/**
 * columns: [{key, label, get?, render?, cls?}]; load: async () => ({items, truncated});
 * onRow(row): row click; actions(row, reload): buttons in the last column; tools: extra toolbar nodes.
 */
// Fewer rows a page on a phone, where each row is a stacked card.
const defaultPageSize = () => (window.matchMedia("(max-width: 700px)").matches ? 10 : 20);

export function dataTable({ title, columns, load, onRow, actions, tools = [], pageSize = defaultPageSize(), emptyText = "Nothing here yet.", name, summary }) {
  const state = { rows: [], truncated: false, sort: null, dir: 1, query: "", page: 0, loading: true, error: null };
  const tbody = h("tbody");
  const pager = h("div", { class: "pager" });
  const note = h("div", { class: "muted", role: "status" });
  const heads = columns.map(c => h("th", { scope: "col", "data-sort": c.key, class: c.cls || "", tabindex: 0,
    onclick: () => sortBy(c.key), onkeydown: e => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), sortBy(c.key)) }, c.label));
  const search = h("input", { type: "search", placeholder: "Search…", "aria-label": `Search ${title}`,
    oninput: e => { state.query = e.target.value.trim().toLowerCase(); state.page = 0; draw(); } });
  const el = h("section", { class: "card", "data-table": name || title },
    h("div", { class: "toolbar" }, h("h1", {}, title), search, tools),
    note,
    h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, heads, actions ? h("th", { class: "actions-col" }, h("span", { class: "sr-only" }, "Actions")) : null)), tbody)),
    pager);

  function sortBy(key) {
    state.dir = state.sort === key ? -state.dir : 1;
    state.sort = key;
    draw();
  }

  function filtered() {
    let rows = state.rows;
    if (state.query) {
      const terms = state.query.split(/\s+/);
      rows = rows.filter(r => {
        const text = columns.map(c => valueOf(c, r)).concat(r.id).join(" ").toLowerCase();
        return terms.every(t => text.includes(t));
      });
    }
    if (state.sort) {
      const c = columns.find(c => c.key === state.sort);
      rows = [...rows].sort((a, b) => compare(valueOf(c, a), valueOf(c, b)) * state.dir);
    }
    return rows;
  }

  function draw() {
    for (const th of heads) {
      const on = th.dataset.sort === state.sort;
      th.classList.toggle("asc", on && state.dir > 0);
      th.classList.toggle("desc", on && state.dir < 0);
      th.setAttribute("aria-sort", on ? (state.dir > 0 ? "ascending" : "descending") : "none");
    }
    const rows = filtered();
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    state.page = Math.min(state.page, pages - 1);
    const shown = rows.slice(state.page * pageSize, (state.page + 1) * pageSize);
    const span = columns.length + (actions ? 1 : 0);
    tbody.replaceChildren(...shown.map(r => h("tr", { class: onRow ? "clickable" : "", "data-id": r.id, tabindex: onRow ? 0 : null,
        onclick: onRow ? () => onRow(r) : null, onkeydown: onRow ? e => e.key === "Enter" && onRow(r) : null },
      columns.map(c => {
        const v = c.render ? c.render(r) : valueOf(c, r);
        return h("td", { class: c.cls || "", "data-label": c.label }, v === null || v === undefined ? "" : v);
      }),
      actions ? h("td", { class: "actions-col", onclick: e => e.stopPropagation() }, h("div", { class: "row-actions" }, actions(r, reload))) : null)));
    if (state.loading) tbody.replaceChildren(h("tr", {}, h("td", { colspan: span, class: "muted" }, "Loading…")));
    else if (state.error) tbody.replaceChildren(h("tr", {}, h("td", { colspan: span }, h("span", { class: "error" }, state.error))));
    else if (!rows.length) tbody.replaceChildren(h("tr", { class: "empty-row" }, h("td", { colspan: span }, emptyState(state.query ? "No row matches the search." : emptyText))));
    const from = rows.length ? state.page * pageSize + 1 : 0;
    note.textContent = [summary && !state.loading && !state.error ? summary(state.rows) : "", state.truncated ? `Showing the first ${state.rows.length} rows.` : ""].filter(Boolean).join(" ");
    pager.replaceChildren(
      h("span", { class: "muted" }, `${from}–${from ? from + shown.length - 1 : 0} of ${rows.length}`),
      h("button", { class: "secondary", disabled: state.page === 0, "aria-label": "Previous page", onclick: () => { state.page--; draw(); } }, "‹ Prev"),
      h("span", { class: "muted" }, `page ${state.page + 1} / ${pages}`),
      h("button", { class: "secondary", disabled: state.page >= pages - 1, "aria-label": "Next page", onclick: () => { state.page++; draw(); } }, "Next ›"));
  }

  async function reload() {
    state.loading = true; state.error = null; draw();
    try {
      const { items, truncated } = await load();
      state.rows = items; state.truncated = truncated;
    } catch (e) { state.error = e.message; state.rows = []; }
    state.loading = false;
    draw();
  }

  draw();
  return { el, reload };
}
