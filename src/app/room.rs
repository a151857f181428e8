//! The class vote on the students' own devices: the core's [`LiveRoom`]
//! kept while such a vote runs, synced with the session each frame, and a
//! wake-up for the window when a phone joins or votes (the window sleeps
//! between events). The rules are the core's (`core::room`); this file only
//! connects them to the session on screen.

use super::assets::Notices;
use super::state::{GroupSetup, Practising};
use crate::core::room::live::LiveRoom;
use crate::core::room::server::{ServeConfig, local_addresses};
use bevy::prelude::*;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The room while a class vote on devices runs (none otherwise: nothing
/// listens unless the tutor asked for it).
#[derive(Resource, Default)]
pub struct ClassRoom {
    pub live: Option<LiveRoom>,
    /// Where it was served, to open a new room for a retry after the end.
    config: Option<ServeConfig>,
}

impl ClassRoom {
    /// Opens a room for the class vote set up in `setup`, replacing (and
    /// closing) any room before it. Says in a notice what went wrong.
    pub fn open(
        &mut self,
        setup: &GroupSetup,
        proxy: Option<&bevy::winit::EventLoopProxyWrapper>,
        notices: &mut Notices,
    ) -> bool {
        // The old room lets go of its port first.
        self.live = None;
        let ip = setup
            .network
            .or_else(|| local_addresses().first().map(|a| a.ip))
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let config = ServeConfig {
            bind: SocketAddr::new(ip, setup.port),
            class: setup.name.clone(),
        };
        self.start(config, proxy, notices)
    }

    /// A new room where the last one was served (a retry after the room
    /// closed at the end of the session); the students join again with its
    /// new code.
    pub fn reopen(
        &mut self,
        proxy: Option<&bevy::winit::EventLoopProxyWrapper>,
        notices: &mut Notices,
    ) -> bool {
        let Some(config) = self.config.clone() else {
            return false;
        };
        self.live = None;
        let started = self.start(config, proxy, notices);
        if let Some(live) = &self.live {
            notices.0.push(format!(
                "A new room for the retry: students join again with the code {}.",
                live.server().code()
            ));
        }
        started
    }

    fn start(
        &mut self,
        config: ServeConfig,
        proxy: Option<&bevy::winit::EventLoopProxyWrapper>,
        notices: &mut Notices,
    ) -> bool {
        match LiveRoom::start(config.clone()) {
            Ok(live) => {
                if let Some(proxy) = proxy {
                    let proxy = (**proxy).clone();
                    live.server().on_change(Arc::new(move || {
                        // A window already closed has nothing to wake.
                        let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
                    }));
                }
                self.live = Some(live);
                self.config = Some(config);
                true
            }
            Err(e) => {
                notices.0.push(format!(
                    "The students' devices cannot join: {e}. The class can still vote by a show of hands."
                ));
                false
            }
        }
    }

    /// Closes the room and stops serving.
    pub fn shut(&mut self) {
        self.live = None;
        self.config = None;
    }
}

/// Keeps the room in step with the session on screen: each new choice
/// point opened to the phones, the devices' votes brought into the tally,
/// the room closed at the end. Marks the practice changed only when it did.
pub fn sync(mut room: ResMut<ClassRoom>, mut current: ResMut<Practising>) {
    let Some(live) = room.live.as_mut() else {
        return;
    };
    let Some(practice) = current.bypass_change_detection().practice.as_mut() else {
        room.shut();
        return;
    };
    if live.sync(practice) {
        current.set_changed();
    }
}
