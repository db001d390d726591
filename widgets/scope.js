// ngclab Scope: one panel per watched compartment. Frames are PNG images drawn by the kernel
// (backend "png") or an ipympl canvas widget shown inside the panel (backend "ipympl").

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

const KIND = { trace: "traces", raster: "raster", image: "image" };

function render({ model, el }) {
  const grid = h("div", { class: "ngl-scope-grid" });
  const count = h("span", { class: "ngl-muted", "data-ngclab-readout": "frames" });
  const root = h("div", { class: "ngl ngl-scope", "data-ngclab-scope": "" },
    h("div", { class: "ngl-head" }, h("span", { class: "ngl-title" }, "Scope"),
      h("span", { class: "ngl-muted" }, "click a port in the circuit to watch it"),
      h("span", { class: "ngl-spacer" }), count),
    grid);
  el.append(root);
  const imgs = new Map();
  let views = [];
  let fellBack = false;

  async function showCanvas(box, id) {
    // the panel's figure is an ipympl Canvas widget: render its view inside the panel
    try {
      const child = await model.widget_manager.get_model(id);
      const view = await model.widget_manager.create_view(child);
      views.push(view);
      box.replaceChildren(view.el);
    } catch (err) {
      // no jupyter-matplotlib front end here: ask the kernel for PNG frames instead
      if (!fellBack) { fellBack = true; model.send({ type: "fallback", reason: String(err) }); }
    }
  }

  async function reportIpympl() {
    // backend "auto": tell the kernel whether this front end can load ipympl's canvas
    const [module, version, cls] = model.get("ipympl_module");
    if (!module) return;
    let ok;
    try {
      await model.widget_manager.loadClass(cls, module, version);
      ok = true;
    } catch (err) {
      ok = false;   // not registered in this front end (or a widget manager without loadClass)
    }
    model.send({ type: "frontend", ipympl: ok });
  }

  function drawPanels() {
    grid.replaceChildren();
    imgs.clear();
    for (const v of views) v.remove();
    views = [];
    const panels = model.get("panels");
    if (!panels.length) grid.append(h("div", { class: "ngl-scope-empty" }, "Nothing watched yet."));
    for (const p of panels) {
      let img;
      if (p.canvas) {
        img = h("div", { class: "ngl-mpl", "data-ngclab-canvas": p.canvas });
        showCanvas(img, p.canvas);
      } else {
        img = h("img", { alt: p.path });
        imgs.set(p.path, img);
      }
      let units = null;
      if (p.kind !== "image") {
        units = h("input", { type: "text", value: p.units, title: `units to show (of 0..${p.n - 1}), e.g. 0:8 or 1,4,7`, "data-ngclab-units": p.path });
        units.value = p.units;
        units.addEventListener("change", () => model.send({ type: "units", path: p.path, units: units.value }));
      }
      grid.append(h("div", { class: "ngl-panel", "data-ngclab-trace": p.path },
        h("div", { class: "ngl-panel-head" },
          h("span", { class: "ngl-ptitle", title: p.path }, p.title),
          h("span", { class: "ngl-kind" }, KIND[p.kind] || p.kind),
          units ? h("span", { class: "ngl-kind" }, "units") : null, units,
          h("button", { title: "Stop watching", onclick: () => model.send({ type: "unwatch", path: p.path }) }, "×")),
        img));
    }
    drawFrames();
  }

  function drawFrames() {
    const frames = model.get("frames");
    for (const [path, img] of imgs) {
      if (frames[path] && img.getAttribute("src") !== frames[path]) img.setAttribute("src", frames[path]);
    }
    count.textContent = `frame ${model.get("frame_count")}`;
  }

  model.on("change:panels", drawPanels);
  model.on("change:frames", drawFrames);
  model.on("change:frame_count", drawFrames);
  drawPanels();
  reportIpympl();
}

export default { render };
