// ngclab Sweep view: an ensemble run chunk by chunk in the kernel, drawn as PNG frames (a curve
// of the metric against the swept knob, or a heat map over two). The cursor shows the member
// under it (from the plot geometry sent with each frame); a click loads that member.
import { banner, fmt, h, requester } from "./dom.js";

// The member under a point of the image (fractions of its width and height), or -1.
export function memberAt(plot, fx, fy) {
  if (!plot || !plot.box) return -1;
  const [l, t, r, b] = plot.box;
  if (fx < l || fx > r || fy < t || fy > b) return -1;
  const u = (fx - l) / (r - l), v = (b - fy) / (b - t);     // 0..1 inside the data area
  const x = plot.xlim[0] + u * (plot.xlim[1] - plot.xlim[0]);
  const y = plot.ylim[0] + v * (plot.ylim[1] - plot.ylim[0]);
  if (plot.kind === "heatmap") {
    const [rows, cols] = plot.shape;
    const col = Math.round(x), row = Math.round(y);
    if (col < 0 || col >= cols || row < 0 || row >= rows) return -1;
    return row * cols + col;
  }
  // a curve: the nearest member that has run, in the image's own (pixel-like) units
  const xs = plot.axes[0].values, ys = plot.values;
  const sx = 1 / (plot.xlim[1] - plot.xlim[0] || 1), sy = 1 / (plot.ylim[1] - plot.ylim[0] || 1);
  let best = -1, bestD = Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (ys[i] === null) continue;
    const d = ((xs[i] - x) * sx * (r - l)) ** 2 + ((ys[i] - y) * sy * (b - t)) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  }
  return bestD < 0.05 ** 2 ? best : -1;   // within 5% of the image
}

function describe(plot, i) {
  const parts = plot.axes.length === 2
    ? [[plot.axes[0], Math.floor(i / plot.shape[1])], [plot.axes[1], i % plot.shape[1]]]
    : [[plot.axes[0], i]];
  const knobs = parts.map(([axis, k]) => `${axis.label} = ${fmt(axis.values[k])}`).join(", ");
  const v = plot.values[i];
  return `member ${i}: ${knobs}; ${plot.metric} = ${v === null ? "not run yet" : fmt(v)}`;
}

function render({ model, el }) {
  const request = requester(model);
  const act = (action) => request("action", { action }).then((r) => { if (!r.ok) showError(r.message); });
  const play = h("button", { class: "ngl-primary", "data-ngclab-sweep-action": "play", onclick: () => act("play") }, "▶ Run");
  const pause = h("button", { "data-ngclab-sweep-action": "pause", onclick: () => act("pause") }, "❚❚ Pause");
  const cancel = h("button", { class: "ngl-danger", "data-ngclab-sweep-action": "cancel", onclick: () => act("cancel") }, "■ Cancel");
  const restart = h("button", { "data-ngclab-sweep-action": "restart", title: "forget the members and start again", onclick: () => act("restart") }, "↺");
  const progress = h("span", { class: "ngl-muted", "data-ngclab-sweep-progress": "" });
  const status = h("span", { class: "ngl-status", "data-ngclab-sweep-status": "" });
  const title = h("span", { class: "ngl-title" });
  const img = h("img", { class: "ngl-sweep-plot", alt: "sweep", "data-ngclab-sweep-plot": "" });
  const tip = h("div", { class: "ngl-sweep-tip", "data-ngclab-sweep-hover": "", hidden: true });
  const chosen = h("div", { class: "ngl-sweep-chosen ngl-muted", "data-ngclab-sweep-member": "" });
  const errorBox = h("div", { class: "ngl-banner ngl-error", "data-ngclab-error": "", hidden: true });
  const showError = (text) => banner(errorBox, text, () => { errorBox.hidden = true; request("dismiss"); });
  const stage = h("div", { class: "ngl-sweep-stage" }, img, tip);
  el.append(h("div", { class: "ngl ngl-sweep", "data-ngclab-sweep": "" },
    h("div", { class: "ngl-head" }, title, h("span", { class: "ngl-spacer" }),
      play, pause, cancel, restart, progress, status),
    errorBox, stage, chosen));

  const pointed = (event) => {
    const box = img.getBoundingClientRect();
    if (!box.width || !box.height) return -1;
    return memberAt(model.get("plot"), (event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  };
  img.addEventListener("mousemove", (event) => {
    const i = pointed(event);
    img.dataset.ngclabSweepPointed = String(i);
    tip.hidden = i < 0;
    if (i < 0) return;
    tip.textContent = describe(model.get("plot"), i);
    const box = stage.getBoundingClientRect();
    tip.style.left = `${event.clientX - box.left + 12}px`;
    tip.style.top = `${event.clientY - box.top + 12}px`;
  });
  img.addEventListener("mouseleave", () => { tip.hidden = true; });
  img.addEventListener("click", async (event) => {
    const i = pointed(event);
    if (i < 0 || model.get("plot").values[i] === null) return;
    const reply = await request("load", { member: i });
    if (!reply.ok) showError(reply.message);
  });

  function update() {
    const st = model.get("status"), running = st === "running";
    const over = st === "done" || st === "cancelled";
    play.disabled = running || over; pause.disabled = !running; cancel.disabled = over;
    status.textContent = st;
    status.className = "ngl-status " + st;
    progress.textContent = `${model.get("done")} / ${model.get("members")} members`;
    title.textContent = model.get("title");
    if (img.getAttribute("src") !== model.get("frame")) img.setAttribute("src", model.get("frame"));
    const sel = model.get("selected");
    chosen.textContent = sel >= 0 ? `loaded into the model: ${describe(model.get("plot"), sel)}`
      : "click a member to load it into the model";
    chosen.dataset.ngclabSweepSelected = String(sel);
    const err = model.get("error");
    if (err) showError(err); else if (!errorBox.hidden) errorBox.hidden = true;
  }
  for (const k of ["status", "done", "members", "frame", "plot", "selected", "error", "title"]) {
    model.on("change:" + k, update);
  }
  update();
  return () => request.close();
}

export default { render };
