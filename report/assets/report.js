// tailor's HTML report. Everything on the page is drawn from the JSON in
// the page's application/json script elements, as text nodes and
// attributes: never as markup, so that values from the logs (user agents,
// session names, resource names) stay text. A principal's data is parsed
// only when it is opened.
(function () {
  "use strict";

  var SVGNS = "http://www.w3.org/2000/svg";
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var RANK = { critical: 5, high: 4, medium: 3, low: 2, info: 1, "": 0 };

  // h builds an element: h("td", {class: "num"}, "12", child...). Strings
  // become text nodes.
  function h(tag, attrs) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function s(tag, attrs) {
    var el = document.createElementNS(SVGNS, tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (/^on/i.test(k)) throw new Error("event handler attribute " + k);
      el.setAttribute(k, v === true ? "" : String(v));
    });
  }
  function append(el, c) {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(el, x); }); return; }
    if (typeof c === "string" || typeof c === "number") { el.appendChild(document.createTextNode(String(c))); return; }
    el.appendChild(c);
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    return JSON.parse(el.textContent);
  }

  function num(n) { return (n || 0).toLocaleString("en-US"); }
  function day(t) { return t ? String(t).slice(0, 10) : "–"; }
  function time(t) { return t ? String(t).replace("T", " ").replace(/(\.\d+)?Z$/, " UTC") : "–"; }
  function pct(x) { return x === null || x === undefined ? "–" : (Math.round(x * 1000) / 10).toFixed(1) + "%"; }
  function plural(n, one, many) { return num(n) + " " + (n === 1 ? one : many); }
  function sevChip(sev) {
    var name = sev || "none";
    return h("span", { class: "sev sev-" + name }, sev || "no finding");
  }

  var index = readJSON("tailor-index");

  // detail returns (a promise of) a principal's document: gzipped JSON in
  // base64, unpacked on first use.
  var details = {};
  function detail(id) {
    if (!(id in details)) {
      var el = document.getElementById("tailor-" + id);
      if (!el || !/^p\d+$/.test(id)) return Promise.resolve(null);
      var bin = atob(el.textContent.trim()), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      details[id] = new Response(stream).text().then(JSON.parse);
    }
    return details[id];
  }

  // ---- header -------------------------------------------------------------

  function renderHeader() {
    var t = document.getElementById("title");
    t.textContent = "Access review of account " + (index.account || "unknown");
    var sub = [];
    if (index.window && index.window.since) sub.push("Logs from " + day(index.window.since) + " to " + day(index.window.until));
    else sub.push("No logs read");
    if (index.now) sub.push("ages judged at " + time(index.now));
    if (index.tool) sub.push(index.tool);
    if (index.generated) sub.push("generated " + time(index.generated));
    document.getElementById("subtitle").textContent = sub.join(" · ");
  }

  // ---- overview -----------------------------------------------------------

  function card(value, label) {
    return h("div", { class: "card" }, h("span", { class: "num" }, value), h("span", { class: "lbl" }, label));
  }

  function renderOverview() {
    var sec = document.getElementById("overview");
    clear(sec);
    sec.appendChild(h("h2", { id: "overview-h" }, "Overview"));
    var c = index.counts;
    var cov = index.coverage;
    var unreadable = cov ? cov.unreadable || [] : [];
    var noRecords = cov && !(cov.total || []).some(function (n) { return n > 0; });
    var partial = [];
    if (unreadable.length) partial.push(plural(unreadable.length, "log file", "log files") + " could not be read whole: the records after each break are missing (see Coverage)");
    if (noRecords) partial.push("the logs hold no CloudTrail records in the window: nothing is judged from them and no policy is suggested");
    if (partial.length) sec.appendChild(h("p", { class: "warn", id: "partial-input", role: "alert" }, "Input partial: " + partial.join("; ") + "."));
    var accounts = [index.account].concat((index.own_accounts || []).filter(function (a) { return a !== index.account; }));
    var cards = h("div", { class: "cards", id: "overview-cards" },
      card(num(index.totals.principals), "principals reviewed"),
      card(num(index.totals.third_parties), "third parties"),
      card(num(index.totals.findings), "findings"),
      card(num(index.days.length), "days in the window"),
      card(num(index.totals.suggestions), "policies rightsized"));
    sec.appendChild(cards);

    var dl = h("dl", { class: "facts" });
    function fact(k, v) { dl.appendChild(h("dt", null, k)); dl.appendChild(h("dd", null, v)); }
    fact("Account", index.account || "unknown");
    if (accounts.length > 1) fact("Accounts treated as yours", accounts.join(", "));
    fact("Window", index.window && index.window.since ? day(index.window.since) + " to " + day(index.window.until) : "no logs read");
    if (cov) {
      var accts = {}, regions = {};
      cov.series.forEach(function (x) { accts[x.account] = 1; regions[x.region] = 1; });
      fact("Accounts with logs", Object.keys(accts).join(", ") || "none");
      fact("Regions with logs", Object.keys(regions).join(", ") || "none");
      fact("Data events from", cov.data_event_sources.length ? cov.data_event_sources.join(", ") : "none (data events were not logged)");
    }
    if (index.catalog) fact("IAM catalog", index.catalog);
    var inputs = [];
    var inp = index.inputs || {};
    if (inp.iam) inputs.push(inp.iam + " (IAM)");
    if (inp.usage) inputs.push(inp.usage + (unreadable.length ? " (usage; " + plural(unreadable.length, "log file", "log files") + " could not be read whole)" : " (usage)"));
    if (inp.events) inputs.push(inp.events + " (activity)");
    if (inp.credential_report) inputs.push(inp.credential_report + " (credentials)");
    if (inp.vendors) inputs.push(inp.vendors + " (" + plural(inp.vendor_entries, "vendor", "vendors") + ")");
    if (inputs.length) fact("Read", inputs.join(", "));
    sec.appendChild(dl);

    sec.appendChild(h("h3", null, "Findings by severity"));
    var sevs = h("ul", { class: "legend", id: "severity-counts" });
    SEVERITIES.forEach(function (sv) {
      sevs.appendChild(h("li", null, sevChip(sv), h("span", null, num(c[sv]))));
    });
    sec.appendChild(sevs);

    sec.appendChild(h("h3", null, "Coverage"));
    if (!cov) {
      sec.appendChild(h("p", { class: "empty" }, "No usage index was read: coverage unknown."));
    } else if (noRecords) {
      sec.appendChild(h("p", { class: "warn", id: "no-records" }, "The logs hold no CloudTrail records in the window: no day, account or region has logs."));
    }
    if (cov && unreadable.length) sec.appendChild(unreadableTable(unreadable));
    if (cov && !noRecords && index.days.length) {
      sec.appendChild(coverageChart(cov));
      var gaps = h("div", { id: "coverage-gaps" });
      if (!cov.missing_days.length && !cov.gaps.length && !unreadable.length) {
        gaps.appendChild(h("p", null, "Every day of the window has logs for every account and region seen."));
      } else {
        if (cov.missing_days.length) {
          gaps.appendChild(h("p", { class: "warn" }, "No logs at all on " + plural(cov.missing_days.length, "day", "days") + ": " +
            cov.missing_days.join(", ") + ". Nothing is called unused on the strength of those days."));
        }
        if (cov.gaps.length) {
          var t = h("table", null, h("caption", { class: "muted" }, "Days without logs for an account and region that has logs on other days"),
            h("thead", null, h("tr", null, h("th", { scope: "col" }, "Account"), h("th", { scope: "col" }, "Region"),
              h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "To"), h("th", { scope: "col", class: "num" }, "Days"))));
          var tb = h("tbody");
          cov.gaps.slice(0, 200).forEach(function (g) {
            tb.appendChild(h("tr", null, h("td", null, g.account), h("td", null, g.region), h("td", null, g.from), h("td", null, g.to), h("td", { class: "num" }, num(g.days))));
          });
          t.appendChild(tb);
          gaps.appendChild(t);
          if (cov.gaps.length > 200) gaps.appendChild(h("p", { class: "muted" }, "… and " + num(cov.gaps.length - 200) + " more gaps."));
        }
      }
      sec.appendChild(gaps);
    }
    if (index.notes && index.notes.length) {
      sec.appendChild(h("h3", null, "Notes"));
      var ul = h("ul");
      index.notes.forEach(function (n) { ul.appendChild(h("li", { class: "wrap" }, n)); });
      sec.appendChild(ul);
    }
  }

  // unreadableTable lists the log files that could not be read whole, and
  // whose records they held: which account, region and day lost records.
  function unreadableTable(unreadable) {
    var t = h("table", { id: "unreadable" }, h("caption", { class: "warn" }, plural(unreadable.length, "log file", "log files") +
      " could not be read whole: the records before each break are counted, those after it are missing. " +
      "Days, accounts and regions that lost records are marked in the chart."),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "File"), h("th", { scope: "col" }, "Account"), h("th", { scope: "col" }, "Region"),
        h("th", { scope: "col" }, "Day"), h("th", { scope: "col", class: "num" }, "Records read"))));
    var tb = h("tbody");
    unreadable.slice(0, 200).forEach(function (u) {
      tb.appendChild(h("tr", null, h("td", { class: "wrap" }, u.file), h("td", null, u.account || "?"), h("td", null, u.region || "?"),
        h("td", null, u.day || "?"), h("td", { class: "num" }, num(u.records_read))));
    });
    t.appendChild(tb);
    var wrap = h("div", { id: "coverage-unreadable" }, t);
    if (unreadable.length > 200) wrap.appendChild(h("p", { class: "muted" }, "… and " + num(unreadable.length - 200) + " more files."));
    return wrap;
  }

  // coverageChart draws a grid: one row per account and region, one
  // column per day, shaded by the number of records; empty days outlined,
  // days of which a log file could not be read whole marked.
  function coverageChart(cov) {
    var days = index.days, cell = Math.max(4, Math.min(18, Math.floor(820 / Math.max(days.length, 1)))), left = 230, top = 18;
    var rows = cov.series.slice(0, 60);
    var width = left + days.length * cell + 10, height = top + rows.length * (cell + 4) + 24;
    var max = 1;
    rows.forEach(function (r) { r.records.forEach(function (n) { if (n > max) max = n; }); });
    var label = "Records per day for " + plural(rows.length, "account and region", "accounts and regions") + " over " + plural(days.length, "day", "days") +
      "; " + plural(cov.gaps.length, "gap", "gaps") + ".";
    var svg = s("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label, id: "coverage-chart" });
    svg.appendChild(s("title", null, label));
    svg.appendChild(s("text", { x: left, y: 12, class: "muted-text" }, days[0]));
    if (days.length > 1) svg.appendChild(s("text", { x: left + days.length * cell, y: 12, "text-anchor": "end", class: "muted-text" }, days[days.length - 1]));
    rows.forEach(function (r, i) {
      var y = top + i * (cell + 4);
      svg.appendChild(s("text", { x: 0, y: y + cell - 2 }, r.account + " " + r.region));
      var lost = {};
      (r.lost || []).forEach(function (d) { lost[d] = 1; });
      r.records.forEach(function (n, d) {
        var x = left + d * cell;
        var title = days[d] + " " + r.account + " " + r.region + ": " + (n ? plural(n, "record", "records") : "no logs");
        if (lost[d]) title += "; records lost: a log file of this day could not be read whole";
        if (!n) {
          svg.appendChild(s("rect", { x: x + 0.5, y: y + 0.5, width: cell - 1, height: cell - 1, class: lost[d] ? "cov-gap cov-lost" : "cov-gap" }, s("title", null, title)));
        } else {
          var a = 0.25 + 0.75 * Math.log(1 + n) / Math.log(1 + max);
          svg.appendChild(s("rect", { x: x, y: y, width: cell, height: cell, class: lost[d] ? "cov-cell bar cov-lost" : "cov-cell bar", "fill-opacity": a.toFixed(2) }, s("title", null, title)));
        }
      });
    });
    var wrap = h("div", { class: "graph-wrap" }, svg);
    if (cov.series.length > rows.length) wrap.appendChild(h("p", { class: "muted" }, "The first 60 of " + num(cov.series.length) + " accounts and regions are drawn."));
    return wrap;
  }

  // ---- third parties ------------------------------------------------------

  var listState = { q: "", min: "", kind: "", all: false, sort: "worst", shown: 200 };

  function renderList() {
    var sec = document.getElementById("third-parties");
    clear(sec);
    sec.appendChild(h("h2", { id: "third-parties-h" }, "Third parties"));
    sec.appendChild(h("p", { class: "muted" }, "Everyone outside your accounts who can get in, worst finding first. Open one for its trust, findings, access graph, suggested policy and activity."));
    var q = h("input", { type: "search", id: "filter-q", placeholder: "name, ARN, vendor, account", value: listState.q });
    var min = h("select", { id: "filter-severity" }, h("option", { value: "" }, "any"), SEVERITIES.map(function (sv) {
      return h("option", { value: sv, selected: listState.min === sv }, sv + " and worse");
    }));
    var kinds = {};
    index.principals.forEach(function (p) { kinds[p.kind] = 1; });
    var kind = h("select", { id: "filter-kind" }, h("option", { value: "" }, "any"), Object.keys(kinds).sort().map(function (k) {
      return h("option", { value: k, selected: listState.kind === k }, k);
    }));
    var all = h("input", { type: "checkbox", id: "filter-all", checked: listState.all });
    var sort = h("select", { id: "sort" },
      [["worst", "worst finding"], ["name", "name"], ["assumed", "last assumed"], ["unused", "share unused"], ["calls", "calls"]].map(function (o) {
        return h("option", { value: o[0], selected: listState.sort === o[0] }, o[1]);
      }));
    sec.appendChild(h("div", { class: "controls", role: "search" },
      h("label", null, "Search", q), h("label", null, "Severity", min), h("label", null, "Kind", kind), h("label", null, "Sort by", sort),
      h("label", { class: "inline" }, all, "also principals that are not third parties")));
    var status = h("p", { id: "list-status", "aria-live": "polite" });
    sec.appendChild(status);
    var table = h("table", { id: "party-table" },
      h("thead", null, h("tr", null,
        h("th", { scope: "col" }, "Severity"), h("th", { scope: "col" }, "Principal"), h("th", { scope: "col" }, "Vendor"),
        h("th", { scope: "col" }, "Outside accounts"), h("th", { scope: "col" }, "Last assumed"),
        h("th", { scope: "col", class: "num" }, "Unused"), h("th", { scope: "col", class: "num" }, "Findings"))));
    var tbody = h("tbody");
    table.appendChild(tbody);
    sec.appendChild(table);
    var more = h("button", { type: "button", class: "more", id: "list-more" }, "Show more");
    sec.appendChild(more);

    function update() {
      listState.q = q.value; listState.min = min.value; listState.kind = kind.value; listState.all = all.checked; listState.sort = sort.value;
      var terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var rows = index.principals.filter(function (p) {
        if (!listState.all && !p.third_party) return false;
        if (listState.kind && p.kind !== listState.kind) return false;
        if (listState.min && RANK[p.worst] < RANK[listState.min]) return false;
        if (!terms.length) return true;
        var hay = [p.name, p.arn, p.kind].concat(p.vendors, p.accounts).join(" ").toLowerCase();
        return terms.every(function (t) { return hay.indexOf(t) >= 0; });
      });
      var by = {
        name: function (a, b) { return a.name.localeCompare(b.name); },
        assumed: function (a, b) { return String(b.last_assumed || "").localeCompare(String(a.last_assumed || "")); },
        unused: function (a, b) { return (b.unused_share === null ? -1 : b.unused_share) - (a.unused_share === null ? -1 : a.unused_share); },
        calls: function (a, b) { return b.calls - a.calls; }
      }[listState.sort];
      if (by) rows = rows.slice().sort(by);
      clear(tbody);
      rows.slice(0, listState.shown).forEach(function (p) { tbody.appendChild(listRow(p)); });
      if (!rows.length) tbody.appendChild(h("tr", null, h("td", { colspan: 7, class: "empty" }, "No principal matches.")));
      status.textContent = "Showing " + num(Math.min(rows.length, listState.shown)) + " of " + plural(rows.length, "match", "matches") +
        " (" + plural(index.principals.length, "principal", "principals") + " reviewed).";
      more.hidden = rows.length <= listState.shown;
    }
    [q, min, kind, all, sort].forEach(function (el) {
      el.addEventListener(el === q ? "input" : "change", function () { listState.shown = 200; update(); });
    });
    more.addEventListener("click", function () { listState.shown += 200; update(); });
    update();
  }

  function listRow(p) {
    var link = h("a", { href: "#p/" + p.id, class: "wrap" }, label(p));
    var tr = h("tr", { class: "clickable", "data-id": p.id },
      h("td", null, sevChip(p.worst)),
      h("td", null, link, h("div", { class: "muted mono wrap" }, p.arn)),
      h("td", null, p.vendors.length ? p.vendors.join(", ") : h("span", { class: "muted" }, p.kind === "user" ? "IAM user" : "unknown")),
      h("td", { class: "mono" }, p.accounts.join(", ") || "–"),
      h("td", null, day(p.last_assumed)),
      h("td", { class: "num" }, pct(p.unused_share)),
      h("td", { class: "num" }, findingCounts(p.counts)));
    tr.addEventListener("click", function (e) { if (e.target.tagName !== "A") location.hash = "#p/" + p.id; });
    return tr;
  }

  // resNoun names a resource type for people, as the text report does.
  var RES_NOUNS = {
    "AWS::S3::Bucket": "bucket", "AWS::KMS::Key": "key", "AWS::SQS::Queue": "queue", "AWS::SNS::Topic": "topic",
    "AWS::SecretsManager::Secret": "secret", "AWS::Lambda::Function": "function", "AWS::Lambda::LayerVersion": "layer",
    "AWS::ECR::Repository": "repository", "AWS::Events::EventBus": "event bus", "AWS::EC2::Image": "AMI",
    "AWS::EC2::Snapshot": "EBS snapshot", "AWS::RDS::DBSnapshot": "RDS snapshot", "AWS::RDS::DBClusterSnapshot": "RDS snapshot",
    "AWS::Backup::BackupVault": "backup vault", "AWS::OpenSearchService::Domain": "OpenSearch domain"
  };
  function resNoun(t) {
    if (RES_NOUNS[t]) return RES_NOUNS[t];
    var parts = String(t || "").split("::");
    return parts.length === 3 ? parts[2] : "resource";
  }
  function label(p) {
    if (p.kind === "account") return "account " + ((p.accounts && p.accounts[0]) || p.name);
    if (p.kind === "resource") return resNoun(p.resource_type) + " " + p.name;
    return p.name;
  }

  function findingCounts(c) {
    var parts = [];
    SEVERITIES.forEach(function (sv) { if (c[sv]) parts.push(c[sv] + " " + sv); });
    return parts.join(", ") || "none";
  }

  // ---- one principal ------------------------------------------------------

  var shown = null; // the principal the detail section shows
  function renderDetail(id) {
    var sec = document.getElementById("detail");
    if (shown === id) return Promise.resolve();
    shown = id;
    clear(sec);
    sec.appendChild(h("p", { class: "muted" }, "Loading…"));
    var t0 = performance.now();
    return detail(id).then(function (d) {
      if (shown !== id) return;
      drawDetail(sec, id, d);
      document.documentElement.setAttribute("data-render-ms", (performance.now() - t0).toFixed(1));
      var hd = document.getElementById("detail-h");
      if (hd) { hd.setAttribute("tabindex", "-1"); hd.focus({ preventScroll: true }); }
    }, function (err) {
      clear(sec);
      sec.appendChild(h("p", { class: "warn" }, "This principal's data cannot be read: " + err));
    });
  }

  function drawDetail(sec, id, d) {
    clear(sec);
    var sum = index.principals.filter(function (p) { return p.id === id; })[0];
    if (!d || !sum) {
      sec.appendChild(h("p", { class: "warn" }, "No principal " + id + " in this report."));
      return;
    }
    sec.appendChild(h("p", { class: "back" }, h("a", { href: "#third-parties" }, "← All third parties")));
    var title = d.kind === "account" ? "Account " + (sum.accounts[0] || d.name) + (sum.vendors.length ? " (" + sum.vendors.join(", ") + ")" : "") :
      d.kind === "resource" ? label(d) : d.kind + " " + d.name;
    sec.appendChild(h("h2", { id: "detail-h" }, sevChip(d.worst), " ", title));
    var dl = h("dl", { class: "facts" });
    function fact(k, v) { dl.appendChild(h("dt", null, k)); dl.appendChild(h("dd", null, v)); }
    fact("ARN", h("span", { class: "mono" }, d.arn));
    if (d.resource_type) fact("Resource type", h("span", { class: "mono" }, d.resource_type));
    if (d.reasons.length) fact("Why it is here", d.reasons.join("; "));
    if (sum.last_used) fact("Last used", time(sum.last_used));
    if (sum.unused_share !== null) fact("Permissions unused", pct(sum.unused_share) + " (" + num(sum.used) + " of " + plural(sum.granted, "granted action", "granted actions") + " used)");
    sec.appendChild(dl);

    sec.appendChild(d.kind === "resource" ? resourcePartiesSection(d) : trustSection(d));
    if (d.doors && d.doors.length) sec.appendChild(doorsSection(d));
    sec.appendChild(findingsSection(d));
    sec.appendChild(graphSection(d));
    sec.appendChild(policySection(d));
    sec.appendChild(activitySection(d));
  }

  function trustSection(d) {
    var div = h("div", { id: "trust" }, h("h3", null, "Who can get in"));
    if (!d.parties.length && !d.trust) {
      div.appendChild(h("p", { class: "empty" }, d.kind === "user" ? "An IAM user: whoever holds its access keys." : "No outside party is named."));
      return div;
    }
    if (d.parties.length) {
      var t = h("table", null, h("thead", null, h("tr", null,
        h("th", { scope: "col" }, "Account"), h("th", { scope: "col" }, "Vendor"), h("th", { scope: "col" }, "Kind"),
        h("th", { scope: "col" }, "Admitted as"), h("th", { scope: "col" }, "ExternalId"), h("th", { scope: "col" }, "Today's trust"),
        h("th", { scope: "col", class: "num" }, "Assumed"), h("th", { scope: "col" }, "Last assumed"), h("th", { scope: "col", class: "num" }, "Refused"))));
      var tb = h("tbody");
      d.parties.forEach(function (p) {
        tb.appendChild(h("tr", null,
          h("td", { class: "mono" }, p.account || (p.kind === "anyone" ? "* (anyone)" : "–")),
          h("td", null, p.vendor || "–"),
          h("td", null, p.kind),
          h("td", { class: "mono wrap" }, (p.principals || []).join(", ") || "–"),
          h("td", null, p.kind === "identity-provider" ? "–" : p.external_id ? "required" : h("strong", null, "not required")),
          h("td", null, p.trusted ? "admits it" : h("strong", null, "no longer admits it")),
          h("td", { class: "num" }, num(p.assumptions)),
          h("td", null, time(p.last_assumed)),
          h("td", { class: "num" }, num(p.denied_assumptions))));
      });
      t.appendChild(tb);
      div.appendChild(t);
    }
    if (d.trust) {
      if (d.trust.external_ids.length) {
        div.appendChild(h("p", null, "ExternalId values (never shown; length and fingerprint only): ",
          d.trust.external_ids.map(function (m) { return h("span", { class: "pill mono" }, m.length + " characters, " + m.fingerprint); })));
      }
      if (d.trust.error) div.appendChild(h("p", { class: "warn" }, d.trust.error));
      if (d.trust.policy) {
        div.appendChild(h("details", null, h("summary", null, "Trust policy (ExternalId values masked)"), h("pre", { class: "wrap" }, d.trust.policy)));
      }
    }
    return div;
  }

  // resourcePartiesSection lists who a resource's policy, sharing or grants
  // let in, with the calls the logs show each making on it.
  function resourcePartiesSection(d) {
    var div = h("div", { id: "trust" }, h("h3", null, "Who can get in"));
    if (!d.parties.length) {
      div.appendChild(h("p", { class: "empty" }, "No outside party."));
      return div;
    }
    var t = h("table", { id: "resource-parties" }, h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Party"), h("th", { scope: "col" }, "Vendor"), h("th", { scope: "col" }, "Kind"),
      h("th", { scope: "col" }, "Admitted as"), h("th", { scope: "col", class: "num" }, "Calls"), h("th", { scope: "col", class: "num" }, "Refused"),
      h("th", { scope: "col" }, "First call"), h("th", { scope: "col" }, "Last call"))));
    var tb = h("tbody");
    d.parties.forEach(function (p) {
      tb.appendChild(h("tr", null,
        h("td", { class: "mono" }, p.account || (p.kind === "anyone" ? "* (anyone)" : p.vendor || "–")),
        h("td", null, p.kind === "service-principal" ? "–" : p.vendor || "–"),
        h("td", null, p.kind),
        h("td", { class: "mono wrap" }, (p.principals || []).join(", ") || "–"),
        h("td", { class: "num" }, num(p.calls)),
        h("td", { class: "num" }, num(p.denied_calls)),
        h("td", null, time(p.first_activity)),
        h("td", null, time(p.last_activity))));
    });
    t.appendChild(tb);
    div.appendChild(t);
    return div;
  }

  // doorsSection lists the resources open to the same outside accounts as
  // the principal: what a vendor reaches besides the role it assumes.
  function doorsSection(d) {
    var div = h("div", { id: "doors" }, h("h3", null, "Resources open to the same accounts"));
    var t = h("table", null, h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Severity"), h("th", { scope: "col" }, "Resource"), h("th", { scope: "col" }, "Account"),
      h("th", { scope: "col" }, "Finding"))));
    var tb = h("tbody");
    d.doors.forEach(function (x) {
      tb.appendChild(h("tr", null,
        h("td", null, sevChip(x.severity)),
        h("td", null, h("a", { href: "#p/" + x.id, class: "wrap" }, resNoun(x.resource_type) + " " + x.name), h("div", { class: "muted mono wrap" }, x.arn)),
        h("td", { class: "mono" }, x.account + (x.vendor ? " (" + x.vendor + ")" : "")),
        h("td", null, x.title, " ", h("code", { class: "muted" }, x.finding_id))));
    });
    t.appendChild(tb);
    div.appendChild(t);
    return div;
  }

  function findingsSection(d) {
    var div = h("div", { id: "findings" }, h("h3", null, "Findings (" + d.findings.length + ")"));
    if (!d.findings.length) div.appendChild(h("p", { class: "empty" }, "No findings."));
    d.findings.forEach(function (f) {
      var box = h("article", { class: "finding f-" + f.severity, "aria-label": f.severity + ": " + f.title },
        h("h4", null, sevChip(f.severity), h("span", null, f.title), h("code", { class: "muted" }, f.id)));
      var ev = f.evidence || {};
      box.appendChild(h("p", { class: "wrap" }, ev.summary));
      if (ev.statement) {
        box.appendChild(h("p", { class: "muted" }, ev.statement.policy + ", statement " + ev.statement.index + (ev.statement.sid ? " (Sid " + ev.statement.sid + ")" : "")));
        if (ev.statement.document) box.appendChild(h("pre", null, JSON.stringify(ev.statement.document, null, 2)));
      }
      if (ev.facts && ev.facts.length) {
        var dl = h("dl", { class: "facts" });
        ev.facts.forEach(function (x) { dl.appendChild(h("dt", null, x.name)); dl.appendChild(h("dd", null, x.value)); });
        box.appendChild(dl);
      }
      if (ev.actions && ev.actions.length) {
        var t = h("table", null, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Action"), h("th", { scope: "col" }, "Used"),
          h("th", { scope: "col", class: "num" }, "Calls"), h("th", { scope: "col" }, "Last used"), h("th", { scope: "col" }, "Why sensitive"), h("th", { scope: "col" }, "Granted by"))));
        var tb = h("tbody");
        ev.actions.slice(0, 50).forEach(function (a) {
          tb.appendChild(h("tr", null, h("td", { class: "mono" }, a.action), h("td", null, a.used ? "yes" : "no"), h("td", { class: "num" }, num(a.calls)),
            h("td", null, day(a.last_used)), h("td", null, a.reason || "–"), h("td", { class: "wrap" }, a.granted_by || "–")));
        });
        t.appendChild(tb);
        box.appendChild(t);
        if (ev.actions.length > 50) box.appendChild(h("p", { class: "muted" }, "… and " + num(ev.actions.length - 50) + " more actions."));
      }
      if (ev.events && ev.events.length) {
        var et = h("table", null, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "Event"), h("th", { scope: "col" }, "By"),
          h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "Agent"), h("th", { scope: "col" }, "Error"))));
        var etb = h("tbody");
        ev.events.slice(0, 25).forEach(function (e) {
          etb.appendChild(h("tr", null, h("td", null, time(e.time)), h("td", { class: "mono" }, e.event + (e.count > 1 ? " ×" + e.count : "")),
            h("td", { class: "mono wrap" }, (e.principal || "–") + (e.session_name ? " (" + e.session_name + ")" : "")),
            h("td", { class: "mono" }, e.source_ip || "–"), h("td", { class: "wrap" }, e.user_agent || "–"), h("td", null, e.error_code || "")));
        });
        et.appendChild(etb);
        box.appendChild(h("details", null, h("summary", null, "Events (" + ev.events.length + ")"), et,
          ev.events.length > 25 ? h("p", { class: "muted" }, "… and " + num(ev.events.length - 25) + " more in review.json.") : null));
      }
      var r = f.remedy || {};
      var rem = h("div", { class: "remedy" }, h("h4", null, "Remedy"), h("p", { class: "wrap" }, r.summary));
      if (r.steps && r.steps.length) {
        var ol = h("ol");
        r.steps.forEach(function (x) { ol.appendChild(h("li", { class: "wrap" }, x)); });
        rem.appendChild(ol);
      }
      if (r.access_key) rem.appendChild(h("p", null, "Key: user " + r.access_key.user + (r.access_key.slot ? ", slot " + r.access_key.slot : "") + (r.access_key.id ? ", id " + r.access_key.id : "")));
      [["trust_policy", "Corrected trust policy"], ["resource_policy", "Corrected resource policy"], ["permission_boundary", "Permission boundary"], ["suggested_policy", "Suggested policy"]].forEach(function (x) {
        if (r[x[0]]) rem.appendChild(h("details", null, h("summary", null, x[1]), h("pre", null, JSON.stringify(r[x[0]], null, 2))));
      });
      if (r.commands && r.commands.length) rem.appendChild(h("pre", { class: "wrap" }, r.commands.map(function (c) { return "$ " + c; }).join("\n")));
      box.appendChild(rem);
      div.appendChild(box);
    });
    return div;
  }

  // ---- access graph -------------------------------------------------------

  var STATE_TEXT = { used: "used", kept: "kept: unobservable", unused: "unused", denied: "tried, denied" };

  function graphSection(d) {
    var div = h("div", { id: "graph" }, h("h3", null, "Access graph"));
    var g = d.graph;
    if (!g) {
      div.appendChild(h("p", { class: "empty" }, "Nothing to draw: no suggestion and no actions in the findings."));
      return div;
    }
    var src = { rightsize: "What today's policies grant and what the logs show used, from the rightsize suggestion.",
      review: "The actions the findings name (no rightsize suggestion for this principal).",
      logs: "What the account called in the logs, by event source and event name." }[g.source];
    div.appendChild(h("p", { class: "muted" }, src));
    div.appendChild(h("ul", { class: "legend", "aria-label": "Legend" },
      h("li", null, h("span", { class: "swatch sw-used" }), "used (size: calls)"),
      h("li", null, h("span", { class: "swatch sw-kept" }), "kept: the logs cannot show its use"),
      h("li", null, h("span", { class: "swatch sw-unused" }), "unused"),
      h("li", null, h("span", { class: "swatch sw-denied" }), "tried, denied"),
      h("li", null, h("span", { class: "swatch sw-sensitive" }), "sensitive (⚠)")));
    div.appendChild(h("div", { class: "graph-wrap" }, drawGraph(d, g)));
    div.appendChild(graphTable(g));
    return div;
  }

  function drawGraph(d, g) {
    var ROW = 22, MAXROWS = 160, X0 = 8, W0 = 200, X1 = 270, W1 = 190, X2 = 520;
    // Rows per service: its drawn actions (used, denied, sensitive), then
    // one node for its kept-but-unobservable actions and one for its
    // unused ones.
    var services = [], rows = 0, rest = { services: 0, kept: 0, unused: 0 };
    g.services.forEach(function (sv) {
      var groups = (sv.kept ? 1 : 0) + (sv.unused ? 1 : 0);
      if (rows + groups + Math.min(1, sv.actions.length) > MAXROWS || services.length >= 60) {
        rest.services++; rest.kept += sv.kept + sv.actions.length; rest.unused += sv.unused; return;
      }
      var room = MAXROWS - rows - groups;
      var acts = sv.actions.length > room ? sv.actions.slice(0, Math.max(1, room - 1)) : sv.actions;
      var more = sv.actions.length - acts.length;
      services.push({ sv: sv, acts: acts, more: more });
      rows += acts.length + groups + (more ? 1 : 0);
    });
    if (rest.services) rows++;
    var height = Math.max(rows, 1) * ROW + 24, width = 900;
    var max = 1;
    g.services.forEach(function (sv) { sv.actions.forEach(function (a) { if (a.calls > max) max = a.calls; }); });
    function radius(calls) { return 4 + 9 * Math.sqrt((calls || 0) / max); }
    function stroke(calls) { return (1 + 5 * Math.log(1 + (calls || 0)) / Math.log(1 + max)).toFixed(1); }
    var label = "Access graph of " + d.name + ": " + plural(g.services.length, "service", "services") + ", " + plural(g.calls, "call", "calls") + ".";
    var svg = s("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label, id: "access-graph" });
    svg.appendChild(s("title", null, label));
    var py = Math.min(height / 2, 40);
    var y = 12;
    var edges = s("g"), nodes = s("g");
    svg.appendChild(edges); svg.appendChild(nodes);
    function curve(x1, y1, x2, y2) {
      var mx = (x1 + x2) / 2;
      return "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2;
    }
    function group(sy, state, count, listed, one, many, why) {
      var gy = y + 6;
      edges.appendChild(s("path", { d: curve(X1 + W1, sy, X2 - 6, gy), class: "edge edge-" + state, "stroke-width": 1.5 }));
      var tip = plural(count, one, many) + (why ? " (" + why + ")" : "") + (listed && listed.length ? ": " + listed.join(", ") + (count > listed.length ? ", …" : "") : "");
      nodes.appendChild(s("circle", { cx: X2, cy: gy, r: 6, class: "n-" + state, "data-state": state + "-group" }, s("title", null, tip)));
      nodes.appendChild(s("text", { x: X2 + 16, y: gy + 4, class: "muted-text" }, plural(count, one, many) + (why ? " (" + clip(why, 50) + ")" : "")));
      y += ROW;
    }
    services.forEach(function (e) {
      var sv = e.sv, n = e.acts.length + (sv.kept ? 1 : 0) + (sv.unused ? 1 : 0) + (e.more ? 1 : 0);
      var sy = y + (n * ROW) / 2 - ROW / 2 + 6;
      var used = e.acts.some(function (a) { return a.state === "used"; });
      edges.appendChild(s("path", { d: curve(X0 + W0, py, X1, sy), class: "edge " + (used ? "edge-used" : sv.kept ? "edge-kept" : "edge-unused"), "stroke-width": stroke(sv.calls) }));
      nodes.appendChild(s("rect", { x: X1, y: sy - 10, width: W1, height: 20, rx: 4, class: "node-service" },
        s("title", null, sv.service + ": " + plural(sv.calls, "call", "calls") + "; " + num(sv.actions.length) + " drawn, " + num(sv.kept) + " kept unobserved, " + num(sv.unused) + " unused")));
      nodes.appendChild(s("text", { x: X1 + 6, y: sy + 4 }, clip(sv.service, 20) + (sv.calls ? " · " + compact(sv.calls) : "")));
      e.acts.forEach(function (a) {
        var ay = y + 6;
        var cls = "n-" + a.state + (a.sensitive ? " n-sensitive" : "");
        edges.appendChild(s("path", { d: curve(X1 + W1, sy, X2 - radius(a.calls), ay), class: "edge edge-" + a.state, "stroke-width": a.state === "used" ? stroke(a.calls) : 1.5 }));
        var tip = a.action + ": " + STATE_TEXT[a.state] + (a.calls ? ", " + plural(a.calls, "call", "calls") : "") + (a.last_used ? ", last " + day(a.last_used) : "") +
          (a.reason ? " (" + a.reason + ")" : "") + (a.sensitive ? "; sensitive: " + a.sensitive : "");
        var node = a.state === "denied"
          ? s("rect", { x: X2 - 6, y: ay - 6, width: 12, height: 12, class: cls, "data-action": a.action, "data-state": a.state }, s("title", null, tip))
          : s("circle", { cx: X2, cy: ay, r: radius(a.state === "used" ? a.calls : 0).toFixed(1), class: cls, "data-action": a.action, "data-state": a.state }, s("title", null, tip));
        nodes.appendChild(node);
        var name = a.action.slice(a.action.indexOf(":") + 1);
        nodes.appendChild(s("text", { x: X2 + 16, y: ay + 4, class: a.sensitive ? "sensitive-text" : null },
          (a.sensitive ? "⚠ " : "") + clip(name, 40) + "  " + (a.state === "used" ? compact(a.calls) + " calls" : STATE_TEXT[a.state])));
        y += ROW;
      });
      if (e.more) {
        nodes.appendChild(s("text", { x: X2 + 16, y: y + 10, class: "muted-text" }, "… " + plural(e.more, "more action", "more actions") + " (see the table)"));
        y += ROW;
      }
      if (sv.kept) {
        var why = Object.keys(sv.kept_reasons || {}).sort().join(", ");
        group(sy, "kept", sv.kept, sv.kept_listed, "action kept, unobservable", "actions kept, unobservable", why);
      }
      if (sv.unused) group(sy, "unused", sv.unused, sv.unused_listed, "unused action", "unused actions", "");
    });
    if (rest.services) {
      var ry = y + 6;
      edges.appendChild(s("path", { d: curve(X0 + W0, py, X1, ry), class: "edge edge-unused", "stroke-width": 1 }));
      nodes.appendChild(s("text", { x: X1 + 6, y: ry + 4, class: "muted-text" }, num(rest.services) + " more services: " +
        plural(rest.kept, "action", "actions") + " kept or drawn elsewhere, " + plural(rest.unused, "unused action", "unused actions") + " (see the table)"));
    }
    nodes.appendChild(s("rect", { x: X0, y: py - 16, width: W0, height: 32, rx: 6, class: "node-principal" }, s("title", null, d.arn)));
    nodes.appendChild(s("text", { x: X0 + 8, y: py + 4 }, clip(d.kind === "account" ? "account " + d.name : d.name, 26)));
    return svg;
  }

  function clip(t, n) { t = String(t); return t.length > n ? t.slice(0, n - 1) + "…" : t; }
  function compact(n) {
    n = n || 0;
    if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
    if (n >= 1e4) return Math.round(n / 1e3) + "k";
    return num(n);
  }

  // graphTable lists the graph as a table, for screen readers and print.
  function graphTable(g) {
    var t = h("table", { id: "graph-table" }, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Service"), h("th", { scope: "col" }, "Action"),
      h("th", { scope: "col" }, "State"), h("th", { scope: "col", class: "num" }, "Calls"), h("th", { scope: "col" }, "Last used"), h("th", { scope: "col" }, "Why"))));
    var tb = h("tbody");
    g.services.forEach(function (sv) {
      sv.actions.forEach(function (a) {
        tb.appendChild(h("tr", null, h("td", null, sv.service), h("td", { class: "mono" }, a.action),
          h("td", null, h("span", { class: "state state-" + a.state }, STATE_TEXT[a.state]), a.sensitive ? h("span", { class: "sensitive" }, " ⚠ sensitive: " + a.sensitive) : null),
          h("td", { class: "num" }, num(a.calls)), h("td", null, day(a.last_used)), h("td", { class: "wrap" }, a.reason || "")));
      });
      if (sv.kept) {
        tb.appendChild(h("tr", null, h("td", null, sv.service), h("td", { class: "mono wrap" }, (sv.kept_listed || []).join(", ") + (sv.kept > (sv.kept_listed || []).length ? ", …" : "")),
          h("td", null, h("span", { class: "state state-kept" }, plural(sv.kept, "action", "actions") + " kept: unobservable")), h("td", { class: "num" }, "0"), h("td", null, "–"),
          h("td", null, Object.keys(sv.kept_reasons || {}).sort().map(function (k) { return k + " ×" + sv.kept_reasons[k]; }).join(", "))));
      }
      if (sv.unused) {
        tb.appendChild(h("tr", null, h("td", null, sv.service), h("td", { class: "mono wrap" }, (sv.unused_listed || []).join(", ") + (sv.unused > (sv.unused_listed || []).length ? ", …" : "")),
          h("td", null, h("span", { class: "state state-unused" }, plural(sv.unused, "unused action", "unused actions"))), h("td", { class: "num" }, "0"), h("td", null, "–"), h("td", null, "")));
      }
    });
    t.appendChild(tb);
    return h("details", null, h("summary", null, "The graph as a table"), t);
  }

  // ---- policy and diff ----------------------------------------------------

  function policySection(d) {
    var div = h("div", { id: "policy" }, h("h3", null, "Suggested policy"));
    var r = d.rightsize;
    if (!r) {
      div.appendChild(h("p", { class: "empty" }, d.kind === "account" ? "An outside account has no policy of its own here." : "Not rightsized."));
      return div;
    }
    if (r.error) {
      div.appendChild(h("p", { class: "warn" }, "No suggestion: " + r.error));
      return div;
    }
    var v = r.verification;
    var dl = h("dl", { class: "facts" });
    function fact(k, x) { dl.appendChild(h("dt", null, k)); dl.appendChild(h("dd", null, x)); }
    fact("Granted today", plural(r.granted, "action", "actions") + " (" + (r.current.join(", ") || "no policy") + ")" + (r.boundary ? "; boundary " + r.boundary + " kept" : ""));
    fact("Used in the window", plural(r.used, "action", "actions") + "; " + pct(r.unused_share) + " of the grant unused");
    fact("Suggestion", plural(r.kept, "used action", "used actions") + " kept, " + plural(r.unobservable, "action", "actions") + " kept because the logs cannot show them, " +
      plural(r.removed, "action", "actions") + " removed; " + plural(r.documents, "document", "documents") + (r.resources ? ", resources: " + r.resources : ""));
    fact("Verified", (v.noNewAccess ? "grants nothing today's policies do not (proved)" : "no-new-access not proved") + "; " +
      plural(v.allowedToday, "observed request", "observed requests") + " still allowed" + (v.notAllowedToday ? ", " + num(v.notAllowedToday) + " allowed by something else today" : ""));
    if (r.window) fact("Window", day(r.window.since) + " to " + day(r.window.until) + ": " + num(r.window.daysWithLogs) + " of " + plural(r.window.days, "day", "days") + " with logs" +
      (r.missing_days ? "; none on " + r.missing_days : ""));
    if (r.denied && r.denied.length) fact("Tried but denied", r.denied.map(function (x) { return x.action + " ×" + x.calls; }).join(", "));
    if (r.files) fact("Files", h("span", { class: "mono" }, r.files));
    div.appendChild(dl);
    if (r.kept_as_is) div.appendChild(h("p", { class: "warn", id: "policy-kept-as-is" }, "Days without logs: every statement is kept as it is, since what was used on those days cannot be seen."));
    if (r.detach && r.detach.length) {
      div.appendChild(h("h4", null, "Nothing is kept: detach its policies"));
      div.appendChild(h("pre", { id: "policy-detach" }, r.detach.map(function (x) { return x.command || "# detach " + x.policy; }).join("\n")));
    }
    (r.notes || []).forEach(function (n) { div.appendChild(h("p", { class: "muted wrap" }, n)); });
    div.appendChild(h("h4", null, "Diff against today's policies"));
    div.appendChild(diffView(r.diff));
    div.appendChild(h("details", null, h("summary", null, "The suggested policy"), h("pre", { id: "policy-json" }, r.policy || "(nothing is kept)")));
    if (r.service_level) div.appendChild(h("details", null, h("summary", null, "The service-level form: " + plural(r.service_level.documents, "document", "documents") +
      " granting " + r.service_level.services.join(", ") + " whole"), h("pre", { id: "policy-service-level" }, r.service_level.policy)));
    return div;
  }

  function diffView(text) {
    var pre = h("pre", { class: "diff", id: "policy-diff", "aria-label": "Unified diff: lines starting with - are removed, + added" });
    if (!text) { pre.appendChild(h("span", null, "(no change)")); return pre; }
    var lines = text.replace(/\n$/, "").split("\n");
    var MAX = 4000;
    lines.slice(0, MAX).forEach(function (ln) {
      var cls = null;
      if (/^(---|\+\+\+) /.test(ln)) cls = "file";
      else if (ln.charAt(0) === "@") cls = "hunk";
      else if (ln.charAt(0) === "+") cls = "add";
      else if (ln.charAt(0) === "-") cls = "del";
      pre.appendChild(h("span", { class: cls }, ln));
    });
    if (lines.length > MAX) pre.appendChild(h("span", { class: "hunk" }, "… " + num(lines.length - MAX) + " more lines in the .diff file"));
    return pre;
  }

  // ---- activity -----------------------------------------------------------

  function activitySection(d) {
    var div = h("div", { id: "activity" }, h("h3", null, "Activity"));
    var a = d.activity;
    if (!a) {
      div.appendChild(h("p", { class: "empty" }, "No logs were read."));
      return div;
    }
    div.appendChild(h("h4", null, "Calls per day"));
    if (!a.days.length) div.appendChild(h("p", { class: "empty" }, "No calls in the window."));
    else div.appendChild(h("div", { class: "graph-wrap" }, dayChart(d, a.days)));

    if (a.groups && a.groups.length) {
      div.appendChild(h("h4", null, "Where the sessions came from"));
      var gt = h("table", { id: "session-groups" }, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Caller account"),
        h("th", { scope: "col" }, "Addresses"), h("th", { scope: "col" }, "User agents"), h("th", { scope: "col", class: "num" }, "Sessions"),
        h("th", { scope: "col" }, "First"), h("th", { scope: "col" }, "Last"), h("th", { scope: "col", class: "num" }, "Calls"),
        h("th", { scope: "col", class: "num" }, "Denied"), h("th", { scope: "col" }, "Top actions"))));
      var gtb = h("tbody");
      a.groups.forEach(function (g) {
        gtb.appendChild(h("tr", null, h("td", { class: "mono" }, g.caller_account ? g.caller_account + (g.vendor ? " (" + g.vendor + ")" : "") : "–"),
          h("td", { class: "mono wrap" }, g.source_ips.join(", ") || "–"), h("td", { class: "wrap" }, g.user_agents.join(" | ") || "–"),
          h("td", { class: "num" }, num(g.sessions)), h("td", null, time(g.first)), h("td", null, time(g.last)),
          h("td", { class: "num" }, num(g.calls)), h("td", { class: "num" }, num(g.denied)),
          h("td", { class: "mono wrap" }, g.actions.map(function (ac) { return ac.event + " ×" + ac.calls; }).join(", ") +
            (g.actions_total > g.actions.length ? ", … (" + g.actions_total + " in all)" : ""))));
      });
      gt.appendChild(gtb);
      div.appendChild(gt);
    }
    div.appendChild(h("h4", null, "Sessions" + (a.sessions_total > a.sessions.length ? " (latest " + a.sessions.length + " of " + num(a.sessions_total) + ")" : " (" + a.sessions_total + ")")));
    if (!a.sessions.length) div.appendChild(h("p", { class: "empty" }, "No sessions in the activity log."));
    else {
      var t = h("table", { id: "sessions" }, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Start"), h("th", { scope: "col" }, "Caller account"),
        h("th", { scope: "col" }, "Session"), h("th", { scope: "col" }, "Address"), h("th", { scope: "col" }, "User agent"), h("th", { scope: "col" }, "Regions"),
        h("th", { scope: "col", class: "num" }, "Calls"), h("th", { scope: "col", class: "num" }, "Denied"), h("th", { scope: "col" }, "Top actions"))));
      var tb = h("tbody");
      a.sessions.forEach(function (x) {
        var caller = x.caller_account ? x.caller_account + (x.vendor ? " (" + x.vendor + ")" : "") : "–";
        var who = [];
        if (x.session_name) who.push(x.session_name);
        if (x.source_identity) who.push("source identity " + x.source_identity);
        if (x.principal) who.push(x.principal);
        if (x.assumed_by) who.push("assumed by " + x.assumed_by + (x.external_id ? " with an ExternalId" : " without an ExternalId"));
        if (x.access_key) who.push("key " + x.access_key);
        tb.appendChild(h("tr", null, h("td", null, time(x.start), h("div", { class: "muted" }, "to " + time(x.end))),
          h("td", { class: "mono" }, caller), h("td", { class: "wrap" }, who.join("; ") || "–"),
          h("td", { class: "mono wrap" }, x.source_ips.join(", ") || "–"), h("td", { class: "wrap" }, x.user_agents.join(" | ") || "–"),
          h("td", null, x.regions.join(", ")), h("td", { class: "num" }, num(x.calls)), h("td", { class: "num" }, num(x.denied)),
          h("td", { class: "mono wrap" }, x.actions.map(function (ac) { return ac.event + " ×" + ac.calls + (ac.denied ? " (" + ac.denied + " denied)" : ""); }).join(", ") +
            (x.actions_total > x.actions.length ? ", … (" + x.actions_total + " in all)" : ""))));
      });
      t.appendChild(tb);
      div.appendChild(t);
    }
    div.appendChild(h("h4", null, "First appearances" + (a.firsts_total > a.firsts.length ? " (latest " + a.firsts.length + " of " + num(a.firsts_total) + ")" : "")));
    if (!a.firsts.length) div.appendChild(h("p", { class: "empty" }, "Nothing new against the baseline."));
    else {
      var ft = h("table", { id: "firsts" }, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "What"),
        h("th", { scope: "col" }, "Value"), h("th", { scope: "col" }, "Principal"), h("th", { scope: "col" }, "Denied"))));
      var ftb = h("tbody");
      a.firsts.forEach(function (f) {
        ftb.appendChild(h("tr", null, h("td", null, time(f.time)), h("td", null, f.kind), h("td", { class: "mono wrap" }, f.value),
          h("td", { class: "mono wrap" }, f.principal), h("td", null, f.denied ? "denied" : "")));
      });
      ft.appendChild(ftb);
      div.appendChild(ft);
    }
    return div;
  }

  function dayChart(d, days) {
    var n = index.days.length || 1, bw = Math.max(3, Math.min(24, Math.floor(840 / n))), left = 50, top = 10, hgt = 120;
    var width = left + n * bw + 10, height = top + hgt + 30;
    var max = 1, total = 0, denied = 0;
    days.forEach(function (x) { if (x[1] > max) max = x[1]; total += x[1]; denied += x[2]; });
    var label = "Calls per day of " + d.name + ": " + plural(total, "call", "calls") + ", " + num(denied) + " denied, on " + plural(days.length, "day", "days") + " of " + n + ".";
    var svg = s("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label, id: "day-chart" });
    svg.appendChild(s("title", null, label));
    svg.appendChild(s("line", { x1: left, y1: top + hgt, x2: left + n * bw, y2: top + hgt, class: "axis" }));
    svg.appendChild(s("text", { x: left - 6, y: top + 10, "text-anchor": "end", class: "muted-text" }, compact(max)));
    svg.appendChild(s("text", { x: left - 6, y: top + hgt, "text-anchor": "end", class: "muted-text" }, "0"));
    if (index.days.length) {
      svg.appendChild(s("text", { x: left, y: top + hgt + 16, class: "muted-text" }, index.days[0]));
      svg.appendChild(s("text", { x: left + n * bw, y: top + hgt + 16, "text-anchor": "end", class: "muted-text" }, index.days[n - 1]));
    }
    days.forEach(function (x) {
      var bh = Math.max(1, hgt * x[1] / max), dh = x[1] ? hgt * x[2] / max : 0, bx = left + x[0] * bw;
      var tip = (index.days[x[0]] || "") + ": " + plural(x[1], "call", "calls") + (x[2] ? ", " + num(x[2]) + " denied" : "");
      svg.appendChild(s("rect", { x: bx + 0.5, y: top + hgt - bh, width: Math.max(1, bw - 1), height: bh, class: "bar" }, s("title", null, tip)));
      if (dh > 0) svg.appendChild(s("rect", { x: bx + 0.5, y: top + hgt - dh, width: Math.max(1, bw - 1), height: Math.max(1, dh), class: "bar-denied" }, s("title", null, tip)));
    });
    return svg;
  }

  // ---- routing ------------------------------------------------------------

  function route() {
    var hash = location.hash || "";
    var m = /^#p\/(p\d+)$/.exec(hash);
    var ov = document.getElementById("overview"), tp = document.getElementById("third-parties"), dt = document.getElementById("detail");
    var nav = document.getElementById("nav-detail"), navLink = document.getElementById("nav-detail-link");
    var links = document.querySelectorAll("header.top nav a");
    Array.prototype.forEach.call(links, function (a) { a.removeAttribute("aria-current"); });
    if (m) {
      renderDetail(m[1]);
      ov.hidden = true; tp.hidden = true; dt.hidden = false;
      var sum = index.principals.filter(function (p) { return p.id === m[1]; })[0];
      nav.hidden = false;
      navLink.textContent = sum ? sum.name : m[1];
      navLink.setAttribute("href", hash);
      navLink.setAttribute("aria-current", "page");
      document.title = (sum ? sum.name + " – " : "") + "tailor report";
      window.scrollTo(0, 0);
    } else {
      shown = null;
      ov.hidden = false; tp.hidden = false; dt.hidden = true; nav.hidden = true;
      document.title = "tailor report: account " + (index.account || "unknown");
      var cur = hash === "#third-parties" ? links[1] : links[0];
      cur.setAttribute("aria-current", "page");
      if (hash === "#third-parties" || hash === "#overview") {
        var target = document.getElementById(hash.slice(1));
        if (target) target.scrollIntoView();
      }
    }
  }

  // Printing shows every collapsed part.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (el) {
      if (!el.open) { el.open = true; el.setAttribute("data-print-opened", ""); }
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-print-opened]"), function (el) {
      el.open = false; el.removeAttribute("data-print-opened");
    });
  });

  renderHeader();
  renderOverview();
  renderList();
  window.addEventListener("hashchange", route);
  route();
  document.documentElement.setAttribute("data-ready", "true");
})();
