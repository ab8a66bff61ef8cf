/* The asset graph, drawn in the browser (the app, `specrun report`, `specrun graph --format html`).

   Layout: dagre (vendored in vendor/dagre, ranker "tight-tree") in two levels, never its compound
   mode: each expanded group is laid out on its own, then the groups (expanded boxes and collapsed
   group nodes) are laid out as one graph of boxes joined by the transitive reduction of the
   group-to-group edges. Every edge is still drawn; the reduction only feeds the layout. A graph of
   more than COLLAPSE_ABOVE assets opens with its groups collapsed: a collapsed group is one node
   with its asset count and a bar and counts per state; click (or Enter) expands it.
   Nodes are inserted in key order, so the same graph and the same collapsed groups always give the
   same picture. User text is only ever set with textContent. */
window.specrunGraph = function (canvas, data) {
  "use strict";
  var U = window.specrunUI, $ = U.$, $all = U.$all, el = U.el, sv = U.sv;
  var NODE_W = 210, NODE_H = 50, CHECK_H = 17, GROUP_W = 230, GROUP_H = 76, PAD = 14, TITLE = 30;
  var COLLAPSE_ABOVE = 300;
  var STATES = ["running", "failed", "empty", "missing", "stale", "fresh", "succeeded", "skipped", "none"];
  var NAMES = {running: "running", failed: "failed", empty: "no partitions yet", missing: "never materialized",
               stale: "stale", fresh: "up to date", succeeded: "succeeded", skipped: "skipped", none: "not run"};
  var CHECK_ICONS = {passed: "\u2713", failed: "\u2715", warning: "!", "not run": "\u25cb"};

  var model = data.model, states = data.states || {};
  var byId = {}, members = {};
  model.nodes.slice().sort(function (a, b) { return a.id < b.id ? -1 : 1; }).forEach(function (n) {
    byId[n.id] = n; (members[n.group] = members[n.group] || []).push(n);
  });
  var groupNames = Object.keys(members).sort();
  var collapsedByDefault = model.nodes.length > COLLAPSE_ABOVE && groupNames.length > 1;
  var toggled = {};  // groups whose state differs from the default, kept in the URL
  var params = new URLSearchParams(location.search);
  (params.get(collapsedByDefault ? "expand" : "collapse") || "").split(",").forEach(function (g) { if (members[g]) toggled[g] = true; });
  function isCollapsed(g) { return collapsedByDefault !== !!toggled[g]; }

  /* ---------------- layout ---------------- */
  function dagreLayout(boxes, edges, nodesep, ranksep) {
    var g = new dagre.graphlib.Graph();
    g.setGraph({rankdir: "LR", ranker: "tight-tree", nodesep: nodesep, ranksep: ranksep, marginx: 0, marginy: 0});
    g.setDefaultEdgeLabel(function () { return {}; });
    boxes.forEach(function (b) { g.setNode(b.id, {width: b.w, height: b.h}); });
    edges.forEach(function (e) { g.setEdge(e[0], e[1]); });
    dagre.layout(g);
    var out = {boxes: {}, points: {}, width: g.graph().width || 0, height: g.graph().height || 0};
    boxes.forEach(function (b) { var p = g.node(b.id); out.boxes[b.id] = {x: p.x - b.w / 2, y: p.y - b.h / 2, w: b.w, h: b.h}; });
    edges.forEach(function (e) { out.points[e[0] + "\n" + e[1]] = g.edge(e[0], e[1]).points; });
    return out;
  }
  function reaches(succ, from, to) {
    var seen = {}, stack = [from];
    while (stack.length) {
      var x = stack.pop();
      if (x === to) return true;
      if (seen[x]) continue;
      seen[x] = true;
      Object.keys(succ[x] || {}).forEach(function (y) { stack.push(y); });
    }
    return false;
  }
  /* Drop each edge another path already implies (one at a time, so reachability never changes). */
  function reduce(edges) {
    var succ = {};
    edges.forEach(function (e) { (succ[e[0]] = succ[e[0]] || {})[e[1]] = true; });
    return edges.filter(function (e) {
      delete succ[e[0]][e[1]];
      if (reaches(succ, e[0], e[1])) return false;
      succ[e[0]][e[1]] = true; return true;
    });
  }
  function nodeHeight(n) { return NODE_H + CHECK_H * n.checks.length; }
  function layout() {
    var inner = {}, boxes = [], groupEdges = {};
    groupNames.forEach(function (g) {
      if (isCollapsed(g)) { boxes.push({id: g, w: GROUP_W, h: GROUP_H}); return; }
      var ids = {}; members[g].forEach(function (n) { ids[n.id] = true; });
      var edges = model.edges.filter(function (e) { return ids[e.from] && ids[e.to]; }).map(function (e) { return [e.from, e.to]; });
      var L = dagreLayout(members[g].map(function (n) { return {id: n.id, w: NODE_W, h: nodeHeight(n)}; }), edges, 14, 60);
      inner[g] = L;
      boxes.push({id: g, w: Math.max(L.width, NODE_W) + 2 * PAD, h: L.height + PAD + TITLE});
    });
    model.edges.forEach(function (e) {
      var a = byId[e.from].group, b = byId[e.to].group;
      if (a !== b) groupEdges[a + "\n" + b] = [a, b];
    });
    var top = dagreLayout(boxes, reduce(Object.keys(groupEdges).sort().map(function (k) { return groupEdges[k]; })), 28, 90);
    var res = {groups: {}, nodes: {}, points: {}, width: top.width + 40, height: top.height + 40};
    groupNames.forEach(function (g) {
      var b = top.boxes[g], box = {x: b.x + 20, y: b.y + 20, w: b.w, h: b.h};
      res.groups[g] = box;
      if (!inner[g]) return;
      var dx = box.x + PAD, dy = box.y + TITLE;
      Object.keys(inner[g].boxes).forEach(function (id) {
        var n = inner[g].boxes[id]; res.nodes[id] = {x: n.x + dx, y: n.y + dy, w: n.w, h: n.h};
      });
      Object.keys(inner[g].points).forEach(function (k) {
        res.points[k] = inner[g].points[k].map(function (p) { return {x: p.x + dx, y: p.y + dy}; });
      });
    });
    return res;
  }

  /* ---------------- drawing ---------------- */
  function f(x) { return x.toFixed(1); }
  function basis(pts) {  /* a B-spline through dagre's bend points (as d3's curveBasis) */
    var d = "M" + f(pts[0].x) + "," + f(pts[0].y);
    if (pts.length === 2) return d + " L" + f(pts[1].x) + "," + f(pts[1].y);
    var x0 = pts[0].x, y0 = pts[0].y, x1 = pts[1].x, y1 = pts[1].y;
    d += " L" + f((5 * x0 + x1) / 6) + "," + f((5 * y0 + y1) / 6);
    function seg(x, y) {
      d += " C" + f((2 * x0 + x1) / 3) + "," + f((2 * y0 + y1) / 3) + " " + f((x0 + 2 * x1) / 3) + "," + f((y0 + 2 * y1) / 3)
        + " " + f((x0 + 4 * x1 + x) / 6) + "," + f((y0 + 4 * y1 + y) / 6);
      x0 = x1; y0 = y1; x1 = x; y1 = y;
    }
    for (var i = 2; i < pts.length; i++) seg(pts[i].x, pts[i].y);
    seg(x1, y1);
    return d + " L" + f(x1) + "," + f(y1);
  }
  function sCurve(a, b) {  /* right side of a to left side of b */
    var x1 = a.x + a.w, y1 = a.y + Math.min(a.h / 2, NODE_H / 2 + 12), x2 = b.x, y2 = b.y + Math.min(b.h / 2, NODE_H / 2 + 12);
    var bend = Math.max(30, Math.abs(x2 - x1) / 2);
    return "M" + f(x1) + "," + f(y1) + " C" + f(x1 + bend) + "," + f(y1) + " " + f(x2 - bend) + "," + f(y2) + " " + f(x2) + "," + f(y2);
  }
  function stateOf(id) {
    var n = byId[id];
    return states[id] || {state: "none", label: n.kind !== "asset" ? n.kind : n.partitioned ? "partitioned asset" : "asset",
                          counts: {}, total: 0, checks: {}};
  }
  function drawNode(n, b) {
    var s = stateOf(n.id);
    var g = sv("g", {class: "node st-" + s.state + " kind-" + n.kind, "data-id": n.id, transform: "translate(" + f(b.x) + "," + f(b.y) + ")",
                     tabindex: "0", role: "link", "aria-label": n.id + ": " + s.label});
    g.appendChild(sv("title", {}, n.id + " \u2014 " + s.label + (n.description ? "\n" + n.description : "")));
    g.appendChild(sv("rect", {class: "box", width: b.w, height: b.h, rx: 6}));
    g.appendChild(sv("rect", {class: "stripe", width: 6, height: b.h, rx: 3}));
    g.appendChild(sv("text", {class: "icon", x: 16, y: 21}, U.ICONS[s.state] || ""));
    g.appendChild(sv("text", {class: "name", x: 32, y: 21}, U.short(n.id, 24)));
    if (n.partitioned) g.appendChild(sv("text", {class: "pmark", x: b.w - 8, y: 20, "text-anchor": "end"}, "\u25a6"));
    g.appendChild(sv("text", {class: "label", x: 16, y: 40}, U.short(s.label, 30)));
    if (n.partitioned) {
      var bar = sv("g", {class: "pbar", transform: "translate(10,44)"});
      ["fresh", "stale", "missing", "failed", "running"].forEach(function (st) { bar.appendChild(sv("rect", {class: "seg seg-" + st, height: 4})); });
      g.appendChild(bar);
    }
    n.checks.forEach(function (c, i) {
      var r = (s.checks || {})[c.id] || "not run";
      var cg = sv("g", {class: "check ck-" + r.replace(" ", "-"), "data-check": c.id, transform: "translate(0," + (50 + i * CHECK_H) + ")"});
      cg.appendChild(sv("title", {}, "check " + c.name + (c.blocking ? " (blocking)" : "") + ": " + r));
      cg.appendChild(sv("text", {class: "ck-icon", x: 16, y: 11}, CHECK_ICONS[r] || ""));
      cg.appendChild(sv("text", {class: "ck-name", x: 30, y: 11}, U.short(c.name, 28)));
      g.appendChild(cg);
    });
    paintBar(g, s, b.w - 20);
    return g;
  }
  function paintBar(g, s, width) {
    var bar = $(".pbar", g), x = 0;
    if (!bar) return;
    $all(".seg", bar).forEach(function (seg) {
      var st = seg.getAttribute("class").replace(/.*seg-/, ""), w = s.total ? width * (s.counts[st] || 0) / s.total : 0;
      seg.setAttribute("x", f(x)); seg.setAttribute("width", f(w)); x += w;
    });
  }
  function groupSummary(g) {
    var counts = {}, total = 0;
    members[g].forEach(function (n) { var st = stateOf(n.id).state; counts[st] = (counts[st] || 0) + 1; total++; });
    var worst = STATES.filter(function (st) { return counts[st]; })[0] || "none";
    var present = STATES.filter(function (st) { return counts[st]; });
    var text = present.map(function (st) { return counts[st] + " " + NAMES[st]; }).join(", ");
    var icons = present.map(function (st) { return (U.ICONS[st] || "") + "\u2009" + counts[st]; }).join("\u2002\u2002");
    return {state: worst, counts: counts, total: total, text: text, icons: icons};
  }
  function drawGroupNode(g, b) {
    var s = groupSummary(g);
    var node = sv("g", {class: "group-node st-" + s.state, "data-group": g, transform: "translate(" + f(b.x) + "," + f(b.y) + ")",
                        tabindex: "0", role: "button", "aria-expanded": "false", "aria-label": "group " + g + ", collapsed: " + s.text});
    node.appendChild(sv("title", {}, "group " + g + " (" + s.total + " assets): " + s.text + "\nclick to expand"));
    node.appendChild(sv("rect", {class: "box back", x: 5, y: 5, width: b.w, height: b.h, rx: 8}));
    node.appendChild(sv("rect", {class: "box", width: b.w, height: b.h, rx: 8}));
    node.appendChild(sv("text", {class: "icon", x: 12, y: 22}, "\u25b8"));
    node.appendChild(sv("text", {class: "name", x: 28, y: 22}, U.short(g, 24)));
    node.appendChild(sv("text", {class: "label count", x: 12, y: 41}, s.total + " asset" + (s.total === 1 ? "" : "s")));
    var bar = sv("g", {class: "gbar", transform: "translate(12,48)"}), x = 0, width = b.w - 24;
    STATES.forEach(function (st) {
      if (!s.counts[st]) return;
      var w = width * s.counts[st] / s.total;
      bar.appendChild(sv("rect", {class: "seg seg-" + st, x: f(x), width: f(w), height: 6}));
      x += w;
    });
    node.appendChild(bar);
    node.appendChild(sv("text", {class: "label states", x: 12, y: 68}, s.icons));  // words in the title
    return node;
  }
  function visibleOf(id) { var g = byId[id].group; return isCollapsed(g) ? "group:" + g : id; }

  var svg = sv("svg", {class: "dag", role: "img", "aria-label": "asset graph of " + model.name});
  var defs = sv("defs"), marker = sv("marker", {id: "arr", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"});
  marker.appendChild(sv("path", {d: "M0,0 L10,5 L0,10 z", class: "arrowhead"})); defs.appendChild(marker); svg.appendChild(defs);
  var vp = sv("g", {class: "viewport"}); svg.appendChild(vp);
  canvas.textContent = ""; canvas.appendChild(svg);
  var L = null, nodes = {}, groupNodes = {};

  function draw() {
    var t0 = performance.now();
    L = layout();
    var t1 = performance.now();
    vp.textContent = ""; nodes = {}; groupNodes = {};
    var clusters = sv("g", {class: "clusters"}), edges = sv("g", {class: "edges"}), front = sv("g", {class: "nodes"});
    groupNames.forEach(function (g) {
      var b = L.groups[g];
      if (isCollapsed(g)) { groupNodes[g] = drawGroupNode(g, b); front.appendChild(groupNodes[g]); return; }
      var c = sv("g", {class: "cluster", "data-group": g});
      c.appendChild(sv("rect", {x: f(b.x), y: f(b.y), width: f(b.w), height: f(b.h), rx: 10}));
      var head = sv("g", {class: "toggle", tabindex: "0", role: "button", "aria-expanded": "true", "aria-label": "collapse group " + g});
      head.appendChild(sv("title", {}, "collapse group " + g));
      head.appendChild(sv("rect", {class: "hit-area", x: f(b.x), y: f(b.y), width: f(b.w), height: TITLE - 4, rx: 10}));
      head.appendChild(sv("text", {x: f(b.x + 10), y: f(b.y + 19), class: "cluster-name"}, "\u25be " + g + "  (" + members[g].length + ")"));
      c.appendChild(head); clusters.appendChild(c);
      members[g].forEach(function (n) { nodes[n.id] = drawNode(n, L.nodes[n.id]); front.appendChild(nodes[n.id]); });
    });
    var seen = {};
    model.edges.forEach(function (e) {
      var a = visibleOf(e.from), b = visibleOf(e.to), key = a + "\n" + b;
      if (a === b) return;
      if (seen[key]) { seen[key].n++; if (e.kind === "data") seen[key].p.setAttribute("class", "edge e-data"); return; }
      var box = function (v) { return v.indexOf("group:") === 0 && !byId[v] ? L.groups[v.slice(6)] : L.nodes[v]; };
      var pts = L.points[e.from + "\n" + e.to];
      var p = sv("path", {class: "edge e-" + e.kind, d: pts && a === e.from && b === e.to ? basis(pts) : sCurve(box(a), box(b)),
                          "data-from": a, "data-to": b, "marker-end": "url(#arr)"});
      seen[key] = {n: 1, p: p}; edges.appendChild(p);
    });
    Object.keys(seen).forEach(function (k) { if (seen[k].n > 1) seen[k].p.appendChild(sv("title", {}, seen[k].n + " dependencies")); });
    vp.appendChild(clusters); vp.appendChild(edges); vp.appendChild(front);
    svg.dataset.layoutMs = (t1 - t0).toFixed(1); svg.dataset.drawMs = (performance.now() - t1).toFixed(1);
    if (lastHighlight) highlight(lastHighlight);
    var table = $("#asset-table tbody"); if (table) $all("tr", table).forEach(function (tr) { tr.querySelector("td.st").textContent = stateOf(tr.dataset.id).label; });
  }

  /* ---------------- pan, zoom, expand, collapse ---------------- */
  var view = {x: 0, y: 0, k: 1}, detail = null;
  function applyView() {
    vp.setAttribute("transform", "translate(" + f(view.x) + "," + f(view.y) + ") scale(" + view.k.toFixed(4) + ")");
    var level = view.k < 0.2 ? 2 : view.k < 0.55 ? 1 : 0;  // less detail where text would be unreadable
    if (level !== detail) { detail = level; svg.classList.toggle("far", level > 0); svg.classList.toggle("farther", level > 1); }
  }
  function sizeViewBox() { svg.setAttribute("viewBox", "0 0 " + canvas.clientWidth + " " + canvas.clientHeight); }
  function fit() {
    var cw = canvas.clientWidth, ch = canvas.clientHeight;
    view.k = Math.min(1, Math.max(0.01, Math.min(cw / L.width, ch / L.height)));
    view.x = (cw - L.width * view.k) / 2; view.y = Math.max(0, (ch - L.height * view.k) / 2); applyView();
  }
  function centreOn(b) {
    view.k = Math.max(view.k, 0.8);
    view.x = canvas.clientWidth / 2 - (b.x + b.w / 2) * view.k; view.y = canvas.clientHeight / 2 - (b.y + Math.min(b.h, 60) / 2) * view.k;
    applyView();
  }
  function saveToggles() {
    var p = new URLSearchParams(location.search), list = Object.keys(toggled).sort().join(",");
    p.delete("expand"); p.delete("collapse");
    if (list) p.set(collapsedByDefault ? "expand" : "collapse", list);
    history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p : "") + location.hash);
  }
  function setCollapsed(g, collapse) {
    if (isCollapsed(g) === collapse) return;
    var before = L.groups[g];
    if (toggled[g]) delete toggled[g]; else toggled[g] = true;
    saveToggles(); draw();
    var after = L.groups[g];  // the group keeps its place on screen
    view.x += (before.x - after.x) * view.k; view.y += (before.y - after.y) * view.k; applyView();
    var focus = collapse ? groupNodes[g] : $('g.cluster[data-group="' + CSS.escape(g) + '"] .toggle', svg);
    if (focus) focus.focus({preventScroll: true});
  }
  sizeViewBox(); draw(); fit();
  window.addEventListener("resize", sizeViewBox);
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
    var k = Math.min(3, Math.max(0.01, view.k * Math.exp(-ev.deltaY * 0.0015)));
    view.x = px - (px - view.x) * k / view.k; view.y = py - (py - view.y) * k / view.k; view.k = k; applyView();
  }, {passive: false});
  var drag = null, moved = false;
  canvas.addEventListener("mousedown", function (ev) { drag = {x: ev.clientX - view.x, y: ev.clientY - view.y}; moved = false; canvas.classList.add("dragging"); });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return; moved = true; view.x = ev.clientX - drag.x; view.y = ev.clientY - drag.y; applyView();
  });
  window.addEventListener("mouseup", function () { drag = null; canvas.classList.remove("dragging"); });
  function activate(target) {
    var t = target.closest && target.closest("g.node, g.group-node, g.toggle");
    if (!t) return;
    if (t.classList.contains("group-node")) setCollapsed(t.dataset.group, false);
    else if (t.classList.contains("toggle")) setCollapsed(t.parentNode.dataset.group, true);
    else if (U.APP) location.href = (document.body.dataset.base || "") + "/assets/" + encodeURIComponent(t.dataset.id);
  }
  svg.addEventListener("click", function (ev) { if (!moved) activate(ev.target); });
  svg.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); activate(ev.target); }
  });

  /* ---------------- search and selection ---------------- */
  var search = $("#search") || el("input"), status = $("#select-status") || el("span"), lastHighlight = null;
  function highlight(ids) {
    lastHighlight = ids;
    svg.classList.toggle("filtering", !!ids);
    var set = {}, groups = {};
    (ids || []).forEach(function (i) { set[i] = true; if (byId[i]) groups["group:" + byId[i].group] = true; });
    Object.keys(nodes).forEach(function (id) { nodes[id].classList.toggle("hit", !!set[id]); });
    Object.keys(groupNodes).forEach(function (g) { groupNodes[g].classList.toggle("hit", !!groups["group:" + g]); });
    $all("path.edge", svg).forEach(function (p) {
      var on = function (v) { return set[v] || groups[v]; };
      p.classList.toggle("hit", !!(on(p.dataset.from) && on(p.dataset.to)));
    });
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement.tagName !== "INPUT") { ev.preventDefault(); search.focus(); }
    if (ev.key === "Escape") { highlight(null); $all("g.node.found", svg).forEach(function (g) { g.classList.remove("found"); }); }
  });
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    var hits = q ? model.nodes.filter(function (n) { return n.id.toLowerCase().indexOf(q) >= 0; }).map(function (n) { return n.id; }).sort() : [];
    if (hits.length && isCollapsed(byId[hits[0]].group)) setCollapsed(byId[hits[0]].group, false);
    var set = {}; hits.forEach(function (h) { set[h] = true; });
    Object.keys(nodes).forEach(function (id) { nodes[id].classList.toggle("found", !!set[id]); });
    status.textContent = q ? hits.length + " match" + (hits.length === 1 ? "" : "es") : "";
    if (hits.length) centreOn(L.nodes[hits[0]]);
  });

  /* ---------------- live state ---------------- */
  function update(fresh) {
    states = fresh;
    Object.keys(nodes).forEach(function (id) {
      var g = nodes[id], s = stateOf(id);
      g.setAttribute("class", g.getAttribute("class").replace(/\bst-[\w-]+/, "st-" + s.state));
      $(".icon", g).textContent = U.ICONS[s.state] || "";
      $(".label", g).textContent = U.short(s.label, 30);
      $("title", g).textContent = id + " \u2014 " + s.label + (byId[id].description ? "\n" + byId[id].description : "");
      g.setAttribute("aria-label", id + ": " + s.label);
      paintBar(g, s, L.nodes[id].w - 20);
      $all("g.check", g).forEach(function (c) {
        var r = (s.checks || {})[c.dataset.check] || "not run";
        c.setAttribute("class", "check ck-" + r.replace(" ", "-"));
        $(".ck-icon", c).textContent = CHECK_ICONS[r] || "";
      });
    });
    Object.keys(groupNodes).forEach(function (g) {
      var old = groupNodes[g], fresh = drawGroupNode(g, L.groups[g]);
      if (old.classList.contains("hit")) fresh.classList.add("hit");
      old.parentNode.replaceChild(fresh, old); groupNodes[g] = fresh;
    });
    var table = $("#asset-table tbody"); if (table) $all("tr", table).forEach(function (tr) { tr.querySelector("td.st").textContent = stateOf(tr.dataset.id).label; });
  }
  return {update: update, highlight: highlight, expand: function (g) { setCollapsed(g, false); },
          collapse: function (g) { setCollapsed(g, true); }, byId: byId, stateOf: stateOf,
          layout: function () { return L; }};
};
