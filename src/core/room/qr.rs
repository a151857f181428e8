//! The QR code the projector shows for the room's address: a grid of dark
//! and light modules, drawn by the app (no image is made here).

use qrcodegen::{QrCode, QrCodeEcc};

/// A QR code as modules: `size` × `size`, row by row, `true` for dark.
/// Draw it with a light margin of at least four modules on every side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    pub size: usize,
    modules: Vec<bool>,
}

impl Qr {
    /// The code for `text` (a URL), with medium error correction (a
    /// projector's glare or a smudge on the screen still reads). `None` if
    /// the text is too long for any QR code (over about 2 KB).
    pub fn encode(text: &str) -> Option<Qr> {
        let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
        let size = usize::try_from(code.size()).ok()?;
        let modules = (0..code.size())
            .flat_map(|y| (0..code.size()).map(move |x| (x, y)))
            .map(|(x, y)| code.get_module(x, y))
            .collect();
        Some(Qr { size, modules })
    }

    /// Whether the module at column `x`, row `y` is dark (outside: light).
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.modules[y * self.size + x]
    }
}
