// ngclab CircuitEditor: components as nodes, compartments as ports, wires between them.
// Every edit is a message to the kernel; this view only ever draws the graph the kernel sends.

const NODE_W = 190;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function svg(tag, attrs = {}) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

const shapeText = (s) => (s.length ? s.join("×") : "scalar");
const short = (path) => path.split("/").slice(1).join("/");

function render({ model, el }) {
  let selected = null; // {type: "node", name} | {type: "wire", src, dst}
  let adding = null; // palette entry being added
  let msgId = 0;
  const send = (msg) => model.send({ ...msg, id: ++msgId });

  const root = h("div", { class: "ngl ngl-editor", "data-ngclab-editor": "" });
  const errorBox = h("div", { class: "ngl-banner ngl-error", "data-ngclab-error": "", hidden: true });
  const noticeBox = h("div", { class: "ngl-banner ngl-notice", hidden: true });
  const palette = h("aside", { class: "ngl-palette" });
  const stage = h("div", { class: "ngl-stage" });
  const wires = svg("svg", { class: "ngl-wires" });
  stage.append(wires);
  const canvas = h("div", { class: "ngl-canvas", tabindex: "0" }, stage);
  const inspector = h("aside", { class: "ngl-inspector" });
  const codePre = h("pre", { "data-ngclab-code": "" });
  const codeBox = h("div", { class: "ngl-code", hidden: true },
    h("div", { class: "ngl-head" }, h("span", { class: "ngl-title" }, "Python code of this circuit"),
      h("span", { class: "ngl-spacer" }),
      h("button", { onclick: () => navigator.clipboard && navigator.clipboard.writeText(codePre.textContent) }, "Copy"),
      h("button", { onclick: () => { codeBox.hidden = true; } }, "Close")),
    codePre);
  const readout = h("div", { "data-ngclab-readout": "wires", hidden: true });

  const head = h("div", { class: "ngl-head" },
    h("span", { class: "ngl-title" }, "Circuit"),
    h("span", { class: "ngl-legend" },
      h("span", { class: "in" }, "input"), h("span", { class: "out" }, "output"),
      h("span", { class: "st" }, "state"), h("span", { class: "pa" }, "parameter")),
    h("span", { class: "ngl-spacer" }),
    h("button", { "data-ngclab-action": "layout", title: "Forget dragged positions", onclick: () => send({ type: "layout" }) }, "Auto layout"),
    h("button", { "data-ngclab-action": "export", onclick: () => { send({ type: "code" }); codeBox.hidden = false; } }, "Export code"));
  const hint = h("div", { class: "ngl-hint-bar" },
    "Drag a port ", h("b", {}, "→"), " port to wire · click a port to watch it · click a node to edit · select a wire or node and press ",
    h("kbd", {}, "Delete"), " to remove it");
  const body = h("div", { class: "ngl-editor-body" }, palette, canvas, inspector);
  root.append(head, hint, errorBox, noticeBox, body, codeBox, readout);
  el.append(root);

  // ---------- banners ----------
  function banner(box, text, dismiss) {
    box.replaceChildren();
    box.hidden = !text;
    if (text) box.append(h("span", { class: "ngl-msg" }, text), h("button", { title: "Dismiss", onclick: dismiss }, "×"));
  }
  const showBanners = () => {
    banner(errorBox, model.get("error"), () => send({ type: "dismiss" }));
    banner(noticeBox, model.get("notice"), () => send({ type: "dismiss" }));
  };

  // ---------- palette ----------
  function drawPalette() {
    palette.replaceChildren(h("h4", {}, "Add a component"));
    for (const group of model.get("palette")) {
      palette.append(h("h4", {}, group.group));
      for (const entry of group.classes) {
        palette.append(h("button", {
          "data-ngclab-palette": entry.class, title: entry.doc,
          onclick: () => { adding = entry; selected = null; drawInspector(); drawSelection(); },
        }, h("span", { class: "ngl-plus" }, "+"), entry.class));
      }
    }
  }

  // ---------- inspector (add form, node form, wire) ----------
  function uniqueName(cls) {
    const names = new Set(model.get("graph").components.map((c) => c.name));
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

  function drawInspector() {
    inspector.replaceChildren();
    body.classList.add("ngl-with-inspector");
    const g = model.get("graph");
    if (adding) {
      const entry = adding;
      inspector.append(h("h4", {}, "New " + entry.class), h("p", { class: "ngl-doc" }, entry.doc || ""));
      const [nameRow, nameInput] = field("name", uniqueName(entry.class), true, { "data-ngclab-field": "name" });
      inspector.append(nameRow);
      const inputs = {};
      for (const p of entry.params) {
        const [row, input] = field(p.name, p.default, p.required, { "data-ngclab-field": p.name, placeholder: p.required ? "required" : "" });
        inputs[p.name] = [input, p.default];
        inspector.append(row);
      }
      const submit = () => {
        const params = {};
        for (const [k, [input, dflt]] of Object.entries(inputs)) if (input.value.trim() !== dflt) params[k] = input.value;
        send({ type: "add", class: entry.class, name: nameInput.value.trim(), params });
      };
      inspector.addEventListener("keydown", (e) => { if (e.key === "Enter") submit(); });
      inspector.append(h("div", { class: "ngl-actions" },
        h("button", { class: "ngl-primary", "data-ngclab-action": "add", onclick: submit }, "Add to circuit"),
        h("button", { onclick: () => { adding = null; drawInspector(); } }, "Cancel")));
      return;
    }
    if (selected && selected.type === "node") {
      const node = g.components.find((c) => c.name === selected.name);
      if (!node) { selected = null; return drawInspector(); }
      inspector.append(h("h4", {}, node.class), h("p", { class: "ngl-doc" }, h("b", {}, node.name), "  ·  ", node.group));
      const inputs = {};
      for (const p of node.form) {
        const [row, input] = field(p.name, p.value, false, { "data-ngclab-field": p.name });
        inputs[p.name] = [input, p.value];
        inspector.append(row);
      }
      const apply = () => {
        const params = {};
        for (const [k, [input, old]] of Object.entries(inputs)) if (input.value.trim() !== old) params[k] = input.value;
        if (Object.keys(params).length) send({ type: "update", name: node.name, params });
      };
      inspector.append(h("div", { class: "ngl-actions" },
        h("button", { class: "ngl-primary", "data-ngclab-action": "apply", onclick: apply }, "Apply"),
        h("button", { class: "ngl-danger", "data-ngclab-action": "remove", onclick: () => send({ type: "remove", name: node.name }) }, "Remove"),
        h("button", { onclick: () => { selected = null; drawSelection(); drawInspector(); } }, "Close")));
      return;
    }
    if (selected && selected.type === "wire") {
      inspector.append(h("h4", {}, "Wire"), h("p", { class: "ngl-doc" }, short(selected.src), " → ", short(selected.dst)),
        h("div", { class: "ngl-actions" }, h("button", {
          class: "ngl-danger", "data-ngclab-action": "disconnect",
          onclick: () => send({ type: "disconnect", src: selected.src, dst: selected.dst }),
        }, "Delete wire"), h("button", { onclick: () => { selected = null; drawSelection(); drawInspector(); } }, "Close")));
      return;
    }
    body.classList.remove("ngl-with-inspector");
  }

  // ---------- nodes, ports, wires ----------
  const portEls = new Map();
  const nodeEls = new Map();

  function drawGraph() {
    const g = model.get("graph");
    const watched = new Set(model.get("watched"));
    const clamped = new Set(model.get("clamped"));
    for (const n of nodeEls.values()) n.remove();
    nodeEls.clear(); portEls.clear();
    stage.querySelectorAll(".ngl-empty").forEach((e) => e.remove());
    let maxX = 400, maxY = 300;
    for (const node of g.components) {
      const [x, y] = node.position;
      const left = h("div", {}), right = h("div", {});
      for (const p of node.compartments) {
        if (p.kind === "knob" || p.name === "key") continue;
        const isIn = p.kind === "input";
        const wired = isIn ? !!p.wired_from : g.wires.some((w) => w.sources.includes(p.path));
        const el = h("div", {
          class: `ngl-port ${isIn ? "ngl-in" : "ngl-out"} ngl-kind-${p.kind}` + (wired ? " ngl-wired" : "") + (watched.has(p.path) ? " ngl-watched" : ""),
          "data-ngclab-port": p.path, "data-kind": p.kind,
          title: `${p.path}\n${p.kind}, shape ${shapeText(p.shape)}${p.wired_from ? "\n← " + p.wired_from.map(short).join(" + ") : ""}\nclick: watch in scope · drag: wire`,
        });
        const label = [h("span", { class: "ngl-pname" }, p.name), h("span", { class: "ngl-eye" }, "◉"),
          clamped.has(p.path) ? h("span", { class: "ngl-clamp" }, "clamp") : null];
        const parts = isIn ? [h("span", { class: "ngl-dot" }), ...label] : [...label, h("span", { class: "ngl-dot" })];
        el.append(...parts.filter(Boolean));
        el.addEventListener("pointerdown", (e) => portDown(e, p));
        portEls.set(p.path, el);
        (isIn ? left : right).append(el);
      }
      const nodeEl = h("div", {
        class: "ngl-node" + (selected && selected.type === "node" && selected.name === node.name ? " ngl-selected" : ""),
        "data-ngclab-node": node.name, style: `left:${x}px;top:${y}px`,
      }, h("div", { class: "ngl-node-head", title: node.module },
        h("span", { class: "ngl-node-name" }, node.name), h("span", { class: "ngl-node-class" }, node.class)),
      h("div", { class: "ngl-node-ports" }, left, right));
      nodeEl.querySelector(".ngl-node-head").addEventListener("pointerdown", (e) => nodeDown(e, node, nodeEl));
      stage.append(nodeEl);
      nodeEls.set(node.name, nodeEl);
      maxX = Math.max(maxX, x + NODE_W + 60);
      maxY = Math.max(maxY, y + node.height + 60);
    }
    if (!g.components.length) stage.append(h("div", { class: "ngl-empty" }, "An empty circuit: add a component from the palette."));
    stageSize = [maxX, maxY];
    stage.style.width = maxX + "px";
    stage.style.height = maxY + "px";
    wires.setAttribute("width", maxX); wires.setAttribute("height", maxY);
    fit();
    readout.textContent = JSON.stringify(g.wires.map((w) => [w.sources, w.dst]));
    drawWires();
  }

  // the stage shrinks (down to 55%) so that a whole circuit fits the canvas width
  let scale = 1, stageSize = [400, 300];
  function fit() {
    const avail = canvas.clientWidth - 4;
    const s = avail > 0 ? Math.max(0.55, Math.min(1, avail / stageSize[0])) : 1;
    if (Math.abs(s - scale) < 0.01 && stage.style.transform) return;
    scale = s;
    stage.style.transform = `scale(${scale})`;
    stage.style.transformOrigin = "0 0";
    stage.style.marginBottom = `${(scale - 1) * stageSize[1]}px`;
    stage.style.marginRight = `${(scale - 1) * stageSize[0]}px`;
  }
  const local = (x, y) => {
    const base = stage.getBoundingClientRect();
    return [(x - base.left) / scale, (y - base.top) / scale];
  };

  function portPoint(path) {
    const el = portEls.get(path);
    if (!el) return null;
    const dot = el.querySelector(".ngl-dot").getBoundingClientRect();
    return local(dot.left + dot.width / 2, dot.top + dot.height / 2);
  }

  const curve = ([x1, y1], [x2, y2]) => {
    const dx = Math.max(40, Math.abs(x2 - x1) * 0.5);
    return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
  };

  function drawWires() {
    wires.querySelectorAll("g").forEach((e) => e.remove());
    for (const w of model.get("graph").wires) {
      for (const src of w.sources) {
        const a = portPoint(src), b = portPoint(w.dst);
        if (!a || !b) continue;
        const d = curve(a, b);
        const isSel = selected && selected.type === "wire" && selected.src === src && selected.dst === w.dst;
        const g = svg("g", { "data-ngclab-wire": `${src} -> ${w.dst}`, class: isSel ? "ngl-selected" : "" });
        const hit = svg("path", { d, class: "ngl-wire-hit" });
        const line = svg("path", { d, class: "ngl-wire-line" });
        const title = svg("title", {});
        title.textContent = `${short(src)} → ${short(w.dst)}${w.op ? " (" + w.op + ")" : ""}`;
        g.append(title, line, hit);
        hit.addEventListener("pointerdown", (e) => {
          e.stopPropagation();
          selected = { type: "wire", src, dst: w.dst };
          adding = null;
          canvas.focus();
          drawSelection(); drawInspector();
        });
        wires.append(g);
      }
    }
  }

  function drawSelection() {
    for (const [name, nel] of nodeEls) nel.classList.toggle("ngl-selected", !!selected && selected.type === "node" && selected.name === name);
    drawWires();
  }

  // ---------- dragging nodes ----------
  function nodeDown(e, node, nodeEl) {
    if (e.button !== 0) return;
    e.preventDefault(); e.stopPropagation();
    const start = [e.clientX, e.clientY], pos0 = [...node.position];
    let moved = false;
    nodeEl.setPointerCapture(e.pointerId);
    const move = (ev) => {
      const dx = (ev.clientX - start[0]) / scale, dy = (ev.clientY - start[1]) / scale;
      if (!moved && Math.hypot(dx, dy) < 3) return;
      moved = true;
      nodeEl.style.left = Math.max(0, pos0[0] + dx) + "px";
      nodeEl.style.top = Math.max(0, pos0[1] + dy) + "px";
      drawWires();
    };
    const up = (ev) => {
      nodeEl.removeEventListener("pointermove", move);
      nodeEl.removeEventListener("pointerup", up);
      if (moved) {
        send({ type: "move", name: node.name, x: parseFloat(nodeEl.style.left), y: parseFloat(nodeEl.style.top) });
      }
      selected = { type: "node", name: node.name };
      adding = null;
      canvas.focus();
      drawSelection(); drawInspector();
    };
    nodeEl.addEventListener("pointermove", move);
    nodeEl.addEventListener("pointerup", up);
  }

  // ---------- dragging wires / clicking ports ----------
  function portDown(e, port) {
    if (e.button !== 0) return;
    e.preventDefault(); e.stopPropagation();
    const el = portEls.get(port.path);
    const from = portPoint(port.path);
    const start = [e.clientX, e.clientY];
    let temp = null;
    el.setPointerCapture(e.pointerId);
    const targetAt = (ev) => {
      const under = document.elementFromPoint(ev.clientX, ev.clientY);
      const t = under && under.closest("[data-ngclab-port]");
      return t && t !== el && root.contains(t) ? t : null;
    };
    let hover = null;
    const move = (ev) => {
      if (!temp && Math.hypot(ev.clientX - start[0], ev.clientY - start[1]) < 4) return;
      if (!temp) { temp = svg("path", { class: "ngl-wire-temp" }); wires.append(temp); }
      const to = local(ev.clientX, ev.clientY);
      temp.setAttribute("d", port.kind === "input" ? curve(to, from) : curve(from, to));
      const t = targetAt(ev);
      if (hover && hover !== t) hover.classList.remove("ngl-drop-ok");
      hover = t;
      if (t) t.classList.add("ngl-drop-ok");
    };
    const up = (ev) => {
      el.removeEventListener("pointermove", move);
      el.removeEventListener("pointerup", up);
      if (hover) hover.classList.remove("ngl-drop-ok");
      if (!temp) { // a click: watch / unwatch in the scope
        send({ type: "watch", path: port.path, on: !model.get("watched").includes(port.path) });
        return;
      }
      temp.remove();
      const t = targetAt(ev);
      if (!t) return;
      let src = port.path, dst = t.dataset.ngclabPort;
      if (port.kind === "input" && t.dataset.kind !== "input") [src, dst] = [dst, src];
      send({ type: "connect", src, dst });
    };
    el.addEventListener("pointermove", move);
    el.addEventListener("pointerup", up);
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (e.target === canvas || e.target === stage) { selected = null; drawSelection(); drawInspector(); }
  });
  canvas.addEventListener("keydown", (e) => {
    if ((e.key === "Delete" || e.key === "Backspace") && selected) {
      e.preventDefault(); e.stopPropagation();
      if (selected.type === "wire") send({ type: "disconnect", src: selected.src, dst: selected.dst });
      else send({ type: "remove", name: selected.name });
    }
  });

  // ---------- kernel -> view ----------
  model.on("msg:custom", (msg) => {
    if (msg.type === "result" && msg.ok) {
      if (adding) adding = null;
      drawInspector();
    }
  });
  model.on("change:graph", () => {
    const g = model.get("graph");
    if (selected && selected.type === "wire" && !g.wires.some((w) => w.dst === selected.dst && w.sources.includes(selected.src))) selected = null;
    if (selected && selected.type === "node" && !g.components.some((c) => c.name === selected.name)) selected = null;
    drawGraph(); drawInspector();
  });
  model.on("change:watched", drawGraph);
  model.on("change:clamped", drawGraph);
  model.on("change:error", showBanners);
  model.on("change:notice", showBanners);
  model.on("change:code", () => { codePre.textContent = model.get("code"); });
  model.on("change:palette", drawPalette);

  drawPalette(); drawInspector(); showBanners();
  codePre.textContent = model.get("code");
  drawGraph();
  // ports are measured from the DOM: redraw wires once the view is attached and laid out
  requestAnimationFrame(() => requestAnimationFrame(drawWires));
  const ro = new ResizeObserver(() => { fit(); drawWires(); });
  ro.observe(stage);
  ro.observe(canvas);
  return () => ro.disconnect();
}

export default { render };
