// ngclab widgets: the DOM helpers and the request/reply protocol every view shares.
// (A widget module imports these; ngclab/lab/assets.py inlines this file into it.)

// An element: h("button", { class: "x", onclick: fn, "data-ngclab-action": "play" }, "Play").
// Attributes that are undefined, null or false are left out; true sets an empty attribute.
export function h(tag, attrs = {}, ...children) {
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

// An SVG element with attributes.
export function svg(tag, attrs = {}) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

// A number for a readout: a few significant digits grouped by thousands (1,234.5), exponent
// notation from a million.
export function fmt(x, digits = 4) {
  if (!isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e6) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 3 });
}

// A number in little room (a slider's value): 4 significant digits, exponent notation when
// large or tiny, never grouped (it reads back with parseFloat).
export function short(x) {
  if (!isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

// Fill a banner box with a message and a dismiss button (or hide it when there is no text).
export function banner(box, text, dismiss, ...extra) {
  box.replaceChildren();
  box.hidden = !text;
  if (text) {
    box.append(h("div", { class: "ngl-msg" }, text, ...extra),
      h("button", { title: "Dismiss", onclick: dismiss }, "×"));
  }
}

// The protocol: request(type, fields) sends {type, id, ...fields} to the kernel and resolves
// with its reply {type: "result", id, ok, message, ..., buffers}. Ids carry a prefix of this
// view, so a reply is taken only by the view that asked. A request the kernel does not answer
// within `timeout` ms resolves with ok: false.
export function requester(model, timeout = 120000) {
  const prefix = Math.random().toString(36).slice(2, 10);
  const waiting = new Map();
  let next = 0;
  const onMessage = (msg, buffers) => {
    if (!msg || msg.type !== "result" || !waiting.has(msg.id)) return;
    const done = waiting.get(msg.id);
    waiting.delete(msg.id);
    done({ ...msg, buffers: buffers || [] });
  };
  model.on("msg:custom", onMessage);
  const request = (type, fields = {}) => new Promise((resolve) => {
    const id = `${prefix}-${++next}`;
    const timer = setTimeout(() => {
      if (waiting.delete(id)) resolve({ ok: false, id, message: "the kernel did not answer" });
    }, timeout);
    waiting.set(id, (reply) => { clearTimeout(timer); resolve(reply); });
    model.send({ type, id, ...fields });
  });
  request.close = () => model.off("msg:custom", onMessage);
  request.view = prefix;   // this view's name in its messages (the kernel counts open views)
  return request;
}

// Save bytes (a reply's buffer) as a file through the browser's download.
export function download(name, mime, data) {
  const url = URL.createObjectURL(new Blob([data], { type: mime }));
  const a = h("a", { href: url, download: name, style: "display:none" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}
