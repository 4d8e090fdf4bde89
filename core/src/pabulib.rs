//! The Pabulib `.pb` format (pabulib.org): sections `META`, `PROJECTS`, `VOTES`, each a header line
//! and semicolon-separated rows; fields may be quoted with `"`; section names in any case; costs and
//! budgets as integers, decimals with `.` or `,`. Unknown META keys and columns are kept.
//!
//! Decimal costs are scaled to integers exactly (by 10^d for the most decimals used), so the
//! counting rules stay in integer and rational arithmetic.

use crate::tally::{Ballots, Election};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Why a `.pb` file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PabulibError {
    /// A section is missing.
    #[error("missing section {0}")]
    MissingSection(&'static str),
    /// A required column or META key is missing.
    #[error("missing {what} in {section}")]
    Missing {
        /// Section.
        section: &'static str,
        /// Column or key.
        what: String,
    },
    /// A number cannot be read.
    #[error("line {line}: {field} {value:?} is not a valid number")]
    BadNumber {
        /// Line (1-based).
        line: usize,
        /// Field.
        field: String,
        /// The text.
        value: String,
    },
    /// The budget is zero.
    #[error("the budget must be positive")]
    ZeroBudget,
    /// A vote names a project that is not listed.
    #[error("line {line}: vote names unknown project {project:?}")]
    UnknownProject {
        /// Line (1-based).
        line: usize,
        /// The project id.
        project: String,
    },
    /// Anything else malformed.
    #[error("line {line}: {detail}")]
    Malformed {
        /// Line (1-based).
        line: usize,
        /// What is wrong.
        detail: String,
    },
}

/// One project row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbProject {
    /// `project_id`.
    pub id: String,
    /// Cost in scaled integer units (see [`Instance::scale`]).
    pub cost: u64,
    /// All columns as written.
    pub fields: BTreeMap<String, String>,
}

/// One vote row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbVote {
    /// `voter_id`.
    pub voter: String,
    /// Project ids, in ballot order (rank order for ordinal ballots).
    pub vote: Vec<String>,
    /// Points per project (cumulative and scoring ballots).
    pub points: Option<Vec<u64>>,
    /// How the vote was cast (`voting_method`, as Pabulib files from cities with paper and
    /// online voting state it: `paper`, `internet`), when the file says.
    pub voting_method: Option<String>,
}

/// A Pabulib instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// META key/value pairs, in file order.
    pub meta: Vec<(String, String)>,
    /// PROJECTS columns, in file order.
    pub project_columns: Vec<String>,
    /// Projects in file order.
    pub projects: Vec<PbProject>,
    /// Votes in file order.
    pub votes: Vec<PbVote>,
    /// Budget in scaled integer units.
    pub budget: u64,
    /// Costs and budget are multiplied by this power of ten to be integers.
    pub scale: u64,
}

/// Splits one line on `;`, honouring `"` quotes (a doubled `""` is a literal quote).
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A decimal number as (digits, decimals): "12,5" and "12.5" → (125, 1).
fn decimal(text: &str) -> Option<(u128, u32)> {
    let t = text.trim().replace(',', ".");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let digits: u128 = format!("{int}{frac}")
        .trim_start_matches('0')
        .parse()
        .unwrap_or(0);
    Some((digits, frac.len() as u32))
}

