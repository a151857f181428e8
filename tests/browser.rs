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
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key a WebDriver element reference is stored under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long any wait may last.
const WAIT: Duration = Duration::from_secs(10);

/// A running chromedriver, killed when dropped (also when a test fails).
struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Driver {
    fn start() -> Driver {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
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
            .unwrap_or_else(|e| panic!("{bin} does not start ({e}): run scripts/install-deps --test"));
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
    fn browser(&self) -> Browser<'_> {
        let profile = tempfile::tempdir().expect("a profile dir");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--window-size=390,844".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let v = self.call(
            "POST",
            "/session",
            &json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": chromium, "args": args }
            } } }),
        );
        let id = v["sessionId"].as_str().expect("a session id").to_string();
        Browser {
            driver: self,
            id,
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
struct Browser<'d> {
    driver: &'d Driver,
    id: String,
    _profile: tempfile::TempDir,
}

impl Browser<'_> {
    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", &json!({ "url": url }));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            &json!({ "using": "css selector", "value": css }),
        );
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_string()
    }

    fn find_all(&self, css: &str) -> Vec<String> {
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

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), &json!({}));
    }

    fn click_element(&self, e: &str) {
        self.call("POST", &format!("/element/{e}/click"), &json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/value"), &json!({ "text": text }));
    }

    /// Runs `script` (a function body) in the page and returns its value.
    fn run(&self, script: &str) -> Value {
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
    fn shown(&self) -> String {
        self.run(
            "var s = ['join','vote','wait','over'].filter(function (id) { \
             return !document.getElementById(id).hidden; }); return s.join(',');",
        )
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    fn text(&self, id: &str) -> String {
        self.run(&format!(
            "return document.getElementById({}).textContent;",
            json!(id)
        ))
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    fn value(&self, id: &str) -> String {
        self.run(&format!(
            "return document.getElementById({}).value;",
            json!(id)
        ))
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    fn wait_shown(&self, section: &str) {
        wait_for(&format!("the page to show #{section}"), || {
            self.shown() == section
        });
    }

    /// A PNG of the window.
    fn screenshot(&self) -> Vec<u8> {
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
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
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
    let bytes: Vec<u8> = s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()).collect();
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
fn two_browsers_join_vote_change_and_see_the_vote_close_and_the_session_end() {
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
    wait_for("A's vote for 2 to count", || server.projector().counts == [0, 1, 0]);
    wait_for("A's page to confirm the vote", || {
        a.text("mine").starts_with("Your vote: You should try")
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
    wait_for("B's vote for 3 to count", || server.projector().counts == [0, 1, 1]);

    // A changes to 3.
    let buttons = a.find_all("#options button");
    a.click_element(&buttons[2]);
    wait_for("A's change to 3 to count", || server.projector().counts == [0, 0, 2]);
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
    let _ = a.run_async("arguments[0](1);");
}
