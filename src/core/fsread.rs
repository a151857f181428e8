//! Reading a file a user named, without trusting it: only regular files
//! (not a device such as `/dev/zero`, a FIFO or a folder, also behind a
//! symlink), never more than a limit, and never blocking on a FIFO. Every
//! place that reads a scenario, a rubric, a record or settings goes through
//! here, so no command can be made to read without bound.

use std::io::Read;
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("it is not a regular file but {0}")]
    NotAFile(&'static str),
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the file is not UTF-8 text")]
    NotUtf8,
}

impl ReadError {
    /// What the user can do about it, in a few words.
    pub fn hint(&self) -> &'static str {
        match self {
            ReadError::Io(_) => "check the path and that you may read the file",
            ReadError::NotAFile(_) => "give the path of a file saved on disk",
            ReadError::TooLarge { .. } => "split it into smaller files",
            ReadError::NotUtf8 => "save the file as UTF-8 text",
        }
    }
}

/// What kind of thing a non-regular file is, for the message.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading without blocking if it turns out to be a FIFO.
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO with no writer returns at once; on a
        // regular file the flag changes nothing.
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// The bytes of the regular file at `path`, refusing anything else and
/// anything larger than `limit` bytes (at most `limit + 1` bytes are read,
/// whatever the file claims its size is).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // Refuse before opening where we can: opening some devices has effects.
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(kind_of(meta.file_type())));
    }
    let file = open(path).map_err(|e| ReadError::Io(e.to_string()))?;
    // And again on what was opened (the path may have changed in between).
    let meta = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(kind_of(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// As [`read_limited`], as UTF-8 text (a leading byte-order mark dropped).
pub fn read_text_limited(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_limited(path, limit)?;
    let mut text = String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_within_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("a.ron");
        std::fs::write(&p, "\u{feff}hello").expect("write");
        assert_eq!(read_text_limited(&p, 100).as_deref(), Ok("hello"));
        assert_eq!(read_limited(&p, 3), Err(ReadError::TooLarge { limit: 3 }));
    }

    #[cfg(unix)]
    #[test]
    fn devices_folders_and_fifos_are_refused_without_reading() {
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("zero.ron");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
        assert_eq!(
            read_limited(&link, 1 << 20),
            Err(ReadError::NotAFile("a device"))
        );
        assert_eq!(
            read_limited(dir.path(), 10),
            Err(ReadError::NotAFile("a folder"))
        );
        let fifo = dir.path().join("pipe.ron");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(
                read_limited(&fifo, 10),
                Err(ReadError::NotAFile("a named pipe (FIFO)"))
            );
        }
    }
}
