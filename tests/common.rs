use ipt_trainer::core::load;
use ipt_trainer::core::model::Scenario;
use ipt_trainer::core::rubric::Guidance;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

pub fn guidance() -> Arc<Guidance> {
    Arc::new(load::bundled_guidance().expect("the bundled rubric loads"))
}

pub fn scenario(path: &Path) -> Arc<Scenario> {
    let loaded = load::load_scenario_file(path);
    match loaded.into_result() {
        Ok(s) => Arc::new(s),
        Err(ds) => panic!(
            "{} does not load:\n{}",
            path.display(),
            ds.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// The bundled scenario files.
pub fn bundled() -> Vec<PathBuf> {
    load::scenario_files(&root().join("scenarios")).expect("scenarios/ is readable")
}
