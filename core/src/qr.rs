//! QR codes for what devices show each other: an invite, a device's key, the chunks of a bundle.
//! The core draws the code (a matrix of modules, or SVG) so that every shell shows the same one;
//! putting it on a screen and reading a camera are the shells' job.
//!
//! Every code uses error correction level M (15 % of the code words can be lost). Chunk text is
//! base45 ([`crate::chunks::to_text`]), which the encoder carries in alphanumeric mode; an
//! invite and a key are ASCII text in byte mode. docs/sync.md §QR codes gives the measured size
//! that a phone camera reads off another phone's screen, which is what
//! [`crate::chunks::QR_CHUNK_BYTES`] is set to.

use qrcode::{Color, EcLevel, QrCode, Version};

/// Why text cannot be drawn as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// More than the largest code (version 40) holds.
    #[error("{0} characters do not fit in a QR code")]
    TooLong(usize),
}

/// A QR code as modules: `size` × `size`, row by row from the top left, `true` for dark. The
/// quiet zone is not included: leave 4 light modules around it when drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// Modules per side (21 for version 1, 4 more per version).
    pub size: usize,
    /// The QR version (1 to 40): what a camera must resolve grows with it.
    pub version: u8,
    /// The modules, `size * size` of them.
    pub modules: Vec<bool>,
}

impl QrMatrix {
    /// The code for `text`, at error correction M, in the smallest version that holds it (the
    /// encoder chooses numeric, alphanumeric or byte mode per segment).
    pub fn of(text: &str) -> Result<QrMatrix, QrError> {
        let code = code(text)?;
        let version = match code.version() {
            Version::Normal(v) => v as u8,
            Version::Micro(v) => v as u8,
        };
        Ok(QrMatrix {
            size: code.width(),
            version,
            modules: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.modules[y * self.size + x]
    }
}

fn code(text: &str) -> Result<QrCode, QrError> {
    let auto = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok();
    // The encoder's segmentation cuts runs of digits out of alphanumeric text as numeric
    // segments, whose headers can cost a version: one alphanumeric segment is never larger for
    // text in that alphabet (base45 chunks), so take whichever code is smaller.
    let alphanumeric = text
        .bytes()
        .all(|c| crate::base45::ALPHABET.contains(&c))
        .then(|| one_alphanumeric_segment(text.as_bytes()))
        .flatten();
    match (auto, alphanumeric) {
        (Some(a), Some(b)) if b.width() < a.width() => Ok(b),
        (Some(a), _) => Ok(a),
        (None, Some(b)) => Ok(b),
        (None, None) => Err(QrError::TooLong(text.chars().count())),
    }
}

/// `data` as one alphanumeric segment in the smallest version that holds it.
fn one_alphanumeric_segment(data: &[u8]) -> Option<QrCode> {
    (1..=40).find_map(|v| {
        let mut bits = qrcode::bits::Bits::new(Version::Normal(v));
        bits.push_alphanumeric_data(data).ok()?;
        bits.push_terminator(EcLevel::M).ok()?;
        QrCode::with_bits(bits, EcLevel::M).ok()
    })
}

/// The code for `text` as an SVG document at least `min_px` pixels wide, quiet zone included:
/// no script, no external reference, safe to inline in a page.
pub fn svg(text: &str, min_px: u32) -> Result<String, QrError> {
    use qrcode::render::svg;
    Ok(code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(min_px, min_px)
        .quiet_zone(true)
        .build())
}

/// What a scanned QR code holds, as a device reads it: the one place that tells an invite, a
/// key and a chunk apart, so every app's scanner does the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scanned {
    /// An invite to follow a cycle ([`crate::invite::Invite::encode`]).
    Invite(crate::invite::Invite),
    /// A device's key, shown for a cadre to register it.
    DeviceKey(crate::identity::DeviceKey),
    /// One chunk of a bundle ([`crate::chunks::to_text`]), for an
    /// [`Assembler`](crate::chunks::Assembler); its proof is checked when added.
    Chunk(Vec<u8>),
    /// Anything else (another app's code, a web address).
    Other,
}

impl Scanned {
    /// Reads scanned text (surrounding whitespace ignored).
    pub fn read(text: &str) -> Scanned {
        let text = text.trim();
        if let Some(invite) = crate::invite::Invite::parse(text) {
            return Scanned::Invite(invite);
        }
        if text.len() == 64 {
            if let Ok(key) = crate::identity::DeviceKey::from_hex(text) {
                return Scanned::DeviceKey(key);
            }
        }
        match crate::chunks::from_text(text) {
            Ok(chunk) => Scanned::Chunk(chunk),
            Err(_) => Scanned::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks;

    #[test]
    fn a_chunk_at_the_qr_size_is_a_version_15_code_in_alphanumeric_mode() {
        let bundle: Vec<u8> = (0..5_000u32).map(|i| (i * 7 % 256) as u8).collect();
        let parts = chunks::split_for_qr(&bundle).unwrap();
        assert!(parts.len() > 10);
        for part in &parts {
            let text = chunks::to_text(part);
            let m = QrMatrix::of(&text).unwrap();
            assert!(m.version <= 15, "version {}", m.version);
            assert_eq!(m.size, 17 + 4 * m.version as usize);
            assert_eq!(m.modules.len(), m.size * m.size);
        }
        // Chunks of text-like bytes (records are JSON), whose base45 has long runs of digits.
        let mut seed = 1u64;
        let json: Vec<u8> = (0..120_000)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                b"0123456789abcdef-\":,{}"[(seed >> 33) as usize % 22]
            })
            .collect();
        for piece in json.chunks(400) {
            let m = QrMatrix::of(&chunks::to_text(piece)).unwrap();
            assert!(m.version <= 15, "version {}", m.version);
        }
        // The same bytes in byte mode would need no smaller a code: base45 costs ~3 %.
        let text = chunks::to_text(&parts[0]);
        assert_eq!(text.len(), parts[0].len() / 2 * 3 + parts[0].len() % 2 * 2);
    }