impl Instance {
    /// Parses a `.pb` file.
    pub fn parse(text: &str) -> Result<Instance, PabulibError> {
        #[derive(PartialEq)]
        enum Sec {
            None,
            Meta,
            Projects,
            Votes,
        }
        let mut sec = Sec::None;
        let mut header: Option<Vec<String>> = None;
        let mut meta = Vec::new();
        let mut project_columns = Vec::new();
        let mut raw_projects: Vec<(usize, Vec<String>)> = Vec::new();
        let mut raw_votes: Vec<(usize, Vec<String>)> = Vec::new();
        let mut vote_columns = Vec::new();
        let mut seen = [false; 3];
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            match line.trim().to_ascii_uppercase().as_str() {
                "META" => {
                    sec = Sec::Meta;
                    seen[0] = true;
                    header = None;
                    continue;
                }
                "PROJECTS" => {
                    sec = Sec::Projects;
                    seen[1] = true;
                    header = None;
                    continue;
                }
                "VOTES" => {
                    sec = Sec::Votes;
                    seen[2] = true;
                    header = None;
                    continue;
                }
                _ => {}
            }
            let fields = split(line);
            if header.is_none() {
                let h: Vec<String> = fields
                    .iter()
                    .map(|f| f.trim().to_ascii_lowercase())
                    .collect();
                match sec {
                    Sec::Projects => project_columns = h.clone(),
                    Sec::Votes => vote_columns = h.clone(),
                    Sec::Meta => {}
                    Sec::None => {
                        return Err(PabulibError::Malformed {
                            line: i + 1,
                            detail: "text before the first section".into(),
                        });
                    }
                }
                header = Some(h);
                continue;
            }
            match sec {
                Sec::Meta => {
                    if fields.len() < 2 {
                        return Err(PabulibError::Malformed {
                            line: i + 1,
                            detail: "META rows are key;value".into(),
                        });
                    }
                    meta.push((
                        fields[0].trim().to_ascii_lowercase(),
                        fields[1..].join(";").trim().to_string(),
                    ));
                }
                Sec::Projects => raw_projects.push((i + 1, fields)),
                Sec::Votes => raw_votes.push((i + 1, fields)),
                Sec::None => unreachable!("header check above"),
            }
        }
        for (k, name) in [(0, "META"), (1, "PROJECTS"), (2, "VOTES")] {
            if !seen[k] {
                return Err(PabulibError::MissingSection(name));
            }
        }
        let col = |cols: &[String], section: &'static str, name: &str| {
            cols.iter()
                .position(|c| c == name)
                .ok_or(PabulibError::Missing {
                    section,
                    what: name.to_string(),
                })
        };
        let pid = col(&project_columns, "PROJECTS", "project_id")?;
        let pcost = col(&project_columns, "PROJECTS", "cost")?;
        let budget_text = meta
            .iter()
            .find(|(k, _)| k == "budget")
            .map(|(_, v)| v.clone())
            .ok_or(PabulibError::Missing {
                section: "META",
                what: "budget".into(),
            })?;
        // Read every number first to find the common scale.
        let budget_dec = decimal(&budget_text).ok_or(PabulibError::BadNumber {
            line: 0,
            field: "budget".into(),
            value: budget_text.clone(),
        })?;
        let mut cost_decs = Vec::with_capacity(raw_projects.len());
        for (line, f) in &raw_projects {
            let text = f.get(pcost).map(String::as_str).unwrap_or("");
            let d = decimal(text).ok_or(PabulibError::BadNumber {
                line: *line,
                field: "cost".into(),
                value: text.to_string(),
            })?;
            cost_decs.push(d);
        }
        let decimals = cost_decs
            .iter()
            .chain([&budget_dec])
            .map(|(_, d)| *d)
            .max()
            .unwrap_or(0);
        if decimals > 6 {
            return Err(PabulibError::BadNumber {
                line: 0,
                field: "cost".into(),
                value: "more than 6 decimals".into(),
            });
        }
        let scale = 10u64.pow(decimals);
        let to_units =
            |(digits, d): (u128, u32), line: usize, field: &str| -> Result<u64, PabulibError> {
                let v = digits * 10u128.pow(decimals - d);
                u64::try_from(v)
                    .ok()
                    .filter(|v| *v < (1u64 << 53))
                    .ok_or(PabulibError::BadNumber {
                        line,
                        field: field.into(),
                        value: "too large".into(),
                    })
            };
        let budget = to_units(budget_dec, 0, "budget")?;
        if budget == 0 {
            return Err(PabulibError::ZeroBudget);
        }
        let mut projects = Vec::with_capacity(raw_projects.len());
        let mut index = BTreeMap::new();
        for ((line, f), dec) in raw_projects.iter().zip(cost_decs) {
            let id = f.get(pid).map(|s| s.trim().to_string()).unwrap_or_default();
            if id.is_empty() || index.insert(id.clone(), projects.len()).is_some() {
                return Err(PabulibError::Malformed {
                    line: *line,
                    detail: format!("empty or duplicate project id {id:?}"),
                });
            }
            let fields = project_columns
                .iter()
                .cloned()
                .zip(f.iter().cloned())
                .collect();
            projects.push(PbProject {
                id,
                cost: to_units(dec, *line, "cost")?,
                fields,
            });
        }
        let vid = col(&vote_columns, "VOTES", "voter_id")?;
        let vvote = col(&vote_columns, "VOTES", "vote")?;
        let vpoints = vote_columns.iter().position(|c| c == "points");
        let vmethod = vote_columns.iter().position(|c| c == "voting_method");
        let mut votes = Vec::with_capacity(raw_votes.len());
        for (line, f) in raw_votes {
            let list = |i: usize| -> Vec<String> {
                f.get(i)
                    .map(|s| {
                        s.split(',')
                            .map(|x| x.trim().to_string())
                            .filter(|x| !x.is_empty())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let vote = list(vvote);
            if let Some(p) = vote.iter().find(|p| !index.contains_key(*p)) {
                return Err(PabulibError::UnknownProject {
                    line,
                    project: p.clone(),
                });
            }
            let points = match vpoints {
                None => None,
                Some(i) => {
                    let raw = list(i);
                    let mut pts = Vec::with_capacity(raw.len());
                    for r in raw {
                        pts.push(r.parse::<u64>().map_err(|_| PabulibError::BadNumber {
                            line,
                            field: "points".into(),
                            value: r.clone(),
                        })?);
                    }
                    if pts.len() != vote.len() {
                        return Err(PabulibError::Malformed {
                            line,
                            detail: "points and vote lengths differ".into(),
                        });
                    }
                    Some(pts)
                }
            };
            votes.push(PbVote {
                voter: f.get(vid).cloned().unwrap_or_default(),
                vote,
                points,
                voting_method: vmethod
                    .and_then(|i| f.get(i))
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty()),
            });
        }
        Ok(Instance {
            meta,
            project_columns,
            projects,
            votes,
            budget,
            scale,
        })
    }

    /// A META value.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The vote type (`approval`, `ordinal`, `cumulative`, `scoring`, `choose-1`, ...).
    pub fn vote_type(&self) -> &str {
        self.meta("vote_type").unwrap_or("approval")
    }

    /// The instance as an election for the counting rules.
    pub fn election(&self) -> Election {
        let index: BTreeMap<&str, usize> = self
            .projects
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let ids = |v: &PbVote| -> Vec<usize> { v.vote.iter().map(|p| index[p.as_str()]).collect() };
        let ballots = match self.vote_type() {
            "ordinal" => Ballots::Ranked(self.votes.iter().map(ids).collect()),
            "cumulative" | "scoring" => Ballots::Cumulative(
                self.votes
                    .iter()
                    .map(|v| {
                        ids(v)
                            .into_iter()
                            .zip(v.points.clone().unwrap_or_else(|| vec![1; v.vote.len()]))
                            .collect()
                    })
                    .collect(),
            ),
            _ => Ballots::Approval(self.votes.iter().map(ids).collect()),
        };
        Election {
            names: self.projects.iter().map(|p| p.id.clone()).collect(),
            costs: self.projects.iter().map(|p| p.cost).collect(),
            budget: self.budget,
            ballots,
            unit: self.scale,
        }
    }

    /// Project ids the city selected (the `selected` column), when the file has one.
    pub fn city_selection(&self) -> Option<Vec<String>> {
        self.project_columns.iter().position(|c| c == "selected")?;
        Some(
            self.projects
                .iter()
                .filter(|p| p.fields.get("selected").is_some_and(|s| s.trim() == "1"))
                .map(|p| p.id.clone())
                .collect(),
        )
    }

    /// Writes the instance in the `.pb` format (costs and budget unscaled).
    pub fn write(&self) -> String {
        fn field(s: &str) -> String {
            if s.contains(';') || s.contains('"') || s.contains('\n') {
                format!("\"{}\"", s.replace('"', "\"\"").replace('\n', " "))
            } else {
                s.to_string()
            }
        }
        let unscale = |v: u64| -> String {
            if self.scale == 1 {
                return v.to_string();
            }
            let d = self.scale.trailing_zeros_dec();
            format!(
                "{}.{:0width$}",
                v / self.scale,
                v % self.scale,
                width = d as usize
            )
        };
        let mut out = String::from("META\nkey;value\n");
        for (k, v) in &self.meta {
            let v = if k == "budget" {
                unscale(self.budget)
            } else {
                v.clone()
            };
            out.push_str(&format!("{};{}\n", field(k), field(&v)));
        }
        out.push_str("PROJECTS\n");
        out.push_str(
            &self
                .project_columns
                .iter()
                .map(|c| field(c))
                .collect::<Vec<_>>()
                .join(";"),
        );
        out.push('\n');
        for p in &self.projects {
            let row: Vec<String> = self
                .project_columns
                .iter()
                .map(|c| match c.as_str() {
                    "project_id" => field(&p.id),
                    "cost" => unscale(p.cost),
                    other => field(p.fields.get(other).map(String::as_str).unwrap_or("")),
                })
                .collect();
            out.push_str(&row.join(";"));
            out.push('\n');
        }
        let has_points = self.votes.iter().any(|v| v.points.is_some());
        let has_method = self.votes.iter().any(|v| v.voting_method.is_some());
        out.push_str("VOTES\nvoter_id;vote");
        if has_points {
            out.push_str(";points");
        }
        if has_method {
            out.push_str(";voting_method");
        }
        out.push('\n');
        for v in &self.votes {
            out.push_str(&field(&v.voter));
            out.push(';');
            out.push_str(&v.vote.join(","));
            if has_points {
                out.push(';');
                if let Some(p) = &v.points {
                    out.push_str(&p.iter().map(u64::to_string).collect::<Vec<_>>().join(","));
                }
            }
            if has_method {
                out.push(';');
                out.push_str(&field(v.voting_method.as_deref().unwrap_or("")));
            }
            out.push('\n');
        }
        out
    }
}

