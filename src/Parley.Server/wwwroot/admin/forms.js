// Create and edit forms in a modal <dialog>. The page does no validation of its own beyond JSON syntax:
// the API's problem details are the single source of truth, shown under each field they name.
import { h, showProblem } from "./lib.js";

function inputFor(f, value, editing) {
  const readOnly = editing && f.readOnlyOnEdit;
  switch (f.type) {
    case "textarea": { const t = h("textarea", { name: f.name, rows: f.rows || 4, readonly: readOnly }); t.value = value ?? ""; return t; }
    case "json": {
      const t = h("textarea", { name: f.name, rows: 3, class: "mono", placeholder: f.placeholder || "{}" });
      t.value = value === undefined || value === null ? "" : JSON.stringify(value, null, 2);
      return t;
    }
    case "select": return h("select", { name: f.name, disabled: readOnly }, f.options.map(o => h("option", { value: o, selected: o === value }, o)));
    case "checkbox": return h("input", { name: f.name, type: "checkbox", checked: !!value });
    default: return h("input", { name: f.name, type: f.type || "text", step: f.step, value: value ?? "", readonly: readOnly, autocomplete: "off", placeholder: f.placeholder });
  }
}

function readField(f, el) {
  if (f.type === "checkbox") return el.checked;
  if (f.type === "number") return el.value === "" ? undefined : Number(el.value);
  if (f.type === "json") {
    if (!el.value.trim()) return undefined;
    try { return JSON.parse(el.value); } catch { throw { field: f.name, message: `${f.label}: not valid JSON.` }; }
  }
  return el.value;
}

/**
 * Opens a form for a new row (row = null) or an existing one. `submit(body)` calls the API; it gets
 * every filled field on create, only the changed ones on edit (PATCH semantics: absent = unchanged).
 * Resolves with submit's answer, or null when cancelled.
 */
export function formDialog({ title, fields, row = null, submit, extra }) {
  return new Promise(resolve => {
    const editing = !!row;
    const err = h("div", { class: "error", role: "alert" });
    const shown = fields.filter(f => !(editing ? f.createOnly : f.editOnly));
    const form = h("form", { novalidate: true, class: "form" },
      shown.map(f => {
        const value = editing ? row[f.name] : f.value;
        const input = inputFor(f, value, editing);
        return h("div", { class: "field" }, f.type === "checkbox"
          ? h("label", { class: "check" }, input, " ", f.label)
          : h("label", {}, f.label, f.hint ? h("small", { class: "hint" }, ` ${f.hint}`) : null, input));
      }),
      err,
      h("div", { class: "actions" },
        h("button", { type: "submit" }, editing ? "Save" : "Create"),
        h("button", { type: "button", class: "secondary", onclick: () => close(null) }, "Cancel"),
        extra ? extra(row, () => close(null)) : null));
    const dialog = h("dialog", { class: "modal", "aria-label": title }, h("h2", {}, title), form);
    function close(result) { dialog.close(); dialog.remove(); resolve(result); }
    dialog.addEventListener("cancel", ev => { ev.preventDefault(); close(null); });
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const body = {};
      try {
        for (const f of shown) {
          if (editing && f.readOnlyOnEdit) continue;
          const v = readField(f, form.elements[f.name]);
          if (v === undefined) continue;
          if (editing && JSON.stringify(v) === JSON.stringify(row[f.name] ?? (f.type === "checkbox" ? false : ""))) continue;
          if (!editing && v === "" ) continue;
          body[f.name] = v;
        }
      } catch (e) {
        showProblem(err, { message: "Fix the marked field.", problem: { title: "Fix the marked field.", errors: { [e.field]: [e.message] } } }, form);
        return;
      }
      const btn = form.querySelector("button[type=submit]");
      btn.disabled = true;
      try { close(await submit(body)); }
      catch (e) { showProblem(err, e, form); }
      finally { btn.disabled = false; }
    });
    document.body.append(dialog);
    dialog.showModal();
    form.querySelector("input:not([readonly]), textarea, select")?.focus();
  });
}
