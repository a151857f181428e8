//! The student page in real browsers against the real room server: two
//! headless Chromiums, driven through chromedriver's W3C WebDriver API,
//! join, vote, change a vote, see the vote close and the session end, while
//! the test plays the tutor on the `RoomServer` handle.
//!
//! Ignored in a plain `cargo test`: it needs `chromium` and `chromedriver`
//! (Debian's `chromium-driver`), which `scripts/install-deps --test`
//! installs; `scripts/test` runs it with `--ignored browser::`.

use crate::http;
use ipt_trainer::core::room::server::{RoomServer, ServeConfig};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key a WebDriver element reference is stored under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long any wait may last.
const WAIT: Duration = Duration::from_secs(10);

fn chromedriver_bin() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into())
}

fn chromium_bin() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Whether chromium and chromedriver are here. Without them the tests
/// skip, saying so, unless `IPT_REQUIRE_BROWSER` is set (`scripts/test`
/// sets it, so that CI fails rather than skips).
#[allow(clippy::print_stderr, reason = "the test says why it skips")]
pub(crate) fn browsers_here(test: &str) -> bool {
    let runs = |bin: &str| {
        Command::new(bin)
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let missing: Vec<String> = [chromium_bin(), chromedriver_bin()]
        .into_iter()
        .filter(|b| !runs(b))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not found or does not run: run scripts/install-deps --test",
        missing.join(" and ")
    );
    assert!(
        std::env::var_os("IPT_REQUIRE_BROWSER").is_none(),
        "{test}: {why} (IPT_REQUIRE_BROWSER is set)"
    );
    eprintln!("SKIPPED {test}: {why} (set IPT_REQUIRE_BROWSER=1 to fail instead)");
    false
}

/// A running chromedriver, killed when dropped (also when a test fails).
pub(crate) struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Driver {
    pub(crate) fn start() -> Driver {
        let bin = chromedriver_bin();
        // A free port: chromedriver does not report the one it got for 0.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{bin} does not start ({e}): run scripts/install-deps --test")
            });
        let driver = Driver {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        wait_for("chromedriver to be ready", || {
            http::request(driver.addr, "GET", "/status", None, "")
                .ok()
                .and_then(|r| r.json()["value"]["ready"].as_bool())
                .unwrap_or(false)
        });
        driver
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let r = http::request(
            self.addr,
            method,
            path,
            Some("application/json"),
            &body.to_string(),
        )
        .unwrap_or_else(|e| panic!("{method} {path}: chromedriver does not answer ({e})"));
        let v = r.json();
        assert_eq!(r.status, 200, "{method} {path}: {}", r.body);
        v["value"].clone()
    }

    /// A new browser in a phone-sized window with its own profile.
    pub(crate) fn browser(&self) -> Browser<'_> {
        self.browser_sized(390, 844)
    }

    /// A new browser whose page is `width` x `height` CSS pixels. Headless
    /// Chromium keeps a window at least 500 px wide whatever
    /// `--window-size` says, so the page's size is set by chromedriver's
    /// device emulation (as DevTools' phone view does); the test checks it.
    pub(crate) fn browser_sized(&self, width: u32, height: u32) -> Browser<'_> {
        let profile = tempfile::tempdir().expect("a profile dir");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let chromium = chromium_bin();
        let v = self.call(
            "POST",
            "/session",
            &json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": args,
                    "mobileEmulation": { "deviceMetrics": {
                        "width": width, "height": height, "pixelRatio": 1.0, "touch": width < 500
                    } }
                }
            } } }),
        );
        let id = v["sessionId"].as_str().expect("a session id").to_string();
        Browser {
            driver: self,
            id,
            width,
            _profile: profile,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser (a WebDriver session); closed when dropped.
pub(crate) struct Browser<'d> {
    driver: &'d Driver,
    id: String,
    /// The page's width in CSS pixels, checked on every page opened.
    width: u32,
    _profile: tempfile::TempDir,
}

