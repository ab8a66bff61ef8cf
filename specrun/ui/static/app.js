/* specrun UI: graph (pan, zoom, search, selection, live state, launch), asset and runs pages,
   run page (timeline, failures, virtualised events, live updates, re-execute).
   The same file runs in the app (data from /api/...) and inlined in self-contained reports
   (data embedded in the page). User text is only ever set with textContent. */
(function () {
  "use strict";
  var body = document.body;
  var APP = body.dataset.mode === "app";
  var BASE = body.dataset.base || "";
  var READ_ONLY = body.dataset.readOnly === "true";
  var ICONS = {fresh: "\u2713", stale: "\u21bb", missing: "\u25cb", failed: "\u2715", running: "\u25b6",
               none: "\u00b7", succeeded: "\u2713", skipped: "\u2298"};
  var CHECK_ICONS = {passed: "\u2713", failed: "\u2715", warning: "!", "not run": "\u25cb"};
  var SVGNS = "http://www.w3.org/2000/svg";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function short(text, n) { text = String(text); return text.length <= n ? text : text.slice(0, n - 1) + "\u2026"; }
  function fmtTime(ts) {
    if (!ts) return "-";
    var d = new Date(ts * 1000), p = function (x) { return (x < 10 ? "0" : "") + x; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }
  function formatTimes(root) { $all("time[data-ts]", root).forEach(function (t) { t.textContent = fmtTime(parseFloat(t.dataset.ts)); }); }
  function getJSON(url) {
    return fetch(BASE + url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.statusText); return j; });
    });
  }
  function postJSON(url, data) {
    var token = $('meta[name="csrf-token"]').getAttribute("content");
    return fetch(BASE + url, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
                              body: JSON.stringify(data || {})}).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.statusText); return j; });
    });
  }
  function showLaunch(target, res) {
    target.textContent = "";
    if (res.run_id) {
      target.appendChild(document.createTextNode("run started: "));
      var a = el("a", {href: BASE + "/runs/" + encodeURIComponent(res.run_id), id: "launched-run"}, res.run_id);
      target.appendChild(a);
    } else {
      target.appendChild(el("pre", {}, res.message || "nothing was started"));
    }
  }

  /* ---------------- graph ---------------- */
  function setupGraph(canvas) {
    var svg = $("svg.dag", canvas), vp = $("g.viewport", svg);
    var W = parseFloat(svg.getAttribute("width")), H = parseFloat(svg.getAttribute("height"));
    svg.removeAttribute("width"); svg.removeAttribute("height");
    svg.setAttribute("viewBox", "0 0 " + canvas.clientWidth + " " + canvas.clientHeight);
    var view = {x: 0, y: 0, k: 1};
    var detailed = null;
    function apply() {
      vp.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
      var level = view.k < 0.2 ? 2 : view.k < 0.55 ? 1 : 0;  // less detail when text would be unreadable
      if (level !== detailed) {
        detailed = level; svg.classList.toggle("far", level > 0); svg.classList.toggle("farther", level > 1);
      }
    }
    function fit() {
      var cw = canvas.clientWidth, ch = canvas.clientHeight;
      view.k = Math.min(1, Math.max(0.01, Math.min(cw / W, ch / H)));
      view.x = (cw - W * view.k) / 2; view.y = Math.max(0, (ch - H * view.k) / 2); apply();
    }
    function centreOn(g) {
      var m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute("transform"));
      view.k = Math.max(view.k, 0.8);
      view.x = canvas.clientWidth / 2 - (parseFloat(m[1]) + 100) * view.k;
      view.y = canvas.clientHeight / 2 - (parseFloat(m[2]) + 25) * view.k; apply();
    }
    fit();
    window.addEventListener("resize", function () { svg.setAttribute("viewBox", "0 0 " + canvas.clientWidth + " " + canvas.clientHeight); });
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var r = canvas.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
      var k = Math.min(3, Math.max(0.01, view.k * Math.exp(-ev.deltaY * 0.0015)));
      view.x = px - (px - view.x) * k / view.k; view.y = py - (py - view.y) * k / view.k; view.k = k; apply();
    }, {passive: false});
    var drag = null, moved = false;
    canvas.addEventListener("mousedown", function (ev) { drag = {x: ev.clientX - view.x, y: ev.clientY - view.y}; moved = false; canvas.classList.add("dragging"); });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return; moved = true; view.x = ev.clientX - drag.x; view.y = ev.clientY - drag.y; apply();
    });
    window.addEventListener("mouseup", function () { drag = null; canvas.classList.remove("dragging"); });
    var nodes = {};
    $all("g.node", svg).forEach(function (g) { nodes[g.dataset.id] = g; });
    function open(g) { if (APP) location.href = BASE + "/assets/" + encodeURIComponent(g.dataset.id); }
    svg.addEventListener("click", function (ev) {
      var g = ev.target.closest && ev.target.closest("g.node");
      if (g && !moved) open(g);
    });
    svg.addEventListener("keydown", function (ev) {
      var g = ev.target.closest && ev.target.closest("g.node");
      if (g && ev.key === "Enter") open(g);
    });
    var search = $("#search") || el("input"), status = $("#select-status") || el("span");
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "/" && document.activeElement.tagName !== "INPUT") { ev.preventDefault(); search.focus(); }
      if (ev.key === "Escape") { highlight(null); $all("g.node.found", svg).forEach(function (g) { g.classList.remove("found"); }); }
    });
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase(), first = null, count = 0;
      $all("g.node", svg).forEach(function (g) {
        var hit = q && g.dataset.id.toLowerCase().indexOf(q) >= 0;
        g.classList.toggle("found", !!hit);
        if (hit) { count++; first = first || g; }
      });
      status.textContent = q ? count + " match" + (count === 1 ? "" : "es") : "";
      if (first) centreOn(first);
    });
    function highlight(ids) {
      svg.classList.toggle("filtering", !!ids);
      var set = {}; (ids || []).forEach(function (i) { set[i] = true; });
      $all("g.node", svg).forEach(function (g) { g.classList.toggle("hit", !!set[g.dataset.id]); });
      $all("path.edge", svg).forEach(function (p) { p.classList.toggle("hit", !!(set[p.dataset.from] && set[p.dataset.to])); });
    }
    var current = {select: "", ids: null};
    var form = $("#select-form");
    if (form) {
      var input = $("#selection"), err = $("#select-error");
      var run = function () {
        var q = input.value.trim(); err.textContent = "";
        var params = new URLSearchParams(location.search);
        if (q) params.set("select", q); else params.delete("select");
        history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
        if (!q) { current = {select: "", ids: null}; highlight(null); status.textContent = ""; return; }
        getJSON("/api/select?q=" + encodeURIComponent(q)).then(function (res) {
          current = {select: q, ids: res.assets}; highlight(res.nodes);
          status.textContent = res.assets.length + " asset(s) selected";
        }).catch(function (e) { current = {select: "", ids: null}; highlight(null); err.textContent = e.message; status.textContent = ""; });
      };
      form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
      $("#clear").addEventListener("click", function () { input.value = ""; run(); });
      if (input.value) run();
    }
    var list = $("#asset-list");
    if (list) list.addEventListener("toggle", function () {  // built when first opened: big graphs stay light
      if (!list.open || list.dataset.built) return;
      list.dataset.built = "1";
      getJSON("/api/graph").then(function (graph) {
        var tbody = $("#asset-table tbody");
        graph.nodes.forEach(function (n) {
          var tr = el("tr", {"data-id": n.id}), td = el("td");
          td.appendChild(el("a", {href: BASE + "/assets/" + encodeURIComponent(n.id)}, n.id));
          tr.appendChild(td); tr.appendChild(el("td", {}, n.group));
          var label = nodes[n.id] ? nodes[n.id].getAttribute("aria-label").slice(n.id.length + 2) : "";
          tr.appendChild(el("td", {class: "st"}, label)); tr.appendChild(el("td", {}, n.upstream.join(", ")));
          tbody.appendChild(tr);
        });
      });
    });
    if (APP && $("#materialize")) setupLaunch(function () { return current.select; });
    if (APP && body.dataset.live !== "false") pollStates(nodes);
  }

  function updateNode(g, s) {
    g.setAttribute("class", g.getAttribute("class").replace(/\bst-[\w-]+/, "st-" + s.state));
    $(".icon", g).textContent = ICONS[s.state] || "";
    $(".label", g).textContent = short(s.label, 30);
    $("title", g).textContent = g.dataset.id + " \u2014 " + s.label;
    g.setAttribute("aria-label", g.dataset.id + ": " + s.label);
    var bar = $(".pbar", g);
    if (bar && s.total) {
      var width = parseFloat($(".box", g).getAttribute("width")) - 20, x = 0;
      ["fresh", "stale", "missing", "failed", "running"].forEach(function (st) {
        var seg = $(".seg-" + st, bar), w = width * (s.counts[st] || 0) / s.total;
        seg.setAttribute("x", x); seg.setAttribute("width", w); x += w;
      });
    }
    Object.keys(s.checks || {}).forEach(function (id) {
      $all("g.check", g).forEach(function (c) {
        if (c.dataset.check !== id) return;
        var r = s.checks[id];
        c.setAttribute("class", "check ck-" + r.replace(" ", "-"));
        $(".ck-icon", c).textContent = CHECK_ICONS[r] || "";
      });
    });
    var row = $('#asset-table tr[data-id="' + CSS.escape(g.dataset.id) + '"] td.st');
    if (row) row.textContent = s.label;
  }

  function pollStates(nodes) {
    var tick = function () {
      getJSON("/api/graph/state").then(function (res) {
        Object.keys(res.nodes).forEach(function (id) { if (nodes[id]) updateNode(nodes[id], res.nodes[id]); });
        body.dataset.stateAt = String(res.at);
      }).catch(function () { /* server gone: try again */ }).then(function () { setTimeout(tick, 1000); });
    };
    setTimeout(tick, 1000);
  }

  function setupLaunch(currentSelection) {
    var panel = $("#launch"), tbody = $("#plan-table tbody"), summary = $("#plan-summary"), result = $("#launch-result");
    var parts = $("#partitions"), pending = null;
    $("#materialize").addEventListener("click", function () {
      pending = {select: currentSelection(), partitions: parts.value.trim()};
      panel.classList.add("open"); tbody.textContent = ""; result.textContent = "";
      summary.textContent = "planning " + (pending.select || "all assets") + "\u2026";
      var q = "/api/plan?select=" + encodeURIComponent(pending.select) + "&partitions=" + encodeURIComponent(pending.partitions);
      getJSON(q).then(function (res) {
        summary.textContent = res.run + " step(s) would run, " + res.skip + " up to date (" + (pending.select || "all assets") + ")";
        res.steps.slice(0, 200).forEach(function (d) {
          var tr = el("tr");
          tr.appendChild(el("td", {}, d.run ? "run" : "skip")); tr.appendChild(el("td", {class: "mono"}, d.step));
          tr.appendChild(el("td", {}, d.partition || "")); tr.appendChild(el("td", {}, d.reason));
          tbody.appendChild(tr);
        });
      }).catch(function (e) { summary.textContent = ""; result.appendChild(el("div", {class: "error"}, e.message)); });
    });
    $("#cancel").addEventListener("click", function () { panel.classList.remove("open"); });
    $("#confirm").addEventListener("click", function () {
      var btn = this; btn.disabled = true; result.textContent = "starting\u2026";
      postJSON("/api/launch", {select: pending.select, partitions: pending.partitions, force: $("#force").checked})
        .then(function (res) { showLaunch(result, res); })
        .catch(function (e) { result.textContent = ""; result.appendChild(el("div", {class: "error"}, e.message)); })
        .then(function () { btn.disabled = false; });
    });
  }

  function setupAssetPage() {
    var btn = $("#materialize-asset");
    if (!btn) return;
    btn.addEventListener("click", function () {
      btn.disabled = true;
      postJSON("/api/launch", {select: btn.dataset.select, partitions: "", force: true})
        .then(function (res) { showLaunch($("#launch-result"), res); })
        .catch(function (e) { $("#launch-result").textContent = e.message; })
        .then(function () { btn.disabled = false; });
    });
  }

  window.specrunUI = {el: el, sv: sv, short: short, fmtTime: fmtTime, getJSON: getJSON, postJSON: postJSON,
                      showLaunch: showLaunch, formatTimes: formatTimes, $: $, $all: $all, APP: APP, READ_ONLY: READ_ONLY, ICONS: ICONS};

  document.addEventListener("DOMContentLoaded", function () {
    formatTimes(document);
    if ($("#run-data") && window.specrunRun) window.specrunRun();
    var canvas = $("#canvas");
    if (canvas && $("svg.dag", canvas)) setupGraph(canvas);
    setupAssetPage();
  });
})();
