//! Why a record is not counted. Every invalid record is kept, shown and excluded with one of these
//! machine-readable reasons; a local action that would produce such a record is refused with the same
//! reason as a typed error.

use crate::lang::Lang;
use crate::money::Fen;
use crate::phase::Phase;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The reason a record is excluded from the state. `code()` is stable and machine-readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Exclusion {
    /// The bytes are not a well-formed record of a known kind and schema.
    #[error("malformed record: {detail}")]
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// The record is larger than [`crate::record::envelope::MAX_RECORD_BYTES`].
    #[error("record too large: {size} bytes (max {max})")]
    TooLarge {
        /// Size in bytes.
        size: usize,
        /// Limit in bytes.
        max: usize,
    },
    /// A record format or body schema this version of Linli does not know (kept; re-read after an
    /// upgrade).
    #[error("unsupported schema {schema} for {kind}")]
    UnsupportedSchema {
        /// Record kind as written.
        kind: String,
        /// Schema version as written.
        schema: u32,
    },
    /// The signature does not verify against the signer key and the exact stored bytes.
    #[error("bad signature")]
    BadSignature,
    /// The record names another cycle than the one it was delivered for.
    #[error("record belongs to cycle {found}, not {expected}")]
    WrongCycle {
        /// The cycle it was delivered for.
        expected: Uuid,
        /// The cycle it names.
        found: Uuid,
    },
    /// A genesis record that is not the trusted root of this cycle.
    #[error("genesis record is not this cycle's trusted root")]
    UntrustedGenesis,
    /// The signer key is not on the roll.
    #[error("signer is not on the roll")]
    UnknownSigner,
    /// The signer key was revoked; records after the given sequence number are not counted.
    #[error("signer key was revoked after sequence number {after_seq}")]
    RevokedKey {
        /// Last sequence number of the key that still counts.
        after_seq: u64,
    },
    /// The signer is on the roll but lacks the role the action needs.
    #[error("signer lacks the role {}", role.as_str())]
    MissingRole {
        /// The role the action needs.
        role: Role,
    },
    /// The signer may not take this action for another reason (age, not the proposer, not the
    /// awarded contractor, ...).
    #[error("not eligible: {detail}")]
    NotEligible {
        /// Why.
        detail: String,
    },
    /// The action is not open in the phase the record was made under.
    #[error("wrong phase: {} (allowed: {})", actual.as_str(), allowed.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "))]
    WrongPhase {
        /// Phases in which this kind of record is accepted.
        allowed: Vec<Phase>,
        /// The phase the record was made under (or the current phase for a local action).
        actual: Phase,
    },
    /// The record refers to a record that is unknown, invalid or of the wrong kind.
    #[error("unknown {what} {id}")]
    UnknownReference {
        /// What was expected (e.g. "proposal").
        what: String,
        /// The id referred to.
        id: Uuid,
    },
    /// An amount exceeds the limit it must respect (the pool, a tender budget, ...).
    #[error("over budget: {amount} exceeds {limit}")]
    OverBudget {
        /// The amount asked for.
        amount: Fen,
        /// The limit.
        limit: Fen,
    },
    /// An amount is zero, negative, out of range or does not add up.
    #[error("invalid amount in {field}: {detail}")]
    InvalidAmount {
        /// The field.
        field: String,
        /// Why.
        detail: String,
    },
    /// A mandatory text field is empty.
    #[error("{field} must not be empty")]
    TextEmpty {
        /// The field.
        field: String,
    },
    /// A text field is longer than allowed.
    #[error("{field} is {len} characters long (max {max})")]
    TextTooLong {
        /// The field.
        field: String,
        /// Maximum characters.
        max: usize,
        /// Actual characters.
        len: usize,
    },
    /// A text field contains characters that are not allowed.
    #[error("{field}: {detail}")]
    InvalidText {
        /// The field.
        field: String,
        /// Why.
        detail: String,
    },
    /// A list field has too many items.
    #[error("{field} has more than {max} items")]
    TooMany {
        /// The field.
        field: String,
        /// Maximum items.
        max: usize,
    },
    /// A rule of the cycle is broken (stated in `detail`).
    #[error("rule violated: {detail}")]
    RuleViolation {
        /// Which rule, and how.
        detail: String,
    },
    /// A later record by the same person replaces this one (e.g. a changed ballot).
    #[error("superseded by {by}")]
    Superseded {
        /// The record that replaces it.
        by: Uuid,
    },
    /// The record conflicts with another one and loses under the documented total order.
    #[error("conflicts with {with}")]
    Conflicting {
        /// The record that wins.
        with: Uuid,
    },
    /// A valid ballot that the seal does not count: cast after the seal, or withheld from it.
    #[error("not counted: not in seal {seal}")]
    LateBallot {
        /// The seal.
        seal: Uuid,
    },
    /// A seal whose stated counts do not match the recomputed tally of the ballots it names.
    #[error("tally mismatch: {detail}")]
    TallyMismatch {
        /// Where the numbers differ.
        detail: String,
    },
    /// A paper ballot not counted because the member's own phone ballot counts.
    #[error("not counted: the member voted by phone (ballot {ballot})")]
    VotedByPhone {
        /// The member's phone ballot.
        ballot: Uuid,
    },
    /// A paper ballot not counted because another paper ballot of the same member counts.
    #[error(
        "not counted: a paper ballot of this member already counts (sheet {sheet}, record {counted})"
    )]
    PaperDuplicate {
        /// The paper ballot that counts.
        counted: Uuid,
        /// Its sheet number.
        sheet: String,
    },
    /// A proposal of a project type the cycle's programme does not fund.
    #[error("this cycle does not fund {} projects: {reason}", category.label(Lang::En))]
    ExcludedCategory {
        /// The category.
        category: crate::category::Category,
        /// The programme's reason, in the genesis's words.
        reason: String,
    },
    /// A satisfaction-gated payment released without enough satisfied ratings.
    #[error(
        "satisfaction not met: {good} of {total} ratings are good (need {} {threshold_pct} %)",
        if *strictly_above { "more than" } else { "at least" }
    )]
    SatisfactionNotMet {
        /// Ratings of 4 or 5 stars.
        good: u32,
        /// All ratings counted.
        total: u32,
        /// The cycle's threshold in percent.
        threshold_pct: u8,
        /// Whether the share must be above the threshold (new cycles) or at least at it.
        strictly_above: bool,
    },
    /// A satisfaction-gated release leaves out ratings of the project that were signed before it
    /// and that this device holds: its count is cherry-picked.
    #[error(
        "the release leaves out {left_out} of the project's ratings signed before it (for example {first})"
    )]
    RatingsLeftOut {
        /// Ratings left out.
        left_out: u32,
        /// One of them.
        first: Uuid,
    },
    /// The vote cannot open while proposals have had no feedback: every proposal, adopted or not,
    /// gets a review with a reason first.
    #[error("{} proposal(s) still await a review: {}", proposals.len(), ids(proposals))]
    AwaitingReview {
        /// The proposals without a review.
        proposals: Vec<Uuid>,
    },
}

