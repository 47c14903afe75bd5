/* The sales console page (web/sales/index.html), talking to /sales/api/ (web/sales.py).
 *
 * Everything from the server is put on the page as text (textContent), never as markup:
 * names, companies and transcripts are what visitors typed.
 *
 * Other console features plug in as modules: every other .js file in web/sales/ is listed by
 * /sales/api/session and loaded after sign-in. A module finds the console as
 * window.SalesConsole: api(path, options) for authorised JSON calls (CSRF header included),
 * rep, section(id) for its <section> (e.g. "waiting"), and on("lead-changed", fn).
 */
(function () {
  "use strict";

  var state = { rep: null, csrf: null, charts: {}, current: null, listeners: {} };

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function emit(name, detail) {
    (state.listeners[name] || []).forEach(function (fn) {
      try {
        fn(detail);
      } catch (error) {
        console.error(error);
      }
    });
  }

  /* JSON API call; rejects with an Error whose message is the server's explanation. */
  function api(path, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = state.csrf || "";
    return fetch("/sales/api/" + path, {
      method: options.method || "GET",
      headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (response.status === 401) showLogin(state.rep ? "Your session has ended. Please sign in again." : null);
          if (!response.ok) {
            var error = new Error(data.error || "The server answered " + response.status + ".");
            error.status = response.status;
            throw error;
          }
          return data;
        });
    });
  }

  function showLogin(message) {
    $("console").hidden = true;
    $("login").hidden = false;
    if (message) {
      $("login-error").textContent = message;
      $("login-error").hidden = false;
    }
  }

  function formQuery(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value) params.set(key, value);
    });
    return params;
  }

  function day(iso) {
    return iso ? iso.slice(0, 10) : "";
  }

  /* An ISO time from the server (UTC) as "2026-01-31 14:05 UTC". */
  function minute(iso) {
    return iso ? iso.slice(0, 10) + " " + iso.slice(11, 16) + " UTC" : "";
  }

  function upper(text) {
    return text ? String(text).toUpperCase() : "";
  }

  /* --- leads ------------------------------------------------------------------------------ */

  function loadLeads() {
    var params = formQuery($("filters"));
    $("leads-csv").href = "/sales/api/leads.csv" + (params.toString() ? "?" + params : "");
    return api("leads" + (params.toString() ? "?" + params : ""))
      .then(function (data) {
        var body = $("leads-table").tBodies[0];
        body.textContent = "";
        data.leads.forEach(function (lead) {
          var row = document.createElement("tr");
          row.dataset.conversation = lead.conversation_id;
          row.tabIndex = 0;
          [
            day(lead.created_at),
            lead.full_name,
            lead.company,
            lead.role,
            lead.company_size,
            lead.timeline,
            lead.tier,
            lead.score,
            upper(lead.recommendation),
            lead.status,
          ].forEach(function (value, index) {
            var cell = el("td", value);
            if (index === 6) cell.className = "tier tier--" + value;
            if (index === 9) cell.className = "status status--" + value;
            row.appendChild(cell);
          });
          row.addEventListener("click", function () {
            openLead(lead.conversation_id);
          });
          row.addEventListener("keydown", function (event) {
            if (event.key === "Enter") openLead(lead.conversation_id);
          });
          body.appendChild(row);
        });
        $("leads-notice").textContent =
          data.count === 1 ? "1 lead." : data.count + " leads." + (data.count ? "" : " Nothing matches these filters.");
      })
      .catch(function (error) {
        $("leads-notice").textContent = error.message;
      });
  }

  function fillList(list, items) {
    list.textContent = "";
    (items || []).forEach(function (item) {
      list.appendChild(el("li", item));
    });
    if (!items || !items.length) list.appendChild(el("li", "none recorded", "muted"));
  }

  function showTranscript(data) {
    var list = $("transcript");
    list.textContent = "";
    $("transcript-notice").textContent = data.transcript_error || "";
    (data.transcript || []).forEach(function (turn) {
      var item = el("li", null, "turn turn--" + turn.speaker);
      item.appendChild(el("span", turn.speaker === "visitor" ? "Visitor" : turn.speaker === "rep" ? (turn.name || "Rep") : "Assistant", "turn__who"));
      item.appendChild(el("span", turn.text, "turn__text"));
      if (turn.at) item.title = turn.at;
      list.appendChild(item);
    });
  }

  function showHistory(history) {
    var list = $("lead-history");
    list.textContent = "";
    (history || []).forEach(function (change) {
      var what = change.status ? change.previous_status + " → " + change.status : "note";
      var item = el("li", minute(change.at) + " · " + change.rep + " · " + what);
      if (change.note) item.appendChild(el("p", change.note, "history__note"));
      list.appendChild(item);
    });
    if (!history || !history.length) list.appendChild(el("li", "No changes yet.", "muted"));
  }

  function openLead(conversationId, stay) {
    state.current = conversationId;
    return api("leads/" + encodeURIComponent(conversationId)).then(function (data) {
      var lead = data.lead;
      $("lead").hidden = false;
      $("lead-title").textContent = (lead.full_name || "?") + " · " + (lead.company || "?");
      var facts = $("lead-facts");
      facts.textContent = "";
      [
        ["Email", lead.email],
        ["Role", lead.role],
        ["Company size", lead.company_size],
        ["Timeline", lead.timeline],
        ["Advice", upper(lead.recommendation)],
        ["Tier", lead.tier + " (score " + lead.score + ")"],
        ["Captured", minute(lead.created_at)],
        ["Status", lead.status + (lead.status_by ? " (" + lead.status_by + ", " + minute(lead.status_at) + ")" : "")],
      ].forEach(function (pair) {
        facts.appendChild(el("dt", pair[0]));
        facts.appendChild(el("dd", pair[1] === undefined || pair[1] === null ? "" : pair[1]));
      });
      fillList($("lead-reasons"), lead.score_reasons);
      fillList($("lead-advice-reasons"), lead.recommendation_reasons);
      $("lead-brief").hidden = !data.brief;
      if (data.brief) $("lead-brief-link").href = data.brief.url;
      $("status-form").elements.status.value = lead.status;
      $("status-form").elements.note.value = "";
      $("status-notice").textContent = "";
      showHistory(data.history);
      showTranscript(data);
      emit("lead-opened", data);
      if (!stay) $("lead").scrollIntoView({ block: "start" });
    });
  }

  function saveStatus(event) {
    event.preventDefault();
    var form = event.target;
    var body = { status: form.elements.status.value };
    if (form.elements.note.value.trim()) body.note = form.elements.note.value;
    $("status-notice").textContent = "Saving…";
    api("leads/" + encodeURIComponent(state.current), { method: "PATCH", body: body })
      .then(function (data) {
        emit("lead-changed", data);
        return Promise.all([openLead(state.current, true), loadLeads(), loadCharts()]).then(function () {
          $("status-notice").textContent = data.changed ? "Saved." : "Nothing changed.";
        });
      })
      .catch(function (error) {
        $("status-notice").textContent = error.message;
      });
  }

  /* --- charts ------------------------------------------------------------------------------ */

  var COLOURS = ["#1d4ed8", "#0f766e", "#b45309", "#be123c", "#6d28d9"];

  function drawChart(id, config) {
    if (state.charts[id]) state.charts[id].destroy();
    state.charts[id] = new window.Chart($(id), config);
  }

  function bars(labels, sets) {
    return {
      type: "bar",
      data: {
        labels: labels,
        datasets: sets.map(function (set, index) {
          return { label: set[0], data: set[1], backgroundColor: COLOURS[index % COLOURS.length] };
        }),
      },
      options: { responsive: true, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
  }

  function loadCharts() {
    var params = formQuery($("chart-filters"));
    var query = params.toString();
    ["funnel", "recommendation", "tier"].forEach(function (chart) {
      var csv = new URLSearchParams(params);
      csv.set("chart", chart);
      $(chart + "-csv").href = "/sales/api/stats.csv?" + csv;
    });
    return api("stats" + (query ? "?" + query : "")).then(function (data) {
      if (!window.Chart) return;
      var periods = data.funnel.map(function (row) {
        return row.period;
      });
      var column = function (rows, key) {
        return rows.map(function (row) {
          return row[key];
        });
      };
      drawChart(
        "chart-funnel",
        bars(periods, [
          ["Conversations", column(data.funnel, "conversations")],
          ["Advice given", column(data.funnel, "advice_given")],
          ["Leads offered", column(data.funnel, "leads_offered")],
          ["Leads captured", column(data.funnel, "leads_captured")],
        ])
      );
      var recs = data.by_recommendation;
      drawChart(
        "chart-recommendation",
        bars(column(recs, "recommendation").map(upper), [
          ["Advised", column(recs, "advised")],
          ["Captured", column(recs, "captured")],
          ["Won", column(recs, "won")],
        ])
      );
      var tiers = data.by_tier;
      drawChart(
        "chart-tier",
        bars(column(tiers, "tier"), [
          ["Captured", column(tiers, "captured")],
          ["Qualified", column(tiers, "qualified")],
          ["Won", column(tiers, "won")],
          ["Lost", column(tiers, "lost")],
        ])
      );
    });
  }

  /* --- start -------------------------------------------------------------------------------- */

  function loadModules(names) {
    names.forEach(function (name) {
      var script = document.createElement("script");
      script.src = "/sales/" + encodeURIComponent(name);
      script.defer = true;
      document.head.appendChild(script);
    });
  }

  window.SalesConsole = {
    api: api,
    section: function (id) {
      return $(id);
    },
    on: function (name, fn) {
      (state.listeners[name] = state.listeners[name] || []).push(fn);
    },
    openLead: openLead,
    reload: function () {
      return Promise.all([loadLeads(), loadCharts()]);
    },
    get rep() {
      return state.rep;
    },
  };

  function start() {
    api("session")
      .then(function (session) {
        state.rep = session.rep;
        state.csrf = session.csrf;
        $("rep-name").textContent = session.rep;
        $("login").hidden = true;
        $("console").hidden = false;
        $("filters").addEventListener("submit", function (event) {
          event.preventDefault();
          loadLeads();
        });
        $("chart-filters").addEventListener("submit", function (event) {
          event.preventDefault();
          loadCharts();
        });
        $("status-form").addEventListener("submit", saveStatus);
        loadModules(session.modules || []);
        return window.SalesConsole.reload();
      })
      .catch(function (error) {
        if (error.status !== 401) showLogin(error.message);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
