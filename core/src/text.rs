//! Limits on user-entered text. Every text field has a documented maximum length in characters
//! (Unicode scalar values, so a Chinese character counts as one).

use crate::exclusion::Exclusion;

/// Short names: titles, display names, labels.
pub const SHORT: usize = 100;
/// One-paragraph fields: locations, target groups, reasons.
pub const MEDIUM: usize = 1_000;
/// Long free text: descriptions, needs assessments, report texts.
pub const LONG: usize = 5_000;
/// Roundtable notes, the longest text Linli stores inside a record.
pub const NOTES: usize = 20_000;
/// Items in a list field (goals, steps, risks, budget lines, photos).
pub const LIST: usize = 30;

/// Checks one text field: length within `min..=max` characters after trimming, no control
/// characters other than newline, carriage return and tab.
pub fn check(field: &str, value: &str, min: usize, max: usize) -> Result<(), Exclusion> {
    let trimmed = value.trim();
    if min > 0 && trimmed.is_empty() {
        return Err(Exclusion::TextEmpty {
            field: field.to_string(),
        });
    }
    // Count lazily: a 100 KB title must not cost a full count before being rejected.
    let len = value.chars().take(max + 1).count();
    if len > max {
        return Err(Exclusion::TextTooLong {
            field: field.to_string(),
            max,
            len: value.chars().count(),
        });
    }
    if trimmed.chars().count() < min {
        return Err(Exclusion::TextEmpty {
            field: field.to_string(),
        });
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Exclusion::InvalidText {
            field: field.to_string(),
            detail: format!("control character U+{:04X}", c as u32),
        });
    }
    Ok(())
}

/// Checks a list field: at most `max` items, each checked with [`check`].
pub fn check_list(
    field: &str,
    items: &[String],
    max_items: usize,
    max: usize,
) -> Result<(), Exclusion> {
    check_count(field, items.len(), max_items)?;
    for item in items {
        check(field, item, 1, max)?;
    }
    Ok(())
}

/// Checks the number of items in a list field.
pub fn check_count(field: &str, count: usize, max_items: usize) -> Result<(), Exclusion> {
    if count > max_items {
        return Err(Exclusion::TooMany {
            field: field.to_string(),
            max: max_items,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(check("t", "加装电梯", 1, 4).is_ok());
        assert!(matches!(
            check("t", "加装电梯!", 1, 4),
            Err(Exclusion::TextTooLong { len: 5, .. })
        ));
        assert!(matches!(
            check("t", "   ", 1, 4),
            Err(Exclusion::TextEmpty { .. })
        ));
        assert!(check("t", "", 0, 4).is_ok());
        assert!(matches!(
            check("t", "a\u{0}b", 1, 4),
            Err(Exclusion::InvalidText { .. })
        ));
        assert!(check("t", "a\nb", 1, 4).is_ok());
    }
}