fn ids(list: &[Uuid]) -> String {
    list.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Exclusion {
    /// The stable machine-readable code (snake_case), identical to the serialised `code` tag.
    pub fn code(&self) -> &'static str {
        match self {
            Exclusion::Malformed { .. } => "malformed",
            Exclusion::TooLarge { .. } => "too_large",
            Exclusion::UnsupportedSchema { .. } => "unsupported_schema",
            Exclusion::BadSignature => "bad_signature",
            Exclusion::WrongCycle { .. } => "wrong_cycle",
            Exclusion::UntrustedGenesis => "untrusted_genesis",
            Exclusion::UnknownSigner => "unknown_signer",
            Exclusion::RevokedKey { .. } => "revoked_key",
            Exclusion::MissingRole { .. } => "missing_role",
            Exclusion::NotEligible { .. } => "not_eligible",
            Exclusion::WrongPhase { .. } => "wrong_phase",
            Exclusion::UnknownReference { .. } => "unknown_reference",
            Exclusion::OverBudget { .. } => "over_budget",
            Exclusion::InvalidAmount { .. } => "invalid_amount",
            Exclusion::TextEmpty { .. } => "text_empty",
            Exclusion::TextTooLong { .. } => "text_too_long",
            Exclusion::InvalidText { .. } => "invalid_text",
            Exclusion::TooMany { .. } => "too_many",
            Exclusion::RuleViolation { .. } => "rule_violation",
            Exclusion::Superseded { .. } => "superseded",
            Exclusion::Conflicting { .. } => "conflicting",
            Exclusion::LateBallot { .. } => "late_ballot",
            Exclusion::TallyMismatch { .. } => "tally_mismatch",
            Exclusion::VotedByPhone { .. } => "voted_by_phone",
            Exclusion::PaperDuplicate { .. } => "paper_duplicate",
            Exclusion::ExcludedCategory { .. } => "excluded_category",
            Exclusion::SatisfactionNotMet { .. } => "satisfaction_not_met",
            Exclusion::RatingsLeftOut { .. } => "ratings_left_out",
            Exclusion::AwaitingReview { .. } => "awaiting_review",
        }
    }

    /// A sentence for people, in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Zh => match self {
                Exclusion::Malformed { detail } => format!("记录格式错误：{detail}"),
                Exclusion::TooLarge { size, max } => format!("记录过大：{size} 字节（上限 {max}）"),
                Exclusion::UnsupportedSchema { kind, schema } => {
                    format!("不支持的记录版本：{kind} 第 {schema} 版")
                }
                Exclusion::BadSignature => "签名无效".into(),
                Exclusion::WrongCycle { .. } => "记录不属于本周期".into(),
                Exclusion::UntrustedGenesis => "创世记录不是本周期的信任根".into(),
                Exclusion::UnknownSigner => "签名者不在名册上".into(),
                Exclusion::RevokedKey { after_seq } => {
                    format!("签名设备已被注销（序号 {after_seq} 之后无效）")
                }
                Exclusion::MissingRole { role } => {
                    format!("签名者没有“{}”角色", role.label(Lang::Zh))
                }
                Exclusion::NotEligible { detail } => format!(
                    "无权进行此操作：{}",
                    eligibility_zh(detail).unwrap_or_else(|| detail.clone())
                ),
                Exclusion::WrongPhase { allowed, actual } => format!(
                    "当前阶段（{}）不允许此操作，允许的阶段：{}",
                    actual.label(Lang::Zh),
                    allowed
                        .iter()
                        .map(|p| p.label(Lang::Zh))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                Exclusion::UnknownReference { what, id } => {
                    format!("引用的{}不存在或无效：{id}", reference_label(what))
                }
                Exclusion::OverBudget { amount, limit } => {
                    format!("超出预算：{amount} 超过 {limit}")
                }
                Exclusion::InvalidAmount { field, detail } => {
                    let why = if detail.contains("positive") {
                        "须大于零，且不超过 ¥10,000,000,000.00"
                    } else if detail.contains("at least one") {
                        "至少需要一项"
                    } else {
                        "各项预算之和须等于预算估算"
                    };
                    format!("{}金额无效：{why}", field_label(field, Lang::Zh))
                }
                Exclusion::TextEmpty { field } => {
                    format!("{}不能为空", field_label(field, Lang::Zh))
                }
                Exclusion::TextTooLong { field, max, len } => format!(
                    "{}过长：{len} 字（上限 {max} 字）",
                    field_label(field, Lang::Zh)
                ),
                Exclusion::InvalidText { field, .. } => {
                    format!("{}含有不允许的控制字符", field_label(field, Lang::Zh))
                }
                Exclusion::TooMany { field, max } => {
                    format!("{}超过 {max} 项", field_label(field, Lang::Zh))
                }
                Exclusion::RuleViolation { detail } => {
                    format!(
                        "违反规则：{}",
                        rule_zh(detail).unwrap_or_else(|| detail.clone())
                    )
                }
                Exclusion::Superseded { by } => format!("已被更新的记录取代：{by}"),
                Exclusion::Conflicting { with } => format!("与记录 {with} 冲突，按规则未采用"),
                Exclusion::LateBallot { seal } => {
                    format!("未计入：不在封票记录 {seal} 中（迟到或被遗漏）")
                }
                Exclusion::TallyMismatch { detail } => format!("计票结果不符：{detail}"),
                Exclusion::VotedByPhone { ballot } => {
                    format!("未计入：该居民已用手机投票（选票 {ballot}）")
                }
                Exclusion::PaperDuplicate { counted, sheet } => {
                    format!("未计入：该居民已有一张纸质选票计入（票号 {sheet}，记录 {counted}）")
                }
                Exclusion::ExcludedCategory { category, reason } => {
                    format!("本周期不资助“{}”类项目：{reason}", category.label(Lang::Zh))
                }
                Exclusion::SatisfactionNotMet {
                    good,
                    total,
                    threshold_pct,
                    strictly_above,
                } => {
                    let need = if *strictly_above { "超过" } else { "达到" };
                    format!(
                        "满意度未达标：{total} 个评分中 {good} 个为满意（需{need} {threshold_pct}%）"
                    )
                }
                Exclusion::AwaitingReview { proposals } => {
                    format!(
                        "还有 {} 个提案未获审核意见：{}",
                        proposals.len(),
                        ids(proposals)
                    )
                }
                Exclusion::RatingsLeftOut { left_out, first } => {
                    format!("付款所依据的评价遗漏了本项目此前的 {left_out} 条评价（例如 {first}）")
                }
            },
        }
    }
}