impl Browser<'_> {
    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
    }

    pub(crate) fn open(&self, url: &str) {
        self.call("POST", "/url", &json!({ "url": url }));
        assert_eq!(
            self.run("return window.innerWidth;"),
            json!(self.width),
            "{url} is not laid out {} px wide",
            self.width
        );
    }

    pub(crate) fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            &json!({ "using": "css selector", "value": css }),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub(crate) fn find_all(&self, css: &str) -> Vec<String> {
        let v = self.call(
            "POST",
            "/elements",
            &json!({ "using": "css selector", "value": css }),
        );
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
            .collect()
    }

    pub(crate) fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), &json!({}));
    }

    pub(crate) fn click_element(&self, e: &str) {
        self.call("POST", &format!("/element/{e}/click"), &json!({}));
    }

    pub(crate) fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            &json!({ "text": text }),
        );
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub(crate) fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// Runs `script` (a function body that calls `arguments[0]` with its
    /// result) in the page and returns that result.
    fn run_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// The section shown now (`join`, `vote`, `wait`, `over`).
    pub(crate) fn shown(&self) -> String {
        self.run(
            "var s = ['join','vote','wait','over'].filter(function (id) { \
             return !document.getElementById(id).hidden; }); return s.join(',');",
        )
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    pub(crate) fn text(&self, id: &str) -> String {
        self.run(&format!(
            "return document.getElementById({}).textContent;",
            json!(id)
        ))
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    pub(crate) fn value(&self, id: &str) -> String {
        self.run(&format!(
            "return document.getElementById({}).value;",
            json!(id)
        ))
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    pub(crate) fn wait_shown(&self, section: &str) {
        wait_for(&format!("the page to show #{section}"), || {
            self.shown() == section
        });
    }

    /// axe-core's result for the page as it is now: axe.min.js is put into
    /// the page through WebDriver (the page's CSP allows no script from
    /// elsewhere, and WebDriver's scripts are not subject to it), then
    /// `tests/a11y.rs`'s report runs.
    fn axe(&self) -> Value {
        if self.run("return typeof axe;") != json!("object") {
            let js = std::fs::read_to_string(crate::a11y::axe_script()).expect("axe.min.js");
            self.run(&format!("{js}\n;return typeof axe;"));
        }
        let v = self.run_async(&format!(
            "var done = arguments[arguments.length - 1]; ({})(done);",
            crate::a11y::AXE_REPORT
        ));
        assert!(v.get("error").is_none(), "axe failed: {}", v["error"]);
        v
    }

    /// A PNG of the window.
    pub(crate) fn screenshot(&self) -> Vec<u8> {
        let v = self.call("GET", "/screenshot", &json!({}));
        base64_decode(v.as_str().expect("base64"))
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = http::request(
            self.driver.addr,
            "DELETE",
            &format!("/session/{}", self.id),
            None,
            "",
        );
    }
}

/// Polls `done` every 50 ms for at most [`WAIT`].
pub(crate) fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < WAIT, "waited {WAIT:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(val(*c)) << (18 - 6 * i);
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..chunk.len()]);
    }
    out
}

fn start_server() -> RoomServer {
    RoomServer::start(ServeConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        class: "Seminar B".into(),
    })
    .expect("the server starts on loopback")
}

fn options() -> Vec<String> {
    vec![
        "What was that like for you?".into(),
        "You should try to get out more.".into(),
        "Let's look at your week.".into(),
    ]
}

/// Where the screenshots go (the target dir's tmp).
fn shot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

