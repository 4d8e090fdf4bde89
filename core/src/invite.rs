//! Invites: what a cadre shows as a QR code so that a phone follows a cycle. Names the cycle, its
//! trusted genesis and the inviting cadre's device key (`linli:1:<cycle>:<genesis>:<key hex>`,
//! 171 ASCII characters). The phone then shows its own key for the cadre to register.

use crate::identity::DeviceKey;
use uuid::Uuid;

/// A parsed invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The cycle to follow.
    pub cycle: Uuid,
    /// Its genesis record: the only one this device will trust for the cycle.
    pub genesis: Uuid,
    /// The inviting cadre's device key (the peer to sync with first).
    pub cadre: DeviceKey,
}

impl Invite {
    /// The invite as a QR-sized string.
    pub fn encode(&self) -> String {
        format!(
            "linli:1:{}:{}:{}",
            self.cycle,
            self.genesis,
            self.cadre.to_hex()
        )
    }

    /// Parses an invite (surrounding whitespace ignored); `None` when it is not one.
    pub fn parse(s: &str) -> Option<Invite> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        match parts.as_slice() {
            ["linli", "1", cycle, genesis, key] => Some(Invite {
                cycle: Uuid::parse_str(cycle).ok()?,
                genesis: Uuid::parse_str(genesis).ok()?,
                cadre: DeviceKey::from_hex(key).ok()?,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_round_trips_and_garbage_is_refused() {
        let inv = Invite {
            cycle: Uuid::now_v7(),
            genesis: Uuid::now_v7(),
            cadre: DeviceKey::from_hex(&"ab".repeat(32)).unwrap(),
        };
        let s = inv.encode();
        assert_eq!(Invite::parse(&format!("  {s}\n")), Some(inv));
        assert!(s.len() < 200, "fits a small QR code");
        for bad in [
            "",
            "linli:1",
            "linli:2:a:b:c",
            &s.replace("linli:1", "linli:9"),
            &s[..s.len() - 2],
        ] {
            assert_eq!(Invite::parse(bad), None, "{bad}");
        }
    }
}
