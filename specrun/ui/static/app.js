/* specrun UI: shared helpers, the graph page around the drawing of graph.js (selection box,
   asset table, launch, live state by server-sent events), the asset page; run.js does run pages.
   The same file runs in the app (data from /api/...) and inlined in self-contained reports
   (data embedded in the page). User text is only ever set with textContent. */
(function () {
  "use strict";
  var body = document.body;
  var APP = body.dataset.mode === "app";
  var BASE = body.dataset.base || "";
  var READ_ONLY = body.dataset.readOnly === "true";
  var ICONS = {fresh: "\u2713", stale: "\u21bb", missing: "\u25cb", failed: "\u2715", running: "\u25b6",
               none: "\u00b7", succeeded: "\u2713", skipped: "\u2298", empty: "\u2205"};
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

  /* ---------------- graph page ---------------- */
  function setupGraph(canvas) {
    var graph = window.specrunGraph(canvas, JSON.parse($("#graph-data").textContent));
    var status = $("#select-status") || el("span");
    var current = {select: "", ids: null};
    var form = $("#select-form");
    if (form) {
      var input = $("#selection"), err = $("#select-error");
      var run = function () {
        var q = input.value.trim(); err.textContent = "";
        var params = new URLSearchParams(location.search);
        if (q) params.set("select", q); else params.delete("select");
        history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
        if (!q) { current = {select: "", ids: null}; graph.highlight(null); status.textContent = ""; return; }
        getJSON("/api/select?q=" + encodeURIComponent(q)).then(function (res) {
          current = {select: q, ids: res.assets}; graph.highlight(res.nodes);
          status.textContent = res.assets.length + " asset(s) selected";
        }).catch(function (e) { current = {select: "", ids: null}; graph.highlight(null); err.textContent = e.message; status.textContent = ""; });
      };
      form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
      $("#clear").addEventListener("click", function () { input.value = ""; run(); });
      if (input.value) run();
    }
    var list = $("#asset-list");
    if (list) list.addEventListener("toggle", function () {  // built when first opened: big graphs stay light
      if (!list.open || list.dataset.built) return;
      list.dataset.built = "1";
      var tbody = $("#asset-table tbody");
      Object.keys(graph.byId).sort().forEach(function (id) {
        var n = graph.byId[id], tr = el("tr", {"data-id": n.id}), td = el("td");
        td.appendChild(APP ? el("a", {href: BASE + "/assets/" + encodeURIComponent(n.id)}, n.id) : el("span", {}, n.id));
        tr.appendChild(td); tr.appendChild(el("td", {}, n.group));
        tr.appendChild(el("td", {class: "st"}, graph.stateOf(n.id).label)); tr.appendChild(el("td", {}, n.upstream.join(", ")));
        tbody.appendChild(tr);
      });
    });
    if (APP && $("#materialize")) setupLaunch(function () { return current.select; });
    if (APP && body.dataset.live !== "false") follow("/api/graph/stream", "states", function (res) {
      graph.update(res.nodes); body.dataset.stateAt = String(res.at);
    });
  }

  /* Server-sent events from `url`: `fn(data)` for each `kind` event; the browser reconnects by
     itself (sending the last event id) when the connection drops. */
  function follow(url, kind, fn) {
    var source = new EventSource(BASE + url);
    source.addEventListener(kind, function (ev) { fn(JSON.parse(ev.data), source); });
    return source;
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
                      showLaunch: showLaunch, follow: follow, formatTimes: formatTimes, $: $, $all: $all, APP: APP, READ_ONLY: READ_ONLY, ICONS: ICONS};

  document.addEventListener("DOMContentLoaded", function () {
    formatTimes(document);
    if ($("#run-data") && window.specrunRun) window.specrunRun();
    var canvas = $("#canvas");
    if (canvas && $("#graph-data")) setupGraph(canvas);
    setupAssetPage();
  });
})();
