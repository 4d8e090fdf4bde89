//! Entry points for the fuzz targets in `fuzz/` (cargo fuzz, nightly). The same functions run on
//! stable in this module's tests, over random bytes and over mutations of valid inputs.

use crate::sync::message::Message;
use uuid::Uuid;

/// Decodes `data` as a sync message: never panics; a decoded message re-encodes to `data`.
pub fn sync_message(data: &[u8]) {
    if let Ok(m) = Message::decode(data) {
        assert_eq!(
            m.encode(),
            data,
            "a decoded message re-encodes to its bytes"
        );
    }
}

/// Decodes `data` as a bundle and as a QR chunk: never panics; a decoded bundle re-encodes to
/// `data`.
pub fn bundle(data: &[u8]) {
    let cycle = data
        .get(5..21)
        .and_then(|c| Uuid::from_slice(c).ok())
        .unwrap_or_default();
    if let Ok(records) = crate::bundle::decode(cycle, data) {
        assert_eq!(crate::bundle::encode(cycle, &records), data);
    }
    let mut a = crate::chunks::Assembler::new();
    if a.add(data).is_ok() {
        let _ = a.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::message::{CycleHello, DocPart, Hello};
    use proptest::prelude::*;

    fn valid_message() -> Vec<u8> {
        Message {
            hello: Some(Hello {
                device: crate::DeviceKey([3; 32]),
                max_blob: 9,
                cycles: vec![CycleHello {
                    cycle: Uuid::from_u128(5),
                    genesis: Uuid::from_u128(6),
                    docs: vec![(0, [1; 8])],
                    rest: None,
                }],
            }),
            parts: vec![DocPart {
                cycle: Uuid::from_u128(5),
                doc: 16,
                push: vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0],
                sync: vec![0x42, 0],
            }],
            ..Message::default()
        }
        .encode()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            sync_message(&data);
            bundle(&data);
        }

        #[test]
        fn mutated_messages_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut m = valid_message();
            for (i, b) in &edits {
                let k = i.index(m.len());
                m[k] = *b;
            }
            sync_message(&m);
            let k = cut.index(m.len());
            sync_message(&m[..k]);
            let records = vec![crate::SignedRecord::from_parts(b"{}".to_vec(), [1; 64])];
            let mut b = crate::bundle::encode(Uuid::from_u128(5), &records);
            for (i, x) in &edits {
                let k = i.index(b.len());
                b[k] = *x;
            }
            bundle(&b);
        }
    }
}
