//! Indicator sets per batch and category, versioned; a realistic default for each
//! category, which the county office edits before its batch opens. Editing makes a
//! new version; a frozen set (applications use it) cannot be edited.

use crate::{audit::AuditEvent, now_text, Store, StoreError, StoreResult};
use domain::scoring::{ItemKind, SetRules};
use serde::{Deserialize, Serialize};
use sqlx::Row;

pub use domain::scoring::Indicator;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorSet {
    pub id: i64,
    pub batch_id: i64,
    pub category_code: String,
    pub version: i64,
    pub rules: SetRules,
    pub frozen: bool,
    pub items: Vec<Indicator>,
}

const SET_COLUMNS: &str =
    "id, version, basic_points, bonus_cap, pass_score, frozen, batch_id, category_code";

type Row4 = (&'static str, &'static str, &'static str, &'static str);

/// (group 中文, group English, text 中文, text English), points, kind, evidence.
fn defaults(category: &str) -> Vec<(Row4, u32, ItemKind, bool)> {
    use ItemKind::*;
    let org: [(Row4, u32, ItemKind, bool); 2] = match category {
        "street" => [
            (("组织与制度", "Organisation and rules", "街区运营管理机构健全，明确创建责任人", "The street has a management body and a named person responsible"), 8, Basic, true),
            (("组织与制度", "Organisation and rules", "建立街区消费投诉处理制度并有效运行", "A complaint-handling system for the street is in place and works"), 7, Basic, true),
        ],
        "association" => [
            (("组织与制度", "Organisation and rules", "制定行业自律公约并组织会员签署", "Self-discipline rules adopted and signed by members"), 8, Basic, true),
            (("组织与制度", "Organisation and rules", "建立会员消费纠纷快速处理机制", "A fast dispute-handling mechanism for members"), 7, Basic, true),
        ],
        "village" => [
            (("组织与制度", "Organisation and rules", "村（居）委会明确放心消费创建责任人，纳入村规民约", "The committee names a person responsible; the village rules include trusted consumption"), 8, Basic, true),
            (("组织与制度", "Organisation and rules", "对农村家宴、民宿、农家乐、食杂店建立经营者台账", "A register of banquet, homestay, agritourism and grocery businesses"), 7, Basic, true),
        ],
        _ => [
            (("组织与制度", "Organisation and rules", "建立放心消费创建工作机制，明确责任人", "A campaign working mechanism with a named person responsible"), 8, Basic, true),
            (("组织与制度", "Organisation and rules", "建立进货查验、质量管理等内部管理制度", "Internal rules for incoming inspection and quality management"), 7, Basic, true),
        ],
    };
    let mut items: Vec<(Row4, u32, ItemKind, bool)> = org.to_vec();
    items.extend([
        (("商品与服务质量", "Goods and service quality", "商品和服务符合国家、行业标准，近两年监督抽检合格", "Goods and services meet national and sector standards; inspections passed in the last 2 years"), 12, Basic, true),
        (("商品与服务质量", "Goods and service quality", "服务规范，公开服务承诺", "Service standards and a published service pledge"), 8, Basic, false),
        (("诚信经营", "Honest dealing", "明码标价，无价格欺诈行为", "Prices clearly marked; no price fraud"), 10, Basic, false),
        (("诚信经营", "Honest dealing", "广告宣传真实合法", "Truthful and lawful advertising"), 6, Basic, false),
        (("安全责任", "Safety duties", "落实食品、消防、特种设备等安全主体责任", "Food, fire and special-equipment safety duties carried out"), 10, Basic, true),
        (("投诉处理与售后", "Complaints and after-sales", "设立投诉受理点，公示投诉电话", "A complaint desk and a published complaint number"), 8, Basic, false),
        (("投诉处理与售后", "Complaints and after-sales", "消费纠纷按时处理，处理率不低于95%", "Disputes handled on time, at least 95 % handled"), 10, Basic, true),
        (("赔偿先付与无理由退货", "Advance compensation and returns", "落实线下无理由退货承诺", "Offline no-reason returns honoured"), 7, Basic, false),
        (("赔偿先付与无理由退货", "Advance compensation and returns", "建立赔偿先付制度或先行赔付资金", "Advance compensation rules or a fund"), 6, Basic, true),
        (("宣传与标识", "Publicity and labelling", "悬挂放心消费承诺牌，公开承诺内容", "The trusted-consumption pledge displayed"), 4, Basic, false),
        (("信息公开", "Information disclosure", "亮照经营，公开经营者信息", "Licence displayed and business information public"), 4, Basic, false),
        (("底线要求", "Bottom lines", "近两年无严重违法失信行为，未列入经营异常名录、严重违法失信名单或失信被执行人名单", "No serious violations in the last 2 years; not on the abnormal-operation, serious-dishonesty or court-enforcement lists"), 0, Veto, true),
        (("底线要求", "Bottom lines", "近两年未发生重大消费安全事故或恶劣消费侵权事件", "No major consumer-safety incident or egregious infringement in the last 2 years"), 0, Veto, false),
        (("底线要求", "Bottom lines", "申报材料真实有效", "Application materials are true"), 0, Veto, false),
        (("加分项", "Bonus", "获得省级以上放心消费、诚信经营等荣誉", "Provincial or higher honours for trusted consumption or honest dealing"), 5, Bonus, true),
        (("加分项", "Bonus", "入驻在线消费纠纷解决（ODR）平台", "Member of the online dispute resolution (ODR) platform"), 5, Bonus, true),
        (("加分项", "Bonus", "消费者满意度测评达95%以上", "Consumer satisfaction survey at 95 % or above"), 5, Bonus, true),
        (("加分项", "Bonus", "示范带动作用突出，事迹被市级以上媒体报道", "An example to others, reported by city-level or higher media"), 5, Bonus, true),
    ]);
    items
}

