// ngclab CircuitEditor: components as nodes, compartments as ports, wires between them.
// Every edit is a request to the kernel; this view only ever draws the graph the kernel sends.
// Node sizes come from the kernel (the `geometry` trait, set in ngclab/lab/layout.py).
import { banner, h, requester, svg } from "./dom.js";
import { drawInspector, drawPalette } from "./editor_forms.js";
import { curve, stagePoint, startNodeDrag, startWireDrag } from "./editor_drag.js";

const shapeText = (s) => (s.length ? s.join("×") : "scalar");
const pathTail = (path) => path.split("/").slice(1).join("/");

// ---------- the frame of the editor: header, hints, banners, palette | canvas | inspector ----
function buildShell(view) {
  view.root = h("div", { class: "ngl ngl-editor", "data-ngclab-editor": "" });
  view.errorBox = h("div", { class: "ngl-banner ngl-error", "data-ngclab-error": "", hidden: true });
  view.noticeBox = h("div", { class: "ngl-banner ngl-notice", hidden: true });
  view.palette = h("aside", { class: "ngl-palette" });
  view.stage = h("div", { class: "ngl-stage" });
  view.wires = svg("svg", { class: "ngl-wires" });
  view.stage.append(view.wires);
  view.canvas = h("div", { class: "ngl-canvas", tabindex: "0" }, view.stage);
  view.inspector = h("aside", { class: "ngl-inspector" });
  view.codePre = h("pre", { "data-ngclab-code": "" });
  const codeBox = h("div", { class: "ngl-code", hidden: true },
    h("div", { class: "ngl-head" }, h("span", { class: "ngl-title" }, "Python code of this circuit"),
      h("span", { class: "ngl-spacer" }),
      h("button", { onclick: () => navigator.clipboard && navigator.clipboard.writeText(view.codePre.textContent) }, "Copy"),
      h("button", { onclick: () => { codeBox.hidden = true; } }, "Close")),
    view.codePre);
  view.readout = h("div", { "data-ngclab-readout": "wires", hidden: true });
  const head = h("div", { class: "ngl-head" },
    h("span", { class: "ngl-title" }, "Circuit"),
    h("span", { class: "ngl-legend" },
      h("span", { class: "in" }, "input"), h("span", { class: "out" }, "output"),
      h("span", { class: "st" }, "state"), h("span", { class: "pa" }, "parameter")),
    h("span", { class: "ngl-spacer" }),
    h("button", { "data-ngclab-action": "layout", title: "Forget dragged positions", onclick: () => view.request("layout") }, "Auto layout"),
    h("button", { "data-ngclab-action": "export", onclick: () => { view.request("code"); codeBox.hidden = false; } }, "Export code"));
  const hint = h("div", { class: "ngl-hint-bar" },
    "Drag a port ", h("b", {}, "→"), " port to wire · click a port to watch it · click a node to edit · select a wire or node and press ",
    h("kbd", {}, "Delete"), " to remove it");
  view.body = h("div", { class: "ngl-editor-body" }, view.palette, view.canvas, view.inspector);
  view.root.append(head, hint, view.errorBox, view.noticeBox, view.body, codeBox, view.readout);
}

// the node geometry as CSS variables, so lab.css draws nodes the size the layout assumed
function applyGeometry(view) {
  const g = view.model.get("geometry");
  view.geometry = g;
  view.root.style.setProperty("--ngl-node-w", g.node_w + "px");
  view.root.style.setProperty("--ngl-head-h", g.head_h + "px");
  view.root.style.setProperty("--ngl-row-h", g.row_h + "px");
  view.root.style.setProperty("--ngl-ports-pad", g.ports_pad + "px");
}

function showBanners(view) {
  const dismiss = () => view.request("dismiss");
  banner(view.errorBox, view.model.get("error"), dismiss);
  banner(view.noticeBox, view.model.get("notice"), dismiss);
}

