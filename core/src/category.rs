//! The categories of projects a proposal can belong to: a leaf that records, rules and exclusion
//! reasons all name. Which of them a cycle offers, and which it excludes, is the genesis's
//! programme rules (`record::cycle::Programme`).

use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// What a proposal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Elderly care and accessibility (lifts, handrails, canteens).
    ElderlyCare,
    /// Children and youth.
    Children,
    /// Greening and environment.
    Greening,
    /// Public safety (lighting, cameras, fire safety).
    Safety,
    /// Facilities and infrastructure (roads, parking, drainage).
    Facilities,
    /// Culture, sports and community life.
    Culture,
    /// Services for residents (repairs, help desks).
    Services,
    /// Anything else.
    Other,
    /// Capacity building of community organisations (training, volunteer groups), which
    /// Chengdu's programme funds.
    CapacityBuilding,
    /// Schooling and education, which most community programmes exclude.
    Education,
    /// Health care, which most community programmes exclude.
    HealthCare,
}

impl Category {
    /// Every category Linli knows, in display order.
    pub const ALL: [Category; 11] = [
        Category::ElderlyCare,
        Category::Children,
        Category::Greening,
        Category::Safety,
        Category::Facilities,
        Category::Culture,
        Category::Services,
        Category::Other,
        Category::CapacityBuilding,
        Category::Education,
        Category::HealthCare,
    ];

    /// What a cycle offers when its genesis does not say (the categories before cycles could
    /// choose them).
    pub const DEFAULT: [Category; 8] = [
        Category::ElderlyCare,
        Category::Children,
        Category::Greening,
        Category::Safety,
        Category::Facilities,
        Category::Culture,
        Category::Services,
        Category::Other,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ElderlyCare => "elderly_care",
            Category::Children => "children",
            Category::Greening => "greening",
            Category::Safety => "safety",
            Category::Facilities => "facilities",
            Category::Culture => "culture",
            Category::Services => "services",
            Category::Other => "other",
            Category::CapacityBuilding => "capacity_building",
            Category::Education => "education",
            Category::HealthCare => "health_care",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Category::ElderlyCare => lang.pick("为老服务", "elderly care"),
            Category::Children => lang.pick("儿童青少年", "children & youth"),
            Category::Greening => lang.pick("绿化环境", "greening"),
            Category::Safety => lang.pick("平安建设", "safety"),
            Category::Facilities => lang.pick("设施改造", "facilities"),
            Category::Culture => lang.pick("文体活动", "culture & sports"),
            Category::Services => lang.pick("便民服务", "services"),
            Category::Other => lang.pick("其他", "other"),
            Category::CapacityBuilding => lang.pick(
                "社区组织能力建设",
                "capacity building of community organisations",
            ),
            Category::Education => lang.pick("教育", "education"),
            Category::HealthCare => lang.pick("医疗卫生", "health care"),
        }
    }
}
