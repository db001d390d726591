// ngclab Knobs: one slider per knob; values go to the kernel, which validates and applies them.

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

const fmt = (x) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(4))));

function render({ model, el }) {
  const list = h("div", { class: "ngl-knobs-list" });
  const errorBox = h("div", { class: "ngl-banner ngl-error", "data-ngclab-error": "", hidden: true });
  el.append(h("div", { class: "ngl ngl-knobs", "data-ngclab-knobs": "" },
    h("div", { class: "ngl-head" }, h("span", { class: "ngl-title" }, "Knobs"),
      h("span", { class: "ngl-muted" }, "applied live, no recompiling")),
    errorBox, list));
  const rows = new Map();
  let pending = null, timer = null;
  const flush = () => { timer = null; if (pending) { model.send(pending); pending = null; } };
  const queue = (msg) => { pending = msg; if (!timer) timer = setTimeout(flush, 40); };

  function build() {
    list.replaceChildren();
    rows.clear();
    let group = null;
    const knobs = model.get("knobs");
    if (!knobs.length) list.append(h("div", { class: "ngl-muted" }, "This model has no knobs."));
    for (const k of knobs) {
      if (k.component !== group) { group = k.component; list.append(h("h4", {}, group)); }
      const span = k.max - k.min;
      const slider = h("input", { type: "range", min: k.min, max: k.max, step: span > 0 ? span / 500 : 1, "data-ngclab-knob": k.path, title: k.doc || k.path });
      slider.value = k.value;
      const val = h("span", { class: "ngl-kval", "data-ngclab-knob-value": k.path }, fmt(k.value));
      slider.addEventListener("input", () => {
        val.textContent = fmt(parseFloat(slider.value));
        queue({ type: "knob", path: k.path, value: parseFloat(slider.value) });
      });
      list.append(h("div", { class: "ngl-knob", title: k.doc || "" }, h("span", { class: "ngl-kname", title: `${k.path}\n${k.doc || ""}` }, k.name), slider, val));
      rows.set(k.path, [slider, val]);
    }
  }
  function sync() {
    const knobs = model.get("knobs");
    if (knobs.length !== rows.size || knobs.some((k) => !rows.has(k.path))) return build();
    for (const k of knobs) {
      const [slider, val] = rows.get(k.path);
      if (document.activeElement !== slider || !pending) { slider.value = k.value; }
      val.textContent = fmt(k.value);
    }
  }
  function showError() {
    const err = model.get("error");
    errorBox.hidden = !err;
    errorBox.textContent = err;
  }
  model.on("change:knobs", sync);
  model.on("change:error", showError);
  build(); showError();
}

export default { render };
