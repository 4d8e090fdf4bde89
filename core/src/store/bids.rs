//! Sealed bids from both sides: the contractor's commitment and opening, the cadre's closing.

use super::*;
use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::Body;
use crate::record::tender::{BidClosing, BidOpening, SealedBid, check_offer};
use uuid::Uuid;

/// Sealed bids, from the contractor's and the cadre's side. The nonce that keeps a commitment
/// from being guessed is derived from this device's key and the tender (a deterministic ed25519
/// signature, hashed), so the contractor's device reproduces it at opening without storing it.
impl Store {
    /// A contractor commits to a bid on a sealed tender: only the commitment is signed and
    /// shared until [`Store::open_bid`].
    pub fn sealed_bid(
        &self,
        cycle: Uuid,
        tender: Uuid,
        amount: Fen,
        plan: &str,
        duration_days: u32,
    ) -> Result<Uuid> {
        check_offer(amount, plan, duration_days)?;
        let nonce = self.bid_nonce(&tender);
        let commitment = BidOpening::commitment(&tender, amount, plan, duration_days, &nonce);
        self.submit_drafted(cycle, |st| {
            // Nobody else can check the amount before the opening; the bidder's own device can.
            if let Some(t) = st.tenders.get(&tender) {
                if amount > t.budget {
                    return Err(StoreError::Rejected(Exclusion::OverBudget {
                        amount,
                        limit: t.budget,
                    }));
                }
            }
            Ok(Body::SealedBid(SealedBid { tender, commitment }))
        })
    }

    /// A cadre closes bidding on a sealed tender, naming every sealed bid this device holds.
    pub fn close_bids(&self, cycle: Uuid, tender: Uuid) -> Result<Uuid> {
        self.submit_drafted(cycle, |st| {
            let sealed_bids = st
                .sealed_bids
                .iter()
                .filter(|(_, b)| b.tender == tender)
                .map(|(id, _)| *id)
                .collect();
            Ok(Body::BidClosing(BidClosing {
                tender,
                sealed_bids,
            }))
        })
    }

    /// The contractor opens the sealed bid they made with exactly this amount, plan and
    /// duration. Refused when no sealed bid of theirs matches.
    pub fn open_bid(
        &self,
        cycle: Uuid,
        tender: Uuid,
        amount: Fen,
        plan: &str,
        duration_days: u32,
    ) -> Result<Uuid> {
        let nonce = self.bid_nonce(&tender);
        let commitment = BidOpening::commitment(&tender, amount, plan, duration_days, &nonce);
        let key = self.device_key();
        self.submit_drafted(cycle, |st| {
            let me = st.member_of(&key).ok_or(StoreError::NotOnRoll(cycle))?.id;
            let sealed_bid = st
                .sealed_bids
                .iter()
                .find(|(_, b)| {
                    b.tender == tender && b.contractor == me && b.commitment == commitment
                })
                .map(|(id, _)| *id)
                .ok_or_else(|| {
                    StoreError::Rejected(Exclusion::RuleViolation {
                        detail: "no sealed bid of this device matches that bid".into(),
                    })
                })?;
            Ok(Body::BidOpening(BidOpening {
                sealed_bid,
                amount,
                plan: plan.to_string(),
                duration_days,
                nonce,
            }))
        })
    }

    /// This device's nonce for a bid on `tender`: the SHA-256 of its (deterministic) signature
    /// of the tender id, so only this device can make it and it makes it again at opening.
    fn bid_nonce(&self, tender: &Uuid) -> String {
        use sha2::{Digest, Sha256};
        let mut message = b"linli-bid-nonce".to_vec();
        message.extend_from_slice(tender.as_bytes());
        hex::encode(Sha256::digest(self.lock().secret.sign(&message)))
    }
}
