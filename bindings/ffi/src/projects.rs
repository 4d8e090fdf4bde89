//! After the vote: roundtables, tenders, bids, awards, instalments, monitoring, completion,
//! ratings and payments, plus the roll's revocations and the screens that show them.

use crate::types::*;
use crate::{Device, LinliError, id};
use linli_core::Fen;
use linli_core::identity::DeviceKey;
use linli_core::record::Body;
use linli_core::record::blob::BlobRef;
use linli_core::record::evaluation::{CompletionReport, Instalment, InstalmentSchedule, Rating};
use linli_core::record::monitoring::{
    MonitoringReport, ProgressUpdate, ReportKind, ReportResponse,
};
use linli_core::record::roundtable::{Recommendation, Roundtable};
use linli_core::record::tender::{Award, Tender};
use uuid::Uuid;

impl Device {
    fn photos(&self, photo: Option<Photo>) -> Result<Vec<BlobRef>, LinliError> {
        match photo {
            None => Ok(Vec::new()),
            Some(p) => Ok(vec![
                self.store()?
                    .put_blob(&p.bytes, &p.mime, &p.name)
                    .map_err(self.err())?,
            ]),
        }
    }
}

#[uniffi::export]
impl Device {
    /// The recorder (or a cadre) records a roundtable session.
    pub fn record_roundtable(
        &self,
        cycle_id: String,
        input: RoundtableInput,
    ) -> Result<String, LinliError> {
        let ids = |v: &[String], what: &str| {
            v.iter()
                .map(|s| id(s, what))
                .collect::<Result<Vec<Uuid>, _>>()
        };
        let body = Roundtable {
            topic: input.topic,
            held_at: chrono::Utc::now(),
            leader: id(&input.leader_id, "leader")?,
            recorder: id(&input.recorder_id, "recorder")?,
            adviser: input
                .adviser_id
                .as_deref()
                .map(|a| id(a, "adviser"))
                .transpose()?,
            participants: ids(&input.participant_ids, "participant")?,
            discussed: ids(&input.discussed_ids, "proposal")?,
            notes: input.notes,
            recommendations: input
                .recommendations
                .into_iter()
                .map(|r| {
                    Ok(Recommendation {
                        proposal: id(&r.proposal_id, "proposal")?,
                        note: r.note,
                    })
                })
                .collect::<Result<_, LinliError>>()?,
        };
        self.act(&cycle_id, Body::Roundtable(Box::new(body)))
    }

    /// A cadre revokes a lost phone's key. The records of that key this device holds stay valid
    /// (the revocation names them); no other record signed with the key counts from then on,
    /// whatever sequence number or time it claims.
    pub fn revoke_device(
        &self,
        cycle_id: String,
        device_key: String,
        reason: String,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let device_key = DeviceKey::from_hex(device_key.trim()).map_err(LinliError::invalid)?;
        let record = self.acted(cycle, |s| s.revoke(cycle, device_key, &reason))?;
        Ok(record.to_string())
    }

    /// A cadre opens a tender for a funded project; bids close at `deadline_unix_seconds` (UTC).
    /// Bids signed after it are refused, and the tender can be awarded only from then on.
    pub fn open_tender(
        &self,
        cycle_id: String,
        project_id: String,
        budget_fen: i64,
        deadline_unix_seconds: i64,
        requirements: String,
    ) -> Result<String, LinliError> {
        let deadline = chrono::DateTime::<chrono::Utc>::from_timestamp(deadline_unix_seconds, 0)
            .ok_or_else(|| LinliError::invalid("deadline out of range"))?;
        let project = id(&project_id, "project")?;
        self.act(
            &cycle_id,
            Body::Tender(Tender {
                project,
                budget: Fen(budget_fen),
                deadline,
                requirements,
                sealed_bids: true,
            }),
        )
    }

    /// A contractor makes a sealed bid: only a commitment is signed and shared until bidding
    /// closes; the amount, plan and duration stay on this device (see `open_bid`). Returns the
    /// sealed bid's id.
    pub fn bid(
        &self,
        cycle_id: String,
        tender_id: String,
        amount_fen: i64,
        plan: String,
        duration_days: u32,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let tender = id(&tender_id, "tender")?;
        let amount = Fen(amount_fen);
        let record = self.acted(cycle, |s| {
            s.sealed_bid(cycle, tender, amount, &plan, duration_days)
        })?;
        Ok(record.to_string())
    }

