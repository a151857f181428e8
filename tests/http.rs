//! A small HTTP/1.1 client over a plain `TcpStream`, for the room server's
//! tests and its load test (`benches/room.rs` includes this file): one
//! request per connection, and a reader of a server-sent event stream.
#![allow(dead_code)]

use std::cell::Cell;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

/// What the server answered.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    /// The refusal's code (`error` in the JSON body).
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or("").to_string()
    }
}

thread_local! {
    static FROM: Cell<Option<IpAddr>> = const { Cell::new(None) };
}

/// Makes this thread's later connections come from `ip` (a loopback
/// address such as 127.0.1.7), as from a phone of its own: the server
/// caps connections and joins per address. `None`: the system's choice.
pub fn connect_from(ip: Option<IpAddr>) {
    FROM.set(ip);
}

fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let wait = Duration::from_secs(5);
    let s = match FROM.get() {
        None => TcpStream::connect_timeout(&addr, wait)?,
        // std cannot bind before connecting; socket2 (tokio's own) can.
        Some(ip) => {
            let socket = socket2::Socket::new(
                socket2::Domain::for_address(addr),
                socket2::Type::STREAM,
                Some(socket2::Protocol::TCP),
            )?;
            socket.bind(&SocketAddr::new(ip, 0).into())?;
            socket.connect_timeout(&addr.into(), wait)?;
            socket.into()
        }
    };
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.set_write_timeout(Some(Duration::from_secs(10)))?;
    s.set_nodelay(true)?;
    Ok(s)
}

/// Sends `raw` (a whole request) on a new connection and reads the answer
/// to the end of its body.
pub fn send(addr: SocketAddr, raw: &[u8]) -> std::io::Result<Reply> {
    let mut s = connect(addr)?;
    s.write_all(raw)?;
    let mut reader = BufReader::new(s);
    read_reply(&mut reader)
}

fn read_head(reader: &mut impl BufRead) -> std::io::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line: {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok((status, headers))
}

fn read_reply(reader: &mut impl BufRead) -> std::io::Result<Reply> {
    let (status, headers) = read_head(reader)?;
    let find = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(n) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(n, 0);
        reader.read_exact(&mut body)?;
    } else if find("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        while let Some(chunk) = read_chunk(reader)? {
            body.extend(chunk);
        }
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// One chunk of a chunked body, or `None` at its end.
fn read_chunk(reader: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let size = usize::from_str_radix(line.trim(), 16)
        .map_err(|_| std::io::Error::other(format!("bad chunk size {line:?}")))?;
    let mut chunk = vec![0; size];
    reader.read_exact(&mut chunk)?;
    let mut crlf = [0u8; 2];
    reader.read_exact(&mut crlf)?;
    Ok((size > 0).then_some(chunk))
}

pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> std::io::Result<Reply> {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = content_type {
        let _ = write!(raw, "Content-Type: {t}\r\n");
    }
    if method == "POST" {
        let _ = write!(raw, "Content-Length: {}\r\n", body.len());
    }
    raw.push_str("\r\n");
    raw.push_str(body);
    send(addr, raw.as_bytes())
}

pub fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, None, "").expect("the server answers")
}

pub fn post(addr: SocketAddr, path: &str, json: &str) -> Reply {
    request(addr, "POST", path, Some("application/json"), json).expect("the server answers")
}

/// Joins the room; returns the token.
pub fn join(addr: SocketAddr, code: &str, name: Option<&str>) -> Reply {
    post(
        addr,
        "/api/join",
        &serde_json::json!({ "code": code, "name": name }).to_string(),
    )
}

pub fn vote(addr: SocketAddr, token: &str, point: u32, option: usize) -> Reply {
    post(
        addr,
        "/api/vote",
        &serde_json::json!({ "token": token, "point": point, "option": option }).to_string(),
    )
}

/// An open event stream.
pub struct Events {
    reader: BufReader<TcpStream>,
    pub status: u16,
    /// The refusal's body, if the stream was refused.
    pub refusal: Option<Reply>,
    buffer: String,
}

impl Events {
    pub fn open(addr: SocketAddr, token: &str) -> std::io::Result<Events> {
        let mut s = connect(addr)?;
        write!(
            s,
            "GET /api/events?token={token} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )?;
        let mut reader = BufReader::new(s);
        let (status, headers) = read_head(&mut reader)?;
        let refusal = if status == 200 {
            None
        } else {
            let n = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0; n];
            reader.read_exact(&mut body)?;
            Some(Reply {
                status,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            })
        };
        Ok(Events {
            reader,
            status,
            refusal,
            buffer: String::new(),
        })
    }

    /// The next event (its name and its JSON), skipping comments; `None`
    /// when the stream ends or nothing comes for `wait`.
    pub fn next(&mut self, wait: Duration) -> Option<(String, serde_json::Value)> {
        self.reader.get_ref().set_read_timeout(Some(wait)).ok()?;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a comment (keep-alive) or a retry line alone
                }
                let json = serde_json::from_str(&data).ok()?;
                return Some((name, json));
            }
            let chunk = read_chunk(&mut self.reader).ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
