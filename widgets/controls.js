// ngclab Controls: play / pause / step / reset, steps per frame and live readouts.
// The buttons send requests; what the view shows comes from the traits the kernel sets.
import { banner, fmt, h, requester } from "./dom.js";

// Every HEARTBEAT_S seconds a shown view tells the kernel it is open; removed, it says
// "closed". The kernel pauses a run when no view is left (ngclab/lab/liveness.py).
const HEARTBEAT_S = 2;

function readout(key, label) {
  const value = h("span", { class: "ngl-v", "data-ngclab-readout": key });
  return [h("div", { class: "ngl-readout" }, h("span", { class: "ngl-k" }, label), value), value];
}

function render({ model, el }) {
  const request = requester(model);
  const act = (action) => request("action", { action });
  const play = h("button", { class: "ngl-primary ngl-play", "data-ngclab-action": "play", onclick: () => act("play") }, "▶ Play");
  const pause = h("button", { "data-ngclab-action": "pause", onclick: () => act("pause") }, "❚❚ Pause");
  const step = h("button", { "data-ngclab-action": "step", title: "one step", onclick: () => act("step") }, "Step");
  const reset = h("button", { "data-ngclab-action": "reset", onclick: () => act("reset") }, "↺ Reset");
  const spf = h("input", { type: "number", min: "1", step: "1", "data-ngclab-input": "steps_per_frame" });
  spf.addEventListener("change", () => {
    const v = parseInt(spf.value, 10);
    if (v >= 1) request("steps_per_frame", { value: v });
    else spf.value = model.get("steps_per_frame");
  });
  const [tBox, tV] = readout("t", "time (t)");
  const [sBox, sV] = readout("steps", "steps");
  const [rBox, rV] = readout("steps_per_s", "steps / s");
  const [cBox, cV] = readout("compile_count", "compiles");
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
    const err = model.get("error") || model.get("note"), detail = model.get("error_detail");
    banner(errorBox, err && [h("b", {}, "Run paused. "), err], () => act("dismiss"),
      err && detail ? h("details", {}, h("summary", {}, "details"), h("pre", {}, detail)) : null);
  }
  for (const k of ["running", "t", "steps", "steps_per_s", "compile_count", "steps_per_frame", "status", "error", "error_detail", "note"]) {
    model.on("change:" + k, update);
  }
  update();

  // (a notebook tab closing drops the kernel connection before it removes the views: then
  // nothing can be sent, and the kernel notices the silence instead)
  const notice = (state) => {
    try { model.send({ type: "view", view: request.view, state }); } catch (e) { /* gone */ }
  };
  notice("alive");
  const heartbeat = setInterval(() => notice("alive"), HEARTBEAT_S * 1000);
  return () => {
    clearInterval(heartbeat);
    notice("closed");
    request.close();
  };
}

export default { render };