impl Store {
    /// Gives each category of the batch its default set, where it has none.
    pub async fn ensure_indicator_sets(&self, batch_id: i64) -> StoreResult<()> {
        for category in domain::Category::ALL {
            if self
                .indicator_set(batch_id, category.code())
                .await?
                .is_some()
            {
                continue;
            }
            let items = defaults(category.code())
                .into_iter()
                .map(|((gz, ge, tz, te), p, kind, ev)| Indicator {
                    group_zh: gz.into(),
                    group_en: ge.into(),
                    text_zh: tz.into(),
                    text_en: te.into(),
                    max_points: p,
                    kind,
                    evidence_required: ev,
                })
                .collect::<Vec<_>>();
            self.insert_indicator_version(
                batch_id,
                category.code(),
                1,
                &SetRules::default(),
                &items,
                None,
            )
            .await?;
        }
        Ok(())
    }

    async fn insert_indicator_version(
        &self,
        batch_id: i64,
        category: &str,
        version: i64,
        rules: &SetRules,
        items: &[Indicator],
        audit: Option<&AuditEvent>,
    ) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let set_id: i64 = sqlx::query(
            "INSERT INTO indicator_sets (batch_id, category_code, version, basic_points, bonus_cap, \
             pass_score, frozen, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7) RETURNING id",
        )
        .bind(batch_id)
        .bind(category)
        .bind(version)
        .bind(rules.basic_points as i64)
        .bind(rules.bonus_cap as i64)
        .bind(rules.pass_score as i64)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        for (i, it) in items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO indicator_items (set_id, position, group_zh, group_en, text_zh, text_en, \
                 max_points, kind, evidence_required) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(set_id)
            .bind(i as i64)
            .bind(&it.group_zh)
            .bind(&it.group_en)
            .bind(&it.text_zh)
            .bind(&it.text_en)
            .bind(it.max_points as i64)
            .bind(it.kind.code())
            .bind(it.evidence_required as i64)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(audit) = audit {
            let event = AuditEvent {
                target: format!("indicator_set:{set_id}"),
                ..audit.clone()
            };
            self.append_audit(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(set_id)
    }

    /// The newest version of a batch's set for a category.
    pub async fn indicator_set(
        &self,
        batch_id: i64,
        category: &str,
    ) -> StoreResult<Option<IndicatorSet>> {
        let row = sqlx::query(&format!(
            "SELECT {SET_COLUMNS} FROM indicator_sets \
             WHERE batch_id = $1 AND category_code = $2 ORDER BY version DESC LIMIT 1"
        ))
        .bind(batch_id)
        .bind(category)
        .fetch_optional(self.pool())
        .await?;
        self.indicator_set_from(row).await
    }

    /// One exact version: the set an application was started under.
    pub async fn indicator_set_by_id(&self, set_id: i64) -> StoreResult<Option<IndicatorSet>> {
        let row = sqlx::query(&format!(
            "SELECT {SET_COLUMNS} FROM indicator_sets WHERE id = $1"
        ))
        .bind(set_id)
        .fetch_optional(self.pool())
        .await?;
        self.indicator_set_from(row).await
    }

    async fn indicator_set_from(
        &self,
        row: Option<sqlx::any::AnyRow>,
    ) -> StoreResult<Option<IndicatorSet>> {
        let Some(r) = row else {
            return Ok(None);
        };
        let id: i64 = r.get("id");
        let rows = sqlx::query(
            "SELECT group_zh, group_en, text_zh, text_en, max_points, kind, evidence_required \
             FROM indicator_items WHERE set_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let kind: String = row.get("kind");
            items.push(Indicator {
                group_zh: row.get("group_zh"),
                group_en: row.get("group_en"),
                text_zh: row.get("text_zh"),
                text_en: row.get("text_en"),
                max_points: row.get::<i64, _>("max_points").max(0) as u32,
                kind: ItemKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("indicator kind {kind:?}")))?,
                evidence_required: row.get::<i64, _>("evidence_required") != 0,
            });
        }
        Ok(Some(IndicatorSet {
            id,
            batch_id: r.get("batch_id"),
            category_code: r.get("category_code"),
            version: r.get("version"),
            rules: SetRules {
                basic_points: r.get::<i64, _>("basic_points").max(0) as u32,
                bonus_cap: r.get::<i64, _>("bonus_cap").max(0) as u32,
                pass_score: r.get::<i64, _>("pass_score").max(0) as u32,
            },
            frozen: r.get::<i64, _>("frozen") != 0,
            items,
        }))
    }

    /// Saves an edited set as a new version. Refused once the current version is frozen.
    pub async fn revise_indicator_set(
        &self,
        batch_id: i64,
        category: &str,
        rules: &SetRules,
        items: &[Indicator],
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        let current = self.indicator_set(batch_id, category).await?;
        if current.as_ref().is_some_and(|s| s.frozen) {
            return Err(StoreError::Refused("the indicator set is frozen".into()));
        }
        let version = current.map(|s| s.version + 1).unwrap_or(1);
        self.insert_indicator_version(batch_id, category, version, rules, items, Some(audit))
            .await
    }

    /// Freezes a set: applications now score against exactly this version.
    pub async fn freeze_indicator_set(&self, set_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE indicator_sets SET frozen = 1 WHERE id = $1")
            .bind(set_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_set_is_valid() {
        for c in domain::Category::ALL {
            let items: Vec<_> = defaults(c.code())
                .iter()
                .map(|(_, p, k, _)| (*k, *p))
                .collect();
            assert!(
                domain::scoring::set_problems(&items, &SetRules::default()).is_empty(),
                "{c:?}"
            );
            assert!(items.iter().filter(|(k, _)| *k == ItemKind::Veto).count() >= 3);
            let bonus: u32 = items
                .iter()
                .filter(|(k, _)| *k == ItemKind::Bonus)
                .map(|(_, p)| p)
                .sum();
            assert!(bonus >= 15, "bonus items can reach the cap");
        }
    }
}