/// Every exclusion code this build gives (what [`label`] names), in the order of [`label`].
pub const CODES: [&str; 29] = [
    "malformed",
    "too_large",
    "unsupported_schema",
    "bad_signature",
    "wrong_cycle",
    "untrusted_genesis",
    "unknown_signer",
    "revoked_key",
    "missing_role",
    "not_eligible",
    "wrong_phase",
    "unknown_reference",
    "over_budget",
    "invalid_amount",
    "text_empty",
    "text_too_long",
    "invalid_text",
    "too_many",
    "rule_violation",
    "superseded",
    "conflicting",
    "late_ballot",
    "tally_mismatch",
    "voted_by_phone",
    "paper_duplicate",
    "excluded_category",
    "satisfaction_not_met",
    "ratings_left_out",
    "awaiting_review",
];

/// A short name for people of an exclusion code (`late_ballot` → 迟到选票 / late ballot), for
/// lists grouped by reason. Unknown codes (from a newer version) are returned as they are.
pub fn label(code: &str, lang: Lang) -> &str {
    let (zh, en) = match code {
        "malformed" => ("格式错误", "malformed"),
        "too_large" => ("记录过大", "too large"),
        "unsupported_schema" => ("不支持的版本", "unsupported schema"),
        "bad_signature" => ("签名无效", "bad signature"),
        "wrong_cycle" => ("不属于本周期", "wrong cycle"),
        "untrusted_genesis" => ("不受信任的创始记录", "untrusted genesis"),
        "unknown_signer" => ("签名者不在名册", "signer not on the roll"),
        "revoked_key" => ("密钥已吊销", "revoked key"),
        "missing_role" => ("无此权限", "missing role"),
        "not_eligible" => ("不符合资格", "not eligible"),
        "wrong_phase" => ("不在允许的阶段", "wrong phase"),
        "unknown_reference" => ("引用的记录未知", "unknown reference"),
        "over_budget" => ("超出预算", "over budget"),
        "invalid_amount" => ("金额无效", "invalid amount"),
        "text_empty" => ("内容为空", "empty text"),
        "text_too_long" => ("内容过长", "text too long"),
        "invalid_text" => ("内容无效", "invalid text"),
        "too_many" => ("数量超限", "too many"),
        "rule_violation" => ("违反规则", "rule violation"),
        "superseded" => ("已被新记录取代", "superseded"),
        "conflicting" => ("冲突", "conflicting"),
        "late_ballot" => ("迟到选票", "late ballot"),
        "tally_mismatch" => ("计票不符", "tally mismatch"),
        "voted_by_phone" => ("已用手机投票", "voted by phone"),
        "paper_duplicate" => ("重复的纸质选票", "duplicate paper ballot"),
        "excluded_category" => ("本周期不资助的类别", "category not funded"),
        "satisfaction_not_met" => ("满意度未达标", "satisfaction not met"),
        "ratings_left_out" => ("遗漏评价", "ratings left out"),
        "awaiting_review" => ("提案待审核", "proposals await review"),
        _ => return code,
    };
    lang.pick(zh, en)
}

