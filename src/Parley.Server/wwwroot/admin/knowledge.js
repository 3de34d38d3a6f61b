// The knowledge base: documents with their chunk counts, upload (files or pasted text) with progress,
// delete, and re-ingest (a new version of a document under the same source replaces its chunks).
import { h, api, fetchAll, fmtDate, upload, showProblem, confirmButton } from "./lib.js";
import { dataTable } from "./table.js";

export async function knowledgePage(main) {
  const log = h("ul", { class: "upload-log", "aria-live": "polite" });
  const table = dataTable({
    title: "Knowledge base", name: "document",
    load: () => fetchAll("/v1/knowledge/documents"),
    columns: [
      { key: "title", label: "Title" },
      { key: "chunks", label: "Chunks", cls: "num" },
      { key: "source", label: "Source", render: r => h("span", { class: "mono clip" }, r.source), cls: "hide-sm" },
      { key: "status", label: "Status", render: r => h("span", { class: "badge ok" }, r.status) },
      { key: "updatedAt", label: "Updated", render: r => fmtDate(r.updatedAt) },
    ],
    actions: (d, reload) => [
      reingestButton(d, log, reload),
      confirmButton("Delete", async () => {
        try { await api(`/v1/knowledge/documents/${d.id}`, { method: "DELETE" }); addLog(log, "ok", `Deleted ${d.title}.`); }
        catch (e) { addLog(log, "error", `${d.title}: ${e.message}`); }
        await reload();
      }),
    ],
    emptyText: "No documents yet: upload one below.",
    summary: rows => `${rows.length} document${rows.length === 1 ? "" : "s"} · ${rows.reduce((a, d) => a + (d.chunks || 0), 0)} chunks`,
  });
  main.replaceChildren(table.el, h("div", { class: "grid2" }, fileCard(log, table.reload), textCard(log, table.reload)), h("section", { class: "card" }, h("h2", {}, "Activity"), log));
  await table.reload();
}

function addLog(log, cls, text) {
  log.prepend(h("li", { class: cls }, h("time", {}, new Date().toLocaleTimeString()), " ", text));
}

const describe = (name, r) => r?.jobId ? `${name}: queued as job ${r.jobId}.`
  : r?.status === "unchanged" ? `${name}: unchanged (same content), nothing re-embedded.`
  : `${name}: ${r?.status ?? "ingested"}, ${r?.chunks ?? "?"} chunks.`;

/** Uploads one file with a progress bar: bytes first, then an indeterminate bar while the server chunks and embeds. */
async function uploadFile(file, fields, log, progressHost) {
  const bar = h("i");
  const label = h("span", {}, `${file.name}: uploading…`);
  const row = h("div", { class: "progress-row", "data-file": file.name }, label, h("div", { class: "progress", role: "progressbar", "aria-label": `Upload of ${file.name}` }, bar));
  progressHost.append(row);
  const form = new FormData();
  form.append("file", file, file.name);
  for (const [k, v] of Object.entries(fields || {})) form.append(k, v);
  try {
    const r = await upload("/v1/knowledge/documents", form, p => {
      bar.style.width = `${Math.round(p * 100)}%`;
      row.querySelector(".progress").setAttribute("aria-valuenow", Math.round(p * 100));
      if (p >= 1) { label.textContent = `${file.name}: chunking and embedding…`; row.querySelector(".progress").classList.add("busy"); }
    });
    addLog(log, "ok", describe(file.name, r));
    return r;
  } catch (e) {
    addLog(log, "error", `${file.name}: ${e.problem?.errors ? Object.values(e.problem.errors).flat().join(" ") : e.message}`);
    return null;
  } finally { row.remove(); }
}

function fileCard(log, reload) {
  const progress = h("div", { class: "progress-host" });
  const input = h("input", { type: "file", name: "file", multiple: true, accept: ".txt,.md,.markdown,.html,.htm,.pdf,text/*,application/pdf" });
  const form = h("form", { novalidate: true }, h("label", {}, "Files (.txt, .md, .html, .pdf)", input),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Upload")), progress);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const files = [...input.files];
    if (!files.length) { addLog(log, "error", "Pick a file first."); return; }
    form.querySelector("button").disabled = true;
    for (const f of files) await uploadFile(f, null, log, progress);
    form.reset(); form.querySelector("button").disabled = false;
    await reload();
  });
  return h("section", { class: "card" }, h("h2", {}, "Upload files"), form);
}

function textCard(log, reload) {
  const err = h("div", { class: "error", role: "alert" });
  const form = h("form", { novalidate: true },
    h("label", {}, "Title", h("input", { name: "title" })),
    h("label", {}, "Text (Markdown welcome)", h("textarea", { name: "text", rows: 6 })),
    h("label", {}, "Metadata (JSON object, optional)", h("input", { name: "metadata", class: "mono", placeholder: '{"tags": ["menu"]}' })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Add text")), err);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    err.textContent = "";
    const body = { title: form.elements.title.value, text: form.elements.text.value };
    if (form.elements.metadata.value.trim()) {
      try { body.metadata = JSON.parse(form.elements.metadata.value); }
      catch { showProblem(err, { problem: { title: "Fix the marked field.", errors: { metadata: ["not valid JSON."] } } }, form); return; }
    }
    const btn = form.querySelector("button"); btn.disabled = true; btn.textContent = "Ingesting…";
    try {
      const r = await api("/v1/knowledge/documents", { method: "POST", body });
      addLog(log, "ok", describe(body.title, r));
      form.reset(); showProblem(err, { message: "" }, form); err.textContent = "";
      await reload();
    } catch (e) { showProblem(err, e, form); }
    finally { btn.disabled = false; btn.textContent = "Add text"; }
  });
  return h("section", { class: "card" }, h("h2", {}, "Add text"), form);
}

/**
 * Re-ingest: the server keeps chunks, not the original file, so a re-ingest is a new version of the
 * document sent under the same source: unchanged content is a no-op, changed content replaces every chunk.
 */
function reingestButton(d, log, reload) {
  const host = h("div", { class: "progress-host inline" });
  const input = h("input", { type: "file", class: "sr-only", tabindex: -1, "aria-label": `New version of ${d.title}`, onchange: async () => {
    if (!input.files.length) return;
    await uploadFile(input.files[0], { source: d.source, title: d.title }, log, host);
    await reload();
  } });
  return h("span", { class: "reingest" }, h("button", { type: "button", class: "secondary", onclick: () => input.click() }, "Re-ingest"), input, host);
}
