//! The Pabulib `.pb` format (pabulib.org): sections `META`, `PROJECTS`, `VOTES`, each a header line
//! and semicolon-separated rows; fields may be quoted with `"`; section names in any case; costs and
//! budgets as integers, decimals with `.` or `,`. Unknown META keys and columns are kept.
//!
//! Decimal costs are scaled to integers exactly (by 10^d for the most decimals used), so the
//! counting rules stay in integer and rational arithmetic.

use crate::tally::{Ballots, Election};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
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
    /// The projects voted for, as indices into [`Instance::projects`], in ballot order (rank
    /// order for ordinal ballots). [`Instance::vote_ids`] gives their ids.
    pub vote: Vec<u32>,
    /// Points per project (cumulative and scoring ballots).
    pub points: Option<Vec<u64>>,
    /// How the vote was cast (`voting_method`, as Pabulib files from cities with paper and
    /// online voting state it: `paper`, `internet`), when the file says.
    /// One shared string per distinct method in the file.
    pub voting_method: Option<Arc<str>>,
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

/// Takes the fields at the `wanted` positions of a `;`-separated line into `out` (`None` where
/// the line is shorter), honouring `"` quotes: fields borrow the line unless it has quotes (then
/// [`split`] copies them). `slot` maps a column to its place in `out` (`u8::MAX`: not wanted).
fn columns_into<'a, const N: usize>(
    line: &'a str,
    slot: &[u8],
    out: &mut [Option<Cow<'a, str>>; N],
) {
    for o in out.iter_mut() {
        *o = None;
    }
    if line.as_bytes().contains(&b'"') {
        for (i, field) in split(line).into_iter().enumerate() {
            if let Some(k) = slot.get(i).filter(|k| usize::from(**k) < N) {
                out[usize::from(*k)] = Some(Cow::Owned(field));
            }
        }
        return;
    }
    let bytes = line.as_bytes();
    let (mut column, mut start) = (0, 0);
    for at in 0..=bytes.len() {
        if at == bytes.len() || bytes[at] == b';' {
            if let Some(k) = slot.get(column).filter(|k| usize::from(**k) < N) {
                out[usize::from(*k)] = Some(Cow::Borrowed(&line[start..at]));
            }
            column += 1;
            start = at + 1;
            if column >= slot.len() {
                return;
            }
        }
    }
}

/// A hasher for the project-id index: FNV-1a, which is several times faster than the default
/// SipHash on ids of a few bytes (a file is trusted not to be built to collide: at worst the
/// lookups slow down).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Finds a project's index by its id as a vote writes it. Most files number their projects: when
/// every id is a number written without leading zeros, a vote's items are read as numbers into a
/// table; otherwise (and for an item that is not such a number) a hash map of the ids answers.
struct ProjectIndex<'a> {
    by_id: FnvMap<&'a str, u32>,
    /// Index + 1 by numeric id, or empty when the ids are not all small canonical numbers.
    by_number: Vec<u32>,
}

impl<'a> ProjectIndex<'a> {
    /// Largest numeric id kept in the table.
    const MAX_NUMBER: u64 = 1 << 20;

    fn new(projects: &'a [PbProject]) -> ProjectIndex<'a> {
        let by_id: FnvMap<&str, u32> = projects
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u32))
            .collect();
        let numbers: Option<Vec<u64>> = projects.iter().map(|p| canonical_number(&p.id)).collect();
        let by_number = match numbers {
            Some(n) if n.iter().all(|n| *n < Self::MAX_NUMBER) => {
                let mut table = vec![0u32; n.iter().max().map_or(0, |m| *m as usize + 1)];
                for (i, n) in n.iter().enumerate() {
                    table[*n as usize] = i as u32 + 1;
                }
                table
            }
            _ => Vec::new(),
        };
        ProjectIndex { by_id, by_number }
    }

    /// Reads a vote's comma-separated items in one pass over the bytes when the ids are numbers
    /// (the common case), pushing each project's index. Returns false, with `out` partly filled,
    /// at the first item this cannot read (a letter, a leading zero, an unknown number): the
    /// caller reads the rest the general way, from that item on.
    fn numbers_into(&self, field: &str, out: &mut Vec<u32>) -> bool {
        if self.by_number.is_empty() {
            return false;
        }
        let bytes = field.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            while at < bytes.len() && (bytes[at] == b' ' || bytes[at] == b',') {
                at += 1;
            }
            if at == bytes.len() {
                break;
            }
            let start = at;
            let mut n = 0usize;
            while at < bytes.len() && bytes[at].is_ascii_digit() && at - start < 9 {
                n = n * 10 + usize::from(bytes[at] - b'0');
                at += 1;
            }
            let digits = at - start;
            let ends = at == bytes.len() || bytes[at] == b',';
            if digits == 0 || !ends || (bytes[start] == b'0' && digits > 1) {
                return false;
            }
            match self.by_number.get(n) {
                Some(i) if *i > 0 => out.push(i - 1),
                _ => return false,
            }
        }
        true
    }

    fn get(&self, id: &str) -> Option<u32> {
        if !self.by_number.is_empty() {
            if let Some(n) = canonical_number(id) {
                return match self.by_number.get(n as usize) {
                    Some(i) if *i > 0 => Some(i - 1),
                    _ => None,
                };
            }
        }
        self.by_id.get(id).copied()
    }
}

