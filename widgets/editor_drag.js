// ngclab CircuitEditor: the pointer. Dragging a node moves it (the kernel keeps the position);
// dragging from a port to another one asks for a wire; clicking a port watches it in the scope.
import { svg } from "./dom.js";

// page coordinates -> stage coordinates (the stage may be scaled down to fit)
export function stagePoint(view, x, y) {
  const base = view.stage.getBoundingClientRect();
  return [(x - base.left) / view.scale, (y - base.top) / view.scale];
}

export function curve([x1, y1], [x2, y2]) {
  const dx = Math.max(40, Math.abs(x2 - x1) * 0.5);
  return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
}

export function startNodeDrag(view, e, node, nodeEl) {
  if (e.button !== 0) return;
  e.preventDefault(); e.stopPropagation();
  const start = [e.clientX, e.clientY], pos0 = [...node.position];
  let moved = false;
  nodeEl.setPointerCapture(e.pointerId);
  const move = (ev) => {
    const dx = (ev.clientX - start[0]) / view.scale, dy = (ev.clientY - start[1]) / view.scale;
    if (!moved && Math.hypot(dx, dy) < 3) return;
    moved = true;
    nodeEl.style.left = Math.max(0, pos0[0] + dx) + "px";
    nodeEl.style.top = Math.max(0, pos0[1] + dy) + "px";
    view.drawWires();
  };
  const up = () => {
    nodeEl.removeEventListener("pointermove", move);
    nodeEl.removeEventListener("pointerup", up);
    if (moved) {
      view.request("move", { name: node.name, x: parseFloat(nodeEl.style.left), y: parseFloat(nodeEl.style.top) });
    }
    view.select({ type: "node", name: node.name });
  };
  nodeEl.addEventListener("pointermove", move);
  nodeEl.addEventListener("pointerup", up);
}

export function startWireDrag(view, e, port) {
  if (e.button !== 0) return;
  e.preventDefault(); e.stopPropagation();
  const el = view.portEls.get(port.path);
  const from = view.portPoint(port.path);
  const start = [e.clientX, e.clientY];
  let temp = null, hover = null;
  el.setPointerCapture(e.pointerId);
  const targetAt = (ev) => {
    const under = document.elementFromPoint(ev.clientX, ev.clientY);
    const t = under && under.closest("[data-ngclab-port]");
    return t && t !== el && view.root.contains(t) ? t : null;
  };
  const move = (ev) => {
    if (!temp && Math.hypot(ev.clientX - start[0], ev.clientY - start[1]) < 4) return;
    if (!temp) { temp = svg("path", { class: "ngl-wire-temp" }); view.wires.append(temp); }
    const to = stagePoint(view, ev.clientX, ev.clientY);
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
      view.request("watch", { path: port.path, on: !view.model.get("watched").includes(port.path) });
      return;
    }
    temp.remove();
    const t = targetAt(ev);
    if (!t) return;
    let src = port.path, dst = t.dataset.ngclabPort;
    if (port.kind === "input" && t.dataset.kind !== "input") [src, dst] = [dst, src];
    view.request("connect", { src, dst });
  };
  el.addEventListener("pointermove", move);
  el.addEventListener("pointerup", up);
}
