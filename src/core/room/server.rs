//! The room's HTTP server: serves the student page and its API on the
//! address the tutor picks, passes every request to the [`Room`]'s rules and
//! pushes the room's events to the pages. It runs on a thread of its own
//! (a single-threaded Tokio runtime) and starts only when the tutor asks:
//! [`RoomServer::start`]. The app (or the CLI) drives the vote through the
//! handle: [`RoomServer::open_vote`], [`RoomServer::close_vote`] and so on.
//! Dropping the handle stops the server and closes every connection.
//!
//! What the server bounds beyond the room's own limits (see
//! `docs/class-room.md`): connections in all and per address, header bytes,
//! the time to send a request's headers and body, and joins per address.

use super::{
    ControlError, DeviceVotes, MAX_BODY_BYTES, Projector, Rate, Refusal, Room, RoomEvent,
    STRANGER_RATE, TokenBucket, parse_join, parse_state, parse_vote,
};
use crate::core::group::Tally;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr, TcpListener as StdListener};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// Connections open at once, in all (event streams included).
pub const MAX_CONNECTIONS: usize = 512;
/// Connections open at once from one network address. A phone needs two
/// (its event stream and a request); a few students behind one address
/// (a hotspot that translates addresses) still fit.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 24;
/// Joins from one address (wrong codes included), so that one flooder of
/// wrong codes cannot hold up joining for the room.
pub const JOIN_RATE_PER_ADDRESS: Rate = STRANGER_RATE;
/// A request's headers must arrive within this time, and its body too.
pub const REQUEST_TIME: Duration = Duration::from_secs(5);
/// A request's headers, in bytes (hyper's smallest buffer).
pub const MAX_HEADER_BYTES: usize = 8192;
/// A comment on every event stream this often, so that idle Wi-Fi and
/// proxies keep it open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long a page waits before reconnecting its stream.
pub const RETRY: Duration = Duration::from_secs(2);

/// Where and for whom to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The address to listen on: one of the machine's own (see
    /// [`local_addresses`]); port 0 picks any free port.
    pub bind: SocketAddr,
    /// The class or group's name, shown on the student page (may be empty).
    pub class: String,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "could not listen on {addr}: {source}. Pick another port (or 0 for any free one), or another network"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the operating system gave no randomness for the join code: {0}")]
    Entropy(String),
    #[error("could not start the room's server: {0}")]
    Runtime(std::io::Error),
}

/// A network address of this machine the tutor can pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAddress {
    /// The interface's name (e.g. `wlan0`).
    pub interface: String,
    pub ip: IpAddr,
}

impl LocalAddress {
    /// What the tutor sees in the list.
    pub fn label(&self) -> String {
        if self.ip.is_loopback() {
            format!("{} ({}, this computer only)", self.ip, self.interface)
        } else {
            format!("{} ({})", self.ip, self.interface)
        }
    }
}

/// This machine's addresses, the room's networks first: IPv4 before IPv6,
/// loopback (this computer only) last. IPv6 link-local addresses are left
/// out (a phone cannot open them without a zone).
pub fn local_addresses() -> Vec<LocalAddress> {
    let mut out: Vec<LocalAddress> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| match i.ip() {
            IpAddr::V4(_) => true,
            IpAddr::V6(v6) => !v6.is_unicast_link_local(),
        })
        .map(|i| LocalAddress {
            ip: i.ip(),
            interface: i.name,
        })
        .collect();
    out.sort_by_key(|a| (a.ip.is_loopback(), a.ip.is_ipv6(), a.ip));
    out.dedup();
    if out.is_empty() {
        out.push(LocalAddress {
            interface: "lo".into(),
            ip: IpAddr::from([127, 0, 0, 1]),
        });
    }
    out
}

/// Per network address: open connections and the join bucket.
struct Address {
    connections: usize,
    joins: TokenBucket,
}

struct Shared {
    room: Mutex<Room>,
    events: broadcast::Sender<RoomEvent>,
    start: Instant,
    class: String,
    addresses: Mutex<HashMap<IpAddr, Address>>,
    connections: Mutex<usize>,
    /// Called (on the server's thread) after a join or a vote is taken,
    /// so that a reactive window can wake up and redraw the counts.
    on_change: Mutex<Option<Notify>>,
}

