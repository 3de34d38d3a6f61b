// Time-series charts as inline SVG, drawn at the element's real pixel width (redrawn on resize) so the
// text stays crisp at 375 px and at 1280 px. Hand-rolled on purpose: the page loads nothing from a CDN
// and has no build step, and lines, bars, stacks and a hover read-out are all it needs.
import { h, s } from "./lib.js";

/** A round tick step giving about four intervals up to `top`, and the axis maximum it rounds up to. */
const niceScale = (top, fixedMax) => {
  const span = fixedMax ?? (top > 0 ? top : 1);
  const raw = span / 4, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * p).find(m => m >= raw - 1e-12);
  return { step, max: fixedMax ?? step * Math.max(1, Math.ceil(span / step - 1e-9)) };
};
const hhmm = d => d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const num = v => (v === null || v === undefined || Number.isNaN(Number(v))) ? null : Number(v);

/**
 * points: [{at, …}]; series: [{key, label, color (CSS colour or var), kind: "line" | "bar" | "stack"}];
 * fmt(v) formats a value; ref: {value, label} draws a dashed reference line (a budget).
 */
export function timeChart({ points, series, fmt = v => String(v), ref, height = 190, yMax, label }) {
  const host = h("figure", { class: "chart", role: "img", "aria-label": label });
  const tip = h("div", { class: "chart-tip", hidden: true });
  const legend = h("figcaption", { class: "legend" }, series.map(x => h("span", {}, h("i", { class: "sw", style: `background:${x.color}` }), x.label)),
    ref ? h("span", {}, h("i", { class: "sw budget" }), ref.label) : null);
  const plot = h("div", { class: "chart-plot" });
  host.append(plot, tip, legend);
  const times = points.map(p => new Date(p.at).getTime());
  const stacked = series.filter(x => x.kind === "stack");
  const totalAt = i => stacked.reduce((a, x) => a + (num(points[i][x.key]) || 0), 0);
  const top = Math.max(yMax ?? 0, ref?.value ?? 0, ...points.map((p, i) => Math.max(totalAt(i), ...series.filter(x => x.kind !== "stack").map(x => num(p[x.key]) || 0))));
  const { step, max } = niceScale(top * 1.02, yMax);
  const tickValues = Array.from({ length: Math.round(max / step) + 1 }, (_, k) => k * step);

  function draw() {
    // The left margin fits the longest tick label (about 6.5 px a character at 11 px).
    const L = 12 + Math.max(...tickValues.map(v => fmt(v).length)) * 6.5;
    const W = Math.max(260, Math.round(plot.clientWidth || 600)), H = height, R = 10, T = 10, B = 24;
    const svg = s("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}` });
    const t0 = Math.min(...times), t1 = Math.max(...times);
    const slot = points.length > 1 ? (W - L - R) / points.length : (W - L - R);
    const x = i => points.length > 1 ? L + slot / 2 + ((times[i] - t0) / Math.max(1, t1 - t0)) * (W - L - R - slot) : L + (W - L - R) / 2;
    const y = v => T + (1 - v / max) * (H - T - B);
    for (const v of tickValues) {
      svg.append(s("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: v ? "grid" : "axis" }), s("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)));
    }
    const ticks = Math.max(2, Math.min(6, Math.floor((W - L) / 90)));
    for (let k = 0; k < ticks && points.length; k++) {
      const i = Math.round((k * (points.length - 1)) / (ticks - 1 || 1));
      svg.append(s("text", { x: x(i), y: H - 6, "text-anchor": k === 0 ? "start" : k === ticks - 1 ? "end" : "middle" }, hhmm(new Date(times[i]))));
    }
    const bw = Math.max(1, Math.min(24, slot * 0.7));
    points.forEach((p, i) => {
      let base = 0;
      for (const ser of stacked) {
        const v = num(p[ser.key]) || 0;
        if (v > 0) svg.append(s("rect", { x: x(i) - bw / 2, y: y(base + v), width: bw, height: Math.max(0.5, y(base) - y(base + v)), style: `fill:${ser.color}` }));
        base += v;
      }
      for (const ser of series.filter(z => z.kind === "bar")) {
        const v = num(p[ser.key]);
        if (v) svg.append(s("rect", { x: x(i) - bw / 2, y: y(v), width: bw, height: y(0) - y(v), style: `fill:${ser.color}` }));
      }
    });
    for (const ser of series.filter(z => z.kind === "line" || !z.kind)) {
      // A bucket with no data (null) breaks the line instead of dropping it to zero.
      let d = "", pen = false;
      points.forEach((p, i) => {
        const v = num(p[ser.key]);
        if (v === null) { pen = false; return; }
        d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      if (d) svg.append(s("path", { d, class: "line", style: `stroke:${ser.color}` }));
      points.forEach((p, i) => {
        const v = num(p[ser.key]);
        const lonely = v !== null && num(points[i - 1]?.[ser.key]) === null && num(points[i + 1]?.[ser.key]) === null;
        if (lonely) svg.append(s("circle", { cx: x(i), cy: y(v), r: 3.5, class: "dot", style: `fill:${ser.color}` }));
      });
    }
    if (ref) svg.append(s("line", { x1: L, x2: W - R, y1: y(ref.value), y2: y(ref.value), class: "ref" }));
    const cursor = s("line", { x1: 0, x2: 0, y1: T, y2: H - B, class: "cursor", visibility: "hidden" });
    svg.append(cursor);
    const overlay = s("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "transparent" });
    overlay.addEventListener("pointermove", ev => {
      const px = ev.clientX - svg.getBoundingClientRect().left;
      let best = 0;
      points.forEach((_, i) => { if (Math.abs(x(i) - px) < Math.abs(x(best) - px)) best = i; });
      cursor.setAttribute("x1", x(best)); cursor.setAttribute("x2", x(best)); cursor.setAttribute("visibility", "visible");
      const p = points[best];
      tip.replaceChildren(h("strong", {}, hhmm(new Date(times[best]))),
        ...series.map(ser => h("div", {}, h("i", { class: "sw", style: `background:${ser.color}` }), `${ser.label}: ${num(p[ser.key]) === null ? "—" : fmt(num(p[ser.key]))}`)));
      tip.hidden = false;
      tip.style.left = `${Math.min(px + 12, W - 170)}px`;
    });
    overlay.addEventListener("pointerleave", () => { tip.hidden = true; cursor.setAttribute("visibility", "hidden"); });
    svg.append(overlay);
    plot.replaceChildren(svg);
  }

  if (!points.length) {
    plot.append(h("div", { class: "empty" }, h("span", { class: "muted" }, "No data in this window.")));
    return host;
  }
  let lastWidth = 0;
  new ResizeObserver(() => { if (plot.clientWidth && plot.clientWidth !== lastWidth) { lastWidth = plot.clientWidth; draw(); } }).observe(plot);
  return host;
}