// ---------- nodes and ports ----------
function drawPort(view, g, p, watched, clamped) {
  const isIn = p.kind === "input";
  const wired = isIn ? !!p.wired_from : g.wires.some((w) => w.sources.includes(p.path));
  const el = h("div", {
    class: `ngl-port ${isIn ? "ngl-in" : "ngl-out"} ngl-kind-${p.kind}` + (wired ? " ngl-wired" : "") + (watched.has(p.path) ? " ngl-watched" : ""),
    "data-ngclab-port": p.path, "data-kind": p.kind,
    title: `${p.path}\n${p.kind}, shape ${shapeText(p.shape)}${p.wired_from ? "\n← " + p.wired_from.map(pathTail).join(" + ") : ""}\nclick: watch in scope · drag: wire`,
  });
  const label = [h("span", { class: "ngl-pname" }, p.name), h("span", { class: "ngl-eye" }, "◉"),
    clamped.has(p.path) ? h("span", { class: "ngl-clamp" }, "clamp") : null];
  const parts = isIn ? [h("span", { class: "ngl-dot" }), ...label] : [...label, h("span", { class: "ngl-dot" })];
  el.append(...parts.filter(Boolean));
  el.addEventListener("pointerdown", (e) => startWireDrag(view, e, p));
  view.portEls.set(p.path, el);
  return el;
}

function drawNode(view, g, node, watched, clamped) {
  const [x, y] = node.position;
  const left = h("div", {}), right = h("div", {});
  for (const p of node.compartments) {
    if (p.kind === "knob" || p.name === "key") continue;
    (p.kind === "input" ? left : right).append(drawPort(view, g, p, watched, clamped));
  }
  const isSel = view.selected && view.selected.type === "node" && view.selected.name === node.name;
  const nodeEl = h("div", {
    class: "ngl-node" + (isSel ? " ngl-selected" : ""), "data-ngclab-node": node.name, style: `left:${x}px;top:${y}px`,
  }, h("div", { class: "ngl-node-head", title: node.module },
    h("span", { class: "ngl-node-name" }, node.name), h("span", { class: "ngl-node-class" }, node.class)),
  h("div", { class: "ngl-node-ports" }, left, right));
  nodeEl.querySelector(".ngl-node-head").addEventListener("pointerdown", (e) => startNodeDrag(view, e, node, nodeEl));
  view.nodeEls.set(node.name, nodeEl);
  return nodeEl;
}

function drawGraph(view) {
  const { model, stage, wires } = view;
  const g = model.get("graph");
  const watched = new Set(model.get("watched"));
  const clamped = new Set(model.get("clamped"));
  for (const n of view.nodeEls.values()) n.remove();
  view.nodeEls.clear(); view.portEls.clear();
  stage.querySelectorAll(".ngl-empty").forEach((e) => e.remove());
  let maxX = 400, maxY = 300;
  for (const node of g.components) {
    stage.append(drawNode(view, g, node, watched, clamped));
    maxX = Math.max(maxX, node.position[0] + view.geometry.node_w + 60);
    maxY = Math.max(maxY, node.position[1] + node.height + 60);
  }
  if (!g.components.length) stage.append(h("div", { class: "ngl-empty" }, "An empty circuit: add a component from the palette."));
  view.stageSize = [maxX, maxY];
  stage.style.width = maxX + "px";
  stage.style.height = maxY + "px";
  wires.setAttribute("width", maxX); wires.setAttribute("height", maxY);
  fit(view);
  view.readout.textContent = JSON.stringify(g.wires.map((w) => [w.sources, w.dst]));
  drawWires(view);
}

// the stage shrinks (down to 55%) so that a whole circuit fits the canvas width
function fit(view) {
  const { canvas, stage, stageSize } = view;
  const avail = canvas.clientWidth - 4;
  const s = avail > 0 ? Math.max(0.55, Math.min(1, avail / stageSize[0])) : 1;
  if (Math.abs(s - view.scale) < 0.01 && stage.style.transform) return;
  view.scale = s;
  stage.style.transform = `scale(${s})`;
  stage.style.transformOrigin = "0 0";
  stage.style.marginBottom = `${(s - 1) * stageSize[1]}px`;
  stage.style.marginRight = `${(s - 1) * stageSize[0]}px`;
}

// ---------- wires ----------
function portPoint(view, path) {
  const el = view.portEls.get(path);
  if (!el) return null;
  const dot = el.querySelector(".ngl-dot").getBoundingClientRect();
  return stagePoint(view, dot.left + dot.width / 2, dot.top + dot.height / 2);
}

