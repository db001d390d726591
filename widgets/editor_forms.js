// ngclab CircuitEditor: the palette (add a component) and the inspector (the form of a new
// component, of a selected node, or a selected wire). Forms send requests; nothing changes
// in the view until the kernel's graph says so.
import { h } from "./dom.js";

const shortPath = (path) => path.split("/").slice(1).join("/");

export function drawPalette(view) {
  const { palette, model } = view;
  palette.replaceChildren(h("h4", {}, "Add a component"));
  for (const group of model.get("palette")) {
    palette.append(h("h4", {}, group.group));
    for (const entry of group.classes) {
      palette.append(h("button", {
        "data-ngclab-palette": entry.class, title: entry.doc,
        onclick: () => { view.adding = entry; view.selected = null; drawInspector(view); view.drawSelection(); },
      }, h("span", { class: "ngl-plus" }, "+"), entry.class));
    }
  }
}

function uniqueName(view, cls) {
  const names = new Set(view.model.get("graph").components.map((c) => c.name));
  const base = cls.replace(/[A-Z]/g, (m, i) => (i ? "" : m.toLowerCase())).replace(/[^a-z]/g, "") || "c";
  let i = 1;
  while (names.has(base + i)) i++;
  return base + i;
}

function field(label, value, required, attrs = {}) {
  const input = h("input", { type: "text", value, ...attrs });
  input.value = value;
  return [h("div", { class: "ngl-field" }, h("label", {}, label, required ? h("b", {}, " *") : ""), input), input];
}

// the fields whose text differs from what the form showed: the only ones sent
function changed(inputs) {
  const params = {};
  for (const [k, [input, shown]] of Object.entries(inputs)) if (input.value.trim() !== shown) params[k] = input.value;
  return params;
}

function closeButton(view) {
  return h("button", { onclick: () => { view.selected = null; view.adding = null; view.drawSelection(); drawInspector(view); } }, "Close");
}

function addForm(view, entry) {
  const { inspector } = view;
  inspector.append(h("h4", {}, "New " + entry.class), h("p", { class: "ngl-doc" }, entry.doc || ""));
  const [nameRow, nameInput] = field("name", uniqueName(view, entry.class), true, { "data-ngclab-field": "name" });
  inspector.append(nameRow);
  const inputs = {};
  for (const p of entry.params) {
    const [row, input] = field(p.name, p.default, p.required, { "data-ngclab-field": p.name, placeholder: p.required ? "required" : "" });
    inputs[p.name] = [input, p.default];
    inspector.append(row);
  }
  const submit = async () => {
    const reply = await view.request("add", { class: entry.class, name: nameInput.value.trim(), params: changed(inputs) });
    if (reply.ok && view.adding === entry) { view.adding = null; drawInspector(view); }
  };
  inspector.addEventListener("keydown", (e) => { if (e.key === "Enter") submit(); });
  inspector.append(h("div", { class: "ngl-actions" },
    h("button", { class: "ngl-primary", "data-ngclab-action": "add", onclick: submit }, "Add to circuit"),
    h("button", { onclick: () => { view.adding = null; drawInspector(view); } }, "Cancel")));
}

function nodeForm(view, node) {
  const { inspector } = view;
  inspector.append(h("h4", {}, node.class), h("p", { class: "ngl-doc" }, h("b", {}, node.name), "  ·  ", node.group));
  const inputs = {};
  for (const p of node.form) {
    const [row, input] = field(p.name, p.value, false, { "data-ngclab-field": p.name });
    inputs[p.name] = [input, p.value];
    inspector.append(row);
  }
  const apply = () => {
    const params = changed(inputs);
    if (Object.keys(params).length) view.request("update", { name: node.name, params });
  };
  inspector.append(h("div", { class: "ngl-actions" },
    h("button", { class: "ngl-primary", "data-ngclab-action": "apply", onclick: apply }, "Apply"),
    h("button", { class: "ngl-danger", "data-ngclab-action": "remove", onclick: () => view.request("remove", { name: node.name }) }, "Remove"),
    closeButton(view)));
}

function wireForm(view, wire) {
  view.inspector.append(h("h4", {}, "Wire"), h("p", { class: "ngl-doc" }, shortPath(wire.src), " → ", shortPath(wire.dst)),
    h("div", { class: "ngl-actions" }, h("button", {
      class: "ngl-danger", "data-ngclab-action": "disconnect",
      onclick: () => view.request("disconnect", { src: wire.src, dst: wire.dst }),
    }, "Delete wire"), closeButton(view)));
}

export function drawInspector(view) {
  const { inspector, body, selected } = view;
  inspector.replaceChildren();
  body.classList.add("ngl-with-inspector");
  if (view.adding) return addForm(view, view.adding);
  if (selected && selected.type === "node") {
    const node = view.model.get("graph").components.find((c) => c.name === selected.name);
    if (node) return nodeForm(view, node);
    view.selected = null;
  }
  if (selected && selected.type === "wire") return wireForm(view, selected);
  body.classList.remove("ngl-with-inspector");
}
