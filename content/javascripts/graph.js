// The relation graph page (graph/): pan and zoom the Graphviz drawing, click a body to see its
// links and open its page, show or hide each kind of link. No library; served from the site.
// Graphviz writes each node as <g class="node"><title>ID</title>…</g> and each edge as
// <g class="edge qd-rel-RELATION"><title>U->V</title>…</g>; that is all this script reads.
(function () {
  "use strict";

  function setup(view) {
    var svg = view.querySelector("svg");
    if (!svg || view.dataset.qdReady) return;
    view.dataset.qdReady = "1";
    var panel = document.getElementById("qd-graph-panel");
    var box = svg.viewBox.baseVal;
    var home = { x: box.x, y: box.y, w: box.width, h: box.height };
    var current = Object.assign({}, home);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");

    function apply() {
      svg.setAttribute("viewBox", [current.x, current.y, current.w, current.h].join(" "));
    }
    function zoom(factor, cx, cy) {
      var w = Math.min(home.w * 4, Math.max(home.w / 20, current.w * factor));
      var h = (current.h * w) / current.w;
      if (cx === undefined) { cx = current.x + current.w / 2; cy = current.y + current.h / 2; }
      current.x = cx - ((cx - current.x) * w) / current.w;
      current.y = cy - ((cy - current.y) * h) / current.h;
      current.w = w;
      current.h = h;
      apply();
    }
    function toSvg(clientX, clientY) {
      var r = svg.getBoundingClientRect();
      var scale = Math.max(current.w / r.width, current.h / r.height);
      var offX = (r.width * scale - current.w) / 2, offY = (r.height * scale - current.h) / 2;
      return { x: current.x - offX + (clientX - r.left) * scale, y: current.y - offY + (clientY - r.top) * scale, s: scale };
    }

    view.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = toSvg(e.clientX, e.clientY);
      zoom(e.deltaY > 0 ? 1.2 : 1 / 1.2, p.x, p.y);
    }, { passive: false });

    var drag = null, moved = false;
    view.addEventListener("pointerdown", function (e) {
      drag = { x: e.clientX, y: e.clientY, vx: current.x, vy: current.y, s: toSvg(0, 0).s };
      moved = false;
    });
    view.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) moved = true;
      if (!moved) return;
      current.x = drag.vx - dx * drag.s;
      current.y = drag.vy - dy * drag.s;
      apply();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      view.addEventListener(name, function () { drag = null; });
    });

    var controls = document.querySelectorAll("[data-qd-zoom]");
    controls.forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-qd-zoom");
        if (how === "in") zoom(1 / 1.4);
        else if (how === "out") zoom(1.4);
        else { current = Object.assign({}, home); apply(); }
      });
    });

    // nodes and the edges touching them
    var nodes = {};
    svg.querySelectorAll("g.node").forEach(function (g) {
      var title = g.querySelector("title");
      if (title) nodes[title.textContent] = g;
    });
    var edges = [];
    svg.querySelectorAll("g.edge").forEach(function (g) {
      var title = g.querySelector("title");
      if (!title) return;
      var ends = title.textContent.split(/->|--/);
      var rel = (g.getAttribute("class") || "").split(/\s+/).filter(function (c) { return c.indexOf("qd-rel-") === 0; })[0];
      edges.push({ g: g, u: ends[0], v: ends[1], rel: rel ? rel.slice(7) : "" });
    });

    function nameOf(id) {
      var g = nodes[id];
      var texts = g ? g.querySelectorAll("text") : [];
      var words = [];
      texts.forEach(function (t) { words.push(t.textContent); });
      return words.join("") || id;
    }
    function hrefOf(id) {
      var link = nodes[id] && nodes[id].querySelector("a");
      return link ? link.getAttribute("href") || link.getAttribute("xlink:href") : null;
    }
    function labelOf(edge) {
      var title = edge.g.querySelector("a") ? edge.g.querySelector("a").getAttribute("xlink:title") || edge.g.querySelector("a").getAttribute("title") : null;
      var text = [];
      edge.g.querySelectorAll("text").forEach(function (t) { text.push(t.textContent); });
      return text.join("") || (title || "").split("\n")[0];
    }

    function select(id) {
      svg.classList.add("qd-dim");
      Object.keys(nodes).forEach(function (k) { nodes[k].classList.remove("qd-on"); });
      edges.forEach(function (e) { e.g.classList.remove("qd-on"); });
      nodes[id].classList.add("qd-on");
      var rows = [];
      edges.forEach(function (e) {
        if (e.u !== id && e.v !== id) return;
        if (e.g.classList.contains("qd-off")) return;
        e.g.classList.add("qd-on");
        var other = e.u === id ? e.v : e.u;
        if (nodes[other]) nodes[other].classList.add("qd-on");
        rows.push({ other: other, label: labelOf(e) });
      });
      panel.textContent = "";
      var head = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = nameOf(id);
      head.appendChild(strong);
      var href = hrefOf(id);
      if (href) {
        head.appendChild(document.createTextNode(" · "));
        var open = document.createElement("a");
        open.href = href;
        open.textContent = "打开页面";
        head.appendChild(open);
      }
      panel.appendChild(head);
      var list = document.createElement("ul");
      list.className = "qd-graph-neighbours";
      rows.forEach(function (row) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#";
        link.textContent = nameOf(row.other);
        link.addEventListener("click", function (ev) { ev.preventDefault(); if (nodes[row.other]) select(row.other); });
        li.appendChild(link);
        li.appendChild(document.createTextNode("：" + row.label));
        list.appendChild(li);
      });
      if (!rows.length) {
        var none = document.createElement("li");
        none.textContent = "（当前显示的关系中没有与其相连的机构）";
        list.appendChild(none);
      }
      panel.appendChild(list);
      panel.hidden = false;
    }

    Object.keys(nodes).forEach(function (id) {
      nodes[id].addEventListener("click", function (e) {
        e.preventDefault();
        if (moved) return;
        select(id);
      });
    });

    document.querySelectorAll("input[data-qd-rel]").forEach(function (box) {
      box.addEventListener("change", function () {
        var rel = box.getAttribute("data-qd-rel");
        edges.forEach(function (e) {
          if (e.rel === rel) e.g.classList.toggle("qd-off", !box.checked);
        });
      });
    });
  }

  function start() {
    document.querySelectorAll(".qd-graph-view").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // the drawing is put into the page after load by the inline hook on some pages
  window.addEventListener("load", start);
})();