trait DecimalDigits {
    fn trailing_zeros_dec(self) -> u32;
}

impl DecimalDigits for u64 {
    /// For a power of ten, its exponent.
    fn trailing_zeros_dec(self) -> u32 {
        let mut n = self;
        let mut d = 0;
        while n >= 10 && n % 10 == 0 {
            n /= 10;
            d += 1;
        }
        d
    }
}

impl Instance {
    /// A sealed cycle as a Pabulib instance: the shortlisted proposals with their estimates (in
    /// yuan, two decimals), the pool as budget, and the sealed ballots as votes. `None` before
    /// the seal.
    ///
    /// Voter ids are pseudonyms for this export only: `1..n` in the order of
    /// SHA-256(`pseudonym_key` ‖ ballot id), so the file cannot be joined with the roll (member ids,
    /// names) or with another export made with another key. Pass a fresh random key per export
    /// (`linli pabulib export` does). Anyone who also holds the cycle's records can still match a
    /// vote to its signed ballot by its content: ballots are pseudonymous, not secret.
    pub fn from_sealed(
        st: &crate::fold::state::CycleState,
        pseudonym_key: &[u8; 32],
    ) -> Option<Instance> {
        let seal = st.seal.as_ref()?;
        let g = st.genesis.as_ref()?;
        let projects: Vec<PbProject> = seal
            .counts
            .iter()
            .map(|(id, votes)| {
                let p = &st.proposals[id];
                let cost = p.content.estimated_budget.get().max(0) as u64;
                let fields = BTreeMap::from([
                    ("name".to_string(), p.content.title.clone()),
                    ("votes".to_string(), votes.to_string()),
                    (
                        "category".to_string(),
                        p.content.category.as_str().to_string(),
                    ),
                    (
                        "selected".to_string(),
                        if seal.selected.contains(id) { "1" } else { "0" }.to_string(),
                    ),
                ]);
                PbProject {
                    id: id.to_string(),
                    cost,
                    fields,
                }
            })
            .collect();
        let mut order: Vec<([u8; 32], &Uuid)> = seal
            .ballots
            .iter()
            .map(|b| {
                let mut h = Sha256::new();
                h.update(pseudonym_key);
                h.update(b.as_bytes());
                (h.finalize().into(), b)
            })
            .collect();
        order.sort();
        let votes: Vec<PbVote> = order
            .into_iter()
            .enumerate()
            .map(|(i, (_, b))| {
                let ballot = &st.ballot_records[b];
                PbVote {
                    voter: (i + 1).to_string(),
                    vote: ballot.choices.iter().map(|a| a.to_string()).collect(),
                    points: (!ballot.points.is_empty())
                        .then(|| ballot.points.iter().map(|p| u64::from(*p)).collect()),
                    voting_method: Some(ballot.voting_method().to_string()),
                }
            })
            .collect();
        let vote_type = match g.voting.ballot {
            crate::record::cycle::BallotKind::Ranked => "ordinal",
            crate::record::cycle::BallotKind::Cumulative { .. } => "cumulative",
            _ => "approval",
        };
        let meta = vec![
            ("description".into(), g.title.clone()),
            ("country".into(), "China".into()),
            ("unit".into(), g.community.clone()),
            ("instance".into(), g.year.to_string()),
            ("num_projects".into(), projects.len().to_string()),
            ("num_votes".into(), votes.len().to_string()),
            ("budget".into(), String::new()),
            ("vote_type".into(), vote_type.into()),
            ("rule".into(), g.voting.rule.as_str().into()),
            ("currency".into(), "CNY".into()),
            ("min_length".into(), g.voting.min_picks.to_string()),
            ("max_length".into(), g.voting.max_picks.to_string()),
            ("seal".into(), seal.id.to_string()),
        ];
        Some(Instance {
            meta,
            project_columns: [
                "project_id",
                "cost",
                "votes",
                "name",
                "category",
                "selected",
            ]
            .map(String::from)
            .to_vec(),
            projects,
            votes,
            budget: g.budget_pool.get().max(0) as u64,
            scale: 100,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "meta\nkey;value\ndescription;\"a; quoted \"\"x\"\"\"\nbudget;100,5\nvote_type;approval\nrule;something-new\nprojects\nproject_id;cost;name\n1;50;A\n2;40.25;\"B;b\"\nvotes\nvoter_id;vote\nv1;1,2\nv2;2\nv3;\n";

    #[test]
    fn reads_quotes_commas_lowercase_and_unknown_rules() {
        let i = Instance::parse(SAMPLE).unwrap();
        assert_eq!(i.scale, 100);
        assert_eq!(i.budget, 10050);
        assert_eq!(i.projects[1].cost, 4025);
        assert_eq!(i.projects[1].fields["name"], "B;b");
        assert_eq!(i.meta("rule"), Some("something-new"));
        assert_eq!(i.meta("description"), Some("a; quoted \"x\""));
        assert_eq!(i.votes.len(), 3);
        assert!(i.votes[2].vote.is_empty());
        // Writing and reading back keeps the meaning (numbers are re-formatted as 100.50, 50.00).
        let again = Instance::parse(&i.write()).unwrap();
        assert_eq!((again.budget, again.scale), (i.budget, i.scale));
        assert_eq!(again.votes, i.votes);
        assert_eq!(again.election(), i.election());
        assert_eq!(again.projects[1].fields["name"], "B;b");
        assert_eq!(again.meta("description"), i.meta("description"));
    }

    #[test]
    fn typed_errors() {
        assert_eq!(
            Instance::parse("META\nkey;value\nbudget;10\n"),
            Err(PabulibError::MissingSection("PROJECTS"))
        );
        let zero = SAMPLE.replace("budget;100,5", "budget;0");
        assert_eq!(Instance::parse(&zero), Err(PabulibError::ZeroBudget));
        let bad = SAMPLE.replace("1;50;A", "1;fifty;A");
        assert!(matches!(
            Instance::parse(&bad),
            Err(PabulibError::BadNumber { line: 9, .. })
        ));
        let unknown = SAMPLE.replace("v2;2", "v2;7");
        assert!(matches!(
            Instance::parse(&unknown),
            Err(PabulibError::UnknownProject { .. })
        ));
        let nobudget = SAMPLE.replace("budget;100,5\n", "");
        assert!(matches!(
            Instance::parse(&nobudget),
            Err(PabulibError::Missing { .. })
        ));
    }
}