/// A rule's reason in Chinese. Rules state their reasons in English (`RuleViolation.detail`,
/// stored with the verdict); this is what the Chinese message shows instead, so no English
/// stands inside a Chinese sentence. Fixed reasons are looked up; the reasons that carry numbers
/// or names are read back into their parts. `None` for a reason this build does not know (from
/// a newer version).
pub fn rule_zh(detail: &str) -> Option<String> {
    let fixed = match detail {
        "a ballot names each proposal at most once" => "每张选票中每个提案最多出现一次",
        "a closing names each sealed bid once" => "截标记录中每份密封投标只能列出一次",
        "a closing record names each record once" => "结算记录中每条记录只能列出一次",
        "a comment answers another comment, not its own subject" => {
            "回复针对的是另一条评论，而不是评论对象本身"
        }
        "a cumulative ballot gives points to each choice" => "积分选票须为每个所选提案给出点数",
        "a meeting ends after it starts" => "会议的结束时间须晚于开始时间",
        "a meeting has at least one agenda item" => "会议至少要有一项议程",
        "a project can be rated once its completion is reported" => "项目报告完工后才能评价",
        "a proposal cannot be merged into itself" => "提案不能合并到它自己",
        "a record list names each record once" => "记录清单中每条记录只能出现一次",
        "a release names each rating once" => "付款记录中每条评价只能列出一次",
        "a reply is about the same subject as the comment it answers" => {
            "回复须与所回复的评论针对同一对象"
        }
        "a revocation keeps each record once" => "吊销记录中每条保留的记录只能列出一次",
        "a roll entry grants at least one role" => "名册登记至少授予一个角色",
        "a roundtable discusses at least one proposal" => "圆桌议事至少讨论一个提案",
        "a schedule has at least one instalment" => "付款计划至少要有一期",
        "a seal names each ballot once" => "封票记录中每张选票只能列出一次",
        "a seal states each proposal's count once" => "封票记录中每个提案的票数只能写一次",
        "an age band is recorded for members attested as 15 or older" => {
            "只为经核验年满15岁的居民记录年龄段"
        }
        "an agenda names each item once" => "议程中每一项只能出现一次",
        "bids are opened after bidding closes" => "截标之后才能开标",
        "cumulative ballots need at least one point" => "积分选票至少要有一个点数",
        "duplicate proposal or participant" => "提案或参与者重复",
        "duration must be 1 to 3650 days" => "工期须为 1 至 3650 天",
        "each proposal appears once in a resolution" => "决议中每个提案只能出现一次",
        "earlier instalments must be released first" => "须先支付之前各期款项",
        "no instalment left to release" => "已没有待支付的款项",
        "no sealed bid of this device matches that bid" => "本设备没有与此投标对应的密封投标",
        "only a satisfaction-gated instalment names ratings" => {
            "只有以满意度为条件的一期款项才列出评价"
        }
        "only a sealed tender is closed" => "只有密封招标才需要截标",
        "only cumulative ballots give points" => "只有积分选票才给点数",
        "only the last instalment may depend on satisfaction" => {
            "只有最后一期款项可以以满意度为条件"
        }
        "roll records are folded before all others" => "名册记录先于其他记录处理",
        "satisfaction threshold must be 0-100 % and good stars 1-5" => {
            "满意度门槛须在 0 至 100% 之间，满意星级须在 1 至 5 之间"
        }
        "the bid was not received by the deadline, so it is not opened" => {
            "投标未在截止前收到，因此不予开标"
        }
        "the last instalment waits for residents' satisfaction" => "最后一期款项须待居民满意后支付",
        "the opened bid does not match its sealed commitment" => "开标内容与密封投标的承诺不符",
        "the project already has an awarded contract" => "该项目已经定标",
        "the project has no awarded contract yet" => "该项目尚未定标",
        "the vote is not sealed yet" => "投票尚未封存",
        "this device has signed records in the cycle; it cannot leave it" => {
            "本设备已在该周期中签署过记录，不能退出"
        }
        "this tender takes open bids" => "本次招标接受公开投标",
        "this tender takes sealed bids, opened after bidding closes" => {
            "本次招标只接受密封投标，截标后开标"
        }
        "voting needs min_picks <= max_picks and max_picks >= 1" => {
            "投票规则须满足：最少选择数不大于最多选择数，且最多选择数至少为 1"
        }
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(fixed.to_string());
    }
    let between = |prefix: &str, suffix: &str| -> Option<String> {
        detail
            .strip_prefix(prefix)?
            .strip_suffix(suffix)
            .map(str::to_string)
    };
    let category = |code: &str| {
        crate::category::Category::parse(code)
            .map(|c| c.label(Lang::Zh).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    if let Some(rest) = detail.strip_prefix("a ballot names ") {
        // "a ballot names {min} to {max} proposals, not {n}"
        let (range, n) = rest.split_once(" proposals, not ")?;
        let (min, max) = range.split_once(" to ")?;
        return Some(format!(
            "每张选票须选择 {min} 至 {max} 个提案，而不是 {n} 个"
        ));
    }
    if let Some(p) = between("proposal ", " is not on the ballot") {
        return Some(format!("提案 {p} 不在选票上"));
    }
    if let Some(rest) =
        detail.strip_prefix("a cumulative ballot gives 1 or more points per choice, ")
    {
        // "... {points} in all (given {given})"
        let (points, given) = rest.split_once(" in all (given ")?;
        let given = given.strip_suffix(')')?;
        return Some(format!(
            "积分选票须为每个所选提案给至少 1 点，总共不超过 {points} 点（实际 {given} 点）"
        ));
    }
    if let Some(item) = between("item ", " is not on the meeting's agenda") {
        return Some(format!("{item} 不在会议议程上"));
    }
    if let Some(at) = detail.strip_prefix("the meeting ended at ") {
        return Some(format!("会议已于 {at} 结束"));
    }
    if let Some(c) = between("category ", " is not offered in this cycle") {
        return Some(format!("本周期不提供“{}”类别", category(&c)));
    }
    if let Some(c) = between("category ", " is offered twice") {
        return Some(format!("“{}”类别重复", category(&c)));
    }
    if let Some(c) = between("category ", " is both offered and excluded") {
        return Some(format!("“{}”类别不能既提供又排除", category(&c)));
    }
    if let Some(c) = detail.strip_prefix("the proposal is already in category ") {
        return Some(format!("该提案已属于“{}”类别", category(c)));
    }
    formatted_zh(detail, &between)
}

/// The reasons rules build with an id, a number, a date, a phase or a rule in them (the rest of
/// [`rule_zh`]). The values are kept as they are; words among them (a phase, a rule, a ballot
/// type, a record kind) are named in Chinese.
fn formatted_zh(detail: &str, between: &dyn Fn(&str, &str) -> Option<String>) -> Option<String> {
    let phase = |code: &str| {
        crate::phase::Phase::ALL
            .iter()
            .find(|p| p.as_str() == code)
            .map(|p| p.label(Lang::Zh).to_string())
            .unwrap_or_else(|| "未知阶段".into())
    };
    let rule = |code: &str| -> &'static str {
        match code {
            "greedy" => "按票数依次入选",
            "mes" => "平等份额法",
            "mes-add1" => "平等份额法（逐元补足）",
            "borda" => "博尔达计分",
            _ => "未知规则",
        }
    };
    // `{:?}` of a ballot type or a record kind: its first word.
    let ballot = |debug: &str| -> &'static str {
        match debug.split([' ', '{', '(']).next().unwrap_or_default() {
            "Approval" => "赞成投票",
            "Knapsack" => "预算约束投票",
            "Ranked" => "排序投票",
            "Cumulative" => "积分投票",
            _ => "未知投票方式",
        }
    };
    let kind = |debug: &str| -> &'static str {
        match debug {
            "Ballot" => "选票",
            "PaperBallot" => "纸质选票",
            "Rating" => "评价",
            "SealedBid" => "密封投标",
            "Bid" => "投标",
            _ => "记录",
        }
    };
    if let Some(m) = detail.strip_prefix("the seal counts two ballots of member ") {
        return Some(format!("封票记录计入了居民 {m} 的两张选票"));
    }
    if let Some(rest) = detail.strip_prefix("phases advance one at a time, in order: ") {
        let (from, to) = rest.split_once(" -> ")?;
        return Some(format!(
            "阶段须按顺序逐一推进：“{}”之后不能是“{}”",
            phase(from),
            phase(to)
        ));
    }
    if let Some(i) = detail.strip_prefix("the schedule has no instalment ") {
        return Some(format!("付款计划中没有第 {i} 期"));
    }
    if let Some(r) = between("rating ", " is not a distinct rating of this project") {
        return Some(format!("评价 {r} 不是本项目中不重复的评价"));
    }
    if let Some(rest) = detail.strip_prefix("list ") {
        if let Some((l, of)) = rest.split_once(" is not a list of this signer's ") {
            return Some(format!("清单 {l} 不是该签名者的{}清单", kind(of)));
        }
    }
    if let Some(p) = between("proposal ", " was not on the ballot") {
        return Some(format!("提案 {p} 不在选票上"));
    }
    if let Some(p) = between(
        "funding ",
        " deviates from the sealed result without a reason",
    ) {
        return Some(format!("对 {p} 的资助与封存计票结果不符，且未说明理由"));
    }
    if let Some(p) = between("omitted proposal ", " was not selected") {
        return Some(format!("略去的提案 {p} 并未入选"));
    }
    if let Some(p) = between(
        "selected proposal ",
        " is neither funded nor omitted with a reason",
    ) {
        return Some(format!("入选的提案 {p} 既未获资助，也未说明略去的理由"));
    }
    if let Some(k) = between("device key ", " is not on the roll") {
        return Some(format!("设备密钥 {k} 不在名册上"));
    }
    if let Some(d) = detail.strip_prefix("bid made after the tender deadline ") {
        return Some(format!("投标晚于招标截止时间 {d}"));
    }
    if let Some(d) = between(
        "bids are open until ",
        ": a tender is awarded after its deadline",
    ) {
        return Some(format!("投标截止于 {d}：截止之后才能定标"));
    }
    if let Some(d) = detail.strip_prefix("bidding closes at the deadline ") {
        return Some(format!("截标须在投标截止时间 {d} 之后"));
    }
    if let Some(rest) = detail.strip_prefix("blob size ") {
        let (n, max) = rest.split_once(" outside 1..=")?;
        return Some(format!("附件大小 {n} 字节不在 1 至 {max} 字节之间"));
    }
    if let Some(rest) = detail.strip_prefix("rule ") {
        if let Some((r, b)) = rest.split_once(" does not fit ") {
            let b = b.strip_suffix(" ballots")?;
            return Some(format!("计票规则“{}”不适用于{}", rule(r), ballot(b)));
        }
    }
    if let Some(y) = between("year ", " out of range") {
        return Some(format!("年份 {y} 超出范围"));
    }
    if let Some(p) = between("calendar window for ", " ends before it starts") {
        return Some(format!("“{}”阶段的日程结束早于开始", phase(&p)));
    }
    if let Some(n) = detail.strip_prefix("a rating is 1 to 5 stars, not ") {
        return Some(format!("评价须为 1 至 5 星，而不是 {n} 星"));
    }
    if let Some(n) = between("percent ", " is over 100") {
        return Some(format!("百分比 {n} 超过 100"));
    }
    if let Some(p) = between("recommended proposal ", " was not discussed") {
        return Some(format!("推荐的提案 {p} 未经讨论"));
    }
    None
}

