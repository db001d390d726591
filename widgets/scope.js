// ngclab Scope: one panel per watched compartment (or XY pair). Frames are PNG images drawn by
// the kernel (backend "png") or an ipympl canvas widget shown inside the panel ("ipympl").
// Each panel chooses the cells it draws and exports its data or figure as a file.
import { banner, download, h, requester } from "./dom.js";

const KIND = { trace: "traces", raster: "raster", image: "image", xy: "phase plane" };
const EXPORTS = [["csv", "data (CSV)"], ["npz", "data (NPZ)"], ["png", "figure (PNG)"], ["svg", "figure (SVG)"]];

function scopeShell(count) {
  const grid = h("div", { class: "ngl-scope-grid" });
  const message = h("div", { class: "ngl-banner ngl-error", "data-ngclab-error": "", hidden: true });
  const root = h("div", { class: "ngl ngl-scope", "data-ngclab-scope": "" },
    h("div", { class: "ngl-head" }, h("span", { class: "ngl-title" }, "Scope"),
      h("span", { class: "ngl-muted" }, "click a port in the circuit to watch it"),
      h("span", { class: "ngl-spacer" }), count),
    message, grid);
  return [root, grid, message];
}

// The export button of a panel: a small menu of formats; the kernel replies with the file.
function exportMenu(view, p) {
  const menu = h("div", { class: "ngl-menu", hidden: true });
  for (const [format, label] of EXPORTS) {
    menu.append(h("button", {
      "data-ngclab-export-format": format,
      onclick: async () => {
        menu.hidden = true;
        const reply = await view.request("export", { path: p.path, format });
        if (reply.ok && reply.buffers.length) download(reply.name, reply.mime, reply.buffers[0]);
        else view.showError(reply.message);
      },
    }, label));
  }
  const button = h("button", { title: "Export", "data-ngclab-export": p.path, onclick: () => { menu.hidden = !menu.hidden; } }, "⤓");
  return h("span", { class: "ngl-export" }, button, menu);
}

function selectionField(view, p) {
  if (p.kind === "image") return [];
  const input = h("input", {
    type: "text", value: p.selection, "data-ngclab-selection": p.path,
    title: `cells to draw (of 0..${p.n - 1}), e.g. 0:8, 1,4,7 or 0:${p.n}:10`,
  });
  input.value = p.selection;
  input.addEventListener("change", async () => {
    const reply = await view.request("select", { path: p.path, selection: input.value });
    if (!reply.ok) { view.showError(reply.message); input.value = p.selection; }
  });
  return [h("span", { class: "ngl-kind" }, "cells"), input];
}

function panelBox(view, p) {
  let frame;
  if (p.canvas) {
    frame = h("div", { class: "ngl-mpl", "data-ngclab-canvas": p.canvas });
    showCanvas(view, frame, p.canvas);
  } else {
    frame = h("img", { alt: p.path });
    view.imgs.set(p.path, frame);
  }
  return h("div", { class: "ngl-panel", "data-ngclab-trace": p.path, "data-ngclab-kind": p.kind, "data-ngclab-box": JSON.stringify(p.box) },
    h("div", { class: "ngl-panel-head" },
      h("span", { class: "ngl-ptitle", title: p.path }, p.title),
      h("span", { class: "ngl-kind" }, KIND[p.kind] || p.kind),
      ...selectionField(view, p),
      exportMenu(view, p),
      h("button", { title: "Stop watching", onclick: () => view.request("unwatch", { path: p.path }) }, "×")),
    frame);
}

async function showCanvas(view, box, id) {
  // the panel's figure is an ipympl Canvas widget: render its view inside the panel
  try {
    const child = await view.model.widget_manager.get_model(id);
    const canvasView = await view.model.widget_manager.create_view(child);
    view.canvasViews.push(canvasView);
    box.replaceChildren(canvasView.el);
  } catch (err) {
    // no jupyter-matplotlib front end here: ask the kernel for PNG frames instead
    if (!view.fellBack) { view.fellBack = true; view.request("fallback", { reason: String(err) }); }
  }
}

async function reportIpympl(view) {
  // backend "auto": tell the kernel whether this front end can load ipympl's canvas
  const [module, version, cls] = view.model.get("ipympl_module");
  if (!module) return;
  let ok;
  try {
    await view.model.widget_manager.loadClass(cls, module, version);
    ok = true;
  } catch (err) {
    ok = false;   // not registered in this front end (or a widget manager without loadClass)
  }
  view.request("frontend", { ipympl: ok });
}

function drawPanels(view) {
  view.grid.replaceChildren();
  view.imgs.clear();
  for (const v of view.canvasViews) v.remove();
  view.canvasViews = [];
  const panels = view.model.get("panels");
  if (!panels.length) view.grid.append(h("div", { class: "ngl-scope-empty" }, "Nothing watched yet."));
  for (const p of panels) view.grid.append(panelBox(view, p));
  drawFrames(view);
}

function drawFrames(view) {
  const frames = view.model.get("frames");
  for (const [path, img] of view.imgs) {
    if (frames[path] && img.getAttribute("src") !== frames[path]) img.setAttribute("src", frames[path]);
  }
  view.count.textContent = `frame ${view.model.get("frame_count")}`;
}

function render({ model, el }) {
  const count = h("span", { class: "ngl-muted", "data-ngclab-readout": "frames" });
  const [root, grid, message] = scopeShell(count);
  el.append(root);
  const view = { model, grid, count, imgs: new Map(), canvasViews: [], fellBack: false, request: requester(model) };
  view.showError = (text) => banner(message, text, () => { message.hidden = true; });
  model.on("change:panels", () => drawPanels(view));
  model.on("change:frames", () => drawFrames(view));
  model.on("change:frame_count", () => drawFrames(view));
  drawPanels(view);
  reportIpympl(view);
  return () => view.request.close();
}

export default { render };