    #[test]
    fn the_finder_patterns_are_where_a_camera_looks_for_them() {
        let m = QrMatrix::of("linli:1:test").unwrap();
        // Each 7 × 7 finder: a dark ring, a light ring, a dark 3 × 3 centre.
        for (ox, oy) in [(0, 0), (m.size - 7, 0), (0, m.size - 7)] {
            for i in 0..7 {
                assert!(m.dark(ox + i, oy) && m.dark(ox + i, oy + 6));
                assert!(m.dark(ox, oy + i) && m.dark(ox + 6, oy + i));
            }
            assert!(!m.dark(ox + 1, oy + 1) && m.dark(ox + 3, oy + 3));
        }
    }

    #[test]
    fn a_scan_tells_an_invite_a_key_and_a_chunk_apart() {
        use crate::identity::DeviceKey;
        use crate::invite::Invite;
        let key = DeviceKey([7; 32]);
        let invite = Invite {
            cycle: uuid::Uuid::from_u128(1),
            genesis: uuid::Uuid::from_u128(2),
            cadre: key,
        };
        assert_eq!(
            Scanned::read(&format!(" {}\n", invite.encode())),
            Scanned::Invite(invite)
        );
        assert_eq!(Scanned::read(&key.to_hex()), Scanned::DeviceKey(key));
        let chunk = chunks::split_for_qr(b"a small bundle").unwrap().remove(0);
        assert_eq!(
            Scanned::read(&chunks::to_text(&chunk)),
            Scanned::Chunk(chunk)
        );
        // Base45 of bytes that are not a chunk, a web address, a short hex string: other.
        for other in [
            crate::base45::encode(b"LNLX not a chunk"),
            "https://example.org/".into(),
            "00ff".into(),
            String::new(),
        ] {
            assert_eq!(Scanned::read(&other), Scanned::Other, "{other}");
        }
    }

    #[test]
    fn svg_is_a_self_contained_image_and_too_much_text_is_an_error() {
        let s = svg("linli:1:test", 160).unwrap();
        assert!(s.starts_with("<?xml") && s.contains("<svg") && s.contains("<path"));
        assert!(!s.contains("<script") && !s.contains("href"));
        let long = "A".repeat(5_000);
        assert_eq!(QrMatrix::of(&long), Err(QrError::TooLong(5_000)));
        assert_eq!(svg(&long, 10), Err(QrError::TooLong(5_000)));
    }
}