function drawWire(view, src, dst, op) {
  const a = portPoint(view, src), b = portPoint(view, dst);
  if (!a || !b) return null;
  const d = curve(a, b);
  const sel = view.selected;
  const isSel = sel && sel.type === "wire" && sel.src === src && sel.dst === dst;
  const g = svg("g", { "data-ngclab-wire": `${src} -> ${dst}`, class: isSel ? "ngl-selected" : "" });
  const hit = svg("path", { d, class: "ngl-wire-hit" });
  const title = svg("title", {});
  title.textContent = `${pathTail(src)} → ${pathTail(dst)}${op ? " (" + op + ")" : ""}`;
  g.append(title, svg("path", { d, class: "ngl-wire-line" }), hit);
  hit.addEventListener("pointerdown", (e) => { e.stopPropagation(); select(view, { type: "wire", src, dst }); });
  return g;
}

function drawWires(view) {
  view.wires.querySelectorAll("g").forEach((e) => e.remove());
  for (const w of view.model.get("graph").wires) {
    for (const src of w.sources) {
      const g = drawWire(view, src, w.dst, w.op);
      if (g) view.wires.append(g);
    }
  }
}

// ---------- selection ----------
function drawSelection(view) {
  const sel = view.selected;
  for (const [name, el] of view.nodeEls) el.classList.toggle("ngl-selected", !!sel && sel.type === "node" && sel.name === name);
  drawWires(view);
}

function select(view, what) {
  view.selected = what;
  view.adding = null;
  view.canvas.focus();
  drawSelection(view);
  drawInspector(view);
}

function onKey(view, e) {
  const sel = view.selected;
  if ((e.key === "Delete" || e.key === "Backspace") && sel) {
    e.preventDefault(); e.stopPropagation();
    if (sel.type === "wire") view.request("disconnect", { src: sel.src, dst: sel.dst });
    else view.request("remove", { name: sel.name });
  }
}

// a new graph: forget a selection that no longer exists, then redraw
function onGraph(view) {
  const g = view.model.get("graph"), sel = view.selected;
  if (sel && sel.type === "wire" && !g.wires.some((w) => w.dst === sel.dst && w.sources.includes(sel.src))) view.selected = null;
  if (sel && sel.type === "node" && !g.components.some((c) => c.name === sel.name)) view.selected = null;
  drawGraph(view); drawInspector(view);
}

function listen(view) {
  const { model, canvas, stage } = view;
  canvas.addEventListener("pointerdown", (e) => {
    if (e.target === canvas || e.target === stage) { view.selected = null; drawSelection(view); drawInspector(view); }
  });
  canvas.addEventListener("keydown", (e) => onKey(view, e));
  model.on("change:graph", () => onGraph(view));
  model.on("change:watched", () => drawGraph(view));
  model.on("change:clamped", () => drawGraph(view));
  model.on("change:geometry", () => { applyGeometry(view); drawGraph(view); });
  model.on("change:error", () => showBanners(view));
  model.on("change:notice", () => showBanners(view));
  model.on("change:code", () => { view.codePre.textContent = model.get("code"); });
  model.on("change:palette", () => drawPalette(view));
  const ro = new ResizeObserver(() => { fit(view); drawWires(view); });
  ro.observe(stage);
  ro.observe(canvas);
  return ro;
}

function render({ model, el }) {
  const view = {
    model, request: requester(model), selected: null, adding: null,
    nodeEls: new Map(), portEls: new Map(), scale: 1, stageSize: [400, 300],
  };
  view.drawWires = () => drawWires(view);
  view.drawSelection = () => drawSelection(view);
  view.portPoint = (path) => portPoint(view, path);
  view.select = (what) => select(view, what);
  buildShell(view);
  applyGeometry(view);
  el.append(view.root);
  drawPalette(view); drawInspector(view); showBanners(view);
  view.codePre.textContent = model.get("code");
  drawGraph(view);
  // ports are measured from the DOM: redraw wires once the view is attached and laid out
  requestAnimationFrame(() => requestAnimationFrame(() => drawWires(view)));
  const ro = listen(view);
  return () => { ro.disconnect(); view.request.close(); };
}

export default { render };
