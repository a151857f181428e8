//! Scenarios as Bevy assets: a loader that never fails (a bad file becomes
//! an asset carrying its diagnostics), and a catalog that keeps the last good
//! version of each file when an edit on disk breaks it (hot reload).

use crate::core::diagnostic::Diagnostic;
use crate::core::load::load_scenario_str;
use crate::core::model::Scenario;
use crate::core::store::scenario_hash;
use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, LoadContext};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// The asset source names for the bundled and the tutor's scenarios.
pub const BUNDLED_SOURCE: &str = "bundled";
pub const TUTOR_SOURCE: &str = "tutor";

/// A scenario file as loaded: the scenario if it is usable, and every problem.
#[derive(Asset, TypePath, Debug)]
pub struct ScenarioAsset {
    pub file: PathBuf,
    pub scenario: Option<Scenario>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(TypePath)]
pub struct ScenarioLoader {
    /// Asset source name -> folder on disk, to name files in diagnostics.
    pub roots: Vec<(String, PathBuf)>,
}

impl AssetLoader for ScenarioLoader {
    type Asset = ScenarioAsset;
    type Settings = ();
    type Error = std::io::Error;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        ctx: &mut LoadContext<'_>,
    ) -> Result<ScenarioAsset, Self::Error> {
        let source = ctx.path().source().as_str().unwrap_or_default().to_string();
        let rel = ctx.path().path().to_path_buf();
        let file = self
            .roots
            .iter()
            .find(|(name, _)| *name == source)
            .map_or_else(|| rel.clone(), |(_, root)| root.join(&rel));
        // The file is read where it lies, as the command line reads it:
        // a regular file only, never more than the size limit, a leading
        // byte-order mark dropped (Bevy's reader would read any size).
        let _ = reader;
        let text = match crate::core::load::read_source(&file) {
            Ok(t) => t,
            Err(d) => {
                return Ok(ScenarioAsset {
                    diagnostics: vec![*d],
                    file,
                    scenario: None,
                });
            }
        };
        let loaded = load_scenario_str(&text, &file);
        let usable = !loaded.has_errors();
        Ok(ScenarioAsset {
            file,
            scenario: if usable { loaded.value } else { None },
            diagnostics: loaded.diagnostics,
        })
    }

    fn extensions(&self) -> &[&str] {
        &["ron"]
    }
}

/// Where a scenario came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Bundled,
    Tutor,
}

/// One scenario file in the library.
#[derive(Debug, Clone)]
pub struct Entry {
    pub file: PathBuf,
    pub origin: Origin,
    /// The last good version (kept when an edit breaks the file).
    pub scenario: Option<Arc<Scenario>>,
    pub hash: String,
    /// Problems with the file as it is on disk now.
    pub diagnostics: Vec<Diagnostic>,
    /// How many times the file has been reloaded since start.
    pub reloads: u32,
}

impl Entry {
    pub fn id(&self) -> &str {
        self.scenario.as_ref().map_or("", |s| s.id.as_str())
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Every scenario the app knows, good or not.
#[derive(Resource, Default, Debug)]
pub struct Catalog {
    pub entries: Vec<Entry>,
}

impl Catalog {
    pub fn by_id(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id() == id)
    }

    /// Applies a freshly loaded file: a good version replaces the old one; a
    /// broken one only updates the diagnostics, so the last good version stays.
    /// Returns a notice for the user when a reload broke a file.
    pub fn apply(&mut self, asset: &ScenarioAsset, origin: Origin) -> Option<String> {
        let fresh = asset.scenario.clone().map(Arc::new);
        let hash = asset
            .scenario
            .as_ref()
            .map(scenario_hash)
            .unwrap_or_default();
        if let Some(e) = self.entries.iter_mut().find(|e| e.file == asset.file) {
            e.reloads += 1;
            e.diagnostics.clone_from(&asset.diagnostics);
            if let Some(s) = fresh {
                e.scenario = Some(s);
                e.hash = hash;
                return None;
            }
            return Some(format!(
                "{} was changed on disk but now has errors; the last good version stays in use.",
                asset.file.display()
            ));
        }
        self.entries.push(Entry {
            file: asset.file.clone(),
            origin,
            scenario: fresh,
            hash,
            diagnostics: asset.diagnostics.clone(),
            reloads: 0,
        });
        self.entries.sort_by(|a, b| {
            let key = |e: &Entry| {
                e.scenario
                    .as_ref()
                    .map(|s| (s.area, s.phase, s.title.clone()))
            };
            (key(a).is_none(), key(a), a.file.clone()).cmp(&(
                key(b).is_none(),
                key(b),
                b.file.clone(),
            ))
        });
        None
    }
}

/// Keeps the scenario handles alive so their files stay loaded and watched.
#[derive(Resource, Default)]
pub struct ScenarioHandles(pub Vec<(String, Handle<ScenarioAsset>)>);

/// User-facing notices (reload problems, damaged files).
#[derive(Resource, Default, Debug)]
pub struct Notices(pub Vec<String>);

pub(super) fn plugin(app: &mut App) {
    app.init_asset::<ScenarioAsset>()
        .init_resource::<Catalog>()
        .init_resource::<ScenarioHandles>()
        .init_resource::<Notices>()
        .add_systems(Startup, load_scenario_files)
        .add_systems(OnEnter(super::Screen::Library), load_scenario_files)
        .add_systems(Update, sync_catalog);
}

/// Loads every `.ron` file in the scenario folders (walkthroughs and other
/// files beside them are left alone). Run at start and on entering the
/// library, so files added since are picked up; edits reload by themselves.
fn load_scenario_files(
    server: Res<AssetServer>,
    roots: Res<super::ScenarioRoots>,
    mut handles: ResMut<ScenarioHandles>,
) {
    for (name, dir) in &roots.0 {
        let Ok(files) = crate::core::load::scenario_files(dir) else {
            continue;
        };
        for f in files {
            let Some(file_name) = f.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let path = format!("{name}://{file_name}");
            if handles.0.iter().any(|(p, _)| *p == path) {
                continue;
            }
            let handle = server.load::<ScenarioAsset>(path.clone());
            handles.0.push((path, handle));
        }
    }
}

/// Puts loaded and reloaded scenarios in the catalog. A change on screen
/// (a card's new title, a broken edit's errors) asks for a frame, so an
/// idle window shows it at once, without waiting for the mouse.
fn sync_catalog(
    mut events: MessageReader<AssetEvent<ScenarioAsset>>,
    assets: Res<Assets<ScenarioAsset>>,
    server: Res<AssetServer>,
    mut catalog: ResMut<Catalog>,
    mut notices: ResMut<Notices>,
    redraw: Option<MessageWriter<bevy::window::RequestRedraw>>,
) {
    let mut changed = false;
    for ev in events.read() {
        let (AssetEvent::Added { id } | AssetEvent::Modified { id }) = ev else {
            continue;
        };
        let Some(asset) = assets.get(*id) else {
            continue;
        };
        let origin = match server.get_path(*id) {
            Some(p) if p.source().as_str() == Some(TUTOR_SOURCE) => Origin::Tutor,
            _ => Origin::Bundled,
        };
        changed = true;
        if let Some(n) = catalog.apply(asset, origin) {
            warn!("{n}");
            notices.0.push(n);
        }
    }
    if changed && let Some(mut r) = redraw {
        r.write(bevy::window::RequestRedraw);
    }
}
