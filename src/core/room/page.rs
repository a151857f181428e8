//! The student page: one self-contained HTML document (inline CSS and
//! JavaScript, nothing loaded from elsewhere) that joins the room, shows the
//! client's line and the options, sends votes and follows the room's
//! server-sent events. Built with `maud`, which escapes every value put into
//! it; everything that arrives later (names, the client's line, options) is
//! set with `textContent`, never parsed as HTML. The HTTP API it expects is
//! in `docs/class-room.md`.

use maud::{DOCTYPE, PreEscaped, html};

/// The Content-Security-Policy the server sends with the page (and the page
/// repeats in a `<meta>`): nothing from other origins, no frames, no forms
/// posted elsewhere; the page's own inline script and style only.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; connect-src 'self'; img-src 'none'; form-action 'none'; \
base-uri 'none'; frame-ancestors 'none'";

const STYLE: &str = r"
:root{color-scheme:light dark;--fg:#111;--bg:#fff;--muted:#444;--accent:#0b57d0;--on:#fff;--line:#ccc;--err:#a00}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#111;--muted:#bbb;--accent:#8ab4f8;--on:#000;--line:#555;--err:#f88}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:40rem;padding:1rem;font:1.125rem/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
h1{font-size:1.4rem;margin:0 0 .75rem}
h2{font-size:1.2rem}
label{display:block;font-weight:600;margin-top:.75rem}
input{display:block;width:100%;min-height:48px;font:inherit;padding:.5rem;border:2px solid var(--muted);border-radius:.4rem;background:var(--bg);color:var(--fg)}
#code{text-transform:uppercase;letter-spacing:.2em}
button{display:block;width:100%;min-height:48px;margin:.6rem 0;padding:.6rem .8rem;font:inherit;text-align:left;border:2px solid var(--accent);border-radius:.4rem;background:var(--bg);color:var(--fg);cursor:pointer;-webkit-tap-highlight-color:transparent}
button[aria-pressed=true],#join-btn{background:var(--accent);color:var(--on);font-weight:600}
:focus-visible{outline:3px solid var(--accent);outline-offset:3px}
blockquote{margin:.5rem 0 1rem;padding:.5rem .8rem;border-left:4px solid var(--line);font-style:italic}
.hint,.who{color:var(--muted);font-size:1rem}
.error{color:var(--err);font-weight:600}
";

const SCRIPT: &str = r#"
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var store = window.sessionStorage;
  var token = store.getItem("room-token");
  var point = null, options = [], mine = null, source = null, retry = null;

  function show(id) {
    ["join", "vote", "wait", "over"].forEach(function (s) { $(s).hidden = s !== id; });
  }
  function status(text) { $("status").textContent = text; }
  function post(path, body) {
    return fetch(path, {
      method: "POST", cache: "no-store", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; },
        function () { return { ok: false, body: { error: "bad_response", message: "The room sent an answer the page could not read. Reload the page." } }; });
    }, function () {
      return { ok: false, body: { error: "offline", message: "The room cannot be reached. Check that you are on the room's Wi-Fi, then try again." } };
    });
  }
  function showMine() {
    var p = $("mine");
    if (mine === null || !options[mine - 1]) { p.textContent = "You have not voted yet. Tap an option."; }
    else {
      // An option that ends its sentence gets no second full stop.
      var text = options[mine - 1], end = /[.!?\u2026]$/.test(text) ? " " : ". ";
      p.textContent = "Your vote: " + text + end + "You can change it until the tutor closes the vote.";
    }
    var buttons = $("options").querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(i + 1 === mine));
    }
  }
  function vote(n) {
    $("vote-error").textContent = "";
    post("/api/vote", { token: token, point: point, option: n }).then(function (r) {
      if (r.ok) { mine = r.body.option; store.setItem("room-vote", point + ":" + mine); showMine(); }
      else { refused(r.body, "vote-error"); }
    });
  }
  function apply(ev) {
    if (ev.type === "choice") {
      if (point !== ev.point) {
        point = ev.point; mine = null;
        var saved = (store.getItem("room-vote") || "").split(":");
        if (Number(saved[0]) === point) { mine = Number(saved[1]); }
      }
      options = ev.options;
      $("client").textContent = ev.client ? ev.client + " says:" : "The client says:";
      $("line").textContent = ev.line;
      var box = $("options");
      while (box.firstChild) { box.removeChild(box.firstChild); }
      ev.options.forEach(function (text, i) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = (i + 1) + ". " + text;
        b.addEventListener("click", function () { vote(i + 1); });
        box.appendChild(b);
      });
      $("vote-error").textContent = "";
      showMine();
      show("vote");
    } else if (ev.type === "vote_closed" || ev.type === "waiting") {
      $("wait-note").textContent = ev.type === "vote_closed"
        ? "The tutor has closed the vote." : "";
      show("wait");
    } else if (ev.type === "session_over") {
      $("question").textContent = ev.question;
      show("over");
      stop();
      store.removeItem("room-token");
    }
  }
  function stop() {
    if (source) { source.close(); source = null; }
    if (retry) { clearTimeout(retry); retry = null; }
  }
  function refused(body, where) {
    if (body.error === "unknown_token") {
      stop(); token = null; store.removeItem("room-token"); show("join");
      where = "join-error";
    } else if (body.error === "room_closed") {
      stop(); store.removeItem("room-token");
      $("question").textContent = ""; show("over");
    } else if (body.error === "late") {
      show("wait");
      where = "wait-note";
    }
    $(where).textContent = body.message;
  }
  function listen() {
    stop();
    source = new EventSource("/api/events?token=" + encodeURIComponent(token));
    ["choice", "vote_closed", "waiting", "session_over"].forEach(function (name) {
      source.addEventListener(name, function (e) {
        status("Connected.");
        try { apply(JSON.parse(e.data)); } catch (err) { /* an event the page does not know */ }
      });
    });
    source.onopen = function () { status("Connected."); };
    source.onerror = function () {
      if (source && source.readyState === EventSource.CLOSED) {
        // The room answered with a refusal: ask it why, then try again.
        status("Connection lost. Trying again…");
        source = null;
        post("/api/state", { token: token }).then(function (r) {
          if (r.ok) { apply(r.body.event); }
          else if (r.body.error === "unknown_token" || r.body.error === "room_closed") { refused(r.body, "join-error"); return; }
          retry = setTimeout(listen, 3000);
        });
      } else {
        status("Connection lost. Reconnecting…");
      }
    };
  }
  $("join-form").addEventListener("submit", function (e) {
    e.preventDefault();
    $("join-error").textContent = "";
    var name = $("name").value.trim();
    post("/api/join", { code: $("code").value, name: name === "" ? null : name }).then(function (r) {
      if (!r.ok) { $("join-error").textContent = r.body.message; $("code").focus(); return; }
      token = r.body.token;
      store.setItem("room-token", token);
      store.setItem("room-name", r.body.pseudonym);
      $("who").textContent = "You are " + r.body.pseudonym + ".";
      apply(r.body.event);
      listen();
    });
  });
  // A QR code's address carries the join code: fill it in.
  var given = new URLSearchParams(window.location.search).get("code");
  if (given) { $("code").value = given.slice(0, 16); }
  if (token) {
    $("who").textContent = "You are " + (store.getItem("room-name") || "in the room") + ".";
    show("wait");
    listen();
  } else {
    show("join");
  }
})();
"#;

