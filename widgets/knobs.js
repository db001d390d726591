// ngclab Knobs: one slider per knob; values go to the kernel, which validates and applies them
// (a refused value comes back as the error, and the knobs trait puts the slider back).
import { h, requester, short } from "./dom.js";

function render({ model, el }) {
  const request = requester(model);
  const list = h("div", { class: "ngl-knobs-list" });
  const errorBox = h("div", { class: "ngl-banner ngl-error", "data-ngclab-error": "", hidden: true });
  el.append(h("div", { class: "ngl ngl-knobs", "data-ngclab-knobs": "" },
    h("div", { class: "ngl-head" }, h("span", { class: "ngl-title" }, "Knobs"),
      h("span", { class: "ngl-muted" }, "applied live, no recompiling")),
    errorBox, list));
  const rows = new Map();
  let pending = null, timer = null;
  // a dragged slider sends at most one value per 40 ms (the last one)
  const flush = () => { timer = null; if (pending) { request("knob", pending); pending = null; } };
  const queue = (fields) => { pending = fields; if (!timer) timer = setTimeout(flush, 40); };

  function knobRow(k) {
    const span = k.max - k.min;
    const slider = h("input", { type: "range", min: k.min, max: k.max, step: span > 0 ? span / 500 : 1, "data-ngclab-knob": k.path, title: k.doc || k.path });
    slider.value = k.value;
    const val = h("span", { class: "ngl-kval", "data-ngclab-knob-value": k.path }, short(k.value));
    slider.addEventListener("input", () => {
      val.textContent = short(parseFloat(slider.value));
      queue({ path: k.path, value: parseFloat(slider.value) });
    });
    rows.set(k.path, [slider, val]);
    return h("div", { class: "ngl-knob", title: k.doc || "" },
      h("span", { class: "ngl-kname", title: `${k.path}\n${k.doc || ""}` }, k.name), slider, val);
  }

  function build() {
    list.replaceChildren();
    rows.clear();
    let group = null;
    const knobs = model.get("knobs");
    if (!knobs.length) list.append(h("div", { class: "ngl-muted" }, "This model has no knobs."));
    for (const k of knobs) {
      if (k.component !== group) { group = k.component; list.append(h("h4", {}, group)); }
      list.append(knobRow(k));
    }
  }

  function sync() {
    const knobs = model.get("knobs");
    if (knobs.length !== rows.size || knobs.some((k) => !rows.has(k.path))) return build();
    for (const k of knobs) {
      const [slider, val] = rows.get(k.path);
      if (document.activeElement !== slider || !pending) slider.value = k.value;
      val.textContent = short(k.value);
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
  return () => request.close();
}

export default { render };
