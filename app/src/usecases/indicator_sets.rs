//! 分类评价指标: the county office revises a category's indicator set for a batch. What it
//! typed is kept as a draft until it adds up; only a valid set becomes a new version,
//! and a set that applications already use is frozen.

use super::Actor;
use crate::errors::AppError;
use crate::review::indicator_sets::ssr::{current_set, draft_key};
use crate::review::indicator_sets::{parse_set, SetForm};
use domain::role::Role;
use store::indicators::Indicator;
use store::Store;

/// What the office does with the editor's form.
pub enum SetChange {
    /// Save what was typed: a new version when it adds up, a kept draft otherwise.
    Save(SetForm),
    /// Throw the kept draft away.
    Discard,
}

/// What came of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetSaved {
    /// Applications use the set already: nothing changed.
    Frozen,
    Discarded,
    /// It does not add up yet: kept as the draft, to be checked on the page.
    KeptToCheck,
    /// The set's new version.
    Revised(i64),
}

/// Saves or discards the office's edit of `category`'s set in `batch` (None: the open
/// batch).
#[tracing::instrument(skip_all, fields(category = category))]
pub async fn save(
    store: &Store,
    actor: &Actor,
    category: &str,
    batch: Option<i64>,
    change: SetChange,
) -> Result<SetSaved, AppError> {
    actor.must_be(Role::CountyOffice)?;
    let (batch, set) = current_set(store, category, batch).await?;
    if set.frozen {
        return Ok(SetSaved::Frozen);
    }
    let form = match change {
        SetChange::Discard => {
            store.set_setting(&draft_key(set.id), "").await?;
            return Ok(SetSaved::Discarded);
        }
        SetChange::Save(form) => form,
    };
    let Ok((rules, rows)) = parse_set(&form) else {
        let json = serde_json::to_string(&form).map_err(AppError::internal)?;
        store.set_setting(&draft_key(set.id), &json).await?;
        return Ok(SetSaved::KeptToCheck);
    };
    let or_chinese = |en: String, zh: &str| if en.is_empty() { zh.to_string() } else { en };
    let items: Vec<Indicator> = rows
        .into_iter()
        .map(|(r, kind, max_points)| Indicator {
            group_en: or_chinese(r.group_en, &r.group_zh),
            text_en: or_chinese(r.text_en, &r.text_zh),
            group_zh: r.group_zh,
            text_zh: r.text_zh,
            max_points,
            kind,
            evidence_required: r.evidence,
        })
        .collect();
    // The store sets the target to the new version.
    let event = actor.audit(
        "indicators.revise",
        String::new(),
        format!(
            "{category} v{} → v{}, {} items",
            set.version,
            set.version + 1,
            items.len()
        ),
    );
    match store
        .revise_indicator_set(batch.id, category, &rules, &items, &event)
        .await
    {
        Ok(_) => {}
        Err(store::StoreError::Refused(_)) => return Ok(SetSaved::Frozen),
        Err(e) => return Err(e.into()),
    };
    store.set_setting(&draft_key(set.id), "").await?;
    Ok(SetSaved::Revised(set.version + 1))
}
