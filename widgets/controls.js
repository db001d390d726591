// ngclab Controls: play / pause / step / reset, steps per frame and live readouts.

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

function fmt(x, digits = 4) {
  if (!isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e6) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 3 });
}

function render({ model, el }) {
  const act = (action) => model.send({ type: "action", action });
  const play = h("button", { class: "ngl-primary ngl-play", "data-ngclab-action": "play", onclick: () => act("play") }, "▶ Play");
  const pause = h("button", { "data-ngclab-action": "pause", onclick: () => act("pause") }, "❚❚ Pause");
  const step = h("button", { "data-ngclab-action": "step", title: "one step", onclick: () => act("step") }, "Step");
  const reset = h("button", { "data-ngclab-action": "reset", onclick: () => act("reset") }, "↺ Reset");
  const spf = h("input", { type: "number", min: "1", step: "1", "data-ngclab-input": "steps_per_frame" });
  spf.addEventListener("change", () => {
    const v = parseInt(spf.value, 10);
    if (v >= 1) model.send({ type: "steps_per_frame", value: v });
    else spf.value = model.get("steps_per_frame");
  });
  const ro = (key, label) => {
    const v = h("span", { class: "ngl-v", "data-ngclab-readout": key });
    return [h("div", { class: "ngl-readout" }, h("span", { class: "ngl-k" }, label), v), v];
  };
  const [tBox, tV] = ro("t", "time (t)");
  const [sBox, sV] = ro("steps", "steps");
  const [rBox, rV] = ro("steps_per_s", "steps / s");
  const [cBox, cV] = ro("compile_count", "compiles");
  const status = h("span", { class: "ngl-status", "data-ngclab-readout": "status" });
  const errorBox = h("div", { class: "ngl-banner ngl-error", "data-ngclab-error": "", hidden: true });

  el.append(h("div", { class: "ngl ngl-controls-wrap", "data-ngclab-controls": "" },
    h("div", { class: "ngl-controls" },
      h("div", { class: "ngl-group" }, play, pause, step, reset),
      h("span", { class: "ngl-sep" }),
      h("label", {}, "steps / frame", spf),
      h("span", { class: "ngl-sep" }),
      tBox, sBox, rBox, cBox,
      h("span", { style: "flex:1" }),
      status),
    errorBox));

  function update() {
    const running = model.get("running");
    play.disabled = running; pause.disabled = !running;
    tV.textContent = fmt(model.get("t"), 6);
    sV.textContent = model.get("steps").toLocaleString("en-US");
    rV.textContent = running || model.get("steps_per_s") ? fmt(model.get("steps_per_s"), 3) : "–";
    cV.textContent = model.get("compile_count");
    if (document.activeElement !== spf) spf.value = model.get("steps_per_frame");
    const st = model.get("status");
    status.textContent = st;
    status.className = "ngl-status " + st;
    const err = model.get("error");
    errorBox.replaceChildren();
    errorBox.hidden = !err;
    if (err) {
      const detail = model.get("error_detail");
      errorBox.append(h("div", { class: "ngl-msg" }, h("b", {}, "Run paused. "), err,
        detail ? h("details", {}, h("summary", {}, "details"), h("pre", {}, detail)) : null),
      h("button", { title: "Dismiss", onclick: () => act("dismiss") }, "×"));
    }
  }
  for (const k of ["running", "t", "steps", "steps_per_s", "compile_count", "steps_per_frame", "status", "error", "error_detail"]) {
    model.on("change:" + k, update);
  }
  update();
}

export default { render };
