// The transactional side, Prisma-Studio style: accounts, agents, contacts, integrations.
import { h, api, fetchAll, fmtDate, session, confirmButton, shortId } from "./lib.js";
import { dataTable } from "./table.js";
import { formDialog } from "./forms.js";

/** A table of one /v1 resource with create, edit and delete through the API's own validation. */
function crudPage({ title, noun, path, columns, fields, platform = false, deletable = true, actions, afterCreate, intro }) {
  return async main => {
    const table = dataTable({
      title, name: noun, columns, actions,
      load: () => fetchAll(path, 1000, platform),
      onRow: row => edit(row),
      tools: [h("button", { type: "button", onclick: () => create() }, `New ${noun}`)],
      emptyText: `No ${noun}s yet.`,
    });
    async function create() {
      const created = await formDialog({ title: `New ${noun}`, fields, submit: body => api(path, { method: "POST", body, platform }) });
      if (created) { table.reload(); afterCreate?.(created, main); }
    }
    async function edit(row) {
      const saved = await formDialog({
        title: `Edit ${noun} ${row.name || shortId(row.id)}`, fields, row,
        submit: body => Object.keys(body).length ? api(`${path}/${row.id}`, { method: "PATCH", body, platform }) : row,
        extra: deletable ? (r, close) => confirmButton(`Delete`, async () => {
          await api(`${path}/${r.id}`, { method: "DELETE", platform });
          close(); table.reload();
        }) : null,
      });
      if (saved) table.reload();
    }
    main.replaceChildren(...[intro?.(), table.el].filter(Boolean));
    await table.reload();
  };
}

const created = { key: "createdAt", label: "Created", render: r => fmtDate(r.createdAt), cls: "hide-sm" };
const idCol = { key: "id", label: "Id", render: r => h("span", { class: "mono", title: r.id }, shortId(r.id)), cls: "hide-sm" };

export const accounts = crudPage({
  title: "Accounts", noun: "account", path: "/v1/accounts", platform: true, deletable: false,
  intro: () => h("p", { class: "muted intro" }, "Every tenant of this Parley. Act as one to see its agents, calls and knowledge base."),
  columns: [{ key: "name", label: "Name" }, { key: "plan", label: "Plan" }, { key: "language", label: "Language" }, created, idCol],
  fields: [
    { name: "name", label: "Name" },
    { name: "language", label: "Text-search language", hint: "(a PostgreSQL configuration: english, spanish, simple…)", value: "english", readOnlyOnEdit: true },
    { name: "plan", label: "Plan", type: "select", options: ["starter", "growth", "enterprise"], value: "starter" },
  ],
  actions: r => session.account === r.id
    ? h("span", { class: "badge ok" }, "acting as")
    : h("button", { type: "button", class: "secondary", onclick: () => { session.actAs(r.id, r.name); location.hash = "#/agents"; } }, "Act as"),
  afterCreate: (result, main) => {
    // The first API key of an account is shown exactly once: the server keeps only its hash.
    const card = h("section", { class: "card notice", role: "status" },
      h("h2", {}, `Account ${result.account.name} created`),
      h("p", {}, "Its API key, shown only now:"),
      h("pre", { class: "key mono", "data-api-key": "" }, result.apiKey),
      h("button", { type: "button", class: "secondary", onclick: () => card.remove() }, "Done"));
    main.prepend(card);
  },
});

export const agents = crudPage({
  title: "Agents", noun: "agent", path: "/v1/agents",
  columns: [
    { key: "name", label: "Name" }, { key: "language", label: "Language" }, { key: "voice", label: "Voice", cls: "hide-sm" },
    { key: "topK", label: "Top-k" }, { key: "minSimilarity", label: "Min. similarity" },
    { key: "hybrid", label: "Search", get: r => r.hybrid ? "hybrid" : "vector" },
    { key: "active", label: "Status", get: r => r.active ? "active" : "off", render: r => h("span", { class: `badge ${r.active ? "ok" : ""}` }, r.active ? "active" : "off") },
    { key: "updatedAt", label: "Updated", render: r => fmtDate(r.updatedAt), cls: "hide-sm" },
  ],
  fields: [
    { name: "name", label: "Name" },
    { name: "language", label: "Language", value: "en" },
    { name: "systemPrompt", label: "System prompt", type: "textarea" },
    { name: "voice", label: "Voice", hint: "(espeak-ng voice or provider voice)", value: "en-us" },
    { name: "llmModel", label: "LLM model", value: "local" },
    { name: "topK", label: "Top-k passages", type: "number", value: 3 },
    { name: "minSimilarity", label: "Minimum similarity", type: "number", step: "0.01", value: 0.3 },
    { name: "hybrid", label: "Hybrid search (full-text + vector)", type: "checkbox" },
    { name: "active", label: "Active", type: "checkbox", value: true },
  ],
});

export const contacts = crudPage({
  title: "Contacts", noun: "contact", path: "/v1/contacts",
  columns: [{ key: "name", label: "Name" }, { key: "phone", label: "Phone", cls: "mono" },
    { key: "metadata", label: "Metadata", get: r => JSON.stringify(r.metadata ?? {}), render: r => h("span", { class: "mono clip" }, JSON.stringify(r.metadata ?? {})), cls: "hide-sm" }, created],
  fields: [
    { name: "name", label: "Name" },
    { name: "phone", label: "Phone", hint: "(E.164, e.g. +15550100)", placeholder: "+15550100" },
    { name: "metadata", label: "Metadata (JSON object)", type: "json" },
  ],
});

export const integrations = crudPage({
  title: "Integrations", noun: "integration", path: "/v1/integrations",
  columns: [{ key: "name", label: "Name" }, { key: "kind", label: "Kind" },
    { key: "settings", label: "Settings", get: r => JSON.stringify(r.settings ?? {}), render: r => h("span", { class: "mono clip" }, JSON.stringify(r.settings ?? {})), cls: "hide-sm" },
    { key: "hasSecrets", label: "Secrets", get: r => r.hasSecrets ? "stored" : "none", render: r => h("span", { class: `badge ${r.hasSecrets ? "ok" : ""}` }, r.hasSecrets ? "stored" : "none") },
    { key: "updatedAt", label: "Updated", render: r => fmtDate(r.updatedAt), cls: "hide-sm" }],
  fields: [
    { name: "name", label: "Name" },
    { name: "kind", label: "Kind", type: "select", options: ["telephony", "webhook", "crm"], value: "webhook" },
    { name: "settings", label: "Settings (JSON object)", type: "json", placeholder: '{"url": "https://…"}' },
    { name: "secrets", label: "Secrets (JSON object)", hint: "(write-only: stored encrypted, never shown again; leave empty to keep)", type: "json" },
  ],
});
