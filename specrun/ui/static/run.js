/* The run page: timeline by worker, failures with the user's traceback, events (virtualised:
   only the rows in view are in the DOM), live updates (server-sent events) while the run is in progress. */
window.specrunRun = function () {
  "use strict";
  var U = window.specrunUI, $ = U.$, el = U.el, sv = U.sv;
  var run = JSON.parse($("#run-data").textContent);
  var embedded = $("#event-rows") ? JSON.parse($("#event-rows").textContent) : null;
  var ROW = 24, PAGE = 500;

  function renderHeader() {
    var badge = $("#run-status");
    badge.textContent = run.status; badge.className = "badge s-" + run.status;
    $("#run-duration").textContent = run.duration != null ? run.duration.toFixed(2) + "s" : "running\u2026";
    $("#resume").hidden = !(run.finished && run.status !== "SUCCESS");
  }

  function renderFailures() {
    var box = $("#failures"); box.textContent = "";
    var failed = run.steps_list.filter(function (s) { return s.status === "failed" && s.error; });
    failed.forEach(function (s) {
      var p = el("section", {class: "panel failure", "data-step": s.key});
      p.appendChild(el("h2", {}, "step " + s.key + " failed"));
      p.appendChild(el("div", {class: "error failure-message"}, s.error.message));
      if (s.error.user_traceback) {
        p.appendChild(el("div", {class: "muted"}, "Traceback (your code):"));
        p.appendChild(el("pre", {class: "traceback"}, s.error.user_traceback));
      }
      var d = el("details"); d.appendChild(el("summary", {}, "whole traceback"));
      d.appendChild(el("pre", {}, s.error.traceback)); p.appendChild(d);
      var show = el("button", {type: "button"}, "show this step's events");
      show.addEventListener("click", function () { $("#ev-step").value = s.key; $("#ev-level").value = ""; refilter(); });
      p.appendChild(show);
      box.appendChild(p);
    });
    if (run.run_error && !failed.length) {
      var p = el("section", {class: "panel failure"});
      p.appendChild(el("h2", {}, "run failed"));
      p.appendChild(el("div", {class: "error failure-message"}, run.run_error.message));
      p.appendChild(el("pre", {class: "traceback"}, run.run_error.traceback));
      box.appendChild(p);
    }
  }

  function renderGantt() {
    var box = $("#gantt"); box.textContent = "";
    var steps = run.steps_list.filter(function (s) { return s.start; });
    if (!steps.length) { box.appendChild(el("span", {class: "muted"}, "no step has started yet")); return; }
    var now = Date.now() / 1000;
    var t0 = Math.min.apply(null, steps.map(function (s) { return s.start; }));
    var t1 = Math.max.apply(null, steps.map(function (s) { return s.end || (run.finished ? run.last_ts : now); }));
    var span = Math.max(t1 - t0, 0.001), width = Math.max(box.clientWidth - 24, 400), left = 130;
    var lanes = {}, order = [];
    steps.forEach(function (s) {
      var lane = s.status === "skipped" ? "skipped" : (s.worker ? "worker " + s.worker : "worker ?");
      if (!lanes[lane]) { lanes[lane] = []; order.push(lane); }
      var rows = lanes[lane], end = s.end || t1, placed = false;
      for (var i = 0; i < rows.length && !placed; i++) {
        if (rows[i].end <= s.start + 1e-6) { rows[i].items.push(s); rows[i].end = end; placed = true; }
      }
      if (!placed) rows.push({end: end, items: [s]});
    });
    var y = 18, svg = sv("svg", {role: "img", "aria-label": "steps over time"}), scale = (width - left) / span;
    for (var t = 0; t <= 4; t++) {
      svg.appendChild(sv("text", {x: left + (width - left) * t / 4, y: 12, class: "axis", "text-anchor": t === 4 ? "end" : "middle"}, "+" + (span < 1 ? (span * t / 4 * 1000).toFixed(span < 0.02 ? 1 : 0) + "ms" : (span * t / 4).toFixed(span < 4 ? 2 : 1) + "s")));
    }
    order.forEach(function (lane) {
      svg.appendChild(sv("text", {x: 0, y: y + 15, class: "lane-name"}, lane));
      lanes[lane].forEach(function (row) {
        row.items.forEach(function (s) {
          var x = left + (s.start - t0) * scale, w = Math.max(3, ((s.end || t1) - s.start) * scale);
          var g = sv("g", {class: "step st-" + s.status, "data-step": s.key});
          g.appendChild(sv("title", {}, s.key + ": " + s.status + (s.end ? " in " + (s.end - s.start).toFixed(3) + "s" : "")
                                        + (s.skip_reason ? " (" + s.skip_reason + ")" : "")));
          g.appendChild(sv("rect", {class: "bar", x: x, y: y + 2, width: w, height: 18, rx: 3}));
          if (w > 40) g.appendChild(sv("text", {class: "bar-label", x: x + 4, y: y + 15}, U.short(s.key, Math.floor(w / 7))));
          g.addEventListener("click", function () { $("#ev-step").value = s.key; refilter(); });
          svg.appendChild(g);
        });
        y += 22;
      });
    });
    svg.setAttribute("viewBox", "0 0 " + width + " " + (y + 4)); svg.setAttribute("height", y + 4);
    box.appendChild(svg);
  }

  /* events */
  var rowsEl = $("#events .rows"), spacer = $("#events .spacer"), pages = {}, total = 0, drawn = {};
  var filters = {level: "", step: "", q: ""};
  function readHash() {
    var h = new URLSearchParams(location.hash.slice(1));
    filters = {level: h.get("level") || "", step: h.get("step") || "", q: h.get("q") || ""};
    $("#ev-level").value = filters.level; $("#ev-step").value = filters.step; $("#ev-text").value = filters.q;
  }
  function fillSteps() {
    var select = $("#ev-step"), have = {};
    U.$all("option", select).forEach(function (o) { have[o.value] = true; });
    run.steps_list.forEach(function (s) { if (!have[s.key]) select.appendChild(el("option", {value: s.key}, s.key)); });
  }
  var ORDER = ["debug", "info", "warning", "error", "critical"];
  function localFilter() {
    var floor = Math.max(0, ORDER.indexOf(filters.level)), q = filters.q.toLowerCase();
    return embedded.filter(function (r) {
      return ORDER.indexOf(r.level) >= floor && (!filters.step || r.step === filters.step)
        && (!q || r.message.toLowerCase().indexOf(q) >= 0 || r.type.toLowerCase().indexOf(q) >= 0);
    });
  }
  var localRows = null;
  function loadPage(p) {
    if (pages[p]) return Promise.resolve(pages[p]);
    if (embedded) {
      localRows = localRows || localFilter(); total = localRows.length;
      pages[p] = localRows.slice(p * PAGE, (p + 1) * PAGE); return Promise.resolve(pages[p]);
    }
    var q = "/api/runs/" + encodeURIComponent(run.run_id) + "/events?offset=" + p * PAGE + "&limit=" + PAGE
      + "&level=" + encodeURIComponent(filters.level) + "&step=" + encodeURIComponent(filters.step) + "&q=" + encodeURIComponent(filters.q);
    pages[p] = U.getJSON(q).then(function (res) { total = res.total; pages[p] = res.rows; return res.rows; });
    return pages[p];
  }
  function rowEl(r, i) {
    var d = el("div", {class: "row lv-" + r.level, style: "top:" + i * ROW + "px", "data-i": r.i});
    d.appendChild(el("span", {class: "mono", title: U.fmtTime(r.ts)}, U.fmtTime(r.ts).slice(11)));
    d.appendChild(el("span", {class: "lv"}, r.level));
    d.appendChild(el("span", {class: "mono"}, r.type));
    d.appendChild(el("span", {class: "mono", title: r.step}, r.step));
    d.appendChild(el("span", {class: "msg", title: r.message}, r.message));
    return d;
  }
  function draw() {
    var first = Math.floor(rowsEl.scrollTop / ROW), last = first + Math.ceil(rowsEl.clientHeight / ROW) + 4;
    var needed = {};
    for (var p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) needed[p] = true;
    Promise.all(Object.keys(needed).map(function (p) { return Promise.resolve(loadPage(+p)).then(function (rows) { return [+p, rows]; }); }))
      .then(function (loaded) {
        spacer.style.height = total * ROW + "px";
        $("#ev-count").textContent = total + " event(s)" + (filters.level || filters.step || filters.q ? " match the filters" : "");
        var keep = {};
        loaded.forEach(function (pr) {
          pr[1].forEach(function (r, j) {
            var i = pr[0] * PAGE + j;
            if (i < first || i > last) return;
            keep[i] = true;
            if (!drawn[i]) { drawn[i] = rowEl(r, i); rowsEl.appendChild(drawn[i]); }
          });
        });
        Object.keys(drawn).forEach(function (i) { if (!keep[i]) { drawn[i].remove(); delete drawn[i]; } });
      });
  }
  function reset() { pages = {}; localRows = null; Object.keys(drawn).forEach(function (i) { drawn[i].remove(); }); drawn = {}; }
  function refilter() {
    filters = {level: $("#ev-level").value, step: $("#ev-step").value, q: $("#ev-text").value.trim()};
    var h = new URLSearchParams(); Object.keys(filters).forEach(function (k) { if (filters[k]) h.set(k, filters[k]); });
    history.replaceState(null, "", location.pathname + location.search + (h.toString() ? "#" + h : ""));
    reset(); rowsEl.scrollTop = 0; draw();
  }
  ["#ev-level", "#ev-step"].forEach(function (s) { $(s).addEventListener("change", refilter); });
  var typing; $("#ev-text").addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(refilter, 200); });
  rowsEl.addEventListener("scroll", function () { window.requestAnimationFrame(draw); });

  function renderAll() { renderHeader(); renderFailures(); renderGantt(); fillSteps(); }
  renderAll(); readHash(); draw();

  var again = $("#reexecute");
  if (again) again.addEventListener("click", function () {
    again.disabled = true;
    U.postJSON("/api/runs/" + encodeURIComponent(run.run_id) + "/reexecute", {})
      .then(function (res) { U.showLaunch($("#launch-result"), res); })
      .catch(function (e) { $("#launch-result").textContent = e.message; })
      .then(function () { again.disabled = false; });
  });
  if (U.APP && !run.finished) {  /* server-sent events until the run ends */
    U.follow("/api/runs/" + encodeURIComponent(run.run_id) + "/stream", "run", function (fresh, source) {
      var grew = fresh.event_count !== run.event_count;
      run = fresh; renderAll();
      if (grew) { reset(); draw(); }
      if (run.finished) source.close();
    });
  }
};