/// A decimal number written without leading zeros or signs (`"0"`, `"17"`; not `"017"`), so
/// that equal numbers are equal ids.
fn canonical_number(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 9 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    let mut n = 0u64;
    for c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    Some(n)
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
        // Vote rows are most of a file: kept as slices of the text and split once the
        // projects are known, with no copy.
        let mut raw_votes: Vec<(usize, &str)> = Vec::new();
        let mut vote_columns = Vec::new();
        let mut seen = [false; 3];
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if sec == Sec::Votes && header.is_some() {
                // A vote row starts with its voter id, never with a section name's letters
                // alone on the line: only short lines can be a section heading.
                if line.len() > 16 || !is_heading(line) {
                    if !line.trim().is_empty() {
                        raw_votes.push((i + 1, line));
                    }
                    continue;
                }
            }
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
                Sec::Votes => raw_votes.push((i + 1, line)),
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
        let mut seen_ids = std::collections::HashSet::new();
        for ((line, f), dec) in raw_projects.iter().zip(cost_decs) {
            let id = f.get(pid).map(|s| s.trim().to_string()).unwrap_or_default();
            if id.is_empty() || !seen_ids.insert(id.clone()) {
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
        let index = ProjectIndex::new(&projects);
        let mut methods: Vec<Arc<str>> = Vec::new();
        let vid = col(&vote_columns, "VOTES", "voter_id")?;
        let vvote = col(&vote_columns, "VOTES", "vote")?;
        let vpoints = vote_columns.iter().position(|c| c == "points");
        let vmethod = vote_columns.iter().position(|c| c == "voting_method");
        let mut votes = Vec::with_capacity(raw_votes.len());
        // The four columns a vote is read from: voter, vote, points, method.
        let mut slot = vec![u8::MAX; vote_columns.len()];
        for (k, c) in [Some(vid), Some(vvote), vpoints, vmethod]
            .iter()
            .enumerate()
        {
            if let Some(c) = c {
                slot[*c] = k as u8;
            }
        }
        while slot.last() == Some(&u8::MAX) {
            slot.pop();
        }
        let mut f: [Option<Cow<'_, str>>; 4] = Default::default();
        // One comma-separated list of a row: the items, trimmed, empty ones skipped.
        fn items<'a>(field: Option<&'a Cow<'_, str>>) -> impl Iterator<Item = &'a str> {
            field
                .map(|s| s.as_ref())
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
        }
        for (line, text) in raw_votes {
            columns_into(text, &slot, &mut f);
            // Exact capacity (one item per comma, plus one): 100,000 votes are ~10 MB.
            let field = f[1].as_deref().unwrap_or("");
            let commas = field.bytes().filter(|b| *b == b',').count();
            let mut vote = Vec::with_capacity(commas + 1);
            let read = index.numbers_into(field, &mut vote);
            if !read {
                vote.clear();
            }
            for p in items(f[1].as_ref().filter(|_| !read)) {
                match index.get(p) {
                    Some(i) => vote.push(i),
                    None => {
                        return Err(PabulibError::UnknownProject {
                            line,
                            project: p.to_string(),
                        });
                    }
                }
            }
            let points = match vpoints {
                None => None,
                Some(_) => {
                    let mut pts = Vec::with_capacity(vote.len());
                    for r in items(f[2].as_ref()) {
                        pts.push(r.parse::<u64>().map_err(|_| PabulibError::BadNumber {
                            line,
                            field: "points".into(),
                            value: r.to_string(),
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
                voter: f[0].as_deref().unwrap_or("").to_string(),
                vote,
                points,
                voting_method: f[3]
                    .as_deref()
                    .map(|m| m.trim())
                    .filter(|m| !m.is_empty())
                    .map(|m| match methods.iter().find(|k| &***k == m) {
                        Some(k) => k.clone(),
                        None => {
                            methods.push(m.into());
                            methods[methods.len() - 1].clone()
                        }
                    }),
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

    /// The project ids a vote names, in ballot order.
    pub fn vote_ids<'a>(&'a self, vote: &'a PbVote) -> impl Iterator<Item = &'a str> + 'a {
        vote.vote
            .iter()
            .map(|i| self.projects[*i as usize].id.as_str())
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
        let ids = |v: &PbVote| -> Vec<usize> { v.vote.iter().map(|p| *p as usize).collect() };
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
            for (n, id) in self.vote_ids(v).enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(id);
            }
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

/// Whether a line is a section heading (`META`, `PROJECTS`, `VOTES` in any case).
fn is_heading(line: &str) -> bool {
    let t = line.trim();
    ["META", "PROJECTS", "VOTES"]
        .iter()
        .any(|h| t.eq_ignore_ascii_case(h))
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
        let index: BTreeMap<Uuid, u32> = seal
            .counts
            .keys()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        let votes: Vec<PbVote> = order
            .into_iter()
            .enumerate()
            .map(|(i, (_, b))| {
                let ballot = &st.ballot_records[b];
                PbVote {
                    voter: (i + 1).to_string(),
                    vote: ballot
                        .choices
                        .iter()
                        .filter_map(|a| index.get(a).copied())
                        .collect(),
                    points: (!ballot.points.is_empty())
                        .then(|| ballot.points.iter().map(|p| u64::from(*p)).collect()),
                    voting_method: Some(ballot.voting_method().into()),
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

    /// A vote's items are read as numbers when every project id is one (the fast path), and by
    /// id otherwise; both give the same indices, and an id is never matched to another that
    /// only equals it as a number.
    #[test]
    fn vote_items_are_read_alike_by_number_and_by_id() {
        let file = |ids: [&str; 3], votes: &str| {
            format!(
                "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n{};10\n{};20\n{};30\nVOTES\nvoter_id;vote;points;voting_method\n{votes}",
                ids[0], ids[1], ids[2]
            )
        };
        let votes = "a;3,1;2,5;paper\nb; 1 , 2 ;1,1;internet\n\"c\";\"2\";4;paper\nd;;;\n";
        let by_number = Instance::parse(&file(["1", "2", "3"], votes)).unwrap();
        let lists: Vec<Vec<u32>> = by_number.votes.iter().map(|v| v.vote.clone()).collect();
        assert_eq!(lists, [vec![2, 0], vec![0, 1], vec![1], vec![]]);
        assert_eq!(by_number.votes[0].points, Some(vec![2, 5]));
        assert_eq!(by_number.votes[2].voter, "c");
        let methods: Vec<Option<&str>> = by_number
            .votes
            .iter()
            .map(|v| v.voting_method.as_deref())
            .collect();
        assert_eq!(
            methods,
            [Some("paper"), Some("internet"), Some("paper"), None]
        );
        // Ids with a leading zero are ids, not numbers: "01" is not "1".
        let zeros = Instance::parse(&file(["01", "1", "002"], "a;1,01;1,1;\nb;002;1;\n")).unwrap();
        let lists: Vec<Vec<u32>> = zeros.votes.iter().map(|v| v.vote.clone()).collect();
        assert_eq!(lists, [vec![1, 0], vec![2]]);
        assert_eq!(
            Instance::parse(&file(["1", "2", "3"], "a;1,02;1,1;\n")),
            Err(PabulibError::UnknownProject {
                line: 11,
                project: "02".into()
            })
        );
        assert_eq!(
            Instance::parse(&file(["1", "2", "3"], "a;1,4;1,1;\n")),
            Err(PabulibError::UnknownProject {
                line: 11,
                project: "4".into()
            })
        );
        // Mixed ids: the general path, same result.
        let mixed = Instance::parse(&file(["7", "x", "9"], "a;9,x,7;1,1,1;\n")).unwrap();
        assert_eq!(mixed.votes[0].vote, [2, 1, 0]);
        assert_eq!(
            mixed.vote_ids(&mixed.votes[0]).collect::<Vec<_>>(),
            ["9", "x", "7"]
        );
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