/// What the server calls when the projector's view may have changed.
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// A poisoned lock still holds a consistent room: every change to it is
/// one call that either completes or panics before changing anything that
/// matters to a later call. So the server goes on with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn room(&self) -> MutexGuard<'_, Room> {
        lock(&self.room)
    }

    fn push(&self, event: RoomEvent) {
        // No page listening is not an error.
        let _ = self.events.send(event);
    }

    /// Admits a new connection from `ip`, or says why not.
    fn connect(self: &Arc<Self>, ip: IpAddr) -> Result<ConnectionGuard, Refusal> {
        let mut total = lock(&self.connections);
        if *total >= MAX_CONNECTIONS {
            return Err(Refusal::Busy);
        }
        let now = self.now_ms();
        let mut addresses = lock(&self.addresses);
        let a = addresses.entry(ip).or_insert_with(|| Address {
            connections: 0,
            joins: TokenBucket::new(JOIN_RATE_PER_ADDRESS, now),
        });
        if a.connections >= MAX_CONNECTIONS_PER_ADDRESS {
            return Err(Refusal::TooManyConnections);
        }
        a.connections += 1;
        *total += 1;
        Ok(ConnectionGuard {
            shared: Arc::clone(self),
            ip,
        })
    }

    fn may_join(&self, ip: IpAddr) -> bool {
        let now = self.now_ms();
        let mut addresses = lock(&self.addresses);
        addresses
            .entry(ip)
            .or_insert_with(|| Address {
                connections: 0,
                joins: TokenBucket::new(JOIN_RATE_PER_ADDRESS, now),
            })
            .joins
            .try_take(now)
    }
}

/// Counts a connection until it ends.
struct ConnectionGuard {
    shared: Arc<Shared>,
    ip: IpAddr,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut total = lock(&self.shared.connections);
        *total = total.saturating_sub(1);
        let mut addresses = lock(&self.shared.addresses);
        if let Some(a) = addresses.get_mut(&self.ip) {
            a.connections = a.connections.saturating_sub(1);
        }
    }
}

/// The peer's address, put on each request by the accept loop.
#[derive(Debug, Clone, Copy)]
struct Peer(SocketAddr);

/// A running room server. Dropping it stops the server.
pub struct RoomServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for RoomServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// A generator seeded from the operating system's entropy.
fn entropy_rng() -> Result<ChaCha8Rng, ServeError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| ServeError::Entropy(e.to_string()))?;
    Ok(ChaCha8Rng::from_seed(seed))
}