/// The student page for a class (`class` is shown in the heading, escaped;
/// it may be empty).
pub fn student_page(class: &str) -> String {
    let class = class.trim();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(PAGE_CSP);
                meta name="referrer" content="no-referrer";
                title { "Class vote" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    h1 {
                        "Class vote"
                        @if !class.is_empty() { ": " (class) }
                    }
                    p #who .who {}
                    section #join aria-labelledby="join-h" {
                        h2 #join-h { "Join the room" }
                        form #join-form autocomplete="off" {
                            label for="code" { "Join code (on the projector)" }
                            input #code name="code" required inputmode="text" autocapitalize="characters"
                                spellcheck="false" maxlength="16" aria-describedby="join-error";
                            label for="name" { "Your name or a pseudonym (optional)" }
                            input #name name="name" maxlength="40" autocomplete="nickname"
                                aria-describedby="name-hint";
                            p #name-hint .hint {
                                "Leave it empty to stay anonymous. The projector never shows who voted what."
                            }
                            button #join-btn type="submit" { "Join" }
                            p #join-error .error role="alert" {}
                        }
                    }
                    section #vote hidden aria-labelledby="client" {
                        h2 #client { "The client says:" }
                        blockquote #line aria-live="polite" {}
                        div #options role="group" aria-label="Options: tap one to vote" {}
                        p #mine aria-live="polite" {}
                        p #vote-error .error role="alert" {}
                    }
                    section #wait hidden {
                        p { "Waiting for the next choice point." }
                        p #wait-note aria-live="polite" {}
                    }
                    section #over hidden aria-labelledby="over-h" {
                        h2 #over-h { "The session is over" }
                        p { "A question to discuss with the class:" }
                        p #question aria-live="polite" {}
                        p { "Thank you for taking part. You can close this page." }
                    }
                    noscript { p { "This page needs JavaScript to receive the choice points and send votes." } }
                }
                footer { p #status .hint aria-live="polite" {} }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
    .into_string()
}