/// Why someone may not act, in Chinese (see [`rule_zh`]).
fn eligibility_zh(detail: &str) -> Option<String> {
    let fixed = match detail {
        "only the awarded contractor may do this" => "只有中标的施工方可以这样做",
        "only the bidder opens their bid" => "只有投标人本人可以开标",
        "only the proposal's author may revise it" => "只有提案人本人可以修改提案",
        "voters must be attested as 15 or older" => "投票人须经核验年满15岁",
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(fixed.to_string());
    }
    // "member {m} lacks the role {role}"
    let (member, role) = detail
        .strip_prefix("member ")?
        .split_once(" lacks the role ")?;
    let role = crate::role::Role::ALL
        .iter()
        .find(|r| r.as_str() == role)?
        .label(Lang::Zh);
    Some(format!("居民 {member} 没有“{role}”角色"))
}

/// What an `unknown_reference` names, in Chinese (the rules name it in English). An unknown
/// name (from a newer version) is "record", never English inside the sentence.
fn reference_label(what: &str) -> &'static str {
    match what {
        "award" => "定标记录",
        "ballot" => "选票",
        "bid on this tender" => "本次招标的投标",
        "budget" => "预算",
        "comment" => "评论",
        "funded project" => "资助项目",
        "instalment schedule" => "付款计划",
        "meeting" => "会议",
        "member" => "居民",
        "monitoring report" => "监督报告",
        "phase record" => "阶段记录",
        "proposal" => "提案",
        "proposal, project or meeting" => "提案、项目或会议",
        "rating" => "评价",
        "record list" => "记录清单",
        "seal" => "封票记录",
        "sealed bid" => "密封投标",
        "sealed bid on this tender" => "本次招标的密封投标",
        "tender" => "招标",
        _ => "记录",
    }
}