impl RoomServer {
    /// Opens a room with a fresh join code and starts serving it on
    /// `config.bind`. Returns once the address is bound (so a port in use
    /// is reported here, not later).
    pub fn start(config: ServeConfig) -> Result<RoomServer, ServeError> {
        let rng = entropy_rng()?;
        let start = Instant::now();
        let room = Room::open(rng, 0);
        let listener = StdListener::bind(config.bind).map_err(|source| ServeError::Bind {
            addr: config.bind,
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: config.bind,
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(ServeError::Runtime)?;
        let (events, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            room: Mutex::new(room),
            events,
            start,
            class: config.class,
            addresses: Mutex::new(HashMap::new()),
            connections: Mutex::new(0),
            on_change: Mutex::new(None),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ServeError::Runtime)?;
        let (stop, stopped) = watch::channel(false);
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("room-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => serve(listener, serving, stopped).await,
                        Err(e) => log_error(&format!("the room's server stopped: {e}")),
                    }
                });
            })
            .map_err(ServeError::Runtime)?;
        Ok(RoomServer {
            shared,
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address the server listens on (with the port it got).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address, for the projector: `http://192.168.1.20:8787/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The page's address with the join code filled in (for the QR code:
    /// a phone that scans it only has to tap "Join").
    pub fn join_url(&self) -> String {
        format!("{}?code={}", self.url(), self.code())
    }

    pub fn code(&self) -> String {
        self.shared.room().code().to_string()
    }

    /// What the projector may show now.
    pub fn projector(&self) -> Projector {
        self.shared.room().projector()
    }

    /// Opens the vote at a choice point and tells every page.
    pub fn open_vote(
        &self,
        point: u32,
        client: &str,
        line: &str,
        options: Vec<String>,
    ) -> Result<(), ControlError> {
        let event = self.shared.room().open_vote(point, client, line, options)?;
        self.shared.push(event);
        Ok(())
    }

    /// Closes the vote and tells every page; returns the devices' and the
    /// hand-typed counts together.
    pub fn close_vote(&self) -> Result<Tally, ControlError> {
        let (tally, event) = self.shared.room().close_vote()?;
        self.shared.push(event);
        Ok(tally)
    }

    /// The tutor's count for students without a phone, added to the
    /// devices' votes.
    pub fn set_hand_count(&self, option: usize, votes: u32) -> Result<Tally, ControlError> {
        self.shared.room().set_hand_count(option, votes)
    }

    /// The devices' votes alone, at the current (or just closed) point.
    pub fn device_tally(&self) -> Tally {
        self.shared.room().device_tally()
    }

    /// Each device's final votes at the closed choice points.
    pub fn record(&self) -> Vec<DeviceVotes> {
        self.shared.room().record()
    }

    /// Ends the session: every page shows the discussion question, and
    /// every later request is refused. The server keeps answering (with
    /// refusals) until the handle is dropped.
    pub fn close_room(&self, question: &str) {
        let event = self.shared.room().close_room(question);
        self.shared.push(event);
    }

    /// Calls `notify` (on the server's thread) after each join and each
    /// vote taken, e.g. to wake a window that only redraws on events. It
    /// must return quickly: the request waits for it.
    pub fn on_change(&self, notify: Notify) {
        *lock(&self.shared.on_change) = Some(notify);
    }

    /// Connections open now (for the load test and the projector's note).
    pub fn connections(&self) -> usize {
        *lock(&self.shared.connections)
    }
}

impl Drop for RoomServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[allow(clippy::print_stderr)]
fn log_error(message: &str) {
    eprintln!("{message}");
}

/// The accept loop: admits connections within the caps and serves each on
/// its own task until `stop` turns true.
async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let app = router(Arc::clone(&shared));
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => return,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors or a connection reset before it was
            // accepted: wait a moment rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let guard = match shared.connect(peer.ip()) {
            Ok(g) => g,
            Err(refusal) => {
                tokio::spawn(refuse_connection(stream, refusal));
                continue;
            }
        };
        let app = app.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(Peer(peer));
                    let app = app.clone();
                    async move {
                        use tower::ServiceExt as _;
                        app.oneshot(request.map(Body::new)).await
                    }
                });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(REQUEST_TIME)
                .max_buf_size(MAX_HEADER_BYTES);
            let connection =
                builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.changed() => {}
            }
            drop(guard);
        });
    }
}

/// Answers a connection over the caps with a refusal and closes it.
async fn refuse_connection(mut stream: tokio::net::TcpStream, refusal: Refusal) {
    use tokio::io::AsyncWriteExt as _;
    let body = refusal.body();
    let reply = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
        refusal.status(),
        StatusCode::from_u16(refusal.status())
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or(""),
        body.len(),
        body
    );
    let _ = tokio::time::timeout(REQUEST_TIME, stream.write_all(reply.as_bytes())).await;
    let _ = stream.shutdown().await;
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/join", post(join))
        .route("/api/vote", post(vote))
        .route("/api/state", post(state))
        .route("/api/events", get(events))
        .fallback(|| async { refusal(Refusal::NotFound) })
        .method_not_allowed_fallback(|| async { refusal(Refusal::WrongMethod) })
        .with_state(shared)
}

/// Headers every answer carries.
fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn refusal(r: Refusal) -> Response {
    let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST);
    secure(
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            r.body(),
        )
            .into_response(),
    )
}

fn json_ok<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => secure(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response(),
        ),
        Err(_) => refusal(Refusal::Busy),
    }
}

async fn page(State(shared): State<Arc<Shared>>) -> Response {
    let mut r = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        super::page::student_page(&shared.class),
    )
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(super::page::PAGE_CSP),
    );
    secure(r)
}

/// A POST's body: JSON, within [`MAX_BODY_BYTES`], sent within
/// [`REQUEST_TIME`].
async fn body(request: Request) -> Result<axum::body::Bytes, Refusal> {
    let headers: &HeaderMap = request.headers();
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Refusal::NotJson);
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(Refusal::TooLarge);
    }
    let read = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES);
    match tokio::time::timeout(REQUEST_TIME, read).await {
        Ok(Ok(bytes)) => Ok(bytes),
        // Over the limit (or the connection broke while reading).
        Ok(Err(_)) => Err(Refusal::TooLarge),
        Err(_) => Err(Refusal::BadRequest),
    }
}

fn peer_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<Peer>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |p| p.0.ip())
}

/// Answers a POST: its body read and parsed by `parse`, then `call` on
/// the room, the result as JSON or the refusal.
async fn answer<Q, A: serde::Serialize>(
    shared: &Shared,
    request: Request,
    parse: fn(&[u8]) -> Result<Q, Refusal>,
    call: impl FnOnce(&mut Room, Q, u64) -> Result<A, Refusal>,
    changes: bool,
) -> Response {
    let result = async {
        let bytes = body(request).await?;
        let query = parse(&bytes)?;
        let now = shared.now_ms();
        call(&mut shared.room(), query, now)
    }
    .await;
    match result {
        Ok(a) => {
            if changes {
                let notify = lock(&shared.on_change).clone();
                if let Some(notify) = notify {
                    notify();
                }
            }
            json_ok(&a)
        }
        Err(r) => refusal(r),
    }
}

async fn join(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if !shared.may_join(peer_ip(&request)) {
        return refusal(Refusal::TooManyGuesses);
    }
    answer(
        &shared,
        request,
        parse_join,
        |room, q, now| room.join(&q.code, q.name.as_deref(), now),
        true,
    )
    .await
}

async fn vote(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    answer(
        &shared,
        request,
        parse_vote,
        |room, q, now| room.vote(&q.token, q.point, q.option, now),
        true,
    )
    .await
}

async fn state(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    answer(
        &shared,
        request,
        parse_state,
        |room, q, now| room.state(&q.token, now),
        false,
    )
    .await
}

/// The token in `?token=…` (hex digits need no decoding; anything else is
/// not a token).
fn token_param(request: &Request) -> Option<String> {
    request
        .uri()
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .filter(|t| super::is_token_shaped(t))
        .map(str::to_string)
}

/// Ends a device's stream in the room when the stream is dropped (the page
/// went away, or the server stopped).
struct StreamGuard {
    shared: Arc<Shared>,
    token: String,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.shared.room().stream_ended(&self.token);
    }
}

fn sse_event(e: &RoomEvent) -> Event {
    Event::default().event(e.name()).data(e.to_json())
}

async fn events(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let Some(token) = token_param(&request) else {
        return refusal(Refusal::UnknownToken);
    };
    // Subscribe first, so that nothing pushed between the first event and
    // the subscription is missed.
    let receiver = shared.events.subscribe();
    let now = shared.now_ms();
    let first = match shared.room().stream(&token, now) {
        Ok(e) => e,
        Err(r) => return refusal(r),
    };
    let guard = StreamGuard {
        shared: Arc::clone(&shared),
        token,
    };
    let over = matches!(first, RoomEvent::SessionOver { .. });
    let first = sse_event(&first).retry(RETRY);
    let rest = futures_util::stream::unfold(
        (receiver, guard, over),
        |(mut receiver, guard, over)| async move {
            if over {
                return None;
            }
            let event = match receiver.recv().await {
                Ok(e) => e,
                // The page fell behind: send where the room is now.
                Err(broadcast::error::RecvError::Lagged(_)) => guard.shared.room().current_event(),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            let over = matches!(event, RoomEvent::SessionOver { .. });
            Some((
                Ok::<_, Infallible>(sse_event(&event)),
                (receiver, guard, over),
            ))
        },
    );
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, Infallible>(first) }),
        rest,
    );
    secure(
        Sse::new(stream)
            .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
            .into_response(),
    )
}