    /// A cadre closes bidding on a tender once its deadline has passed, naming every sealed bid
    /// this device holds; bids that reach it later are late and cannot be opened.
    pub fn close_bids(&self, cycle_id: String, tender_id: String) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let tender = id(&tender_id, "tender")?;
        Ok(self
            .acted(cycle, |s| s.close_bids(cycle, tender))?
            .to_string())
    }

    /// The contractor opens their sealed bid after bidding closed, with the same amount, plan and
    /// duration they bid. Returns the opened bid's id, which the award names.
    pub fn open_bid(
        &self,
        cycle_id: String,
        tender_id: String,
        amount_fen: i64,
        plan: String,
        duration_days: u32,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let tender = id(&tender_id, "tender")?;
        let amount = Fen(amount_fen);
        let record = self.acted(cycle, |s| {
            s.open_bid(cycle, tender, amount, &plan, duration_days)
        })?;
        Ok(record.to_string())
    }

    /// A cadre awards a tender to a bid, with a reason.
    pub fn award(
        &self,
        cycle_id: String,
        tender_id: String,
        bid_id: String,
        reason: String,
    ) -> Result<String, LinliError> {
        let (tender, bid) = (id(&tender_id, "tender")?, id(&bid_id, "bid")?);
        self.act(
            &cycle_id,
            Body::Award(Award {
                tender,
                bid,
                reason,
            }),
        )
    }

    /// A cadre fixes how an award is paid; the amounts add up to the winning bid.
    pub fn schedule_instalments(
        &self,
        cycle_id: String,
        award_id: String,
        instalments: Vec<InstalmentInput>,
    ) -> Result<String, LinliError> {
        let award = id(&award_id, "award")?;
        let instalments = instalments
            .into_iter()
            .map(|i| Instalment {
                label: i.label,
                amount: Fen(i.amount_fen),
                requires_satisfaction: i.requires_satisfaction,
            })
            .collect();
        self.act(
            &cycle_id,
            Body::InstalmentSchedule(InstalmentSchedule { award, instalments }),
        )
    }

    /// The contractor (or a cadre) reports progress, optionally with a photo.
    pub fn report_progress(
        &self,
        cycle_id: String,
        project_id: String,
        text: String,
        percent: u8,
        photo: Option<Photo>,
    ) -> Result<String, LinliError> {
        let project = id(&project_id, "project")?;
        let photos = self.photos(photo)?;
        self.act(
            &cycle_id,
            Body::ProgressUpdate(ProgressUpdate {
                project,
                text,
                percent,
                photos,
            }),
        )
    }

    /// A resident monitors a project: progress, nothing done, poor quality, misuse of funds.
    pub fn monitor(
        &self,
        cycle_id: String,
        project_id: String,
        kind: MonitoringKind,
        text: String,
        photo: Option<Photo>,
    ) -> Result<String, LinliError> {
        let project = id(&project_id, "project")?;
        let kind = match kind {
            MonitoringKind::Progress => ReportKind::Progress,
            MonitoringKind::NotStarted => ReportKind::NotStarted,
            MonitoringKind::PoorQuality => ReportKind::PoorQuality,
            MonitoringKind::MisuseOfFunds => ReportKind::MisuseOfFunds,
        };
        let photos = self.photos(photo)?;
        self.act(
            &cycle_id,
            Body::MonitoringReport(MonitoringReport {
                project,
                kind,
                text,
                photos,
            }),
        )
    }

    /// A cadre, supervisor or the contractor answers a report.
    pub fn respond(
        &self,
        cycle_id: String,
        report_id: String,
        text: String,
    ) -> Result<String, LinliError> {
        let report = id(&report_id, "report")?;
        self.act(
            &cycle_id,
            Body::ReportResponse(ReportResponse { report, text }),
        )
    }

    /// The awarded contractor reports the project complete.
    pub fn report_completion(
        &self,
        cycle_id: String,
        project_id: String,
        text: String,
        photo: Option<Photo>,
    ) -> Result<String, LinliError> {
        let project = id(&project_id, "project")?;
        let photos = self.photos(photo)?;
        self.act(
            &cycle_id,
            Body::CompletionReport(CompletionReport {
                project,
                text,
                photos,
            }),
        )
    }

    /// A resident rates a completed project, 1 to 5 stars.
    pub fn rate(
        &self,
        cycle_id: String,
        project_id: String,
        stars: u8,
        comment: String,
    ) -> Result<String, LinliError> {
        let project = id(&project_id, "project")?;
        self.act(
            &cycle_id,
            Body::Rating(Rating {
                project,
                stars,
                comment,
            }),
        )
    }

    /// A cadre releases the project's next instalment; a satisfaction-gated one counts the current
    /// ratings, and is refused (`satisfaction_not_met`) below the gate.
    pub fn release_next_instalment(
        &self,
        cycle_id: String,
        project_id: String,
        note: String,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let project = id(&project_id, "project")?;
        Ok(self
            .acted(cycle, |s| s.release_next_instalment(cycle, project, &note))?
            .to_string())
    }

    /// The roll.
    pub fn members(&self, cycle_id: String) -> Result<Vec<MemberItem>, LinliError> {
        let rows = self
            .store()?
            .members(id(&cycle_id, "cycle")?)
            .map_err(self.err())?;
        Ok(rows
            .into_iter()
            .map(|m| MemberItem {
                id: m.id.to_string(),
                display_name: m.display_name,
                roles: m.roles,
                age_15_plus: m.age_15_plus,
            })
            .collect())
    }

    /// Funded projects with contract, progress, satisfaction and payments.
    pub fn projects(&self, cycle_id: String) -> Result<Vec<ProjectItem>, LinliError> {
        let rows = self
            .store()?
            .projects(id(&cycle_id, "cycle")?)
            .map_err(self.err())?;
        Ok(rows
            .into_iter()
            .map(|p| ProjectItem {
                id: p.id.to_string(),
                title: p.title,
                funded_fen: p.funded.get(),
                contractor_id: p.contractor.map(|c| c.to_string()),
                contract_fen: p.contract.map(|c| c.get()),
                progress: p.progress,
                reports: p.reports,
                completed: p.completed,
                ratings: p.ratings,
                good_ratings: p.good_ratings,
                satisfied: p.satisfied,
                payments: p
                    .payments
                    .into_iter()
                    .map(|x| PaymentItem {
                        label: x.label,
                        amount_fen: x.amount.get(),
                        gated: x.gated,
                        released: x.released_by.is_some(),
                    })
                    .collect(),
            })
            .collect())
    }

    /// Monitoring reports, optionally for one project, newest first.
    pub fn reports(
        &self,
        cycle_id: String,
        project_id: Option<String>,
    ) -> Result<Vec<ReportItem>, LinliError> {
        let project = project_id
            .as_deref()
            .map(|p| id(p, "project"))
            .transpose()?;
        let rows = self
            .store()?
            .reports(id(&cycle_id, "cycle")?, project)
            .map_err(self.err())?;
        Ok(rows
            .into_iter()
            .map(|r| ReportItem {
                id: r.id.to_string(),
                project_id: r.project.to_string(),
                kind: r.kind,
                text: r.text,
                reporter_id: r.reporter.to_string(),
                photos: r.photos,
                at: r.at,
                responses: r.responses,
            })
            .collect())
    }

    /// Everything that happened to one proposal or project, oldest first: submission, review,
    /// roundtables, the sealed vote, the resolution, the tender, the works, residents' reports and
    /// ratings, payments. Excluded records are listed with their code. Empty for an unknown id.
    pub fn timeline(
        &self,
        cycle_id: String,
        project_id: String,
    ) -> Result<Vec<TimelineEvent>, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let project = id(&project_id, "project")?;
        let rows = self
            .store()?
            .timeline(cycle, project, self.lang())
            .map_err(self.err())?;
        Ok(rows
            .into_iter()
            .map(|e| TimelineEvent {
                record_id: e.record.to_string(),
                at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                kind: e.kind,
                actor_id: e.actor.map(|a| a.to_string()),
                actor_name: e.actor_name,
                text: e.text,
                amount_fen: e.amount.map(|a| a.get()),
                stars: e.stars,
                valid: e.valid,
                code: e.code,
            })
            .collect())
    }

    /// A stored photo or file by its SHA-256 (hex), if this device has the bytes.
    pub fn blob(&self, sha256: String) -> Result<Option<Vec<u8>>, LinliError> {
        self.store()?.blob(&sha256).map_err(self.err())
    }
}