/// A record field's name for people: the names the rules use in their reasons
/// (`title`, `budget_lines.amount`, ...). Unknown names are returned as they are.
pub fn field_label(field: &str, lang: Lang) -> String {
    let zh = match field {
        "amount" => "金额",
        "attestation" => "身份核验说明",
        "budget" => "预算",
        "budget_lines" => "预算明细",
        "budget_lines.amount" => "预算明细的金额",
        "budget_lines.item" => "预算明细的项目",
        "budget_pool" => "资金池",
        "calendar" => "日程",
        "choices" => "所选提案",
        "comment" => "评语",
        "community" => "社区名称",
        "description" => "说明",
        "deviation_reason" => "调整理由",
        "discussed" => "讨论的提案",
        "display_name" => "姓名",
        "estimated_budget" => "预算估算",
        "founder_name" => "发起干部姓名",
        "funded" => "资助项目",
        "funded.amount" => "资助金额",
        "goals" => "目标",
        "ids" => "记录编号",
        "instalments" => "分期",
        "instalments.amount" => "分期金额",
        "instalments.label" => "分期名称",
        "kept" => "保留的记录",
        "location" => "地点",
        "mime" => "文件类型",
        "name" => "名称",
        "needs_assessment" => "需求调查",
        "note" => "备注",
        "notes" => "记录",
        "omitted.reason" => "未资助理由",
        "on_behalf_of.name" => "代填的居民姓名",
        "participants" => "参与者",
        "agenda" => "议程",
        "sheet" => "票号",
        "plan" => "方案",
        "reason" => "理由",
        "recommendations.note" => "建议",
        "requirements" => "要求",
        "risks" => "风险",
        "sealed_bids" => "密封投标",
        "steps" => "步骤",
        "target_group" => "服务对象",
        "text" => "内容",
        "title" => "标题",
        "topic" => "议题",
        "voting.ballot.cap" => "选票预算上限",
        other => return other.to_string(),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => field.replace(['_', '.'], " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_labelled_in_both_languages() {
        // The codes `Exclusion::code` gives, read from its source.
        let src = include_str!("exclusion.rs");
        let body = &src[src.find("pub fn code(&self)").unwrap()..];
        let body = &body[..body.find("\n    }\n").unwrap()];
        let given: Vec<&str> = body
            .split("=> \"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert_eq!(given, CODES, "CODES lists every code, in order");
        for code in CODES {
            let zh = label(code, Lang::Zh);
            assert!(!zh.bytes().any(|b| b.is_ascii_alphabetic()), "{code}: {zh}");
            let en = label(code, Lang::En);
            assert!(en.is_ascii() && !en.contains('_'), "{code}: {en}");
        }
    }

    /// The sources of every rule that states a reason: the tests below scan them, so a reason
    /// or a reference name added without its Chinese fails here.
    const RULE_SOURCES: &[&str] = &[
        include_str!("fold/ballot.rs"),
        include_str!("fold/comment.rs"),
        include_str!("fold/cycle.rs"),
        include_str!("fold/evaluation.rs"),
        include_str!("fold/list.rs"),
        include_str!("fold/meeting.rs"),
        include_str!("fold/mod.rs"),
        include_str!("fold/monitoring.rs"),
        include_str!("fold/proposal.rs"),
        include_str!("fold/resolution.rs"),
        include_str!("fold/roll.rs"),
        include_str!("fold/roundtable.rs"),
        include_str!("fold/tender.rs"),
        include_str!("record/ballot.rs"),
        include_str!("record/blob.rs"),
        include_str!("record/comment.rs"),
        include_str!("record/cycle.rs"),
        include_str!("record/evaluation.rs"),
        include_str!("record/list.rs"),
        include_str!("record/meeting.rs"),
        include_str!("record/monitoring.rs"),
        include_str!("record/proposal.rs"),
        include_str!("record/resolution.rs"),
        include_str!("record/roll.rs"),
        include_str!("record/roundtable.rs"),
        include_str!("record/tender.rs"),
        include_str!("store/bids.rs"),
        include_str!("store/follow.rs"),
        include_str!("store/write.rs"),
    ];

    /// Every fixed reason a rule gives reads in Chinese: the sources are scanned for them, so a
    /// new one without a translation fails here. So do the reasons with numbers and names that
    /// the rules build most often.
    #[test]
    fn every_fixed_rule_reason_reads_in_chinese() {
        let mut fixed = Vec::new();
        for src in RULE_SOURCES {
            for part in src.split("RuleViolation {").skip(1) {
                if let Some(rest) = part.trim_start().strip_prefix("detail: \"") {
                    fixed.push(rest.split('"').next().unwrap_or_default().to_string());
                }
            }
        }
        assert!(fixed.len() > 40, "{fixed:?}");
        for d in &fixed {
            assert!(rule_zh(d).is_some(), "no Chinese for {d:?}");
        }
        for d in [
            "a ballot names 1 to 3 proposals, not 4",
            "proposal 0190 is not on the ballot",
            "a cumulative ballot gives 1 or more points per choice, 10 in all (given 12)",
            "item 0190 is not on the meeting's agenda",
            "category greening is not offered in this cycle",
            "the proposal is already in category capacity_building",
        ] {
            let zh = Exclusion::RuleViolation { detail: d.into() }.message(Lang::Zh);
            let letters = zh.chars().filter(|c| c.is_ascii_alphabetic()).count();
            assert_eq!(letters, 0, "{zh}");
        }
        assert_eq!(
            Exclusion::RuleViolation {
                detail: "a ballot names 1 to 3 proposals, not 4".into()
            }
            .message(Lang::Zh),
            "违反规则：每张选票须选择 1 至 3 个提案，而不是 4 个"
        );
        let lacks = Exclusion::NotEligible {
            detail: "member 0190 lacks the role table_leader".into(),
        }
        .message(Lang::Zh);
        assert!(!lacks.chars().any(|c| c.is_ascii_alphabetic()), "{lacks}");
        for d in [
            "only the awarded contractor may do this",
            "only the bidder opens their bid",
            "only the proposal's author may revise it",
            "voters must be attested as 15 or older",
        ] {
            assert!(eligibility_zh(d).is_some(), "{d}");
        }
    }

    /// Every reason a rule builds with numbers, names or dates reads in Chinese too: the rules'
    /// sources are scanned for `RuleViolation { detail: format!("...") }`, each placeholder is
    /// filled with a value of its kind, and the Chinese message must carry no English.
    #[test]
    fn every_formatted_rule_reason_reads_in_chinese() {
        let mut formats = Vec::new();
        for src in RULE_SOURCES {
            for part in src.split("RuleViolation {").skip(1) {
                let part = part.trim_start();
                let Some(rest) = part.strip_prefix("detail: format!(") else {
                    continue;
                };
                let rest = rest.trim_start();
                if let Some(text) = rest.strip_prefix('"') {
                    formats.push(text.split('"').next().unwrap_or_default().to_string());
                }
            }
        }
        assert!(formats.len() >= 30, "{formats:?}");
        const DATE: &str = "2026-05-01T00:00:00+00:00";
        let mut english = Vec::new();
        for f in &formats {
            // Each `{...}` becomes a value of the kind the words around it name.
            let mut d = String::new();
            let mut rest = f.as_str();
            while let Some(open) = rest.find('{') {
                let before = &rest[..open];
                d.push_str(before);
                let close = rest[open..]
                    .find('}')
                    .map(|c| open + c)
                    .unwrap_or(rest.len() - 1);
                let name = &rest[open + 1..close];
                let said = d.clone();
                let value = if said.ends_with("category ") {
                    "greening"
                } else if said.contains("phases advance") {
                    "voting"
                } else if name.ends_with(":?}") || name.ends_with(":?") {
                    if said.contains("signer's") {
                        "Ballot"
                    } else {
                        "Approval"
                    }
                } else if said.ends_with("deadline ")
                    || said.ends_with("until ")
                    || said.ends_with("at ")
                {
                    DATE
                } else if said.ends_with("rule ") {
                    "borda"
                } else if name == "MAX_BLOB_BYTES" {
                    "4194304"
                } else {
                    "0190"
                };
                d.push_str(value);
                rest = &rest[close + 1..];
            }
            d.push_str(rest);
            let zh = Exclusion::RuleViolation { detail: d.clone() }.message(Lang::Zh);
            // A date keeps its "T"; every other letter is English left in the sentence.
            if zh
                .replace(DATE, "")
                .chars()
                .any(|c| c.is_ascii_alphabetic())
            {
                english.push(format!("{d:?} reads {zh:?}"));
            }
        }
        assert!(english.is_empty(), "{}", english.join("\n"));
    }

    /// Every name a rule gives an unknown reference reads in Chinese: the rules' sources are
    /// scanned for them, so a new one without a label fails here.
    #[test]
    fn every_unknown_reference_reads_in_chinese() {
        let mut names = Vec::new();
        for src in RULE_SOURCES {
            for marker in ["what: \"", "lacks(ctx, \""] {
                for part in src.split(marker).skip(1) {
                    names.push(part.split('"').next().unwrap_or_default().to_string());
                }
            }
        }
        assert!(names.len() > 15, "{names:?}");
        for what in names {
            let m = Exclusion::UnknownReference {
                what: what.clone(),
                id: Uuid::nil(),
            }
            .message(Lang::Zh);
            assert!(!m.chars().any(|c| c.is_ascii_alphabetic()), "{what}: {m}");
            assert_ne!(reference_label(&what), "记录", "{what} has no label");
        }
    }
}