#[test]
#[ignore = "needs chromium and chromedriver: scripts/install-deps --test"]
#[allow(clippy::print_stdout, reason = "the test says where the screenshot is")]
fn two_browsers_join_vote_change_and_see_the_vote_close_and_the_session_end() {
    if !browsers_here("browser::two_browsers") {
        return;
    }
    let server = start_server();
    let driver = Driver::start();

    // A scans the QR code: the code is filled in.
    let a = driver.browser();
    a.open(&server.join_url());
    a.wait_shown("join");
    assert_eq!(a.value("code"), server.code());
    a.type_into("#name", "Ana <b>x</b>");
    a.click("#join-btn");
    a.wait_shown("wait");
    assert_eq!(a.text("who"), "You are Ana <b>x</b>.");
    let bold = a.run("return document.querySelectorAll('#who b').length;");
    assert_eq!(bold, json!(0), "the name was parsed as markup");

    let line = "I just stay in bed. What's the point?";
    server
        .open_vote(1, "Mr Jones", line, options())
        .expect("the vote opens");
    a.wait_shown("vote");
    assert_eq!(a.text("client"), "Mr Jones says:");
    assert_eq!(a.text("line"), line);
    let texts = a.run(
        "return Array.prototype.map.call(document.querySelectorAll('#options button'), \
         function (b) { return b.textContent; });",
    );
    assert_eq!(
        texts,
        json!([
            "1. What was that like for you?",
            "2. You should try to get out more.",
            "3. Let's look at your week."
        ])
    );

    let buttons = a.find_all("#options button");
    assert_eq!(buttons.len(), 3);
    a.click_element(&buttons[1]);
    wait_for("A's vote for 2 to count", || {
        server.projector().counts == [0, 1, 0]
    });
    wait_for("A's page to confirm the vote", || {
        a.text("mine")
            == "Your vote: You should try to get out more. You can change it until the tutor closes the vote."
    });
    let png = a.screenshot();
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    let path = shot_path("browser-a-vote.png");
    std::fs::write(&path, &png).expect("save the screenshot");
    println!("screenshot of A's page at the vote: {}", path.display());

    // B types the code by hand, in lower case.
    let b = driver.browser();
    b.open(&server.url());
    b.wait_shown("join");
    assert_eq!(b.value("code"), "");
    b.type_into("#code", &server.code().to_lowercase());
    b.click("#join-btn");
    b.wait_shown("vote");
    let buttons = b.find_all("#options button");
    b.click_element(&buttons[2]);
    wait_for("B's vote for 3 to count", || {
        server.projector().counts == [0, 1, 1]
    });

    // A changes to 3.
    let buttons = a.find_all("#options button");
    a.click_element(&buttons[2]);
    wait_for("A's change to 3 to count", || {
        server.projector().counts == [0, 0, 2]
    });
    wait_for("A's page to show the change", || {
        a.text("mine").starts_with("Your vote: Let's look")
    });

    server.close_vote().expect("the vote closes");
    a.wait_shown("wait");
    wait_for("A's page to say the vote closed", || {
        a.text("wait-note") == "The tutor has closed the vote."
    });
    b.wait_shown("wait");

    let question = "When did you last feel understood <i>really</i>?";
    server.close_room(question);
    a.wait_shown("over");
    assert_eq!(a.text("question"), question);
    assert_eq!(
        a.run("return document.querySelectorAll('#question i').length;"),
        json!(0)
    );
    b.wait_shown("over");
}

#[test]
#[ignore = "needs chromium, chromedriver and axe-core: scripts/install-deps --test"]
#[allow(clippy::print_stdout, reason = "the test says what it checked")]
fn the_student_page_has_no_axe_violations_in_any_state_on_a_phone_or_a_laptop() {
    if !browsers_here("browser::the_student_page_has_no_axe_violations") {
        return;
    }
    let driver = Driver::start();
    let mut found = String::new();
    let mut checked = 0;
    for (width, height) in [(390, 844), (1280, 800)] {
        // A room of its own at each size: the session ends in each.
        let server = start_server();
        let page = driver.browser_sized(width, height);
        let mut check = |state: &str| {
            let v = page.axe();
            checked += 1;
            println!(
                "axe-core {} at {width} px, {state}: {} rules passed, {} violated",
                v["version"],
                v["passes"],
                crate::a11y::ids(&v).len()
            );
            if !crate::a11y::ids(&v).is_empty() {
                let _ = write!(
                    found,
                    "at {width} px, {state}:\n{}",
                    crate::a11y::describe(&v)
                );
            }
        };
        page.open(&server.url());
        page.wait_shown("join");
        check("the join form");
        page.type_into("#code", "WRONG");
        page.click("#join-btn");
        wait_for("the refusal", || !page.text("join-error").is_empty());
        check("the join form with a wrong code");
        page.run("document.getElementById('code').value = '';");
        page.type_into("#code", &server.code());
        page.type_into("#name", "Ana");
        page.click("#join-btn");
        page.wait_shown("wait");
        check("waiting");
        server
            .open_vote(1, "Mr Jones", "I just stay in bed.", options())
            .expect("the vote opens");
        page.wait_shown("vote");
        check("a vote");
        page.click_element(&page.find_all("#options button")[1]);
        wait_for("the vote to count", || {
            server.projector().counts == [0, 1, 0]
        });
        wait_for("the page to confirm it", || {
            page.text("mine").starts_with("Your vote:")
        });
        check("a vote, after voting");
        server.close_vote().expect("the vote closes");
        page.wait_shown("wait");
        check("the vote closed");
        server.close_room("What helped Mr Jones most?");
        page.wait_shown("over");
        check("the session over");
        // The check can fail: an image without a text alternative is found.
        page.run("document.querySelector('main').appendChild(document.createElement('img'));");
        let v = page.axe();
        assert!(
            crate::a11y::ids(&v).contains(&"image-alt".to_string()),
            "axe through WebDriver should find an image without alt: {v}"
        );
    }
    assert_eq!(checked, 14);
    assert!(
        found.is_empty(),
        "axe-core finds violations in the student page:\n{found}"
    );
}
