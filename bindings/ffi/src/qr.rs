//! QR codes for apps: the core draws the code (a module matrix to paint, or SVG) and reads what
//! a camera scanned, so Android and iOS show and understand the same codes. The camera and the
//! screen are the app's.

use crate::LinliError;
use linli_core::chunks;
use linli_core::qr::{self, QrMatrix, Scanned};

/// A QR code to draw: `size` × `size` modules, row by row from the top left (module `x`, `y` is
/// `modules[y * size + x]`, `true` = dark). Leave 4 light modules of quiet zone around it, and
/// draw each module as a whole number of pixels.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrCode {
    /// Modules per side.
    pub size: u32,
    /// The QR version (1–40).
    pub version: u8,
    /// `size * size` modules.
    pub modules: Vec<bool>,
}

fn too_long(e: qr::QrError) -> LinliError {
    LinliError::invalid(e.to_string())
}

/// The QR code for a text: an invite, a device key, or a chunk's text ([`chunk_to_text`]).
#[uniffi::export]
pub fn qr_code(text: String) -> Result<QrCode, LinliError> {
    let m = QrMatrix::of(&text).map_err(too_long)?;
    Ok(QrCode {
        size: m.size as u32,
        version: m.version,
        modules: m.modules,
    })
}

/// The QR code for a text as a self-contained SVG document at least `min_px` wide (quiet zone
/// included).
#[uniffi::export]
pub fn qr_svg(text: String, min_px: u32) -> Result<String, LinliError> {
    qr::svg(&text, min_px).map_err(too_long)
}

/// The text to show as a QR code for one chunk of [`crate::bundle_to_chunks`]: base45, which
/// the camera APIs return intact as a string.
#[uniffi::export]
pub fn chunk_to_text(chunk: Vec<u8>) -> String {
    chunks::to_text(&chunk)
}

/// What a scanned code is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ScannedCode {
    /// An invite: pass `invite` to `Device.join`.
    Invite {
        /// The invite text.
        invite: String,
        /// The cycle it names.
        cycle_id: String,
    },
    /// A device's key (hex), for a cadre registering that phone.
    DeviceKey {
        /// The key.
        key: String,
    },
    /// A chunk of a bundle: pass `chunk` to `ChunkCollector.add`.
    Chunk {
        /// The chunk's bytes.
        chunk: Vec<u8>,
    },
    /// Not a Linli code.
    Other,
}

/// Reads the text a camera scanned: an invite, a key, a chunk, or something else.
#[uniffi::export]
pub fn read_scanned(text: String) -> ScannedCode {
    match Scanned::read(&text) {
        Scanned::Invite(i) => ScannedCode::Invite {
            invite: i.encode(),
            cycle_id: i.cycle.to_string(),
        },
        Scanned::DeviceKey(k) => ScannedCode::DeviceKey { key: k.to_hex() },
        Scanned::Chunk(chunk) => ScannedCode::Chunk { chunk },
        Scanned::Other => ScannedCode::Other,
    }
}
