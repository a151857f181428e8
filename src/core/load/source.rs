//! Reading the files a user names: the size limit, what is refused (a
//! device, a FIFO, a folder: see `core::fsread`) and how each refusal is
//! worded, and which files of a folder are scenarios.

use crate::core::diagnostic::{Code, Diagnostic};
use crate::core::fsread::{ReadError, read_text_limited};
use std::path::{Path, PathBuf};

/// Files larger than this are refused (a scenario of 5,000 nodes is about 2 MiB).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Reads a scenario or rubric file as text: only a regular file (also
/// behind a symlink), never more than [`MAX_FILE_BYTES`] + 1 bytes, never
/// blocking on a FIFO; anything else is a diagnostic that says why.
pub fn read_source(path: &Path) -> Result<String, Box<Diagnostic>> {
    read_text_limited(path, MAX_FILE_BYTES).map_err(|e| {
        let d = match &e {
            ReadError::Io(why) => {
                Diagnostic::new(Code::E001, path, format!("cannot read the file: {why}"))
            }
            ReadError::NotAFile(kind) => Diagnostic::new(
                Code::E001,
                path,
                format!("{} is {kind}, not a file", path.display()),
            ),
            ReadError::TooLarge { limit } => Diagnostic::new(
                Code::E002,
                path,
                format!("the file is larger than the limit of {limit} bytes"),
            ),
            ReadError::NotUtf8 => Diagnostic::new(Code::E001, path, "the file is not UTF-8 text"),
        };
        let hint = match e {
            ReadError::TooLarge { .. } => "split the scenario into smaller ones",
            other => other.hint(),
        };
        Box::new(d.with_hint(hint))
    })
}

/// The scenario files under a path, sorted: the path itself unless it is a
/// folder (so that a path that is not a file, such as a FIFO, is refused
/// by [`read_source`] with a message that says what it is), or the regular
/// `.ron` files in the folder. Drill plans (`*.drill.ron`) and cases
/// (`*.case.ron`) are not scenarios and are left out (see
/// [`drill_plan_files`] and [`case_files`]).
pub fn scenario_files(path: &Path) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    Ok(ron_files(path)?
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| super::is_drill_plan_name(n) || super::is_case_name(n))
        })
        .collect())
}

/// The cases (`*.case.ron`) under a path, sorted: the path itself if it is
/// one, or those in the folder.
pub fn case_files(path: &Path) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    Ok(ron_files(path)?
        .into_iter()
        .filter(|p| p.file_name().is_some_and(super::is_case_name))
        .collect())
}

/// The drill plans (`*.drill.ron`) under a path, sorted: the path itself
/// if it is one, or those in the folder.
pub fn drill_plan_files(path: &Path) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    Ok(ron_files(path)?
        .into_iter()
        .filter(|p| p.file_name().is_some_and(super::is_drill_plan_name))
        .collect())
}

fn ron_files(path: &Path) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Box::new(
            Diagnostic::new(Code::E001, path, format!("cannot read: {e}"))
                .with_hint("give a .ron file or a folder that holds them"),
        )
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Box::new(
            Diagnostic::new(Code::E001, path, format!("cannot read: {e}"))
                .with_hint("give a .ron file or a folder that holds them"),
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    Ok(files)
}

/// The folder of bundled scenarios: beside the program, in the working
/// directory, or in the source tree it was built from.
pub fn bundled_scenarios_dir() -> PathBuf {
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("scenarios")));
    [
        beside_exe,
        Some(PathBuf::from("scenarios")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_dir())
    .map_or_else(
        || PathBuf::from("scenarios"),
        |p| std::fs::canonicalize(&p).unwrap_or(p),
    )
}
